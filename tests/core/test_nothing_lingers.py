"""Nothing personal lingers where it should not: in caches, cookies or files."""

from __future__ import annotations

import pytest

from accounts.models import UserSession

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "path",
    ["/api/v1/me/", "/api/v1/reflections/", "/api/v1/sync/", "/api/v1/progress/", "/api/v1/me/export/",
     "/api/v1/commitments/", "/api/v1/care-links/", "/api/v1/reflections/00000000-0000-0000-0000-000000000000/"],
)  # fmt: skip
def test_every_authenticated_answer_is_stored_by_no_cache(as_chef, path):
    response = as_chef.get(path)
    assert response.status_code in {200, 404}
    assert "no-store" in response["Cache-Control"]


def test_a_token_answer_is_not_cached_either(anon, chef):
    response = anon.post("/api/v1/auth/token/", {"email": chef.email, "password": "a-new-recipe-2026"})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


def test_logging_in_makes_no_session_and_sets_no_cookie(anon, chef):
    response = anon.post("/api/v1/auth/token/", {"email": chef.email, "password": "a-new-recipe-2026"})
    assert response.status_code == 200
    assert not response.cookies
    assert "Set-Cookie" not in response.headers
    assert UserSession.objects.count() == 0


def test_a_failed_log_in_sets_no_cookie_either(anon, chef):
    response = anon.post("/api/v1/auth/token/", {"email": chef.email, "password": "not-it"})
    assert response.status_code == 401
    assert not response.cookies


@pytest.mark.parametrize("debug", [True, False])
@pytest.mark.parametrize("path", ["/api/v1/reflections/0.5/", "/api/v1/nothing-here/", "/api/v2/me/"])
def test_under_api_a_miss_is_json_whatever_debug_is(as_chef, settings, debug, path):
    settings.DEBUG = debug
    response = as_chef.get(path)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["errors"][0]["code"] == "not_found"


def test_a_refusal_at_the_door_is_not_cached_either(as_chef, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100
    response = as_chef.post("/api/v1/reflections/", {"effort": "x" * 500})
    assert response.status_code == 413
    assert "no-store" in response["Cache-Control"]


def test_a_chunked_body_is_refused_rather_than_read_as_empty(as_chef, chef):
    response = as_chef.patch("/api/v1/me/", {"timezone": "Europe/Paris"}, HTTP_TRANSFER_ENCODING="chunked")
    assert response.status_code == 411
    assert response.json()["errors"][0]["code"] == "length_required"
    chef.refresh_from_db()
    assert chef.timezone == "America/Chicago"


@pytest.mark.parametrize("debug", [True, False])
def test_a_host_not_allowed_gets_json_under_api(client, settings, debug):
    settings.DEBUG = debug
    response = client.get("/api/v1/me/", HTTP_HOST="evil.example")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert "no-store" in response["Cache-Control"]


def test_a_list_cursor_that_was_never_given_out_is_a_400(as_chef):
    response = as_chef.get("/api/v1/reflections/", {"cursor": "garbage"})
    assert response.status_code == 400
    assert response.json()["errors"][0] == {
        "code": "invalid_cursor", "detail": "Not a cursor this server gave out.", "attr": "cursor"
    }  # fmt: skip


def test_a_token_of_an_erased_user_is_one_plain_401(anon, chef):
    from rest_framework_simplejwt.tokens import AccessToken

    token = AccessToken.for_user(chef)
    chef.delete()
    response = anon.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 401
    (error,) = response.json()["errors"]
    assert (error["code"], error["attr"]) == ("user_not_found", None)


@pytest.mark.parametrize("debug", [True, False])
def test_a_crash_under_api_is_json_and_shows_no_traceback(as_chef, settings, monkeypatch, debug):
    from django.urls import path

    def crash(request):
        raise RuntimeError("a bug, with a secret in its message")

    settings.DEBUG = debug
    monkeypatch.setattr("backend.urls.urlpatterns", [path("api/v1/crash/", crash)])
    from django.urls import clear_url_caches

    clear_url_caches()
    as_chef.raise_request_exception = False
    try:
        response = as_chef.get("/api/v1/crash/")
    finally:
        clear_url_caches()
    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"
    assert "secret" not in response.content.decode()
    assert response.json()["type"] == "server_error"
