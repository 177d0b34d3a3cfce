"""Start-up refuses nonsense: each bad value stops Django with a message naming the variable.

Each case starts a fresh interpreter, because settings are read once per process.
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.core.exceptions import ImproperlyConfigured

from backend import env as backend_env

ROOT = Path(__file__).resolve().parents[2]

PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "prod-" + "k3y-Zq9" * 10,
    "FIELD_ENCRYPTION_KEYS": "a-production-field-encryption-key-000001",
    "JWT_SIGNING_KEY": "jwt-" + "s1gn-Yx8" * 10,
    "ALLOWED_HOSTS": "api.good-enough.example",
    "DATABASE_URL": "sqlite:///:memory:",
}

REMINDER_CHANNELS = {
    "REMINDER_CHANNEL_PUSH_URL": "https://push.good-enough.example/v1/projects/good-enough/messages:send",
    "REMINDER_WEBHOOK_URL": "https://hooks.good-enough.example/reminders",
    "REMINDER_WEBHOOK_SECRET": "whsec_" + base64.b64encode(b"a-production-webhook-secret-0001").decode(),
    "EMAIL_URL": "smtp://reminders:p%40ss@mail.good-enough.example:587",
    "WEBPUSH_VAPID_PRIVATE_KEY": backend_env.new_vapid_private_key(),
    "WEBPUSH_VAPID_SUBJECT": "mailto:care@good-enough.example",
}
CONFIGURED_CHANNELS = "from reminders import channels; print(sorted(channels.configured()))"


def django_start(env: dict[str, str], tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k
        not in {
            *PRODUCTION,
            *REMINDER_CHANNELS,
            "REDIS_URL",
            "AUTH_THROTTLE_RATE",
            "SECURE_SSL_REDIRECT",
            "SECRET_KEY_FALLBACKS",
            "FIELD_ENCRYPTION_LEGACY_KEYS",
        }
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
        ("FIELD_ENCRYPTION_LEGACY_KEYS", "perhaps"),
        ("SECRET_KEY_FALLBACKS", "short"),
        ("SECRET_KEY_FALLBACKS", "prod-" + "k3y-Zq9" * 10),  # the current key again: nothing rotated
        ("JWT_SIGNING_KEY", "short"),
        ("JWT_SIGNING_KEY", "prod-" + "k3y-Zq9" * 10),  # SECRET_KEY's twin: nothing separated
        ("ALLOWED_HOSTS", " , "),
        ("REMINDER_WEBHOOK_URL", "ftp://example.test/hook"),
        ("REMINDER_CHANNEL_PUSH_URL", "fcm.googleapis.com/v1/projects/x/messages:send"),
        ("REMINDER_WEBHOOK_SECRET", "a-plain-password"),
        ("REMINDER_WEBHOOK_SECRET", "whsec_not*base64"),
        ("REMINDER_WEBHOOK_SECRET", "whsec_" + base64.b64encode(b"too-short").decode()),
        ("WEBPUSH_VAPID_PRIVATE_KEY", "not-a-key"),
        ("WEBPUSH_VAPID_SUBJECT", "care@good-enough.example"),
        ("EMAIL_URL", "smtp://"),
        ("EMAIL_URL", "http://mail.example.test"),
        ("EMAIL_URL", "smtp://mail.example.test:smtp"),
        ("EMAIL_URL", "smtp://mail.example.test:587?timeout=soon"),
    ],
)
def test_a_bad_value_stops_start_up_naming_the_variable(tmp_path, variable, value):
    result = django_start({**PRODUCTION, variable: value}, tmp_path)
    assert result.returncode != 0
    last_line = result.stderr.strip().splitlines()[-1]
    assert "ImproperlyConfigured" in last_line
    assert variable in last_line


@pytest.mark.parametrize("variable", ["SECRET_KEY", "FIELD_ENCRYPTION_KEYS", "JWT_SIGNING_KEY"])
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
    jwt_key = (tmp_path / "var" / "jwt_signing_key").read_text()
    assert len(secret) >= 50
    assert len(keys) >= 32
    assert len(jwt_key) >= 50
    assert len({secret, keys, jwt_key}) == 3
    assert django_start(env, tmp_path).returncode == 0
    assert (tmp_path / "var" / "secret_key").read_text() == secret
    assert (tmp_path / "var" / "field_encryption_keys").read_text() == keys
    assert (tmp_path / "var" / "jwt_signing_key").read_text() == jwt_key


# --- Keys: each rotates on its own -----------------------------------------------------------

MINT_TOKEN = (
    "from rest_framework_simplejwt.tokens import AccessToken; t = AccessToken(); "
    "t['user_id'] = '5f0c1b7e-3d5a-4c55-9a1e-1f1c0e0a0b01'; print(t)"
)


def token_check(token: str) -> str:
    return (
        "from rest_framework_simplejwt.tokens import AccessToken; from rest_framework_simplejwt.exceptions import "
        f"TokenError\ntry:\n    AccessToken({token!r}); print('accepted')\nexcept TokenError: print('refused')"
    )


def last_line(result: subprocess.CompletedProcess) -> str:
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


def test_secret_key_fallbacks_are_read_from_the_environment(tmp_path):
    old = ["old-" + "k3y-Ab7" * 10, "older-" + "k3y-Cd5" * 10]
    shown = django_start(
        {**PRODUCTION, "SECRET_KEY_FALLBACKS": ", ".join(old)},
        tmp_path,
        "shell",
        "-c",
        "from django.conf import settings; print(settings.SECRET_KEY_FALLBACKS)",
    )
    assert last_line(shown) == repr(old)
    none = django_start(
        {**PRODUCTION, "SECRET_KEY_FALLBACKS": ""},
        tmp_path,
        "shell",
        "-c",
        "from django.conf import settings; print(settings.SECRET_KEY_FALLBACKS)",
    )
    assert last_line(none) == "[]"  # emptied once the old key is dropped


def test_rotating_secret_key_leaves_the_api_tokens_working(tmp_path):
    token = last_line(django_start(PRODUCTION, tmp_path, "shell", "-c", MINT_TOKEN))
    rotated = {**PRODUCTION, "SECRET_KEY": "new-" + "k3y-Wv2" * 10, "SECRET_KEY_FALLBACKS": PRODUCTION["SECRET_KEY"]}
    assert last_line(django_start(rotated, tmp_path, "shell", "-c", token_check(token))) == "accepted"
    replaced = {**PRODUCTION, "SECRET_KEY": "new-" + "k3y-Wv2" * 10}  # the old key gone altogether
    assert last_line(django_start(replaced, tmp_path, "shell", "-c", token_check(token))) == "accepted"


def test_rotating_the_jwt_signing_key_refuses_the_tokens_it_signed(tmp_path):
    # simplejwt verifies with one key: a leaked signing key is rotated by signing everyone out.
    token = last_line(django_start(PRODUCTION, tmp_path, "shell", "-c", MINT_TOKEN))
    assert last_line(django_start(PRODUCTION, tmp_path, "shell", "-c", token_check(token))) == "accepted"
    rotated = {**PRODUCTION, "JWT_SIGNING_KEY": "jwt-" + "n3w-Tu4" * 10}
    assert last_line(django_start(rotated, tmp_path, "shell", "-c", token_check(token))) == "refused"


def test_check_deploy_is_clean_with_production_values(tmp_path):
    result = django_start(PRODUCTION, tmp_path, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_production_collects_static_files_for_the_api_docs(tmp_path):
    result = django_start(PRODUCTION, tmp_path, "collectstatic", "--noinput", "-v", "0")
    assert result.returncode == 0, result.stderr
    manifest = (tmp_path / "var" / "static" / "staticfiles.json").read_text()
    assert "drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in manifest
    # The patient app's modules import each other by hashed name, so a deploy's service worker
    # caches exactly what the page loads (backend/staticfiles.py).
    paths = json.loads(manifest)["paths"]
    main = (tmp_path / "var" / "static" / paths["patient_web/js/main.js"]).read_text()
    app = paths["patient_web/js/app.js"].removeprefix("patient_web/js/")
    assert f'from "./{app}"' in main
    assert (tmp_path / "var" / "static" / f"{paths['patient_web/js/app.js']}.gz").exists()


@pytest.mark.parametrize(
    ("given", "missing"),
    [
        ({"REMINDER_WEBHOOK_URL": REMINDER_CHANNELS["REMINDER_WEBHOOK_URL"]}, "REMINDER_WEBHOOK_SECRET"),
        ({"WEBPUSH_VAPID_PRIVATE_KEY": REMINDER_CHANNELS["WEBPUSH_VAPID_PRIVATE_KEY"]}, "WEBPUSH_VAPID_SUBJECT"),
        ({"WEBPUSH_VAPID_SUBJECT": REMINDER_CHANNELS["WEBPUSH_VAPID_SUBJECT"]}, "WEBPUSH_VAPID_PRIVATE_KEY"),
    ],
)
def test_half_a_reminder_channel_stops_start_up_naming_what_is_missing(tmp_path, given, missing):
    result = django_start({**PRODUCTION, **given}, tmp_path)
    assert result.returncode != 0
    assert f"{missing} is required when" in result.stderr.strip().splitlines()[-1]


def test_production_without_channel_settings_sends_reminders_to_the_console_only(tmp_path):
    result = django_start(PRODUCTION, tmp_path, "shell", "-c", CONFIGURED_CHANNELS)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "[]"
    assert not (tmp_path / "var" / "webpush_vapid_private_key").exists()


def test_production_with_every_channel_set_has_every_channel(tmp_path):
    result = django_start({**PRODUCTION, **REMINDER_CHANNELS}, tmp_path, "shell", "-c", CONFIGURED_CHANNELS)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "['email', 'push', 'webhook']"


def test_development_generates_a_vapid_key_once_so_web_push_works_out_of_the_box(tmp_path):
    result = django_start(
        {"DEBUG": "1"},
        tmp_path,
        "shell",
        "-c",
        "from reminders import channels; print(sorted(channels.push_platforms()))",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "['web']"
    key = (tmp_path / "var" / "webpush_vapid_private_key").read_text()
    backend_env.validate_vapid_private_key(key)
    assert django_start({"DEBUG": "1"}, tmp_path).returncode == 0
    assert (tmp_path / "var" / "webpush_vapid_private_key").read_text() == key


# --- EMAIL_URL: dj-email-url, plus the two rules README promises ------------------------------


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        # STARTTLS on the submission port, whichever way it is spelled; the password unquoted.
        ("smtp://reminders:p%40ss@mail.example.test:587", ("mail.example.test", 587, True, False, "p@ss")),
        ("submission://reminders:pw@mail.example.test", ("mail.example.test", 587, True, False, "pw")),
        # smtps is implicit TLS (465), not dj-email-url's STARTTLS reading.
        ("smtps://reminders:pw@mail.example.test", ("mail.example.test", 465, False, True, "pw")),
        # Plain SMTP to a local relay, and explicit query flags that decide over the defaults.
        ("smtp://127.0.0.1:2525", ("127.0.0.1", 2525, False, False, "")),
        ("smtp://mail.example.test:587?tls=0", ("mail.example.test", 587, False, False, "")),
        ("smtp://mail.example.test:2465?ssl=1", ("mail.example.test", 2465, False, True, "")),
    ],
)
def test_an_email_url_becomes_djangos_smtp_settings(url, expected):
    mail = backend_env.parse_email_url("EMAIL_URL", url)
    assert mail.backend == "django.core.mail.backends.smtp.EmailBackend"
    assert (mail.host, mail.port, mail.use_tls, mail.use_ssl, mail.password) == expected


def test_mail_never_waits_forever_unless_told_how_long():
    assert backend_env.parse_email_url("EMAIL_URL", "smtp://mail.example.test").timeout == 5
    assert backend_env.parse_email_url("EMAIL_URL", "smtp://mail.example.test?timeout=20").timeout == 20


def test_a_console_email_url_prints_mail_instead_of_sending_it():
    mail = backend_env.parse_email_url("EMAIL_URL", "console://")
    assert mail.backend == "django.core.mail.backends.console.EmailBackend"


def test_an_email_url_without_a_host_is_refused_not_read_as_localhost():
    with pytest.raises(ImproperlyConfigured, match="EMAIL_URL must name a host"):
        backend_env.parse_email_url("EMAIL_URL", "smtp://:25")


# --- push: the FCM service account and the Web Push hosts -----------------------------------


def a_service_account(**changes: object) -> dict[str, object]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    account: dict[str, object] = {
        "type": "service_account",
        "project_id": "good-enough",
        "private_key_id": "0f1e2d3c",
        "private_key": pem.decode(),
        "client_email": "reminders@good-enough.iam.gserviceaccount.com",
        "token_uri": "https://oauth2.googleapis.com/token",
    }
    account.update(changes)
    return account


@pytest.mark.parametrize(
    ("variable", "value", "says"),
    [
        ("FCM_SERVICE_ACCOUNT_FILE", "/nonexistent/service-account.json", "cannot be read"),
        ("WEBPUSH_ALLOWED_HOSTS", "https://push.example.com", "host names"),
        ("WEBPUSH_ALLOWED_HOSTS", "fcm.googleapis.com,127.0.0.1", "host names"),
        ("WEBPUSH_ALLOWED_HOSTS", "*", "host names"),
        (
            "REMINDER_CHANNEL_PUSH_URL",
            "https://fcm.googleapis.com/v1/projects/x/messages:send",
            "FCM_SERVICE_ACCOUNT_FILE",
        ),
    ],
)
def test_a_bad_push_setting_stops_start_up_naming_the_variable(tmp_path, variable, value, says):
    result = django_start({**PRODUCTION, variable: value}, tmp_path)
    assert result.returncode != 0
    last_line = result.stderr.strip().splitlines()[-1]
    assert "ImproperlyConfigured" in last_line
    assert variable in last_line
    assert says in last_line


def test_a_service_account_file_turns_push_to_phones_on(tmp_path):
    path = tmp_path / "service-account.json"
    path.write_text(json.dumps(a_service_account()))
    script = "from reminders import channels; print(sorted(channels.push_platforms()))"
    result = django_start({**PRODUCTION, "FCM_SERVICE_ACCOUNT_FILE": str(path)}, tmp_path, "shell", "-c", script)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "['android', 'ios']"


@pytest.mark.parametrize(
    ("content", "says"),
    [
        ("{not json", "not JSON"),
        (json.dumps(["a", "list"]), "service account's JSON key file"),
        (json.dumps({"type": "authorized_user", "client_id": "x"}), "service account's JSON key file"),
        (json.dumps({"type": "service_account", "project_id": "good-enough"}), "lacks client_email, private_key"),
        ("PROJECT", "lacks project_id"),
        ("BAD KEY", "google-auth cannot use"),
    ],
)
def test_a_service_account_file_that_google_auth_cannot_use_is_refused_by_name(tmp_path, monkeypatch, content, says):
    if content == "PROJECT":
        content = json.dumps({key: value for key, value in a_service_account().items() if key != "project_id"})
    elif content == "BAD KEY":
        content = json.dumps(
            a_service_account(private_key="-----BEGIN PRIVATE KEY-----\nbm9wZQ==\n-----END PRIVATE KEY-----\n")
        )
    path = tmp_path / "service-account.json"
    path.write_text(content)
    monkeypatch.setenv("FCM_SERVICE_ACCOUNT_FILE", str(path))
    with pytest.raises(ImproperlyConfigured, match="FCM_SERVICE_ACCOUNT_FILE") as raised:
        backend_env.get_service_account("FCM_SERVICE_ACCOUNT_FILE")
    assert says in str(raised.value)


def test_web_push_hosts_are_read_lower_case_and_wildcards_kept(monkeypatch):
    monkeypatch.setenv("WEBPUSH_ALLOWED_HOSTS", "FCM.googleapis.com, *.push.example.org")
    assert backend_env.get_host_patterns("WEBPUSH_ALLOWED_HOSTS", []) == ["fcm.googleapis.com", "*.push.example.org"]
