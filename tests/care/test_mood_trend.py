"""The brief's mood line: weekly averages, oldest first, and a trend only a real shift earns."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from care.brief import MOOD_SHIFT, mood_of

MONDAY = date(2026, 11, 2)  # 2026-W45


def week(n: int, *moods: int) -> list[tuple[date, int]]:
    """Moods on the first days of the n-th week after W45."""
    start = MONDAY + timedelta(weeks=n)
    return [(start + timedelta(days=i), mood) for i, mood in enumerate(moods)]


def test_no_mood_at_all_says_nothing():
    mood = mood_of([])
    assert (mood.by_week, mood.average, mood.trend) == ((), None, None)


def test_one_week_has_its_average_and_no_trend():
    mood = mood_of(week(0, 1, 2, 2))
    assert mood.by_week == (("2026-W45", 1.7),)  # 5/3 rounded to one place
    assert mood.average == 1.7
    assert mood.trend is None


def test_weeks_come_oldest_first_whatever_order_the_days_arrive_in():
    days = week(2, 4) + week(0, 2) + week(1, 3)
    assert [w for w, _ in mood_of(days).by_week] == ["2026-W45", "2026-W46", "2026-W47"]


@pytest.mark.parametrize(
    ("earlier", "later", "trend"),
    [
        ((2,), (3,), "up"),
        ((3,), (2,), "down"),
        ((3,), (3,), "steady"),
        ((2, 3), (3, 3), "up"),  # 2.5 -> 3.0: exactly the shift that counts
        ((3, 3), (2, 3), "down"),  # 3.0 -> 2.5: exactly the shift, downwards
        ((2, 2, 3), (3, 3, 2), "steady"),  # 2.3 -> 2.7: under the shift
    ],
)
def test_a_trend_needs_a_shift_of_at_least_half_a_point(earlier, later, trend):
    assert MOOD_SHIFT == 0.5
    assert mood_of(week(0, *earlier) + week(1, *later)).trend == trend


def test_the_trend_compares_the_later_half_of_the_weeks_with_the_earlier_half():
    # Four weeks: (1 + 1) / 2 before, (4 + 4) / 2 after; the middle weeks are not blurred away.
    assert mood_of(week(0, 1) + week(1, 1) + week(2, 4) + week(3, 4)).trend == "up"
    # Three weeks: the first against the last; the middle one belongs to neither half.
    assert mood_of(week(0, 3) + week(1, 1) + week(2, 3)).trend == "steady"
    assert mood_of(week(0, 2) + week(1, 5) + week(2, 3)).trend == "up"


def test_the_average_is_of_the_days_not_of_the_weeks():
    # Week one: 1 (one day); week two: 5, 5, 5. Per day 16/4 = 4.0; per week it would be 3.0.
    assert mood_of(week(0, 1) + week(1, 5, 5, 5)).average == 4.0
