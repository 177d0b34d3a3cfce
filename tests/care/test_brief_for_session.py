"""The brief for the next session: the shared reflections of the period quoted, experiments still
planned, the patient's zone said with its offset, and the same queries for a week as for a year."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import CareLink
from care import services as care_services
from care.brief import QUOTED_REFLECTIONS
from tests.factories import ExperimentFactory, PrideEntryFactory, ReflectionFactory

NOW = datetime(2026, 11, 25, 18, 0, tzinfo=UTC)  # Wednesday 25 November, noon in Chicago
ACCESS_LOG = "/api/v1/me/access-log/"

pytestmark = pytest.mark.django_db


def at(day: int, hour: int = 20) -> datetime:
    return datetime(2026, 11, day, hour, 0, tzinfo=UTC)


def brief(client, patient, **params):
    with time_machine.travel(NOW, tick=False):
        return client.get(f"/api/v1/patients/{patient.id}/brief/", params)


@pytest.fixture
def session_held(therapist, chef, link):
    """A link of three months, and a session on Wednesday 11 November."""
    link.created_at = NOW - timedelta(days=90)
    link.save()
    care_services.session_record(therapist=therapist, patient_id=chef.id, held_on=date(2026, 11, 11), now=at(11))
    return link


def test_the_brief_is_for_the_next_session_and_still_covers_since_the_last(as_therapist, therapist, chef, session_held):
    care_services.next_session_set(
        therapist=therapist, patient_id=chef.id, at=datetime(2026, 12, 2, 16, 0, tzinfo=UTC), now=NOW
    )
    body = brief(as_therapist, chef).json()
    assert datetime.fromisoformat(body["next_session_at"]) == datetime(2026, 12, 2, 16, 0, tzinfo=UTC)
    assert (body["period"]["since"], body["period"]["until"]) == ("2026-11-11", "2026-11-25")
    assert body["period"]["since_reason"] == "last_session"
    markdown = brief(as_therapist, chef, format="md").content.decode().splitlines()
    assert "For the session on Wed 2 Dec 2026, 10:00." in markdown  # 16:00 UTC, in Chicago


def test_without_a_next_session_the_brief_says_for_no_session(as_therapist, chef, session_held):
    assert brief(as_therapist, chef).json()["next_session_at"] is None
    assert "For the session" not in brief(as_therapist, chef, format="md").content.decode()


def test_the_newest_shared_reflections_of_the_period_are_quoted_with_their_day(as_therapist, chef, session_held):
    ReflectionFactory(patient=chef, date=date(2026, 11, 10), effort="Before the session", now=at(10))
    for day in range(12, 20):
        ReflectionFactory(patient=chef, date=date(2026, 11, day), effort=f"Noticed {day}", mood=3, now=at(day))
    ReflectionFactory(patient=chef, date=date(2026, 11, 24), effort="Kept to myself", shared=False, now=at(24))
    quoted = brief(as_therapist, chef).json()["quoted_reflections"]
    assert len(quoted) == QUOTED_REFLECTIONS
    assert [(q["date"], q["effort"]) for q in quoted] == [
        (f"2026-11-{day}", f"Noticed {day}") for day in (19, 18, 17, 16, 15)
    ]
    markdown = brief(as_therapist, chef, format="md").content.decode()
    assert "- Thu 19 Nov 2026: “Noticed 19”" in markdown
    assert "Kept to myself" not in markdown
    assert "Before the session" not in markdown


def test_each_quoted_reflection_is_named_in_the_patients_access_log(as_therapist, as_chef, chef, session_held):
    shown = ReflectionFactory(patient=chef, date=date(2026, 11, 20), now=at(20))
    ReflectionFactory(patient=chef, date=date(2026, 11, 21), shared=False, now=at(21))
    assert brief(as_therapist, chef).status_code == 200
    with time_machine.travel(NOW, tick=False):
        (row,) = as_chef.get(ACCESS_LOG).json()["results"]
    assert row["entries"] == [{"type": "reflection", "id": str(shown.id), "date": "2026-11-20"}]


def test_no_reflection_is_quoted_while_the_link_does_not_share_entries(as_therapist, as_chef, chef, session_held):
    ReflectionFactory(patient=chef, date=date(2026, 11, 20), effort="Shared, once", now=at(20))
    CareLink.objects.filter(pk=session_held.pk).update(share_entries=False)
    body = brief(as_therapist, chef).json()
    assert body["quoted_reflections"] == []
    assert body["reflections"]["days"] == 1  # still counted
    assert "Shared, once" not in brief(as_therapist, chef, format="md").content.decode()
    with time_machine.travel(NOW, tick=False):
        assert all(row["entries"] == [] for row in as_chef.get(ACCESS_LOG).json()["results"])


def test_an_experiment_planned_for_a_day_to_come_is_in_the_brief_whenever_it_was_written(
    as_therapist, chef, session_held
):
    # Written before the last session, for a day after today: the period alone would miss it.
    ahead = ExperimentFactory(
        patient=chef, title="Ask for Friday off", planned_for=date(2026, 11, 27), status="planned", now=at(5)
    )
    within = ExperimentFactory(
        patient=chef, title="Cook for friends", planned_for=date(2026, 11, 21), status="planned", now=at(5)
    )
    ExperimentFactory(
        patient=chef, title="Hidden", planned_for=date(2026, 11, 30), status="planned", shared=False, now=at(20)
    )
    # Tried ahead of its day: what happened is in the period it counts in, not a plan still to come.
    ExperimentFactory(patient=chef, title="Early bird", planned_for=date(2026, 11, 29), status="tried", now=at(20))
    ExperimentFactory(patient=chef, title="Long done", planned_for=date(2026, 11, 2), status="tried", now=at(1))
    body = brief(as_therapist, chef).json()
    assert [(e["id"], e["status"]) for e in body["experiments"]] == [(str(within.id), "planned")]
    assert [(e["title"], e["planned_for"]) for e in body["planned_ahead"]] == [
        ("Ask for Friday off", "2026-11-27"),
        ("", "2026-11-30"),  # not shared: its day and status only
    ]
    assert body["planned_ahead"][0]["id"] == str(ahead.id)
    markdown = brief(as_therapist, chef, format="md").content.decode().splitlines()
    assert "- **Ask for Friday off** (Fri 27 Nov 2026): planned." in markdown
    assert "- An experiment (Mon 30 Nov 2026): planned. Not shared." in markdown


def test_a_planned_experiment_ahead_counts_for_nothing_yet(as_therapist, therapist, chef, session_held):
    ExperimentFactory(patient=chef, planned_for=date(2026, 11, 27), status="planned", now=at(20))
    body = brief(as_therapist, chef).json()
    # Planning it was practice on the day it was written; nothing is tried yet.
    assert (body["experiments_tried"], body["active_days"]) == (0, 1)
    assert body["experiments"] == []


@pytest.mark.parametrize(
    ("zone", "moment", "until", "offset"),
    [
        ("Pacific/Kiritimati", datetime(2026, 11, 25, 10, 0, tzinfo=UTC), "2026-11-26", "UTC+14"),  # already tomorrow
        ("Pacific/Honolulu", datetime(2026, 11, 25, 9, 0, tzinfo=UTC), "2026-11-24", "UTC-10"),  # still yesterday
        ("Asia/Kolkata", NOW, "2026-11-25", "UTC+5:30"),
        ("Europe/Lisbon", NOW, "2026-11-25", "UTC+0"),
        ("America/Chicago", datetime(2026, 7, 1, 17, 0, tzinfo=UTC), "2026-07-01", "UTC-5"),  # summer time
        ("America/Chicago", NOW, "2026-11-25", "UTC-6"),
    ],
)
def test_every_day_is_the_patients_and_the_brief_says_whose(as_therapist, chef, link, zone, moment, until, offset):
    chef.timezone = zone
    chef.save()
    link.created_at = moment - timedelta(days=90)
    link.save()
    with time_machine.travel(moment, tick=False):
        response = as_therapist.get(f"/api/v1/patients/{chef.id}/brief/")
        markdown = as_therapist.get(f"/api/v1/patients/{chef.id}/brief/", {"format": "md"}).content.decode()
    assert (response.json()["period"]["until"], response.json()["zone_offset"]) == (until, offset)
    assert f"Days and times are Sam (chef)'s, {zone} ({offset})." in markdown.splitlines()


def test_a_brief_over_a_year_costs_the_queries_of_one_over_a_week(as_therapist, chef, link):
    link.created_at = NOW - timedelta(days=400)
    link.save()
    start = NOW - timedelta(days=365)
    for n in range(0, 366, 3):
        day = start + timedelta(days=n)
        ReflectionFactory(patient=chef, date=day.astimezone(chef.zone).date(), mood=1 + n % 5, now=day)
        if n % 21 == 0:
            PrideEntryFactory(patient=chef, now=day)
            ExperimentFactory(patient=chef, now=day)
    ExperimentFactory(patient=chef, planned_for=date(2026, 12, 3), now=NOW)

    def queries(since: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            response = brief(as_therapist, chef, since=since)
        assert response.status_code == 200
        assert response.json()["quoted_reflections"]  # words read and quoted, over a week as over a year
        return len(captured)

    assert queries("2026-11-19") == queries("2025-11-25")


def test_the_brief_gives_the_charts_twelve_weeks_whatever_its_period(as_therapist, chef, session_held):
    ReflectionFactory(patient=chef, date=date(2026, 11, 24), mood=4, now=at(24))
    ReflectionFactory(patient=chef, date=date(2026, 10, 1), mood=2, now=datetime(2026, 10, 1, 20, tzinfo=UTC))
    weeks = brief(as_therapist, chef).json()["weeks"]
    assert len(weeks) == 12
    assert (weeks[0]["week"], weeks[0]["reflections"]["days"], weeks[0]["mood_avg"]) == ("2026-W48", 1, 4.0)
    assert weeks[8]["week"] == "2026-W40"
    assert (weeks[8]["reflections"]["days"], weeks[8]["mood_avg"]) == (1, 2.0)  # before the period, still on the chart
