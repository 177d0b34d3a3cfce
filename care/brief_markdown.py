"""The pre-session brief as Markdown: the JSON brief, read in two minutes.

What the patient wrote is escaped: a pride item holding ``<img onerror=…>`` or ``[link](…)``
must stay text in whatever viewer renders this.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

from care.brief import Brief, Practised
from journal.dates import week_monday
from journal.models import MOOD_MAX, Commitment, Experiment, Reflection
from safety.models import Flag

#: What Markdown (CommonMark, and GitHub's tables and strikethrough) reads as markup inside a line.
#: Each is backslashed by one ``str.translate`` pass: a regular expression's substitution costs a
#: call per special, a quarter of a second for 200,000 of them.
_MARKDOWN_SPECIAL = str.maketrans({special: "\\" + special for special in "\\`*_{}[]<>&|~"})
#: An ordered list item's number, where a line (or a list item's text) starts.
_LIST_NUMBER = re.compile(r"[0-9]+(?=[.)])")


def escape(text: str) -> str:
    """Patient text as literal Markdown: specials backslashed, and a block marker at its start
    too (a pride item is a list item's text, where ``# Big`` would become a heading, ``> x`` a
    quote, ``1. x`` a list, ``---`` a rule); lines kept on one line."""
    flat = " ".join(text.split()).translate(_MARKDOWN_SPECIAL)
    if flat[:1] in ("#", ">", "+", "-", "="):
        return "\\" + flat
    if number := _LIST_NUMBER.match(flat):
        return f"{number[0]}\\{flat[number.end() :]}"
    return flat


def _day(day: date) -> str:
    return f"{day:%a} {day.day} {day:%b %Y}"


def _plural(count: int, one: str, many: str | None = None) -> str:
    return f"{count} {one if count == 1 else (many or one + 's')}"


#: What was done against a commitment, by the unit it is counted in (``care.brief.Practised``).
_DID: dict[str, Callable[[Practised], str]] = {
    "day": lambda p: f"reflected on {p.done} of {_plural(p.periods, 'day')}",
    "week": lambda p: (
        f"wrote in {p.done} of {_plural(p.periods, 'week')}, {p.met} reaching {p.commitment.target_count}"
    ),
    "time": lambda p: "tried" + (f" {_plural(p.done, 'time')}" if p.done else ": not yet"),
    "entry": lambda p: f"{_plural(p.done, 'entry', 'entries')} naming it",
}


def _practice_line(practised: Practised) -> str:
    commitment = practised.commitment
    paused = " (paused)" if commitment.status == Commitment.Status.PAUSED else ""
    return f"- **{escape(commitment.title or '')}**{paused}: {_DID[practised.unit](practised)}."


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
        *_for_session(brief),
        f"{_day(period.since)} to {_day(period.until)} ({_plural(period.days, 'day')}, {since}).",
        "",
        f"{zone_words(brief)}",
        "",
        *_attention(brief),
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
        lines.append(f"Mood averaged {mood.average:.1f} of {MOOD_MAX}{trend} ({weekly}).")
    if brief.reflections_quoted:
        lines += ["", "In their words, newest first:", ""]
        lines += [_quote_line(reflection) for reflection in brief.reflections_quoted]
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
    if brief.planned_ahead:
        lines += ["", "Planned for days to come:", ""]
        lines += [_experiment_line(seen.experiment, shared=seen.shared) for seen in brief.planned_ahead]
    lines += ["", "## Quiet days", ""]
    quiet = period.days - brief.active_days
    lines.append(f"Entries on {_plural(brief.active_days, 'day')}; {_plural(quiet, 'day')} with none.")
    lines += [f"- {_day(s.start)} to {_day(s.end)}: {_plural(s.days, 'day')} quiet." for s in brief.quiet_stretches]
    if not brief.entries_shared:
        lines += ["", "_The patient is not sharing entries with you now: counts only, no text._"]
    return "\n".join(lines) + "\n"


def zone_words(brief: Brief) -> str:
    """Whose clock the brief reads: every day and time in it is the patient's."""
    name = escape(brief.patient.display_name)
    return f"Days and times are {name}'s, {brief.patient.timezone} ({brief.zone_offset})."


def _for_session(brief: Brief) -> list[str]:
    if brief.next_session_at is None:
        return []
    at = brief.next_session_at.astimezone(brief.patient.zone)
    return [f"For the session on {_day(at.date())}, {at:%H:%M}.", ""]


def _quote_line(reflection: Reflection) -> str:
    line = f"- {_day(reflection.date)}: “{escape(reflection.effort or '')}”"
    if reflection.kind_words:
        line += f" Kind words: “{escape(reflection.kind_words)}”"
    if reflection.mood is not None:
        line += f" Mood {reflection.mood} of {MOOD_MAX}."
    return line


#: How a flagged entry is named in a sentence.
ENTRY_WORDS = {"reflection": "reflection", "pride_entry": "pride entry", "experiment": "experiment"}


def _attention(brief: Brief) -> list[str]:
    """First, when there is any: what might need the therapist's attention now, in the patient's
    words, then what was marked seen in the period; each with when (in the patient's zone)."""
    lines: list[str] = []
    for heading, flags in (
        ("## Might need your attention now", brief.flags_open),
        ("## Marked seen", brief.flags_seen),
    ):
        if flags:
            lines += [heading, "", *(_flag_line(flag, brief) for flag in flags), ""]
    return lines


def _flag_line(flag: Flag, brief: Brief) -> str:
    zone = brief.patient.zone
    at = flag.raised_at.astimezone(zone)
    saved = f"{_day(at.date())}, {at:%H:%M}"
    if flag.is_check_in:
        line = f"- {saved}: asked you to check in."
    else:
        entry = flagged_entry(flag, day=_day)
        line = f"- In a shared {entry} (saved {saved}): “{escape(flag.sentence or '')}”"
    if flag.seen_at is not None:
        seen = flag.seen_at.astimezone(zone)
        who = "you" if flag.seen_by_id == brief.reader_id else "another of their therapists"
        line += f" Seen by {who}, {_day(seen.date())}, {seen:%H:%M}."
    return line


def flagged_entry(flag: Flag, *, day: Callable[[date], str]) -> str:
    """The entry a flag is about, in words: "reflection for Tue 1 Dec", "pride entry for the week
    of Mon 30 Nov", each day as ``day`` writes it (the page and the Markdown say it alike)."""
    if written := flag.entry_when.get("date"):
        return f"{ENTRY_WORDS[flag.source]} for {day(date.fromisoformat(written))}"
    return f"{ENTRY_WORDS[flag.source]} for the week of {day(week_monday(flag.entry_when['week']))}"


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
