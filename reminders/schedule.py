"""When a reminder fires next: a pure function of its local time, weekdays and zone.

Everything is computed on the patient's wall clock and turned into UTC once (healthchecks'
``get_grace_start`` warns why): adding a day in UTC drifts an hour across a clock change.

Two wall-clock oddities have a rule each (API.md, Reminders):
- a local time that does not exist that day (clocks spring forward over it) fires at the
  first minute after the gap: 02:30 on a New York spring-forward day fires at 03:00;
- a local time that occurs twice (clocks fall back) fires once, the first time.
A local day that does not exist at all (Pacific/Apia skipped 2011-12-30) has no slot, and
nothing is planned past the last day a ``date`` can hold (9999-12-31).
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo


def slot_on(day: date, local_time: time, zone: ZoneInfo) -> datetime | None:
    """The UTC instant of ``local_time`` on the local ``day``, or None if that day has no such slot.

    Nor has a slot whose instant lies outside what a ``datetime`` can hold: west of UTC the
    evening of 9999-12-31 is already the year 10000 there.
    """
    try:
        return _slot_on(day, local_time, zone)
    except OverflowError:
        return None


def _slot_on(day: date, local_time: time, zone: ZoneInfo) -> datetime | None:
    first = datetime.combine(day, local_time, tzinfo=zone)  # fold=0: the first of two, if twice
    instant = first.astimezone(UTC)
    if instant.astimezone(zone).replace(tzinfo=None) == first.replace(tzinfo=None):
        return instant
    # In a gap: fold=0 reads the wall time with the offset from before the gap, fold=1 with
    # the one after; the transition lies between the two instants. Find it to the second.
    before = first.replace(fold=1).astimezone(UTC)
    after = instant
    offset_after = after.astimezone(zone).utcoffset()
    low, high = before, after
    while high - low > timedelta(seconds=1):
        middle = low + (high - low) / 2
        if middle.astimezone(zone).utcoffset() == offset_after:
            high = middle
        else:
            low = middle
    gap_end = high.replace(microsecond=0)
    if gap_end.astimezone(zone).date() != day:
        return None  # the whole local day was skipped
    return gap_end


def next_fire(
    local_time: time, weekdays: Collection[int], zone: ZoneInfo, after: datetime, *, on_date: date | None = None
) -> datetime | None:
    """The first slot strictly after ``after`` (aware), in UTC; None when there is none.

    ``weekdays`` are ISO (1 = Monday). A one-off reminder (``on_date``) has at most one slot.
    """
    if on_date is not None:
        slot = slot_on(on_date, local_time, zone)
        return slot if slot is not None and slot > after else None
    if not weekdays:
        return None
    try:
        start = after.astimezone(zone).date()
    except OverflowError:
        return None  # east of UTC, the last moments of 9999 are already past the calendar's end
    # Today's slot may have passed; eight days reach every weekday again, nine cover a skipped day.
    for offset in range(9):
        if (date.max - start).days < offset:
            return None  # no day after 9999-12-31, so no slot
        day = start + timedelta(days=offset)
        if day.isoweekday() in weekdays:
            slot = slot_on(day, local_time, zone)
            if slot is not None and slot > after:
                return slot
    return None
