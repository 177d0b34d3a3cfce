"""The pre-session brief: what a patient practised since the last session, on one page.

It counts everything the patient did (as their progress does) and quotes only what they
share: pride items and what happened in an experiment appear only for entries marked
``shared`` while the link shares entries. Nothing is called failed; the days with no entry
are "quiet". The same ``Brief`` is shown as JSON and as Markdown (``care.brief_markdown``).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from statistics import mean
from zoneinfo import ZoneInfo

from django.db.models import Q

from accounts.models import CareLink, User
from care.access import patient_read
from care.attention import shown_through
from care.detection import session_order
from care.models import AccessLog, Session
from core.exceptions import DomainError
from journal.dates import day_start, iso_week, local_date, week_monday
from journal.models import Commitment, Entry, Experiment, PrideEntry, Reflection
from journal.selectors import PatientWeeks, active_pride_target, living, week_summaries
from safety.models import Flag

#: Without a session or ``?since=``, a brief looks back this far (or to the link's start).
DEFAULT_LOOK_BACK = timedelta(days=27)  # four weeks, today included
#: Days in a row with no entry that make a quiet stretch worth a mention.
QUIET_STRETCH_DAYS = 3
#: The longest period a brief covers: a year, as the bench measures (``?since=`` further back is a 400).
LONGEST_LOOK_BACK = timedelta(days=366)
#: A change of mood between the period's first and second half that counts as a trend.
MOOD_SHIFT = 0.5
#: The shared reflections a brief quotes, newest first: enough to hear the patient, few enough for one page.
QUOTED_REFLECTIONS = 5
#: The weeks of the brief's chart: the patient page's twelve, whatever the period.
CHART_WEEKS = 12


@dataclass(frozen=True)
class Period:
    since: date
    until: date  # today, in the patient's zone
    since_reason: str  # "asked", "last_session" or "default" (four weeks, or since the link began)

    @property
    def days(self) -> int:
        return (self.until - self.since).days + 1

    def day_list(self) -> list[date]:
        return [self.since + timedelta(days=n) for n in range(self.days)]


@dataclass(frozen=True)
class Practised:
    """What was done against one commitment within the period (and since it began)."""

    commitment: Commitment
    done: int  # reflection days, pride weeks with an entry, experiments tried, or entries naming it
    met: int  # of those, the periods that reached the target
    periods: int  # days (daily), weeks (weekly) or 1 (once) the commitment ran within the period
    unit: str  # "day", "week", "time" (an experiment tried) or "entry" (a custom one named)


@dataclass(frozen=True)
class PrideWeekShared:
    week: str
    count: int
    target: int
    met: bool
    items: tuple[str, ...]  # empty when the entry is not shared
    note: str
    shared: bool


@dataclass(frozen=True)
class Mood:
    by_week: tuple[tuple[str, float], ...]  # oldest first, weeks with a mood only
    average: float | None
    trend: str | None  # "up", "down", "steady", or None with fewer than two weeks of moods


@dataclass(frozen=True)
class ExperimentSeen:
    experiment: Experiment
    shared: bool  # False: only its status and day are shown


@dataclass(frozen=True)
class QuietStretch:
    start: date
    end: date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


@dataclass(frozen=True)
class Brief:
    patient: User
    reader_id: uuid.UUID  # the therapist it was built for: "seen by you", or by another
    generated_at: datetime
    period: Period
    last_session_on: date | None
    next_session_at: datetime | None  # the session this brief is for, when the therapist set one
    linked_since: datetime  # the link's start: the chart calls no week before it quiet
    entries_shared: bool  # the link shares entries now
    commitments: list[Practised]
    reflection_dates: list[date]
    mood: Mood
    pride_weeks: list[PrideWeekShared]  # oldest first
    experiments: list[ExperimentSeen]  # by day
    planned_ahead: list[ExperimentSeen]  # still planned, for a day after today: by that day
    active_days: int
    quiet_stretches: list[QuietStretch]
    reflections_quoted: list[Reflection]  # the period's newest shared ones (``QUOTED_REFLECTIONS``)
    quoted: list[Entry]  # the entries whose words the brief shows: shared, while the link shares
    flags: list[Flag]  # raised in the period, or still open: newest first (care.attention)
    weeks: PatientWeeks  # the last ``CHART_WEEKS`` weeks, newest first, for the chart

    @property
    def zone_offset(self) -> str:
        """The patient's offset from UTC now ("UTC+0", "UTC-6", "UTC+5:30"): beside the zone's
        name, so a therapist elsewhere need not work out what "Europe/Lisbon" means today."""
        return utc_offset(self.generated_at.astimezone(self.patient.zone))

    @property
    def flags_open(self) -> list[Flag]:
        return [flag for flag in self.flags if flag.seen_at is None]

    @property
    def flags_seen(self) -> list[Flag]:
        return [flag for flag in self.flags if flag.seen_at is not None]

    @property
    def experiments_tried(self) -> int:
        return sum(seen.experiment.status == Experiment.Status.TRIED for seen in self.experiments)


def utc_offset(moment: datetime) -> str:
    """``moment``'s offset from UTC as a person writes it: "UTC+0", "UTC-6", "UTC+5:30"."""
    offset = moment.utcoffset() or timedelta()
    minutes = int(offset.total_seconds()) // 60
    sign = "-" if minutes < 0 else "+"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")


def patient_brief(*, therapist: User, patient_id: uuid.UUID, since: date | None, now: datetime) -> Brief:
    """The brief since ``since`` (else the last session this therapist held with the patient,
    else four weeks back or the link's start), up to today in the patient's zone; for the next
    session when one is set (it runs to today all the same: what is to come is not written yet).

    The same number of queries for a week as for a year: each kind of entry is one query over
    the period, the quotes are a handful, and the chart is ``week_summaries``' fixed five."""
    with patient_read(therapist=therapist, patient_id=patient_id, what=AccessLog.What.BRIEF, now=now) as read:
        brief = brief_build(link=read.link, therapist=therapist, since=since, now=now)
        read.showed(brief.quoted)
        # A flagged entry the brief also quotes is named once.
        read.entries += [
            named
            for named in (flag.entry_named() for flag in brief.flags if not flag.is_check_in)
            if named not in read.entries
        ]
        return brief


def brief_build(*, link: CareLink, therapist: User, since: date | None, now: datetime) -> Brief:
    patient = link.patient
    today = local_date(now, patient.zone)
    # A therapist east of the patient may record a session on what is still the patient's
    # yesterday's tomorrow: it starts the brief at today, not after it.
    last_session_on = (
        Session.objects.filter(therapist=therapist, patient=patient)
        .order_by("-held_on")
        .values_list("held_on", flat=True)
        .first()
    )
    if since is not None and since > today:
        raise DomainError("That day has not come yet for the patient.", code="future_date", attr="since")
    if since is not None and since < today - LONGEST_LOOK_BACK:
        raise DomainError("A brief covers at most a year.", code="too_far_back", attr="since")
    period = brief_period(
        since=since,
        last_session_on=last_session_on and min(last_session_on, today),
        linked_on=local_date(link.created_at, patient.zone),
        today=today,
    )
    in_period = Reflection.in_days(period.since, period.until)
    reflections = list(
        living(Reflection).filter(in_period, patient=patient).values_list("date", "commitment_id", "mood")
    )
    pride = list(
        living(PrideEntry)
        .filter(PrideEntry.in_days(period.since, period.until), patient=patient)
        # A week's target is its commitment's (``PrideEntry.target``): its kind and number. Its text
        # stays unread, undecrypted (nothing shown differs, so mutating the defer is unobservable).
        .select_related("commitment")
        .defer("commitment__title", "commitment__details", "commitment__evidence")  # pragma: no mutate (unread)
        .order_by("week")
    )
    # One query for both: the period's experiments (which the counts read), and those still planned
    # for a day to come, which the therapist will want to ask about, whenever they were written.
    planned_ahead_q = Q(status=Experiment.Status.PLANNED, planned_for__gt=period.until)
    experiments_read = list(
        living(Experiment)
        .filter(Experiment.in_days(period.since, period.until) | planned_ahead_q, patient=patient)
        .order_by("date", "created_at")
    )
    experiments = [e for e in experiments_read if e.counts_on <= period.until]
    ahead = sorted(
        (e for e in experiments_read if e.counts_on > period.until), key=lambda e: (e.counts_on, e.created_at)
    )
    commitments = sorted(
        living(Commitment).filter(patient=patient, status__in=[Commitment.Status.ACTIVE, Commitment.Status.PAUSED]),
        key=session_order,  # a session's drafts as they came up in it, however they were confirmed
    )
    active_target = active_pride_target(patient=patient)
    written = _Written(
        reflections=[(day, named) for day, named, _ in reflections],
        pride=pride,
        experiments=experiments,
        active_pride_target=active_target,
        until=today,
    )
    shares = link.share_entries
    # Read only while the link shares: a brief that may not quote them does not decrypt them.
    reflections_quoted = (
        list(
            living(Reflection)
            .filter(in_period, patient=patient, shared=True)
            .order_by("-date", "-created_at")[:QUOTED_REFLECTIONS]
        )
        if shares
        else []
    )

    def shows_words(entry: Entry) -> bool:
        """One rule for every word the brief shows, and the access log names: shared, while the link shares."""
        return shares and entry.shared

    reflection_dates = sorted(day for day, _, _ in reflections)
    active = set(reflection_dates)
    active |= {local_date(entry.created_at, patient.zone) for entry in pride}
    # Planning one for a day to come is practice on the day it was written, too.
    active |= {experiment.date for experiment in ahead}
    for experiment in experiments:
        active.add(experiment.date)
        if experiment.status == Experiment.Status.TRIED and experiment.planned_for:
            active.add(experiment.planned_for)
    active &= set(period.day_list())
    return Brief(
        patient=patient,
        reader_id=therapist.id,
        generated_at=now,
        period=period,
        last_session_on=last_session_on,
        next_session_at=link.next_session_at,
        linked_since=link.created_at,
        entries_shared=shares,
        commitments=[
            practised(commitment=commitment, since=period.since, zone=patient.zone, written=written)
            for commitment in commitments
        ],
        reflection_dates=reflection_dates,
        mood=mood_of([(day, mood) for day, _, mood in reflections if mood is not None]),
        pride_weeks=[
            PrideWeekShared(
                week=entry.week,
                count=entry.item_count,
                target=entry.target(active_target=active_target),
                met=entry.met(active_target=active_target),
                items=tuple(entry.items or ()) if shows_words(entry) else (),
                note=(entry.note or "") if shows_words(entry) else "",
                shared=shows_words(entry),
            )
            for entry in pride
        ],
        experiments=[ExperimentSeen(experiment=e, shared=shows_words(e)) for e in experiments],
        planned_ahead=[ExperimentSeen(experiment=e, shared=shows_words(e)) for e in ahead],
        active_days=len(active),
        quiet_stretches=quiet_stretches(period=period, active=active),
        reflections_quoted=reflections_quoted,
        quoted=[entry for entry in [*reflections_quoted, *pride, *experiments, *ahead] if shows_words(entry)],
        flags=list(
            shown_through(link)
            .filter(Q(seen_at__isnull=True) | Q(raised_at__gte=day_start(period.since, patient.zone)))
            .order_by("-raised_at", "-id")
        ),
        weeks=week_summaries(patients=[patient], weeks=CHART_WEEKS, now=now)[patient.id],
    )


def weeks_touched(start: date, end: date) -> int:
    """How many ISO weeks the days ``start``..``end`` touch."""
    return (week_monday(iso_week(end)) - week_monday(iso_week(start))).days // 7 + 1


def brief_period(*, since: date | None, last_session_on: date | None, linked_on: date, today: date) -> Period:
    """Where the brief starts. A ``since`` after today is the caller's to refuse."""
    if since is not None:
        return Period(since=since, until=today, since_reason="asked")
    if last_session_on is not None:
        return Period(since=last_session_on, until=today, since_reason="last_session")
    return Period(since=min(max(today - DEFAULT_LOOK_BACK, linked_on), today), until=today, since_reason="default")


@dataclass(frozen=True)
class _Written:
    """The period's entries, as the per-kind counters below read them."""

    reflections: list[tuple[date, uuid.UUID | None]]  # (day, commitment named)
    pride: list[PrideEntry]
    experiments: list[Experiment]
    active_pride_target: int | None  # ``journal.selectors.active_pride_target``
    until: date


def _counts_for(commitment: Commitment, named: uuid.UUID | None) -> bool:
    """An entry counts for a commitment when it names it, or names none and is of its kind."""
    return named == commitment.id or (named is None and commitment.kind != Commitment.Kind.CUSTOM)


def _reflection_days(commitment: Commitment, began: date, written: _Written) -> Practised:
    days = {day for day, named in written.reflections if day >= began and _counts_for(commitment, named)}
    periods = (written.until - began).days + 1
    return Practised(commitment=commitment, done=len(days), met=len(days), periods=periods, unit="day")


def _pride_weeks(commitment: Commitment, began: date, written: _Written) -> Practised:
    mine = [e for e in written.pride if e.week >= iso_week(began) and _counts_for(commitment, e.commitment_id)]
    met = sum(entry.met(active_target=written.active_pride_target) for entry in mine)
    periods = weeks_touched(began, written.until)
    return Practised(commitment=commitment, done=len(mine), met=met, periods=periods, unit="week")


def _experiments_tried(commitment: Commitment, began: date, written: _Written) -> Practised:
    tried = [
        e
        for e in written.experiments
        if e.status == Experiment.Status.TRIED and e.counts_on >= began and _counts_for(commitment, e.commitment_id)
    ]
    return Practised(commitment=commitment, done=len(tried), met=min(len(tried), 1), periods=1, unit="time")


def _entries_naming(commitment: Commitment, began: date, written: _Written) -> Practised:
    named = (
        sum(named == commitment.id and day >= began for day, named in written.reflections)
        + sum(entry.commitment_id == commitment.id and entry.week >= iso_week(began) for entry in written.pride)
        + sum(e.commitment_id == commitment.id and e.counts_on >= began for e in written.experiments)
    )
    return Practised(commitment=commitment, done=named, met=named, periods=0, unit="entry")


#: How each kind of commitment counts what was practised against it.
PRACTICE_COUNTERS = {
    Commitment.Kind.REFLECTION_DAILY: _reflection_days,
    Commitment.Kind.PRIDE_WEEKLY: _pride_weeks,
    Commitment.Kind.EXPERIMENT: _experiments_tried,
    Commitment.Kind.CUSTOM: _entries_naming,
}


def practised(*, commitment: Commitment, since: date, zone: ZoneInfo, written: _Written) -> Practised:
    """Counted from the later of the period's start and the day the commitment began."""
    began = max(since, commitment.starts_on or since, local_date(commitment.created_at, zone))
    return PRACTICE_COUNTERS[Commitment.Kind(commitment.kind)](commitment, min(began, written.until), written)


def mood_of(moods: list[tuple[date, int]]) -> Mood:
    """Weekly averages of the period's own days (oldest first), and whether the later half of
    those weeks is higher or lower than the earlier half."""
    weekly: dict[str, list[int]] = {}
    for day, mood in sorted(moods):
        weekly.setdefault(iso_week(day), []).append(mood)
    by_week = tuple((week, round(mean(values), 1)) for week, values in weekly.items())
    if not by_week:
        return Mood(by_week=(), average=None, trend=None)
    averages = [value for _, value in by_week]
    trend = None
    if len(averages) >= 2:
        half = len(averages) // 2
        shift = mean(averages[-half:]) - mean(averages[:half])
        trend = "up" if shift >= MOOD_SHIFT else "down" if shift <= -MOOD_SHIFT else "steady"
    return Mood(by_week=by_week, average=round(mean(mood for _, mood in moods), 1), trend=trend)


def quiet_stretches(*, period: Period, active: set[date]) -> list[QuietStretch]:
    """Runs of at least ``QUIET_STRETCH_DAYS`` days with no entry at all."""
    stretches = []
    run: list[date] = []
    for day in [*period.day_list(), None]:
        if day is not None and day not in active:
            run.append(day)
            continue
        if len(run) >= QUIET_STRETCH_DAYS:
            stretches.append(QuietStretch(start=run[0], end=run[-1]))
        run = []
    return stretches
