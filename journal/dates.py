"""Local days and ISO weeks, always in a given zone at a given instant."""

from __future__ import annotations

import functools
import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from core.input import FIRST_YEAR

#: ASCII digits (\d takes any script's). Anchored for the OpenAPI schema, whose patterns search;
#: checked with ``fullmatch`` here, as ``$`` alone also matches before a final newline.
WEEK_PATTERN = re.compile(r"^([0-9]{4})-W([0-9]{2})$")


def local_date(now: datetime, zone: ZoneInfo) -> date:
    return now.astimezone(zone).date()


def day_start(day: date, zone: ZoneInfo) -> datetime:
    """The first moment of a local day, in UTC. Where a clock change skips midnight (Santiago,
    Beirut), the moment the day begins: a wall time in the gap reads with the offset before it,
    which is that moment."""
    return datetime.combine(day, time(), tzinfo=zone).astimezone(UTC)


def iso_week(day: date) -> str:
    if isinstance(day, datetime):
        # Equal instants in two zones are equal keys to the cache below, though their local
        # weeks may differ: callers take the local date first (``local_date``).
        raise TypeError("iso_week takes a local date, not a datetime")
    return _iso_week(day)


@functools.lru_cache(maxsize=4096)
def _iso_week(day: date) -> str:
    # Cached: summing up a roster asks it for the same few dozen days thousands of times.
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def parse_week(value: str) -> str:
    """Normalise ``YYYY-Www``; ValueError when it is not a real ISO week (2026-W53 is; 2025-W53 is not)."""
    match = WEEK_PATTERN.fullmatch(value)
    if not match:
        raise ValueError("not of the form YYYY-Www")  # pragma: no mutate (callers give their own message)
    year, week = int(match[1]), int(match[2])
    if year < FIRST_YEAR:
        raise ValueError(f"a week from {FIRST_YEAR} on")  # pragma: no mutate (callers give their own message)
    monday = date.fromisocalendar(year, week, 1)  # raises ValueError for week 0 or 54, or 53 in a short year
    return iso_week(monday)


def week_monday(week: str) -> date:
    match = WEEK_PATTERN.fullmatch(week)
    if match is None:
        raise ValueError("not of the form YYYY-Www")  # pragma: no mutate (callers give their own message)
    year, number = match.groups()
    return date.fromisocalendar(int(year), int(number), 1)


def week_last_day(week: str) -> date:
    """The Sunday of ``week``; for 9999-W52, whose Sunday would fall in the year 10000, the last
    day a date can hold, which bounds the same days."""
    monday = week_monday(week)
    try:
        return monday + timedelta(days=6)
    except OverflowError:
        return date.max


def weeks_back(this_week: str, count: int) -> list[str]:
    """``count`` ISO weeks ending with ``this_week``, newest first."""
    monday = week_monday(this_week)
    return [iso_week(monday - timedelta(weeks=n)) for n in range(count)]
