"""With the database or Redis out of reach, the dashboard answers its 503 page with
``Retry-After``, never a 500: the therapist reads that nothing they sent was half-saved and
that they can try again in a moment, and a browser keeps no copy of the page.

Each leg starts a fresh interpreter whose settings point at a real closed port, as
tests/core/test_outage.py does: the real failure, not a mock of it. With ``DEBUG`` off (as
deployed) and on (``make run``, where Django's debug page would otherwise answer).
"""

from __future__ import annotations

import html
import json
import re

import pytest

from dashboard.security import CONTENT_SECURITY_POLICY
from tests.helpers import a_closed_port, in_a_fresh_interpreter

CALLS = """
import django, json, sys; django.setup()
from django.conf import settings
from django.core.management import call_command
from django.test import Client, override_settings

# As the suite serves them (tests/conftest.py): with DEBUG off a page names hashed static files,
# which only collectstatic writes.
override_settings(STORAGES={**settings.STORAGES, "staticfiles": {
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}).enable()
calls, with_therapist = json.loads(sys.argv[1]), sys.argv[2] == "1"
if with_therapist:
    call_command("migrate", verbosity=0)
    from accounts.models import User
    therapist = User.objects.create_user(
        "maya@example.test", "listen-kindly-2026", display_name="Maya Okafor", role="therapist")
answers = {}
for name, method, path, data, who in calls:
    client = Client(HTTP_HOST="localhost", raise_request_exception=False)
    if who == "therapist":
        client.force_login(therapist)
    elif who == "a session cookie":
        client.cookies[settings.SESSION_COOKIE_NAME] = "a" * 32
    response = getattr(client, method)(path, data)
    answers[name] = {"status": response.status_code, "page": response.content.decode(),
                     **{header: response.headers.get(header) for header in (
                         "Retry-After", "Content-Type", "Cache-Control", "Content-Security-Policy", "Location")}}
print(json.dumps(answers))
"""

SIGN_IN = ("post", "/app/sign-in/", {"email": "maya@example.test", "password": "listen-kindly-2026"})


def call_with(env: dict[str, str], calls: dict[str, tuple], *, with_therapist: bool = False) -> dict[str, dict]:
    argv = json.dumps([[name, *call] for name, call in calls.items()])
    answers: dict[str, dict] = in_a_fresh_interpreter(CALLS, argv, "1" if with_therapist else "0", env=env)
    return answers


def words(page: str) -> str:
    """The page as a person reads it."""
    return " ".join(html.unescape(re.sub(r"<[^>]*>", " ", page)).split())


def directives(policy: str) -> set[str]:
    """A policy's directives, in whatever order another interpreter wrote them."""
    return set(policy.split("; "))


def assert_the_503_page(answer: dict) -> None:
    assert answer["status"] == 503, answer["page"][-2000:]
    assert answer["Retry-After"] == "30"
    assert answer["Content-Type"].startswith("text/html")
    assert "no-store" in answer["Cache-Control"]
    assert directives(answer["Content-Security-Policy"]) == directives(CONTENT_SECURITY_POLICY)
    said = words(answer["page"])
    assert "We can't reach our records just now" in said
    assert "Nothing you sent was half-saved" in said
    assert "Try again in a moment" in said


@pytest.fixture(params=["0", "1"], ids=["deployed", "debug"])
def debug(request) -> str:
    return request.param


def test_with_the_database_unreachable_every_page_that_needs_it_is_the_503_page(debug):
    answers = call_with(
        {"DEBUG": debug, "DATABASE_URL": f"postgres://nobody@127.0.0.1:{a_closed_port()}/none"},
        {
            # The session is read (by the page) or saved (by the session middleware) from the database.
            "roster": ("get", "/app/", {}, "a session cookie"),
            "sign-in page": ("get", "/app/sign-in/", {}, "a session cookie"),
            "a form": ("post", "/app/invites/", {"display_name": "Sam"}, "a session cookie"),
            # django-axes' lockout check and the account's lookup.
            "signing in": (*SIGN_IN, "nobody"),
            "signing in from a browser with a session": (*SIGN_IN, "a session cookie"),
            # What needs nothing from the database still opens: the way to the sign-in form, and the form.
            "roster, signed out": ("get", "/app/", {}, "nobody"),
            "sign-in page, signed out": ("get", "/app/sign-in/", {}, "nobody"),
        },
    )
    for name in ("roster", "sign-in page", "a form", "signing in", "signing in from a browser with a session"):
        assert_the_503_page(answers[name])
        # The dashboard's own page, drawn for no one (who is signed in is the database's to say).
        assert "dashboard/dashboard.css" in answers[name]["page"]
        assert "Sign out" not in words(answers[name]["page"])
    assert answers["roster, signed out"]["status"] == 302
    assert answers["roster, signed out"]["Location"].startswith("/app/sign-in/")
    assert answers["sign-in page, signed out"]["status"] == 200
    assert "Sign in" in words(answers["sign-in page, signed out"]["page"])


def test_with_redis_unreachable_the_forms_that_count_tries_are_the_503_page(debug, tmp_path):
    answers = call_with(
        {
            "DEBUG": debug,
            "REDIS_URL": f"redis://127.0.0.1:{a_closed_port()}/0",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        },
        {
            # Each first draws on the log-in or reset throttles, kept in Redis.
            "signing in": (*SIGN_IN, "nobody"),
            "asking for a new password": ("post", "/app/password/forgotten/", {"email": "maya@example.test"}, "nobody"),
            "turning two-step sign-in off": ("post", "/app/two-step/off/", {"off-code": "123456"}, "therapist"),
            # The roster needs only the database, which is there.
            "roster": ("get", "/app/", {}, "therapist"),
        },
        with_therapist=True,
    )
    for name in ("signing in", "asking for a new password", "turning two-step sign-in off"):
        assert_the_503_page(answers[name])
    # With the database there, the page is drawn whole: a signed-in therapist still sees who they are.
    assert "Maya Okafor" in words(answers["turning two-step sign-in off"]["page"])
    assert answers["roster"]["status"] == 200
    assert "Maya Okafor" in words(answers["roster"]["page"])
