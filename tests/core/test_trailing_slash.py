"""An API path without its final slash is a 404 in the API's body that names the right path.

Django's ``APPEND_SLASH`` would answer a slashless write with a redirect that drops its body
(and raise, under ``DEBUG``). A redirect that keeps it (308) would make every such client send
each body twice and hide its bug for good; the schema's paths all end with a slash, so the
answer says which one was meant instead. Pages outside ``/api/`` keep Django's redirect.
"""

from __future__ import annotations

import json

import pytest

from accounts.models import User
from journal.models import Reflection
from tests.factories import DeviceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(params=[False, True], ids=["debug off", "debug on"])
def debug(request, settings) -> bool:
    settings.DEBUG = request.param
    return request.param


def slashless(chef: User) -> list[tuple[str, str, dict]]:
    device = DeviceFactory(user=chef)
    return [
        ("post", "/api/v1/reflections", {"date": "2026-11-02", "effort": "e"}),
        ("post", "/api/v1/auth/token", {"email": chef.email, "password": "x"}),
        ("put", "/api/v1/reminders/settings", {"quiet_start": None, "quiet_end": None}),
        ("patch", "/api/v1/me", {"display_name": "Renamed"}),
        ("delete", f"/api/v1/devices/{device.id}", {}),
        ("get", "/api/v1/reflections", {}),
        ("options", "/api/v1/me", {}),
        ("head", "/api/v1/me", {}),
    ]


def test_a_write_without_the_final_slash_is_a_404_naming_the_path_and_writes_nothing(debug, chef, as_chef):
    for method, path, body in slashless(chef):
        kwargs = {"data": json.dumps(body), "content_type": "application/json"} if body else {}
        response = getattr(as_chef, method)(path, **kwargs)
        assert response.status_code == 404, (method, path, response.status_code)
        assert "no-store" in response["Cache-Control"]
        if method == "head":
            continue
        assert response.json() == {
            "type": "client_error",
            "errors": [
                {"code": "not_found", "detail": f"No such path. API paths end with a slash: {path}/", "attr": None}
            ],
        }
    chef.refresh_from_db()
    assert chef.display_name != "Renamed"
    assert not Reflection.objects.exists()
    assert chef.devices.count() == 1


def test_a_path_that_is_wrong_with_a_slash_too_is_a_plain_404(debug, as_chef):
    response = as_chef.post("/api/v1/nothing-here", data="{}", content_type="application/json")
    assert response.status_code == 404
    assert response.json()["errors"][0]["detail"] == "Not found."


def test_the_same_paths_with_their_slash_still_answer(debug, chef, as_chef):
    assert as_chef.get("/api/v1/reflections/").status_code == 200
    assert as_chef.patch("/api/v1/me/", {"display_name": "Renamed"}, format="json").status_code == 200


def test_pages_outside_the_api_keep_djangos_redirect(debug, client):
    response = client.get("/app/sign-in")
    assert response.status_code == 301
    assert response["Location"] == "/app/sign-in/"


def test_the_health_check_has_no_slash_and_needs_none(debug, client):
    assert client.get("/healthz").status_code in {200, 503}
