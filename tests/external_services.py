"""The machine's PostgreSQL and Redis for production-path tests, or a skip that names the variable.

Kept out of conftest.py: importing a conftest as a module runs it a second time, and a second run
of tests/conftest.py points DATABASE_URL at a new, empty database behind the app's back.
"""

from __future__ import annotations

import os

import pytest


def postgres_url_or_skip() -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        pytest.skip("PostgreSQL tests need TEST_DATABASE_URL (e.g. postgresql://postgres@127.0.0.1/test)")
    return url


def redis_url_or_skip() -> str:
    url = os.environ.get("TEST_REDIS_URL")
    if not url:
        pytest.skip("Redis tests need TEST_REDIS_URL (e.g. redis://127.0.0.1:6379/0)")
    return url
