"""Days and weeks at the ends of what a date can hold answer 400 or the right list, never 500.

``date.max`` is 9999-12-31, so the Sunday of 9999-W52 does not exist: ``?to=9999-W52`` (whose
end is that Sunday) overflowed. Every ``?from=``/``?to=``/``?since=`` and every day or week in a
body is sent the edges below.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.core.test_hostile_input import client_of, endpoints, rows, send
from tests.core.test_whole_values import SHAPES, shaped_fields
from tests.factories import CareLinkFactory, PatientFactory, PrideEntryFactory, ReflectionFactory, TherapistFactory
from tests.helpers import client_for

pytestmark = pytest.mark.django_db

EDGES = {
    "day": ["9999-12-31", "9999-12-27", "1900-01-01", "1899-12-31", "0001-01-01", "10000-01-01", "9999-12-32"],
    "week": ["9999-W52", "9999-W53", "9998-W52", "1900-W01", "1899-W52", "0001-W01", "10000-W01"],
}
QUERIES = [
    ("patient", "/api/v1/reflections/", ("from", "to"), "day"),
    ("patient", "/api/v1/experiments/", ("from", "to"), "day"),
    ("patient", "/api/v1/pride-entries/", ("from", "to"), "week"),
    ("therapist", "/api/v1/patients/{id}/entries/", ("from", "to"), "day"),
    ("therapist", "/api/v1/patients/{id}/entries/", ("from", "to"), "week"),
    ("therapist", "/api/v1/patients/{id}/brief/", ("since",), "day"),
]


@pytest.fixture
def shared() -> tuple[Any, Any]:
    patient = PatientFactory()
    therapist = TherapistFactory()
    CareLinkFactory(patient=patient, therapist=therapist, share_entries=True)
    ReflectionFactory(patient=patient, shared=True)
    PrideEntryFactory(patient=patient, shared=True)
    return patient, therapist


@pytest.mark.parametrize(("who", "path", "params", "shape"), QUERIES)
def test_a_query_at_the_ends_of_the_calendar_is_a_400_or_an_answer(shared, who, path, params, shape):
    patient, therapist = shared
    client = client_for(patient if who == "patient" else therapist)
    for param in params:
        for edge in EDGES[shape]:
            response = client.get(path.format(id=patient.id), {param: edge})
            assert response.status_code in {200, 400}, (path, param, edge, response.status_code)


def test_the_last_week_a_date_can_hold_ends_at_the_last_day(shared):
    patient, therapist = shared
    client = client_for(therapist)
    entries = f"/api/v1/patients/{patient.id}/entries/"
    everything = client.get(entries).json()["results"]
    assert len(everything) == 2
    assert client.get(entries, {"to": "9999-W52"}).json()["results"] == everything
    assert client.get(entries, {"from": "1900-W01", "to": "9999-W52"}).json()["results"] == everything
    assert client.get(entries, {"from": "9999-W52"}).json()["results"] == []


def test_a_body_at_the_ends_of_the_calendar_is_a_4xx_or_written(world):
    for who, method, path, _, body in endpoints(world):
        client = client_of(world, who)
        for field, value in shaped_fields(body):
            shape = next(name for name, pattern in SHAPES.items() if pattern.fullmatch(value))
            for edge in EDGES.get(shape, []):
                before = rows()
                response = send(client, method, path, {**body, field: edge})
                assert response.status_code < 500, (method, path, field, edge, response.content)
                if response.status_code >= 400:
                    assert rows() == before
