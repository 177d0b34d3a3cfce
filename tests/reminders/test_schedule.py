"""The next fire time: named DST cases east and west of UTC, then properties over every zone."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, available_timezones

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reminders.models import EVERY_DAY
from reminders.schedule import next_fire, slot_on

NY, LONDON, LORD_HOWE = ZoneInfo("America/New_York"), ZoneInfo("Europe/London"), ZoneInfo("Australia/Lord_Howe")


def z(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


@pytest.mark.parametrize(
    ("local_time", "zone", "after", "expected"),
    [
        # An ordinary evening, west and east of UTC and at the date line.
        ("20:00", "America/New_York", "2026-11-26T12:00:00Z", "2026-11-27T01:00:00Z"),
        ("20:00", "Asia/Tokyo", "2026-11-26T12:00:00Z", "2026-11-27T11:00:00Z"),
        ("20:00", "Pacific/Kiritimati", "2026-11-26T05:59:00Z", "2026-11-26T06:00:00Z"),  # UTC+14
        # Today's slot already passed: tomorrow's.
        ("20:00", "Europe/London", "2026-11-26T20:00:00Z", "2026-11-27T20:00:00Z"),
        # New York springs forward 2026-03-08 02:00 -> 03:00: 02:30 does not exist, fires at 03:00.
        ("02:30", "America/New_York", "2026-03-08T00:00:00Z", "2026-03-08T07:00:00Z"),
        ("20:00", "America/New_York", "2026-03-08T12:00:00Z", "2026-03-09T00:00:00Z"),  # 20:00 EDT, unaffected
        # London springs forward 2026-03-29 01:00 -> 02:00: 01:30 fires at 02:00 BST (01:00Z).
        ("01:30", "Europe/London", "2026-03-29T00:00:00Z", "2026-03-29T01:00:00Z"),
        # New York falls back 2026-11-01 02:00 -> 01:00: 01:30 happens twice, fires the first time (EDT).
        ("01:30", "America/New_York", "2026-11-01T04:00:00Z", "2026-11-01T05:30:00Z"),
        # ...and after that first 01:30, the next slot is the next day, not the second 01:30.
        ("01:30", "America/New_York", "2026-11-01T05:30:00Z", "2026-11-02T06:30:00Z"),
        # London falls back 2026-10-25 02:00 -> 01:00: 01:30 fires once, at 01:30 BST (00:30Z).
        ("01:30", "Europe/London", "2026-10-25T00:00:00Z", "2026-10-25T00:30:00Z"),
        ("01:30", "Europe/London", "2026-10-25T00:30:00Z", "2026-10-26T01:30:00Z"),
        # Lord Howe moves 30 minutes: 2026-10-04 02:00 -> 02:30 (+10:30 -> +11). 02:15 fires at 02:30.
        ("02:15", "Australia/Lord_Howe", "2026-10-03T12:00:00Z", "2026-10-03T15:30:00Z"),
        # ...and back 2026-04-05 02:00 -> 01:30: 01:45 happens twice, fires the first time (+11).
        ("01:45", "Australia/Lord_Howe", "2026-04-04T12:00:00Z", "2026-04-04T14:45:00Z"),
        ("01:45", "Australia/Lord_Howe", "2026-04-04T14:45:00Z", "2026-04-05T15:15:00Z"),
    ],
)
def test_a_daily_reminder_fires_at_its_local_time_across_clock_changes(local_time, zone, after, expected) -> None:
    assert next_fire(time.fromisoformat(local_time), EVERY_DAY, ZoneInfo(zone), z(after)) == z(expected)


def test_a_weekly_reminder_fires_on_its_weekday_only() -> None:
    # Sunday 18:00 in London; asked on Thursday 2026-11-26: Sunday the 29th.
    assert next_fire(time(18), [7], LONDON, z("2026-11-26T09:00:00Z")) == z("2026-11-29T18:00:00Z")
    # Asked at Sunday 18:00 itself: the Sunday after.
    assert next_fire(time(18), [7], LONDON, z("2026-11-29T18:00:00Z")) == z("2026-12-06T18:00:00Z")


def test_a_one_off_reminder_fires_once_on_its_day() -> None:
    day = date(2026, 11, 28)
    assert next_fire(time(8), [], LONDON, z("2026-11-26T09:00:00Z"), on_date=day) == z("2026-11-28T08:00:00Z")
    assert next_fire(time(8), [], LONDON, z("2026-11-28T08:00:00Z"), on_date=day) is None


def test_no_weekdays_means_no_slot() -> None:
    assert next_fire(time(8), [], LONDON, z("2026-11-26T09:00:00Z")) is None


def test_a_local_day_that_never_happened_has_no_slot() -> None:
    # Samoa skipped Friday 2011-12-30 to move west of the date line.
    apia = ZoneInfo("Pacific/Apia")
    assert slot_on(date(2011, 12, 30), time(12), apia) is None
    after_thursday_noon = z("2011-12-29T22:00:00Z")  # Thursday 12:00 at UTC-10
    assert next_fire(time(12), EVERY_DAY, apia, after_thursday_noon) == z("2011-12-30T22:00:00Z")  # Saturday, UTC+14


ZONES = sorted(available_timezones() - {"localtime", "Factory"})


@settings(max_examples=400, deadline=None)
@given(
    zone=st.sampled_from(ZONES),
    after=st.datetimes(min_value=datetime(2019, 1, 1), max_value=datetime(2031, 12, 31), timezones=st.just(UTC)),
    local_time=st.times().map(lambda t: t.replace(second=0, microsecond=0)),
    weekdays=st.sets(st.integers(1, 7), min_size=1),
)
def test_the_next_slot_is_after_on_an_allowed_day_at_the_local_time_and_one_a_day(
    zone, after, local_time, weekdays
) -> None:
    tz = ZoneInfo(zone)
    slot = next_fire(local_time, weekdays, tz, after)
    assert slot is not None
    assert slot > after
    assert slot.tzinfo is UTC
    local = slot.astimezone(tz)
    assert local.isoweekday() in weekdays
    if local.time() != local_time:
        # Only a gap moves it: the wall clock jumped over local_time, and the slot is the gap's end.
        just_before = (slot - timedelta(seconds=1)).astimezone(tz)
        assert just_before.utcoffset() != local.utcoffset()
        assert just_before.time() < local_time < local.time() or local.time() < just_before.time()
    # It is the first: no allowed day between ``after`` and it has a slot after ``after``.
    day = after.astimezone(tz).date()
    while day < local.date():
        if day.isoweekday() in weekdays:
            earlier = slot_on(day, local_time, tz)
            assert earlier is None or earlier <= after
        day += timedelta(days=1)
    # The next slot is on a later local day: no day gets two.
    following = next_fire(local_time, weekdays, tz, slot)
    assert following is not None
    assert following.astimezone(tz).date() > local.date()
