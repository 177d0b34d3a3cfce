"""When a therapist meets a patient next: set and cleared through the API, refused in the past,
more than a year ahead or without its offset, and no one else's to set or read."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from accounts import services as account_services
from accounts.models import CareLink
from care import services
from core.exceptions import DomainError, NotFound
from tests.helpers import error_codes

NOW = datetime(2026, 11, 25, 18, 0, tzinfo=UTC)  # Wednesday 25 November, noon in Chicago

pytestmark = pytest.mark.django_db


def url(patient) -> str:
    return f"/api/v1/patients/{patient.id}/next-session/"


def put(client, patient, body):
    with time_machine.travel(NOW, tick=False):
        return client.put(url(patient), body, format="json")


def delete(client, patient):
    with time_machine.travel(NOW, tick=False):
        return client.delete(url(patient))


def stored(link: CareLink) -> datetime | None:
    link.refresh_from_db()
    return link.next_session_at


@pytest.mark.parametrize(
    ("sent", "moment"),
    [
        ("2026-12-08T10:00:00-06:00", datetime(2026, 12, 8, 16, 0, tzinfo=UTC)),  # Chicago, west of UTC
        ("2026-12-09T05:00:00+14:00", datetime(2026, 12, 8, 15, 0, tzinfo=UTC)),  # Kiritimati, the day after
        ("2026-12-08T21:30:00+05:30", datetime(2026, 12, 8, 16, 0, tzinfo=UTC)),  # Kolkata, a half hour
    ],
)
def test_a_therapist_sets_the_next_session_as_a_moment_whatever_its_offset(as_therapist, chef, link, sent, moment):
    response = put(as_therapist, chef, {"at": sent})
    assert response.status_code == 200, response.content
    assert datetime.fromisoformat(response.json()["next_session_at"]) == moment
    assert stored(link) == moment


def test_the_patient_and_the_roster_show_it_and_clearing_takes_it_away(as_therapist, chef, link):
    assert put(as_therapist, chef, {"at": "2026-12-08T10:00:00-06:00"}).status_code == 200
    with time_machine.travel(NOW, tick=False):
        detail = as_therapist.get(f"/api/v1/patients/{chef.id}/").json()
        (row,) = as_therapist.get("/api/v1/patients/").json()["results"]
    assert datetime.fromisoformat(detail["next_session_at"]) == datetime(2026, 12, 8, 16, 0, tzinfo=UTC)
    assert row["next_session_at"] == detail["next_session_at"]

    assert delete(as_therapist, chef).status_code == 204
    assert stored(link) is None
    with time_machine.travel(NOW, tick=False):
        assert as_therapist.get(f"/api/v1/patients/{chef.id}/").json()["next_session_at"] is None
    assert delete(as_therapist, chef).status_code == 204  # a retried clear is harmless


def test_setting_it_again_replaces_it(as_therapist, chef, link):
    put(as_therapist, chef, {"at": "2026-12-08T10:00:00-06:00"})
    assert put(as_therapist, chef, {"at": "2026-12-15T10:00:00-06:00"}).status_code == 200
    assert stored(link) == datetime(2026, 12, 15, 16, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"at": "2026-11-25T11:59:00-06:00"}, "next_session_in_past"),  # a minute ago in Chicago
        ({"at": "2026-11-25T18:00:00Z"}, "next_session_in_past"),  # now: it has begun
        ({"at": "2027-11-27T10:00:00-06:00"}, "next_session_too_far"),  # a slip of the year
        ({"at": "2026-12-08T10:00:00"}, "naive"),  # whose ten o'clock?
        ({"at": "next Tuesday"}, "invalid"),
        ({"at": "\uff12\uff10\uff12\uff16-12-08T10:00:00-06:00"}, "invalid"),  # fullwidth digits
        ({"at": "2026-12-08T\u0661\u0660:00:00-06:00"}, "invalid"),  # Arabic-Indic digits
        ({"at": 1796745600}, "invalid"),  # a number of seconds is no moment with an offset
        ({"at": None}, "null"),
        ({}, "required"),
        ({"at": "2026-12-08T10:00:00-06:00", "patient_id": "x"}, "unknown_field"),
    ],
)
def test_a_time_refused_says_why_and_changes_nothing(as_therapist, chef, link, body, code):
    put(as_therapist, chef, {"at": "2026-12-08T10:00:00-06:00"})
    response = put(as_therapist, chef, body)
    assert response.status_code == 400
    assert error_codes(response) == [code]
    assert stored(link) == datetime(2026, 12, 8, 16, 0, tzinfo=UTC)


def test_a_year_ahead_to_the_day_is_still_a_plan(as_therapist, chef, link):
    assert put(as_therapist, chef, {"at": (NOW + timedelta(days=366)).isoformat()}).status_code == 200


def test_the_patient_may_not_set_it(as_chef, chef, link):
    assert put(as_chef, chef, {"at": "2026-12-08T10:00:00-06:00"}).status_code == 403
    assert delete(as_chef, chef).status_code == 403
    assert stored(link) is None


def test_another_therapist_finds_no_such_patient(as_therapist, as_stranger, chef, link):
    put(as_therapist, chef, {"at": "2026-12-08T10:00:00-06:00"})
    assert put(as_stranger, chef, {"at": "2026-12-09T10:00:00-06:00"}).status_code == 404
    assert delete(as_stranger, chef).status_code == 404
    with time_machine.travel(NOW, tick=False):
        assert as_stranger.get(f"/api/v1/patients/{chef.id}/").status_code == 404
    assert stored(link) == datetime(2026, 12, 8, 16, 0, tzinfo=UTC)


def test_a_link_that_ended_sets_nothing(as_therapist, chef, link):
    account_services.care_link_end(link=link, now=NOW)
    assert put(as_therapist, chef, {"at": "2026-12-08T10:00:00-06:00"}).status_code == 404
    assert stored(link) is None


def test_the_service_refuses_in_the_domains_words(therapist, stranger_therapist, chef, link):
    with pytest.raises(DomainError) as refused:
        services.next_session_set(therapist=therapist, patient_id=chef.id, at=NOW - timedelta(minutes=1), now=NOW)
    assert (refused.value.code, refused.value.attr) == ("next_session_in_past", "at")
    with pytest.raises(NotFound):
        services.next_session_set(therapist=stranger_therapist, patient_id=chef.id, at=None, now=NOW)


def test_setting_it_costs_a_few_queries(as_therapist, chef, link, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        assert put(as_therapist, chef, {"at": "2026-12-08T10:00:00-06:00"}).status_code == 200
