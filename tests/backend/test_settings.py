"""Start-up refuses nonsense: each bad value stops Django with a message naming the variable.

Each case starts a fresh interpreter, because settings are read once per process.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "prod-" + "k3y-Zq9" * 10,
    "FIELD_ENCRYPTION_KEYS": "a-production-field-encryption-key-000001",
    "ALLOWED_HOSTS": "api.good-enough.example",
    "DATABASE_URL": "sqlite:///:memory:",
}


def django_start(env: dict[str, str], tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {*PRODUCTION, "REDIS_URL", "AUTH_THROTTLE_RATE", "SECURE_SSL_REDIRECT"}
    }
    clean.update(env)
    clean["GOOD_ENOUGH_VAR_DIR"] = str(tmp_path / "var")
    clean.pop("DJANGO_SETTINGS_MODULE", None)
    return subprocess.run(
        [sys.executable, "manage.py", *(args or ("check",))],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("DEBUG", "maybe"),
        ("DATABASE_URL", "notadb://x"),
        ("REDIS_URL", "http://127.0.0.1:6379"),
        ("PORT", "eighty"),
        ("PORT", "70000"),
        ("TRUSTED_PROXY_COUNT", "-1"),
        ("AUTH_THROTTLE_RATE", "lots"),
        ("SECRET_KEY", "short"),
        ("FIELD_ENCRYPTION_KEYS", "tiny,keys"),
        ("ALLOWED_HOSTS", " , "),
        ("REMINDER_WEBHOOK_URL", "ftp://example.test/hook"),
        ("EMAIL_URL", "smtp://"),
    ],
)
def test_a_bad_value_stops_start_up_naming_the_variable(tmp_path, variable, value):
    result = django_start({**PRODUCTION, variable: value}, tmp_path)
    assert result.returncode != 0
    last_line = result.stderr.strip().splitlines()[-1]
    assert "ImproperlyConfigured" in last_line
    assert variable in last_line


@pytest.mark.parametrize("variable", ["SECRET_KEY", "FIELD_ENCRYPTION_KEYS"])
def test_production_requires_its_secrets(tmp_path, variable):
    env = dict(PRODUCTION)
    del env[variable]
    result = django_start(env, tmp_path)
    assert result.returncode != 0
    assert f"{variable} is required when DEBUG is off" in result.stderr


def test_development_generates_secrets_once_into_var(tmp_path):
    env = {"DEBUG": "1"}
    assert django_start(env, tmp_path).returncode == 0
    secret = (tmp_path / "var" / "secret_key").read_text()
    keys = (tmp_path / "var" / "field_encryption_keys").read_text()
    assert len(secret) >= 50
    assert len(keys) >= 32
    assert django_start(env, tmp_path).returncode == 0
    assert (tmp_path / "var" / "secret_key").read_text() == secret
    assert (tmp_path / "var" / "field_encryption_keys").read_text() == keys


def test_check_deploy_is_clean_with_production_values(tmp_path):
    result = django_start(PRODUCTION, tmp_path, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_production_collects_static_files_for_the_api_docs(tmp_path):
    result = django_start(PRODUCTION, tmp_path, "collectstatic", "--noinput", "-v", "0")
    assert result.returncode == 0, result.stderr
    manifest = (tmp_path / "var" / "static" / "staticfiles.json").read_text()
    assert "drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in manifest
