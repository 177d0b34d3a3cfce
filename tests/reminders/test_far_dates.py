"""Dates at the end of the calendar: 9999-12-31 is a valid date, so nothing may overflow on it.

An experiment planned for the last day, a pause until it, a reminder whose next slot would
fall past it: each answers normally (the nudge that would fall after the last representable
day does not exist), never a 500 with half of a write done.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from journal.models import Experiment
from reminders.dispatcher import dispatch_due
from reminders.models import EVERY_DAY, Delivery, Reminder
from reminders.schedule import next_fire, slot_on
from tests.helpers import client_for
from tests.reminders.helpers import a_reminder, z

pytestmark = pytest.mark.django_db

EXPERIMENTS = "/api/v1/experiments/"
NOW = z("2026-11-26T09:00:00Z")
LAST_DAY = "9999-12-31"
# West of UTC the last day's evening is already year 10000 in UTC; east of it, the morning is not.
ZONES = ["Europe/London", "America/New_York", "Pacific/Pago_Pago", "Pacific/Kiritimati"]


def nudges(as_patient) -> dict[str, str | None]:
    """The experiment nudges the patient's reminder list shows: kind -> next_fire_at (enabled ones)."""
    return {
        reminder["kind"]: reminder["next_fire_at"]
        for reminder in as_patient.get("/api/v1/reminders/").json()["results"]
        if reminder["kind"].startswith("experiment") and reminder["enabled"]
    }


def utc(day: str, at: time, zone: str) -> str:
    moment = datetime.combine(date.fromisoformat(day), at, tzinfo=ZoneInfo(zone))
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


@pytest.mark.parametrize("zone", ZONES)
@pytest.mark.parametrize("method", ["post", "put"])
def test_an_experiment_planned_for_the_last_day_is_saved_with_its_morning_nudge_only(chef, zone, method):
    chef.timezone = zone
    chef.save()
    as_chef = client_for(chef)
    body = {"title": "Bake on the last day", "planned_for": LAST_DAY, "status": "planned"}
    with time_machine.travel(NOW, tick=False):
        if method == "post":
            response = as_chef.post(EXPERIMENTS, body, format="json")
        else:
            response = as_chef.put(f"{EXPERIMENTS}{uuid.uuid4()}/", body, format="json")
    assert response.status_code == 201, response.content
    assert as_chef.get(f"{EXPERIMENTS}{response.json()['id']}/").json()["planned_for"] == LAST_DAY
    # The follow-up would be on the day after the last one: there is none.
    assert nudges(as_chef) == {"experiment_day": utc(LAST_DAY, time(9), zone)}


@pytest.mark.parametrize("zone", ZONES)
def test_moving_an_experiment_to_the_last_days_and_back_keeps_its_nudges_in_step(chef, zone):
    chef.timezone = zone
    chef.save()
    as_chef = client_for(chef)
    with time_machine.travel(NOW, tick=False):
        created = as_chef.post(EXPERIMENTS, {"title": "Dance", "planned_for": "2026-11-28", "status": "planned"})
        address = f"{EXPERIMENTS}{created.json()['id']}/"
        assert as_chef.patch(address, {"planned_for": "9999-12-30"}, format="json").status_code == 200
        west = zone in ("America/New_York", "Pacific/Pago_Pago")
        # The follow-up's 19:00 on the last day is a UTC instant only east of (or at) UTC.
        expected = {"experiment_day": utc("9999-12-30", time(9), zone)}
        if not west:
            expected["experiment_follow_up"] = utc(LAST_DAY, time(19), zone)
        assert nudges(as_chef) == expected
        assert as_chef.patch(address, {"planned_for": LAST_DAY}, format="json").status_code == 200
        assert nudges(as_chef) == {"experiment_day": utc(LAST_DAY, time(9), zone)}
        assert as_chef.patch(address, {"planned_for": "2026-11-28"}, format="json").status_code == 200
    assert nudges(as_chef) == {
        "experiment_day": utc("2026-11-28", time(9), zone),
        "experiment_follow_up": utc("2026-11-29", time(19), zone),
    }
    assert Experiment.objects.get().planned_for == date(2026, 11, 28)


def test_a_pause_until_the_last_day_is_saved_and_skips_the_reminders(chef):
    as_chef = client_for(chef)
    reminder = a_reminder(chef, at="20:00", now=NOW)
    with time_machine.travel(NOW, tick=False):
        response = as_chef.put("/api/v1/reminders/settings/", {"paused_until": LAST_DAY}, format="json")
    assert (response.status_code, response.json()["paused_until"]) == (200, LAST_DAY)
    assert reminder.next_fire_at is not None
    dispatch_due(now=reminder.next_fire_at, enqueue=lambda ids: None)
    assert Delivery.objects.get().status == "skipped_paused"


@pytest.mark.parametrize("zone", ZONES)
def test_the_last_slot_of_the_calendar_is_the_last_one_planned(zone):
    place = ZoneInfo(zone)
    last_evening = datetime.combine(date.max, time(20), tzinfo=place)
    offset = last_evening.utcoffset()
    assert offset is not None
    # 20:00 four or more hours west of UTC is already the year 10000 in UTC: no such slot.
    expected = None if offset <= timedelta(hours=-4) else (last_evening - offset).replace(tzinfo=UTC)
    assert slot_on(date.max, time(20), place) == expected
    # A weekly reminder looked up from the last day: no next slot, and no overflow looking for one.
    assert next_fire(time(20), EVERY_DAY, place, datetime(9999, 12, 31, 23, 59, tzinfo=UTC)) is None
    assert next_fire(time(20), [1], place, datetime(9999, 12, 30, tzinfo=UTC)) is None  # 9999-12-31 is a Friday


def test_a_reminder_at_the_end_of_the_calendar_is_disabled_after_its_last_slot_not_an_error(chef):
    reminder = Reminder.objects.create(
        patient=chef, kind="reflection_daily", local_time=time(9), weekdays=EVERY_DAY,
        next_fire_at=z("9999-12-31T09:00:00Z"), created_at=NOW, updated_at=NOW,
    )  # fmt: skip
    chef.timezone = "Europe/London"
    chef.save()
    dispatch_due(now=z("9999-12-31T09:00:00Z"), enqueue=lambda ids: None)
    reminder.refresh_from_db()
    assert reminder.next_fire_at is None
    assert Delivery.objects.get().slot_at == z("9999-12-31T09:00:00Z")
