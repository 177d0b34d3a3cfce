"""The pre-session brief as Markdown: the JSON brief, read in two minutes.

What the patient wrote is escaped: a pride item holding ``<img onerror=…>`` or ``[link](…)``
must stay text in whatever viewer renders this.
"""

from __future__ import annotations

import re
from datetime import date

from care.brief import Brief, Practised
from journal.models import Commitment, Experiment

#: What Markdown (CommonMark, and GitHub's tables and strikethrough) reads as markup inside a
#: line. Patient text never starts a line here, so line-start markers (#, -, 1.) stay as typed.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]<>&|~])")


def escape(text: str) -> str:
    """Patient text as literal Markdown: specials backslashed, lines kept on one line."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(text.split()))


def _day(day: date) -> str:
    return f"{day:%a} {day.day} {day:%b %Y}"


def _plural(count: int, one: str, many: str | None = None) -> str:
    return f"{count} {one if count == 1 else (many or one + 's')}"


def _practice_line(practised: Practised) -> str:
    commitment = practised.commitment
    title = escape(commitment.title or "")
    paused = " (paused)" if commitment.status == Commitment.Status.PAUSED else ""
    if practised.unit == "day":
        did = f"reflected on {practised.done} of {_plural(practised.periods, 'day')}"
    elif practised.unit == "week":
        did = (
            f"wrote in {practised.done} of {_plural(practised.periods, 'week')}, "
            f"{practised.met} reaching {commitment.target_count}"
        )
    elif commitment.kind == Commitment.Kind.EXPERIMENT:
        did = "tried" + (f" {_plural(practised.done, 'time')}" if practised.done else ": not yet")
    else:
        did = f"{_plural(practised.done, 'entry', 'entries')} naming it"
    return f"- **{title}**{paused}: {did}."


def brief_markdown(brief: Brief) -> str:
    period = brief.period
    since = {
        "last_session": "since the last session",
        "asked": "since the day asked",
        "default": "over the last four weeks",
    }[period.since_reason]
    lines = [
        f"# Pre-session brief: {escape(brief.patient.display_name)}",
        "",
        f"{_day(period.since)} to {_day(period.until)} ({_plural(period.days, 'day')}, {since}), "
        f"in {brief.patient.timezone}.",
        "",
        "## Commitments",
        "",
        *([_practice_line(p) for p in brief.commitments] or ["No active commitments."]),
        "",
        "## Reflections and mood",
        "",
        f"Reflected on {_plural(len(brief.reflection_dates), 'day')} of {period.days}.",
    ]
    mood = brief.mood
    if mood.average is not None:
        trend = {"up": ", rising", "down": ", lower lately", "steady": ", steady"}.get(mood.trend or "", "")
        weekly = ", ".join(f"{week} {value:.1f}" for week, value in mood.by_week)
        lines.append(f"Mood averaged {mood.average:.1f} of 5{trend} ({weekly}).")
    lines += ["", "## Things they were proud of", ""]
    if not brief.pride_weeks:
        lines.append("No pride entries in this period.")
    for week in brief.pride_weeks:
        reached = "reached" if week.met else "toward"
        lines.append(f"- {week.week}: {_plural(week.count, 'thing')} ({reached} {week.target})")
        if week.shared:
            lines += [f"  - {escape(item)}" for item in week.items]
            if week.note:
                lines.append(f"  - Note: {escape(week.note)}")
        else:
            lines.append("  - Not shared.")
    lines += ["", "## Experiments", ""]
    if not brief.experiments:
        lines.append("No experiments in this period.")
    for seen in brief.experiments:
        lines.append(_experiment_line(seen.experiment, shared=seen.shared))
    lines += ["", "## Quiet days", ""]
    quiet = period.days - brief.active_days
    lines.append(f"Entries on {_plural(brief.active_days, 'day')}; {_plural(quiet, 'day')} with none.")
    lines += [f"- {_day(s.start)} to {_day(s.end)}: {_plural(s.days, 'day')} quiet." for s in brief.quiet_stretches]
    if not brief.entries_shared:
        lines += ["", "_The patient is not sharing entries with you now: counts only, no text._"]
    return "\n".join(lines) + "\n"


def _experiment_line(experiment: Experiment, *, shared: bool) -> str:
    when = f" ({_day(experiment.planned_for)})" if experiment.planned_for else ""
    status = Experiment.Status(experiment.status).label.lower()
    if not shared:
        return f"- An experiment{when}: {status}. Not shared."
    line = f"- **{escape(experiment.title or '')}**{when}: {status}."
    for label, text in (
        ("Worried", experiment.worry),
        ("What happened", experiment.outcome),
        ("Learned", experiment.learned),
    ):
        if text:
            line += f" {label}: “{escape(text)}”"
    return line
