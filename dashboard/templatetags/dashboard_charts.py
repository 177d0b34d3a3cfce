"""``{{ weeks|sparkline }}`` and ``{{ weeks|week_chart }}``: a partial draws what these place.
``{{ entry.week|monday }}``: a pride entry's week by its first day; ``{% mood_max %}``: the top of the mood scale."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django import template

from dashboard import charts
from journal.dates import week_monday
from journal.models import MOOD_MAX
from journal.selectors import PatientWeeks

register = template.Library()


@register.filter
def sparkline(weeks: PatientWeeks) -> charts.Sparkline:
    return charts.sparkline(weeks)


@register.filter
def week_chart(weeks: PatientWeeks, linked_since: datetime | None = None) -> charts.WeekChart:
    return charts.week_chart(weeks, linked_since)


@register.simple_tag
def mood_line(mood: Any, since: date, until: date) -> charts.MoodLine:
    """``{% mood_line brief.mood period.since period.until as line %}``: the brief's weekly moods, gaps kept."""
    return charts.mood_line(mood.by_week, since, until)


@register.simple_tag
def mood_max() -> int:
    """The highest mood a reflection may hold: "Mood 4 of {% mood_max %}"."""
    return MOOD_MAX


@register.filter
def monday(week: str) -> date:
    """``2026-W47`` as the day a therapist calls it by: its Monday."""
    return week_monday(week)
