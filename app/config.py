"""Settings from environment variables, with safe defaults for a laptop.

Every variable is listed in the README with its default.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _env(name: str, default: str) -> str:
    return os.environ.get(name, default)


def _data_dir() -> Path:
    """Where the app keeps runtime data on a laptop: the SQLite file, the spool, generated keys."""
    return Path(_env("DATA_DIR", str(PROJECT_ROOT / "data"))).absolute()


def _default_database_url() -> str:
    return f"sqlite:///{_data_dir() / 'meterportal.db'}"


@dataclass(frozen=True)
class Settings:
    data_dir: Path = field(default_factory=_data_dir)
    database_url: str = field(default_factory=lambda: _env("DATABASE_URL", _default_database_url()))
    redis_url: str = field(default_factory=lambda: _env("REDIS_URL", ""))
    # The master key wraps every data key; a generated dev key is kept under data/ on a laptop.
    master_key: str = field(default_factory=lambda: _env("MASTER_KEY", ""))
    master_key_file: str = field(
        default_factory=lambda: _env("MASTER_KEY_FILE", str(_data_dir() / "master.key"))
    )
    timezone: str = field(default_factory=lambda: _env("TIMEZONE", "Europe/Oslo"))
    language: str = field(default_factory=lambda: _env("LANGUAGE_DEFAULT", "nb"))
    session_idle_minutes: int = field(default_factory=lambda: int(_env("SESSION_IDLE_MINUTES", "30")))
    session_absolute_hours: int = field(default_factory=lambda: int(_env("SESSION_ABSOLUTE_HOURS", "12")))
    # "production" on a utility's servers: refuses the console SMS backend and an undeclared
    # proxy setting (see app/services/deployment_checks.py).
    app_env: str = field(default_factory=lambda: _env("APP_ENV", "development"))
    # How many reverse proxies (load balancers) stand between browsers and the backend: the
    # client address is then read from X-Forwarded-For. Empty = not declared (0).
    trusted_proxy_hops: str = field(
        default_factory=lambda: _env("TRUSTED_PROXY_HOPS", _env("REFLEX_TRUSTED_PROXY_HOPS", ""))
    )
    # A production backend worker that dies is replaced (app/backend_workers.py); "0" stops the
    # whole server instead, granian's own default. The name granian's command line reads.
    granian_respawn_failed_workers: bool = field(
        default_factory=lambda: (
            _env("GRANIAN_RESPAWN_FAILED_WORKERS", "1").strip().lower() not in ("0", "false", "no", "off")
        )
    )
    sms_backend: str = field(default_factory=lambda: _env("SMS_BACKEND", "console"))
    twilio_account_sid: str = field(default_factory=lambda: _env("TWILIO_ACCOUNT_SID", ""))
    twilio_auth_token: str = field(default_factory=lambda: _env("TWILIO_AUTH_TOKEN", ""))
    twilio_from_number: str = field(default_factory=lambda: _env("TWILIO_FROM_NUMBER", ""))
    twilio_verify_service_sid: str = field(default_factory=lambda: _env("TWILIO_VERIFY_SERVICE_SID", ""))
    twilio_api_base: str = field(default_factory=lambda: _env("TWILIO_API_BASE", ""))
    mail_backend: str = field(default_factory=lambda: _env("MAIL_BACKEND", "console"))
    smtp_host: str = field(default_factory=lambda: _env("SMTP_HOST", ""))
    smtp_port: int = field(default_factory=lambda: int(_env("SMTP_PORT", "25")))
    smtp_user: str = field(default_factory=lambda: _env("SMTP_USER", ""))
    smtp_password: str = field(default_factory=lambda: _env("SMTP_PASSWORD", ""))
    smtp_starttls: bool = field(
        default_factory=lambda: _env("SMTP_STARTTLS", "").lower() in ("1", "true", "yes")
    )
    mail_from: str = field(default_factory=lambda: _env("MAIL_FROM", "noreply@meterportal.local"))
    public_url: str = field(default_factory=lambda: _env("PUBLIC_URL", "http://localhost:3000"))
    # The outbox's background sender (app/services/notify/sender.py): tries per message before it
    # is marked failed, the first retry's wait (doubled after each failure, up to the cap), how
    # long a claimed message is reserved for its sender, and how often each backend worker looks.
    outbox_max_attempts: int = field(default_factory=lambda: int(_env("OUTBOX_MAX_ATTEMPTS", "8")))
    outbox_retry_seconds: float = field(default_factory=lambda: float(_env("OUTBOX_RETRY_SECONDS", "30")))
    outbox_retry_max_seconds: float = field(
        default_factory=lambda: float(_env("OUTBOX_RETRY_MAX_SECONDS", "3600"))
    )
    outbox_lease_seconds: float = field(default_factory=lambda: float(_env("OUTBOX_LEASE_SECONDS", "300")))
    outbox_poll_seconds: float = field(default_factory=lambda: float(_env("OUTBOX_POLL_SECONDS", "2")))
    # Sent messages (who, what kind, when; their text is already erased) are deleted this many days
    # after sending: a delivery log is not kept beyond its use (data minimisation).
    outbox_keep_days: int = field(default_factory=lambda: int(_env("OUTBOX_KEEP_DAYS", "90")))
    # Base URL of the grid company's installation API the installer pages call; empty: this
    # app's own backend (Reflex's api_url), which serves GET /api/installations.
    installation_api_url: str = field(default_factory=lambda: _env("INSTALLATION_API_URL", ""))
    # Secret behind every HMAC of the sign-in and the spool; empty: derived (app/services/server_secret.py).
    auth_secret: str = field(default_factory=lambda: _env("AUTH_SECRET", ""))
    # The ingestion worker: where each source's spool file lives, and whether readings from an
    # unknown meter create its row (instead of being counted as unknown).
    # Invoice PDFs from the billing system (python -m app.invoices import DIR): outside the
    # database and the web root, served only to a session of the invoice's relationship.
    invoice_dir: Path = field(
        default_factory=lambda: Path(_env("INVOICE_DIR", str(_data_dir() / "invoices")))
    )
    ingest_spool_dir: Path = field(
        default_factory=lambda: Path(_env("INGEST_SPOOL_DIR", str(_data_dir() / "spool")))
    )
    ingest_auto_create_meters: bool = field(
        default_factory=lambda: _env("INGEST_AUTO_CREATE_METERS", "0") == "1"
    )


settings = Settings()


def watched_tree_exclusions(existing: str) -> str:
    """``REFLEX_HOT_RELOAD_EXCLUDE_PATHS`` with the data folder added (created, so it can be compared).

    Reflex drops a reloaded path only when it is the same file as an excluded one, so the folder
    must exist before the dev server starts.
    """
    settings.data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    paths = [p for p in existing.split(":") if p]
    if str(settings.data_dir) not in paths:
        paths.append(str(settings.data_dir))
    return ":".join(paths)
