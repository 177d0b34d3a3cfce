"""What every dashboard answer carries (django-csp's policy, no caching, no framing), the 413
page for a body too large, and the cookies as deployed."""

from __future__ import annotations

import base64
import zlib

import pytest
import time_machine
from django.conf import settings
from django.test import Client

from accounts.models import Invite, UserSession
from dashboard.security import CONTENT_SECURITY_POLICY
from journal.models import Commitment
from seeds import personas
from tests.backend.test_settings import PRODUCTION, django_start
from tests.dashboard.conftest import NOW, get, text

pytestmark = pytest.mark.django_db

THREE_MB = "x" * (3 * 1024 * 1024)


def test_the_policy_is_django_csps_and_strict():
    assert "csp.middleware.CSPMiddleware" in settings.MIDDLEWARE
    directives = dict(part.split(" ", 1) for part in CONTENT_SECURITY_POLICY.split("; "))
    assert directives == {
        "default-src": "'self'",
        "img-src": "'self'",
        "style-src": "'self'",
        "script-src": "'none'",
        "frame-ancestors": "'none'",
        "form-action": "'self'",
        "base-uri": "'none'",
    }


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("get", "/app/sign-in/", 200),
        ("post", "/app/sign-in/", 400),  # a form sent back with its problems
        ("get", "/app/", 302),
        ("get", "/app/sign-in/code/", 302),
        ("get", "/app/no-such-page/", 404),
        ("post", "/app/", 405),
    ],
)
def test_every_dashboard_answer_carries_the_policy_no_caching_and_no_framing(db, method, path, status):
    response = getattr(Client(), method)(path)
    assert response.status_code == status
    assert response["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert response["X-Frame-Options"] == "DENY"
    assert "no-store" in response["Cache-Control"]


def test_the_api_docs_keep_working_without_the_policy(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    assert "Content-Security-Policy" not in response
    assert "swagger-ui" in response.content.decode()


def test_a_body_too_large_is_our_413_page_and_nothing_is_read(therapist):
    client = Client()
    response = client.post("/app/sign-in/", {"email": personas.THERAPIST.email, "password": THREE_MB})
    assert response.status_code == 413
    page = response.content.decode()
    assert "<h1>That was too large to send</h1>" in page
    assert "Nothing was saved." in page
    assert response["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert response["X-Frame-Options"] == "DENY"
    assert "no-store" in response["Cache-Control"]
    assert UserSession.objects.count() == 0


def test_a_signed_in_therapist_sending_too_much_stays_signed_in(as_maya):
    response = as_maya.post("/app/sign-out/", {"note": THREE_MB})
    assert response.status_code == 413
    assert as_maya.get("/app/").status_code == 200


def test_the_limit_is_the_apis_limit(therapist, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    assert Client().post("/app/sign-in/", {"email": "a@example.test", "password": "x" * 2000}).status_code == 413
    big = Client().post("/api/v1/auth/token/", {"email": "a@example.test", "password": "x" * 2000})
    assert big.status_code == 413
    assert big.json()["errors"][0]["code"] == "request_too_large"


def test_a_nonsense_content_length_is_a_400_page_not_a_crash(db):
    response = Client().post("/app/sign-in/", {}, CONTENT_LENGTH="12ab")
    assert response.status_code == 400
    assert "Content-Length is not a whole number." in response.content.decode()


def test_cookies_as_deployed_are_secure_http_only_and_same_site(tmp_path):
    script = (
        "from django.conf import settings as s; "
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, "
        "s.CSRF_COOKIE_HTTPONLY, s.SESSION_COOKIE_SAMESITE, s.CSRF_COOKIE_SAMESITE)"
    )
    result = django_start(PRODUCTION, tmp_path, "shell", "-c", script)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1].split() == ["True", "True", "True", "True", "Lax", "Lax"]


def test_the_session_cookie_a_sign_in_sets_is_http_only_and_same_site(therapist):
    response = Client().post(
        "/app/sign-in/", {"email": personas.THERAPIST.email, "password": personas.THERAPIST.password}
    )
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"


def test_a_stale_form_is_our_page_saying_what_to_do_and_saves_nothing(therapist):
    client = Client(enforce_csrf_checks=True)
    client.force_login(therapist)
    client.get("/app/")  # the page the form was on: it set the token that then went stale
    client.cookies[settings.CSRF_COOKIE_NAME] = "x" * 32  # signed in again in another tab: a new token
    response = client.post("/app/invites/", {"note": "For Sam", "csrfmiddlewaretoken": "y" * 32})
    assert response.status_code == 403
    page = response.content.decode()
    assert "This form had expired" in page
    assert "Go back, reload the page and send it again." in page
    # Still the dashboard of the one signed in: their name and the way to sign out are there.
    assert therapist.display_name in page
    assert "Sign out</button>" in page
    assert response["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert not Invite.objects.exists()


def test_a_stale_form_outside_the_dashboard_keeps_djangos_page(therapist):
    response = Client(enforce_csrf_checks=True).post("/admin/login/", {"username": "x", "password": "y"})
    assert response.status_code == 403
    assert "CSRF verification failed" in response.content.decode()
    assert "This form had expired" not in response.content.decode()
    # Django's page says why, from the reason the CSRF check gave: here, no CSRF cookie at all.
    assert "this site requires a CSRF cookie when submitting forms" in response.content.decode()


# --- What the cookies carry -------------------------------------------------------------------


def readable(value: str) -> str:
    """A cookie's value as someone holding it could read it: signed values are only signed,
    base64 (maybe zlib-compressed) in front of the signature."""
    payload = value.split(":", 1)[0]
    compressed = payload.startswith(".")
    raw = base64.urlsafe_b64decode(payload.lstrip(".") + "=" * (-len(payload.lstrip(".")) % 4))
    return (zlib.decompress(raw) if compressed else raw).decode("utf-8", "replace")


def test_a_flashed_message_naming_a_draft_stays_on_the_server_and_still_shows(maya, chef, link):
    transcript = (settings.BASE_DIR / "seeds" / "transcripts" / "T44.txt").read_text()
    with time_machine.travel(NOW, tick=False):
        maya.post(f"/app/patients/{chef.id}/sessions/new/", {"held_on": "2026-11-20", "transcript": transcript})
        draft = Commitment.objects.filter(status="proposed").first()
        assert draft is not None
        dropped = maya.post(f"/app/sessions/{draft.session_id}/drafts/{draft.id}/drop/")
        assert dropped.status_code == 302
        for name, morsel in dropped.cookies.items():
            assert draft.title not in morsel.value, name
            if morsel.value and name != settings.SESSION_COOKIE_NAME:
                assert draft.title not in readable(morsel.value), name
        assert "messages" not in dropped.cookies
        # Nor in the session's row, where it waits for the next page: sessions are encrypted.

        stored = UserSession.objects.get(session_key=maya.session.session_key).session_data
        assert draft.title not in stored
        assert draft.title not in readable(stored)
        assert f"Dropped “{draft.title}”." in text(maya.get(dropped["Location"]))


def test_a_session_no_data_key_opens_reads_as_signed_out(maya, settings):
    # After a data key is dropped, a session written under it is no session: sign in again.
    assert get(maya, "/app/").status_code == 200
    settings.FIELD_ENCRYPTION_KEYS = ["a-data-key-that-never-wrote-this-session-0123456789"]
    settings.FIELD_ENCRYPTION_LEGACY_KEYS = False
    response = get(maya, "/app/")
    assert response.status_code == 302
    assert "/app/sign-in/" in response["Location"]


# The dashboard's own 404 and 500 pages, carrying the policy, with DEBUG on (make run) or off.


def _broken_roster(*args, **kwargs):
    raise RuntimeError("the roster's query failed")


@pytest.mark.parametrize("debug", [True, False])
def test_a_page_that_is_not_there_is_our_404_page_with_the_policy(settings, as_maya, debug):
    settings.DEBUG = debug
    for path in ("/app/no-such-page/", "/app/patients/00000000-0000-0000-0000-000000000000/"):
        response = as_maya.get(path)
        assert response.status_code == 404
        assert "<h1>Not found</h1>" in response.content.decode()
        assert "Traceback" not in response.content.decode()
        assert response["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
        assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize("debug", [True, False])
def test_a_page_that_fails_is_our_500_page_with_the_policy_and_no_traceback(
    settings, as_maya, monkeypatch, debug, caplog
):
    settings.DEBUG = debug
    monkeypatch.setattr("care.selectors.roster", _broken_roster)
    as_maya.raise_request_exception = False
    response = as_maya.get("/app/")
    page = response.content.decode()
    assert response.status_code == 500
    assert "<h1>Something went wrong on our side</h1>" in page
    assert "the roster's query failed" not in page  # no traceback, no data, in the page
    assert response["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert response["X-Frame-Options"] == "DENY"
    assert "no-store" in response["Cache-Control"]
    # The failure is still logged, as Django logs a 500.
    assert any("Internal Server Error: /app/" in record.getMessage() for record in caplog.records)


def test_outside_the_dashboard_djangos_own_debug_pages_stay(settings, client):
    settings.DEBUG = True
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "<h1>Not found</h1>" not in response.content.decode()


def test_when_even_the_error_page_cannot_be_drawn_a_plain_one_says_the_same(as_maya, monkeypatch):
    def no_drawing(*args, **kwargs):
        raise RuntimeError("the database is down, and the header needs the therapist's name")

    monkeypatch.setattr("care.selectors.roster", _broken_roster)
    monkeypatch.setattr("dashboard.security.render", no_drawing)
    as_maya.raise_request_exception = False
    response = as_maya.get("/app/")
    assert response.status_code == 500
    assert "<h1>Something went wrong on our side</h1>" in response.content.decode()
    assert response["Content-Security-Policy"] == CONTENT_SECURITY_POLICY


def test_pages_are_compressed_for_a_browser_that_asks_and_the_api_is_not(as_maya, therapist):
    import gzip

    plain = as_maya.get("/app/")
    packed = as_maya.get("/app/", HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    assert packed["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in packed["Vary"]
    assert len(packed.content) < len(plain.content) * 0.7
    # The same page, whatever random bytes the BREACH mitigation put in the gzip header.
    assert gzip.decompress(packed.content).decode().count("<h1>") == plain.content.decode().count("<h1>")
    api = as_maya.get("/api/v1/me/", HTTP_ACCEPT_ENCODING="gzip")
    assert "Content-Encoding" not in api
