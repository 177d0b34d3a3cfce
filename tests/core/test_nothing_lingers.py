"""Nothing personal lingers where it should not: in caches, cookies or files."""

from __future__ import annotations

import pytest
from django.contrib.sessions.models import Session

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
    assert Session.objects.count() == 0


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
