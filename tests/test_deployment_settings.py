"""Issue 10 items 8 and 13: settings that must be right before the app serves."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from app.config import PROJECT_ROOT, Settings
from app.models import OutboxMessage
from app.services.deployment_checks import DeploymentError, check_deployment
from app.services.notify.sms import SmsDeliveryError, send_login_code


def _settings(**values: str) -> Settings:
    base = {"sms_backend": "twilio", "app_env": "development", "trusted_proxy_hops": "", "redis_url": ""}
    base.update(values)
    return Settings(**base)


@pytest.mark.parametrize("backend", ["Twilio", "twillio", "sms", ""])
def test_an_unknown_sms_backend_refuses_to_start(backend):
    with pytest.raises(DeploymentError, match="SMS_BACKEND"):
        check_deployment(_settings(sms_backend=backend))


@pytest.mark.parametrize("backend", ["Twilio", "console"])
def test_no_code_is_written_to_the_outbox_by_a_refused_backend(db, backend):
    """``Twilio`` used to fall back to the console: the code and number in the log and table."""
    config = _settings(sms_backend=backend, app_env="production", trusted_proxy_hops="1")
    with pytest.raises(SmsDeliveryError):
        send_login_code(db, "+4791234567", "123456", config=config)
    assert db.query(OutboxMessage).count() == 0


def test_the_console_backend_refuses_production():
    with pytest.raises(DeploymentError, match="console"):
        check_deployment(_settings(sms_backend="console", app_env="production", trusted_proxy_hops="0"))
    check_deployment(_settings(sms_backend="console"))  # a laptop


def test_production_must_declare_its_proxy_hops():
    with pytest.raises(DeploymentError, match="TRUSTED_PROXY_HOPS"):
        check_deployment(_settings(app_env="production"))
    check_deployment(_settings(app_env="production", trusted_proxy_hops="1"))
    check_deployment(_settings(app_env="production", trusted_proxy_hops="0"))
    with pytest.raises(DeploymentError, match="TRUSTED_PROXY_HOPS"):
        check_deployment(_settings(trusted_proxy_hops="one"))


def test_several_workers_behind_a_balancer_must_declare_the_proxy_hops():
    with pytest.raises(DeploymentError, match="TRUSTED_PROXY_HOPS"):
        check_deployment(_settings(redis_url="redis://redis-host:6379/0"))
    check_deployment(_settings(redis_url="redis://redis-host:6379/0", trusted_proxy_hops="1"))


def _python(code: str, **env: str) -> subprocess.CompletedProcess[str]:
    proxy_settings = ("TRUSTED_PROXY", "REFLEX_TRUSTED")
    environment = {k: v for k, v in os.environ.items() if not k.startswith(proxy_settings)}
    environment.update(env)
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=PROJECT_ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_app_refuses_to_start_with_an_unknown_sms_backend():
    run = _python("import app.app", SMS_BACKEND="Twilio")
    assert run.returncode != 0
    assert "SMS_BACKEND='Twilio' is not known" in run.stderr


_CLIENT_ADDRESS = """
from reflex import constants
from reflex.app import EventNamespace
import app.app  # the app as it starts, with this project's rxconfig
scope = {"client": ("10.0.0.2", 40000),
         "headers": [(b"x-forwarded-for", b"198.51.100.7, 203.0.113.5")]}
# How Reflex fixes a websocket's client address (self is unused by it).
data = EventNamespace._build_static_router_data(None, "sid", {"asgi.scope": scope})
print(data[constants.RouteVar.CLIENT_IP])
"""


def test_behind_one_proxy_the_client_is_the_address_the_proxy_saw():
    """TRUSTED_PROXY_HOPS=1: the last X-Forwarded-For entry (what our balancer appended), never
    the first (what the browser claims); without it, the balancer's own address for everyone."""
    behind = _python(_CLIENT_ADDRESS, TRUSTED_PROXY_HOPS="1", SMS_BACKEND="console")
    assert behind.returncode == 0, behind.stderr
    assert behind.stdout.strip().splitlines()[-1] == "203.0.113.5"
    direct = _python(_CLIENT_ADDRESS, SMS_BACKEND="console")
    assert direct.stdout.strip().splitlines()[-1] == "10.0.0.2"
