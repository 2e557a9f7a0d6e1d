"""Settings that must be right before the web app may serve: checked at start-up.

A mistake here is silent at run time and costly: an unknown ``SMS_BACKEND`` used to fall back
to the console (codes and full mobile numbers in the log and the outbox table), and behind a
load balancer without ``TRUSTED_PROXY_HOPS`` every browser has the balancer's address, so each
per-address limit becomes one limit for the whole site.
"""

from __future__ import annotations

from app.config import Settings

PRODUCTION = "production"
SMS_BACKENDS = ("console", "twilio")


class DeploymentError(RuntimeError):
    """A setting that must be fixed before the app starts; the message says how."""


def is_production(config: Settings) -> bool:
    return config.app_env.strip().lower() == PRODUCTION


def proxy_hops(config: Settings) -> int:
    """``TRUSTED_PROXY_HOPS`` as a number (0 when not set)."""
    raw = config.trusted_proxy_hops.strip()
    if not raw:
        return 0
    if not raw.isdigit():
        raise DeploymentError(
            f"TRUSTED_PROXY_HOPS={raw!r}: give the number of reverse proxies in front of the "
            "backend (0 when browsers connect to it directly)"
        )
    return int(raw)


def check_sms_backend(config: Settings) -> None:
    backend = config.sms_backend
    if backend not in SMS_BACKENDS:
        raise DeploymentError(
            f"SMS_BACKEND={backend!r} is not known: use one of {', '.join(SMS_BACKENDS)} (lower case)"
        )
    if backend == "console" and is_production(config):
        raise DeploymentError(
            "SMS_BACKEND=console writes sign-in codes and mobile numbers to the log: it is "
            "refused with APP_ENV=production; set SMS_BACKEND=twilio"
        )


def check_deployment(config: Settings) -> None:
    """Raise ``DeploymentError`` unless the settings are fit to serve."""
    check_sms_backend(config)
    proxy_hops(config)
    declared = bool(config.trusted_proxy_hops.strip())
    if config.redis_url and not declared:
        # REDIS_URL is how several backend workers share state: they stand behind a balancer.
        raise DeploymentError(
            "REDIS_URL is set (several backend workers behind a load balancer) but "
            "TRUSTED_PROXY_HOPS is not: set it to the number of reverse proxies in front of the "
            "backend (1 behind one load balancer), or 0 when browsers connect to it directly"
        )
    if is_production(config) and not declared:
        raise DeploymentError(
            "APP_ENV=production needs TRUSTED_PROXY_HOPS: the number of reverse proxies or load "
            "balancers in front of the backend (1 behind one load balancer), or 0 when browsers "
            "connect to it directly. Without it, every browser behind a proxy has the proxy's "
            "address and the per-address limits lock out everyone at once."
        )
