"""A write names only what it may write: an unknown or read-only field is a 400, never ignored.

``PATCH /me/`` with ``password`` answered 200 and changed nothing, so a client believed the
password was changed. Every write endpoint (the list in test_hostile_input, which fails when an
endpoint with a body is missing from it) is sent its valid body plus a field it does not take,
and plus each read-only field its serializer shows: 400 ``unknown_field`` naming the field, and
not a row written or changed.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.apps import apps

from tests.core.test_hostile_input import client_of, endpoints, send
from tests.helpers import client_for

pytestmark = pytest.mark.django_db

#: A value each read-only field might be echoed with; the type does not matter, the name does.
ECHOES: dict[str, Any] = {
    "id": "5f0c0f9e-6d3a-4b8e-9a51-2f1d8e1c0a77",
    "version": 1,
    "created_at": "2026-11-02T10:00:00Z",
}


def snapshot() -> dict[str, list[str]]:
    """Every row of every table (but django-axes' log of failed log-ins), as text."""
    return {
        model._meta.label: sorted(repr(row) for row in model.objects.values())
        for model in apps.get_models()
        if model._meta.app_label != "axes"
    }


def assert_refused(response: Any, field: str, where: tuple[str, str]) -> None:
    assert response.status_code == 400, (*where, field, response.content)
    body = response.json()
    assert [(error["code"], error["attr"]) for error in body["errors"]] == [("unknown_field", field)], (*where, body)


def test_an_unknown_field_in_any_write_is_a_400_that_names_it_and_changes_nothing(world):
    before = snapshot()
    for who, method, path, _, body in endpoints(world):
        response = send(client_of(world, who), method, path, {**body, "nickname": "Sam"})
        assert_refused(response, "nickname", (method, path))
    assert snapshot() == before


def test_a_read_only_field_in_any_write_is_a_400_that_names_it_and_changes_nothing(world):
    before = snapshot()
    refused = 0
    for who, method, path, serializer, body in endpoints(world):
        for name, field in serializer().fields.items():
            if field.read_only:
                response = send(client_of(world, who), method, path, {**body, name: ECHOES.get(name, "x")})
                assert_refused(response, name, (method, path))
                refused += 1
    assert refused > 30
    assert snapshot() == before


def test_a_password_in_patch_me_is_refused_and_the_password_stays(world):
    response = world.as_patient.patch("/api/v1/me/", {"password": "a-brand-new-pass-2026"}, format="json")
    assert_refused(response, "password", ("patch", "/api/v1/me/"))
    world.patient.refresh_from_db()
    assert world.patient.check_password("a-new-recipe-2026")
    assert not world.patient.check_password("a-brand-new-pass-2026")


def test_an_echoed_id_is_refused_even_when_it_is_the_objects_own(world):
    # The request schemas leave read-only fields out, so a generated client never sends them;
    # one that echoes what it read is told at once rather than believed.
    reflection = world.as_patient.get(f"/api/v1/reflections/{world.reflection.id}/").json()
    response = world.as_patient.patch(
        f"/api/v1/reflections/{world.reflection.id}/", {"effort": "more", "id": reflection["id"]}, format="json"
    )
    assert_refused(response, "id", ("patch", "reflections"))


def test_several_unknown_fields_are_each_named(db, chef):
    response = client_for(chef).patch("/api/v1/me/", {"password": "x", "is_staff": True}, format="json")
    assert response.status_code == 400
    assert sorted((e["code"], e["attr"]) for e in response.json()["errors"]) == [
        ("unknown_field", "is_staff"),
        ("unknown_field", "password"),
    ]


def test_every_request_schema_lists_only_what_may_be_sent(anon):
    # A generated client builds its request models from these: no read-only field to echo,
    # and no room for a key the server would refuse.
    schema = anon.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    components = schema["components"]["schemas"]
    checked = 0
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            for media in operation.get("requestBody", {}).get("content", {}).values():
                name = media["schema"]["$ref"].rsplit("/", 1)[-1]
                component = components[name]
                assert component.get("additionalProperties") is False, (method, path, name)
                # An empty body (``{}``) has no properties at all.
                properties = component.get("properties", {})
                assert not [p for p, s in properties.items() if s.get("readOnly")], (method, path)
                assert "unknown_field" in operation["responses"]["400"]["description"], (method, path)
                checked += 1
    assert checked >= 20
