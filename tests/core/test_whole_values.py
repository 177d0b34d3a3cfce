"""A value is checked whole: ``"07:00\\n"`` is not a time, ``"2026-W40 "`` not a week.

Python's ``$`` also matches before a final newline, so a pattern checked with ``match`` let
``"07:00\\n"`` through to a parser that then raised (a 500), or let ``"2026-W40\\n"`` be stored
as if it were ``"2026-W40"``. Every body field and query parameter with a time, day or week
shape is sent each slip below: a 400 naming the field, and nothing written.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.core.test_hostile_input import client_of, endpoints, send
from tests.core.test_unknown_fields import snapshot
from tests.factories import CareLinkFactory, PatientFactory, TherapistFactory
from tests.helpers import client_for, error_attrs

pytestmark = pytest.mark.django_db

SHAPES = {
    "time": re.compile(r"[0-9]{2}:[0-9]{2}"),
    "day": re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}"),
    "week": re.compile(r"[0-9]{4}-W[0-9]{2}"),
}
FULL_WIDTH = {ord("0") + n: 0xFF10 + n for n in range(10)}  # full-width digits, U+FF10 on


def slips(value: str) -> list[str]:
    """What a client with a bug (or an attacker) sends around a well-formed value."""
    around = [f"{value}\n", f"{value}\r\n", f"\n{value}", f" {value}", f"{value} ", f"\t{value}"]
    return [*around, value.translate(FULL_WIDTH)]


def shaped_fields(body: dict[str, Any]) -> list[tuple[str, str]]:
    return [
        (field, value)
        for field, value in body.items()
        if isinstance(value, str) and any(shape.fullmatch(value) for shape in SHAPES.values())
    ]


def test_every_time_day_and_week_in_a_body_is_refused_unless_whole(world):
    before = snapshot()
    checked = set()
    for who, method, path, _, body in endpoints(world):
        client = client_of(world, who)
        for field, value in shaped_fields(body):
            for slip in slips(value):
                response = send(client, method, path, {**body, field: slip})
                assert response.status_code == 400, (method, path, field, slip, response.content)
                assert error_attrs(response) == [field], (method, path, field, slip, response.json())
            checked.add((method, path.split("/")[3], field))
    assert snapshot() == before  # not a row written or changed
    # The fields the issue named are among them, so the search above cannot come back empty.
    assert {("post", "reminders", "local_time"), ("patch", "reminders", "local_time")} <= checked
    assert {("put", "reminders", "quiet_start"), ("put", "reminders", "quiet_end")} <= checked
    assert {("post", "pride-entries", "week"), ("post", "reflections", "date")} <= checked


def test_a_time_with_a_final_newline_is_a_400_not_a_500(world):
    response = world.as_patient.post(
        "/api/v1/reminders/", {"kind": "reflection_daily", "local_time": "07:00\n", "weekdays": [1]}, format="json"
    )
    assert response.status_code == 400
    assert error_attrs(response) == ["local_time"]
    response = world.as_patient.put(
        "/api/v1/reminders/settings/", {"quiet_start": "22:00", "quiet_end": "07:00\n"}, format="json"
    )
    assert response.status_code == 400
    assert error_attrs(response) == ["quiet_end"]
    assert world.as_patient.get("/api/v1/reminders/settings/").json()["quiet_end"] is None


@pytest.fixture
def shared() -> tuple[Any, Any]:
    patient = PatientFactory()
    therapist = TherapistFactory()
    CareLinkFactory(patient=patient, therapist=therapist, share_entries=True)
    return patient, therapist


QUERIES = [
    ("patient", "/api/v1/reflections/", "from", "2026-11-02"),
    ("patient", "/api/v1/reflections/", "to", "2026-11-02"),
    ("patient", "/api/v1/experiments/", "from", "2026-11-02"),
    ("patient", "/api/v1/pride-entries/", "from", "2026-W40"),
    ("patient", "/api/v1/pride-entries/", "to", "2026-W40"),
    ("therapist", "/api/v1/patients/{id}/entries/", "from", "2026-11-02"),
    ("therapist", "/api/v1/patients/{id}/entries/", "to", "2026-W40"),
    ("therapist", "/api/v1/patients/{id}/brief/", "since", "2026-11-02"),
]


@pytest.mark.parametrize(("who", "path", "param", "value"), QUERIES)
def test_every_day_or_week_in_a_query_is_refused_unless_whole(shared, who, path, param, value):
    patient, therapist = shared
    client = client_for(patient if who == "patient" else therapist)
    url = path.format(id=patient.id)
    assert client.get(url, {param: value}).status_code == 200
    for slip in slips(value):
        response = client.get(url, {param: slip})
        assert response.status_code == 400, (url, param, slip, response.content)
        assert error_attrs(response) == [param]
