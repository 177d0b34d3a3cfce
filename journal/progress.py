"""Progress: what the patient did, week by week, in their own zone. Nothing is called failed.

A fixed number of queries whatever ``weeks`` is and however many entries exist: three narrow
reads of the patient's entries and one of their pride target, then arithmetic in Python.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from statistics import mean

from accounts.models import User
from journal.dates import iso_week, local_date, weeks_back
from journal.models import Commitment, Experiment, PrideEntry, Reflection

DEFAULT_PRIDE_TARGET = 3


def progress(*, patient: User, weeks: int, now: datetime) -> dict:
    this_week = iso_week(local_date(now, patient.zone))
    shown = weeks_back(this_week, weeks)

    reflections = list(
        Reflection.objects.filter(patient=patient, deleted_at__isnull=True).values_list("date", "mood", "updated_at")
    )
    pride = list(
        PrideEntry.objects.filter(patient=patient, deleted_at__isnull=True).values_list(
            "week", "item_count", "commitment__target_count", "updated_at"
        )
    )
    experiments = list(
        Experiment.objects.filter(patient=patient, deleted_at__isnull=True).values_list(
            "date", "planned_for", "status", "updated_at"
        )
    )
    target = (
        Commitment.objects.filter(
            patient=patient, deleted_at__isnull=True, kind=Commitment.Kind.PRIDE_WEEKLY, status=Commitment.Status.ACTIVE
        )
        .order_by("-created_at")
        .values_list("target_count", flat=True)
        .first()
        or DEFAULT_PRIDE_TARGET
    )

    reflection_dates: dict[str, list] = defaultdict(list)
    moods: dict[str, list[int]] = defaultdict(list)
    for day, mood, _ in reflections:
        reflection_dates[iso_week(day)].append(day)
        if mood is not None:
            moods[iso_week(day)].append(mood)
    pride_by_week = {week: (count, own_target or target) for week, count, own_target, _ in pride}
    tried: dict[str, int] = defaultdict(int)
    for day, planned_for, status, _ in experiments:
        if status == Experiment.Status.TRIED:
            tried[iso_week(planned_for or day)] += 1

    def week_summary(week: str) -> dict:
        count, week_target = pride_by_week.get(week, (0, target))
        dates = sorted(reflection_dates.get(week, []))
        return {
            "week": week,
            "pride": {"count": count, "target": week_target, "met": count >= week_target},
            "reflections": {"days": len(dates), "dates": [day.isoformat() for day in dates]},
            "experiments_done": tried.get(week, 0),
            "mood_avg": round(mean(moods[week]), 1) if moods.get(week) else None,
        }

    active_weeks = set(reflection_dates) | set(pride_by_week) | set(tried)
    updated = [row[-1] for row in (*reflections, *pride, *experiments)]
    return {
        "timezone": patient.timezone,
        "practice_streak_weeks": streak(active_weeks, this_week),
        "last_active_at": max(updated) if updated else None,
        "weeks": [week_summary(week) for week in shown],
    }


def streak(active_weeks: set[str], this_week: str) -> int:
    """Weeks in a row with any practice, up to now; this week counts once it has some, and
    a quiet this-week (so far) does not break the run that ended last week."""
    count = 0
    for n, week in enumerate(weeks_back(this_week, len(active_weeks) + 1)):
        if week in active_weeks:
            count += 1
        elif n > 0:
            break
    return count
