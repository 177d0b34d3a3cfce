from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.helpers import error_attrs

PROGRESS = "/api/v1/progress/"
NOW = "2026-11-25T18:00:00Z"  # Wednesday of 2026-W48, noon in Chicago

pytestmark = pytest.mark.django_db


@pytest.fixture
def journal(as_chef):
    with time_machine.travel(NOW, tick=False):
        as_chef.post("/api/v1/reflections/", {"date": "2026-11-23", "effort": "a", "mood": 3})
        as_chef.post("/api/v1/reflections/", {"date": "2026-11-24", "effort": "b", "mood": 4})
        as_chef.post("/api/v1/reflections/", {"date": "2026-11-10", "effort": "c"})
        as_chef.post("/api/v1/pride-entries/", {"week": "2026-W48", "items": ["a", "b", "c"]})
        as_chef.post("/api/v1/pride-entries/", {"week": "2026-W47", "items": ["a"]})
        as_chef.post("/api/v1/experiments/", {"title": "Recipe", "planned_for": "2026-11-18", "status": "tried"})
        as_chef.post("/api/v1/experiments/", {"title": "Other", "planned_for": "2026-11-19", "status": "skipped"})
    return as_chef


def get(client, **params):
    with time_machine.travel(NOW, tick=False):
        return client.get(PROGRESS, params)


def test_it_counts_each_week_in_the_patients_zone_newest_first(journal):
    body = get(journal, weeks=3).json()
    assert body["timezone"] == "America/Chicago"
    assert [week["week"] for week in body["weeks"]] == ["2026-W48", "2026-W47", "2026-W46"]
    w48, w47, w46 = body["weeks"]
    assert w48["pride"] == {"count": 3, "target": 3, "met": True}
    assert w48["reflections"] == {"days": 2, "dates": ["2026-11-23", "2026-11-24"]}
    assert w48["mood_avg"] == 3.5
    assert w47["pride"] == {"count": 1, "target": 3, "met": False}
    assert w47["experiments_done"] == 1  # the tried one; the skipped one is not counted, nor blamed
    assert w46 == {
        "week": "2026-W46",
        "pride": {"count": 0, "target": 3, "met": False},
        "reflections": {"days": 1, "dates": ["2026-11-10"]},
        "experiments_done": 0,
        "mood_avg": None,
    }
    assert body["practice_streak_weeks"] == 3
    assert body["last_active_at"] is not None
    assert "fail" not in json.dumps(body)


def test_the_streak_survives_a_quiet_start_to_this_week_and_stops_at_a_gap(as_chef):
    with time_machine.travel(NOW, tick=False):
        as_chef.post("/api/v1/reflections/", {"date": "2026-11-17", "effort": "W47"})
        as_chef.post("/api/v1/reflections/", {"date": "2026-11-10", "effort": "W46"})
        as_chef.post("/api/v1/reflections/", {"date": "2026-10-27", "effort": "W44"})
    assert get(as_chef)["Content-Type"] == "application/json"
    assert get(as_chef).json()["practice_streak_weeks"] == 2


def test_an_empty_journal_is_zero_not_failure(as_chef):
    body = get(as_chef, weeks=1).json()
    assert body["practice_streak_weeks"] == 0
    assert body["last_active_at"] is None
    assert body["weeks"][0]["pride"] == {"count": 0, "target": 3, "met": False}


def test_an_active_pride_commitment_sets_the_target(as_chef):
    with time_machine.travel(NOW, tick=False):
        as_chef.post("/api/v1/commitments/", {"kind": "pride_weekly", "title": "Two", "target_count": 2})
        as_chef.post("/api/v1/pride-entries/", {"items": ["a", "b"]})
    assert get(as_chef, weeks=1).json()["weeks"][0]["pride"] == {"count": 2, "target": 2, "met": True}


def test_the_query_count_does_not_grow_with_weeks_or_entries(as_chef, chef):
    def queries(weeks):
        with CaptureQueriesContext(connection) as captured:
            assert get(as_chef, weeks=weeks).status_code == 200
        return len(captured)

    small = (queries(1), queries(52))
    with time_machine.travel(NOW, tick=False):
        for n in range(60):
            as_chef.post("/api/v1/reflections/", {"date": str(date(2026, 11, 25) - timedelta(days=n)), "effort": "x"})
    assert (queries(1), queries(52)) == small
    assert small[0] <= 9  # the user; five for the weeks (journal.selectors.week_summaries); three for the streak


@pytest.mark.parametrize("weeks", ["0", "53", "many", "-1"])
def test_a_bad_weeks_is_a_400(as_chef, weeks):
    response = get(as_chef, weeks=weeks)
    assert response.status_code == 400
    assert error_attrs(response) == ["weeks"]


def test_progress_is_the_patients_own(as_therapist, link):
    assert get(as_therapist).status_code == 403
