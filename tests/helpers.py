"""What tests use to talk to the API: signed-in clients and readers of error bodies."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import AccessToken

from accounts.models import User

ROOT = Path(__file__).resolve().parents[1]


class UserClient(APIClient):
    """An API client signed in as one user with a real JWT, minted per request.

    Minting at request time keeps tokens valid under time_machine: a token minted today
    would not yet be valid in a test that travels back to last week.
    """

    def __init__(self, user: User, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.user = user

    def request(self, **kwargs: Any) -> Any:
        kwargs.setdefault("HTTP_AUTHORIZATION", f"Bearer {AccessToken.for_user(self.user)}")
        return super().request(**kwargs)


def client_for(user: User) -> APIClient:
    return UserClient(user)


def error_codes(response: Any) -> list[str]:
    """The ``code`` of every error in a drf-standardized-errors body."""
    body = response.json()
    assert set(body) == {"type", "errors"}, body
    return [error["code"] for error in body["errors"]]


def error_attrs(response: Any) -> list[str | None]:
    return [error["attr"] for error in response.json()["errors"]]


#: Races need two connections committing at once: SQLite's in-memory test database has one.
needs_concurrent_transactions = pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="needs concurrent transactions: runs in CI's PostgreSQL leg",
)


def a_closed_port() -> int:
    """A local port where nothing listens: a real outage to point a setting at."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def totp_code(device: Any, at: datetime) -> str:
    """What a therapist's authenticator app shows at ``at`` for a TOTP device."""
    from django_otp.oath import totp

    with time_machine.travel(at, tick=False):
        return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def wrong_totp_code(device: Any, at: datetime) -> str:
    """Six digits that are none of the codes a one-step drift either way would accept."""
    near = {totp_code(device, at + timedelta(seconds=30 * k)) for k in (-1, 0, 1)}
    return next(code for code in ("000000", "111111", "222222", "333333") if code not in near)


#: A browser's Push API keys as a real one sends them: ``p256dh`` a P-256 point (uncompressed,
#: 65 bytes) and ``auth`` 16 bytes, both unpadded base64url. The server checks both.
WEB_PUSH_KEYS = {
    "p256dh": "BLl_n8FzD29ge4ZEdjuREvu0ZmJL4ahl55ZAHMlzjVhk6Ca5uAqGjvDocJczhjuopIOyNv5PmQxLSr8JFJeiYaE",
    "auth": "AAECAwQFBgcICQoLDA0ODw",
}


def migrate_to(target: tuple[str, str]) -> MigrationExecutor:
    """The database as ``target`` (an app's migration) left it: for a migration's own test,
    under ``django_db(transaction=True)`` and the ``back_at_the_end`` fixture."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate([target])
    return executor


def in_a_fresh_interpreter(script: str, *argv: str, env: dict[str, str], timeout: float = 180) -> Any:
    """Run ``script`` (Django set up by it) in a new Python with ``env`` over this one's, and
    answer the JSON it printed last: settings read at start-up (a database or Redis that is
    not there) are tested as they are, not patched into this process."""
    result = subprocess.run(
        [sys.executable, "-c", script, *argv],
        cwd=ROOT,
        env={**os.environ, **env, "DJANGO_SETTINGS_MODULE": "backend.settings"},
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])
