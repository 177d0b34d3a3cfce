"""Properties of local days and ISO weeks, over every zone and instants across DST changes."""

from __future__ import annotations

import itertools
import zoneinfo
from datetime import UTC, date, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from journal.dates import iso_week, local_date, parse_week, week_monday, weeks_back

ZONES = sorted(zoneinfo.available_timezones() - {"Factory", "localtime"})
instants = st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2060, 1, 1)).map(
    lambda moment: moment.replace(tzinfo=UTC)
)


@given(instant=instants, zone=st.sampled_from(ZONES))
@settings(max_examples=300, deadline=None)
def test_the_local_day_is_the_wall_calendar_day_in_the_zone(instant, zone):
    tz = zoneinfo.ZoneInfo(zone)
    day = local_date(instant, tz)
    assert day == instant.astimezone(tz).date()
    # A local day is never more than 14 hours ahead of, or 12 behind, the UTC day.
    assert abs((day - instant.date()).days) <= 1


@given(day=st.dates(min_value=date(1990, 1, 1), max_value=date(2060, 12, 31)))
def test_every_day_has_exactly_one_iso_week_that_parses_back(day):
    week = iso_week(day)
    assert parse_week(week) == week
    monday = week_monday(week)
    assert monday.weekday() == 0
    assert monday <= day < monday + timedelta(days=7)


@given(day=st.dates(min_value=date(1990, 1, 1), max_value=date(2060, 12, 31)), count=st.integers(1, 60))
def test_weeks_back_are_consecutive_newest_first(day, count):
    weeks = weeks_back(iso_week(day), count)
    assert len(weeks) == len(set(weeks)) == count
    mondays = [week_monday(week) for week in weeks]
    assert all(a - b == timedelta(days=7) for a, b in itertools.pairwise(mondays))


def test_iso_week_refuses_a_datetime_whose_week_depends_on_its_zone():
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    import pytest

    from journal.dates import iso_week, local_date

    instant = datetime(2024, 1, 1, 1, 0, tzinfo=UTC)  # Monday of 2024-W01 in UTC, Sunday in New York
    with pytest.raises(TypeError):
        iso_week(instant)
    assert iso_week(local_date(instant, ZoneInfo("UTC"))) == "2024-W01"
    assert iso_week(local_date(instant, ZoneInfo("America/New_York"))) == "2023-W52"
