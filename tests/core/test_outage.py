"""An outage is a 503 with Retry-After, not a 500: a phone then retries instead of failing.

Each case starts a fresh interpreter whose settings point at a real closed port, as
``/healthz``'s test does: the real failure, not a mock of it.
"""

from __future__ import annotations

import json

import pytest

from tests.helpers import a_closed_port, in_a_fresh_interpreter

CALLS = """
import django, json, uuid; django.setup()
from django.test import Client
from rest_framework_simplejwt.tokens import AccessToken
from accounts.models import User
bearer = {"HTTP_AUTHORIZATION": f"Bearer {AccessToken.for_user(User(id=uuid.uuid4()))}"}
login = {"data": json.dumps({"email": "sam@example.test", "password": "x" * 12}), "content_type": "application/json"}
client = Client(HTTP_HOST="localhost", raise_request_exception=False)
answers = {}
for name, method, path, options in [
    ("me", "get", "/api/v1/me/", bearer),
    # A browser signed in to the dashboard sends its session cookie to the API of the same origin:
    # the session middleware saves that session after the view, outside DRF's handler.
    ("me, with a dashboard's cookie", "get", "/api/v1/me/", {"HTTP_COOKIE": "sessionid=" + "a" * 32}),
    ("reflections", "post", "/api/v1/reflections/", {**bearer, "data": "{}", "content_type": "application/json"}),
    ("login", "post", "/api/v1/auth/token/", login),
    ("register", "post", "/api/v1/auth/register/", {**login, "data": json.dumps({
        "email": "sam@example.test", "password": "a-long-enough-pass-2026", "display_name": "Sam", "role": "patient",
        "timezone": "Europe/Paris"})}),
]:
    response = getattr(client, method)(path, **options)
    answers[name] = [response.status_code, response.headers.get("Retry-After"), response.headers.get("Content-Type"),
                     response.content.decode()]
print(json.dumps(answers))
"""


def call_with(env: dict[str, str]) -> dict[str, list]:
    answers: dict[str, list] = in_a_fresh_interpreter(CALLS, env=env, timeout=120)
    return answers


def assert_503(answer: list) -> None:
    status, retry_after, content_type, body = answer
    assert status == 503, body
    assert retry_after == "30"
    assert content_type == "application/json"
    assert json.loads(body) == {
        "type": "server_error",
        "errors": [{"code": "service_unavailable", "detail": json.loads(body)["errors"][0]["detail"], "attr": None}],
    }


def test_with_the_database_unreachable_every_call_is_a_503_with_retry_after():
    answers = call_with({"DATABASE_URL": f"postgres://nobody@127.0.0.1:{a_closed_port()}/none"})
    for name in ("me", "me, with a dashboard's cookie", "reflections", "login", "register"):
        assert_503(answers[name])


@pytest.mark.parametrize("name", ["login", "register"])
def test_with_redis_unreachable_the_throttled_calls_are_a_503_with_retry_after(name):
    answers = call_with({"REDIS_URL": f"redis://127.0.0.1:{a_closed_port()}/0", "DATABASE_URL": "sqlite:///:memory:"})
    assert_503(answers[name])
