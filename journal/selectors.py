"""Reads of the journal that views, care and reminders share.

They return querysets, models or plain dataclasses; showing them is the API layer's job.
Access rules live here too: every queryset starts from the user asking, a therapist's
through their active links (``accounts.selectors.linked_patient``).
"""

from __future__ import annotations

import base64
import binascii
import uuid
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TypeVar

from django.db.models import OuterRef, Q, QuerySet, Subquery

from accounts.models import User
from accounts.selectors import linked_patient
from core.exceptions import DomainError
from core.input import ascii_digits
from journal import signals
from journal.dates import iso_week, local_date, week_monday, weeks_back
from journal.exceptions import NotLinkable
from journal.kinds import KINDS, RecordKind
from journal.models import (
    Commitment,
    Entry,
    Experiment,
    JournalRecord,
    PrideEntry,
    Reflection,
    SyncCounter,
    own_pride_target,
    pride_target,
)

R = TypeVar("R", bound=JournalRecord)

PAGE_LIMIT = 500


# --- Records a user may reach --------------------------------------------------------------


def living(model: type[R]) -> QuerySet[R]:
    """Records not deleted: a tombstone exists only for sync."""
    return model.objects.filter(deleted_at__isnull=True)


def records_of(*, model: type[R], patient: User, include_deleted: bool = False) -> QuerySet[R]:
    """A patient's own records of one kind: living ones, or with tombstones for sync."""
    records = model.objects.filter(patient=patient)
    if not include_deleted:
        records = records.filter(deleted_at__isnull=True)
    # An entry shows its commitment's target (pride); load it in the same query.
    return records.select_related("commitment") if issubclass(model, Entry) else records


def commitments_visible_to(*, user: User, patient_id: uuid.UUID | None = None) -> QuerySet[Commitment]:
    """The living commitments ``user`` may see, optionally of one patient.

    A patient sees their own (naming anyone else gives nothing); a therapist sees those of
    the patients linked to them now, and naming a patient they are not linked to is
    ``NotLinked``, exactly as naming one who does not exist.
    """
    commitments = living(Commitment)
    if user.is_therapist:
        if patient_id is not None:
            return commitments.filter(patient=linked_patient(therapist=user, patient_id=patient_id))
        return commitments.filter(patient__in=User.objects.patients_of(user))
    if patient_id is not None and patient_id != user.id:
        return commitments.none()
    return commitments.filter(patient=user)


def commitments_read(
    *, reader: User, commitments: Sequence[Commitment], patient_id: uuid.UUID | None = None, now: datetime
) -> Sequence[Commitment]:
    """What a reader is shown of ``commitments_visible_to``, with a therapist's read of each
    patient in it (and of ``patient_id``, named even when they have none) sent to care's
    access log through ``signals.commitments_read``. Call it inside the transaction the answer
    is built in, so that a read that fails logs nothing."""
    read = {commitment.patient_id for commitment in commitments} | ({patient_id} if patient_id else set())
    if reader.is_therapist and read:
        signals.commitments_read.send(sender=Commitment, reader=reader, patient_ids=sorted(read), now=now)
    return commitments


def linkable_commitments(*, patient: User) -> QuerySet[Commitment]:
    """What an entry or a reminder of the patient's may name as its commitment: their own,
    living. The one home of this rule: the API's choices (``journal.serializers.LinkableCommitmentField``)
    and the services' check (``commitment_check_linkable``) are both this queryset."""
    return living(Commitment).filter(patient=patient)


def commitment_check_linkable(*, patient: User, commitment: Commitment | None) -> None:
    """Refuse a commitment the patient's entry or reminder may not name. The API offers only
    those; this holds for every other caller (a script, a seed, a service of another app)."""
    if commitment is not None and not linkable_commitments(patient=patient).filter(pk=commitment.pk).exists():
        raise NotLinkable()


# --- Sync ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SyncPage:
    changes: list[tuple[RecordKind, JournalRecord]]  # in seq order
    cursor: int
    has_more: bool


def encode_cursor(seq: int) -> str:
    return base64.urlsafe_b64encode(f"v1:{seq}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    try:
        # The padding encode_cursor strips; the decoder ignores any it does not need.
        text = base64.urlsafe_b64decode(cursor + "==").decode()
        prefix, seq = text.split(":")
        if prefix != "v1" or not ascii_digits(seq):
            raise ValueError
        return int(seq)
    except (ValueError, UnicodeDecodeError, binascii.Error):
        raise DomainError("Not a cursor this server gave out.", code="invalid_cursor", attr="cursor") from None


def sync_page(*, patient: User, after: int, limit: int = PAGE_LIMIT) -> SyncPage:
    """Every change to the patient's records after ``after``, oldest first, at most ``limit``.

    ``high`` is read first: the counter row is only written in the transaction that writes
    the records, so every seq up to the committed ``high`` belongs to a committed row, and
    nothing below ``high`` can still appear later. A row that changed again after ``high``
    was read has moved above it and comes in the next page.
    """
    high = SyncCounter.objects.filter(patient=patient).values_list("last_seq", flat=True).first() or 0
    rows: list[tuple[int, RecordKind, JournalRecord]] = []
    for kind in KINDS:
        records = records_of(model=kind.model, patient=patient, include_deleted=True).filter(
            seq__gt=after, seq__lte=high
        )
        rows.extend((record.seq, kind, record) for record in records.order_by("seq")[: limit + 1])
    rows.sort(key=lambda row: row[0])
    page = rows[:limit]
    has_more = len(rows) > limit
    cursor = page[-1][0] if has_more else max(high, after)
    return SyncPage(changes=[(kind, record) for _, kind, record in page], cursor=cursor, has_more=has_more)


# --- Pride targets and progress ------------------------------------------------------------


def active_pride_targets(*, patient_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, int]:
    """Each patient's active pride commitment's target (the newest, if several); one query.

    Patients without one are absent: ``journal.models.pride_target`` then uses the default.
    """
    targets: dict[uuid.UUID, int] = {}
    rows = (
        living(Commitment)
        .filter(patient_id__in=list(patient_ids), kind=Commitment.Kind.PRIDE_WEEKLY, status=Commitment.Status.ACTIVE)
        .order_by("-created_at", "-seq")  # seq: of two made at one instant (a session's drafts), the later
        .values_list("patient_id", "target_count")
    )
    for patient_id, target in rows:
        targets.setdefault(patient_id, target)  # newest first: the first seen is the one
    return targets


def practised_kinds(*, patient_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, frozenset[str]]:
    """The kinds of practice each patient has now (an active commitment of that kind); one query.
    A number about a practice the patient does not have means nothing ("pride items 0 of 3" for
    someone never asked to list any), so the roster shows only these."""
    kinds: dict[uuid.UUID, set[str]] = {}
    rows = (
        living(Commitment)
        .filter(patient_id__in=list(patient_ids), status=Commitment.Status.ACTIVE)
        .values_list("patient_id", "kind")
        .distinct()
    )
    for patient_id, kind in rows:
        kinds.setdefault(patient_id, set()).add(kind)
    return {patient_id: frozenset(found) for patient_id, found in kinds.items()}


def active_pride_target(*, patient: User) -> int | None:
    return active_pride_targets(patient_ids=[patient.id]).get(patient.id)


def period_practised(*, patient: User, kind: str, now: datetime) -> bool:
    """Has the patient already practised ``kind`` (a ``Commitment.Kind``) in its current period?

    Today for a daily reflection, this ISO week for pride and experiments, both in the
    patient's zone at ``now``. A pride entry counts however many items it holds: nudging
    someone who wrote two things to find a third is not this product's job. Reminders ask
    this before they nudge.
    """
    return patient.id in patients_who_practised(patients=[patient], kind=kind, now=now)


def patients_who_practised(*, patients: Collection[User], kind: str, now: datetime) -> set[uuid.UUID]:
    """``period_practised`` for many patients at once, in one query whatever their number.

    The reminder dispatcher asks it for every patient due in a pass. Patients' zones put
    ``now`` on at most three local dates (and weeks): the query asks, for each of those few,
    about the patients whose own day (or week) it is.
    """
    today = {patient.id: local_date(now, patient.zone) for patient in patients}
    if not today:
        return set()
    if kind == Commitment.Kind.REFLECTION_DAILY:
        return _practised(Reflection, today, lambda day: Q(date=day))
    weeks = {patient_id: iso_week(day) for patient_id, day in today.items()}
    if kind == Commitment.Kind.PRIDE_WEEKLY:
        return _practised(PrideEntry, weeks, lambda week: Q(week=week))
    if kind == Commitment.Kind.EXPERIMENT:
        return _practised(Experiment, weeks, lambda week: Experiment.in_week(week) & Q(status=Experiment.Status.TRIED))
    return set()


P = TypeVar("P", date, str)


def _practised(model: type[JournalRecord], periods: dict[uuid.UUID, P], in_period: Callable[[P], Q]) -> set[uuid.UUID]:
    """The patients with a living ``model`` record ``in_period`` of their own ``periods``."""
    patients_by_period: dict[P, list[uuid.UUID]] = defaultdict(list)
    for patient_id, period in periods.items():
        patients_by_period[period].append(patient_id)
    each_in_their_own = Q()
    for period, patient_ids in patients_by_period.items():
        each_in_their_own |= Q(patient_id__in=patient_ids) & in_period(period)
    return set(living(model).filter(each_in_their_own).values_list("patient_id", flat=True))


@dataclass(frozen=True)
class PrideWeek:
    count: int
    target: int
    met: bool


@dataclass(frozen=True)
class WeekSummary:
    """What a patient did in one ISO week of their own zone. Nothing is called failed."""

    week: str
    pride: PrideWeek
    reflection_dates: tuple[date, ...]
    experiments_tried: int  # tried, whatever happened
    mood_avg: float | None

    @property
    def reflection_days(self) -> int:
        return len(self.reflection_dates)

    @property
    def practised(self) -> bool:
        return bool(self.reflection_dates or self.pride.count or self.experiments_tried)


@dataclass(frozen=True)
class PatientWeeks:
    patient_id: uuid.UUID
    timezone: str
    this_week: str
    last_active_at: datetime | None
    weeks: tuple[WeekSummary, ...]  # newest first


@dataclass(frozen=True)
class PatientProgress(PatientWeeks):
    practice_streak_weeks: int


@dataclass
class _Practice:
    """One patient's living entries in the weeks asked for, reduced to what the summaries count."""

    reflections: dict[str, list[date]] = field(default_factory=lambda: defaultdict(list))
    moods: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    pride: dict[str, tuple[int, int | None]] = field(default_factory=dict)  # week: (count, own target)
    tried: dict[str, int] = field(default_factory=lambda: defaultdict(int))


def week_summaries(*, patients: Sequence[User], weeks: int, now: datetime) -> dict[uuid.UUID, PatientWeeks]:
    """Each patient's last ``weeks`` ISO weeks (newest first, each in the patient's own zone)
    and last activity.

    Five queries whatever the number of patients, weeks or entries: three narrow reads of the
    entries in those weeks only (a year of journal behind a patient costs nothing here), one
    of the active pride targets and one of the last activity, then arithmetic in Python. The
    patient's progress, the therapist's roster and the pre-session brief all read this.
    """
    ids = [patient.id for patient in patients]
    this_weeks = {patient.id: iso_week(local_date(now, patient.zone)) for patient in patients}
    # One lower bound for everyone: the oldest Monday any patient's window reaches.
    oldest = min((weeks_back(week, weeks)[-1] for week in this_weeks.values()), default=None)
    if oldest is None:
        return {}
    first_day = week_monday(oldest)
    practice: dict[uuid.UUID, _Practice] = {patient_id: _Practice() for patient_id in ids}
    for patient_id, day, mood in (
        living(Reflection).filter(patient_id__in=ids, date__gte=first_day).values_list("patient_id", "date", "mood")
    ):
        one = practice[patient_id]
        one.reflections[iso_week(day)].append(day)
        if mood is not None:
            one.moods[iso_week(day)].append(mood)
    pride = living(PrideEntry).filter(patient_id__in=ids, week__gte=oldest)  # YYYY-Www sorts as text
    for patient_id, week, count, kind, target, deleted_at in pride.values_list(
        "patient_id", "week", "item_count", "commitment__kind", "commitment__target_count", "commitment__deleted_at"
    ):
        own = own_pride_target(kind=kind, target_count=target, deleted_at=deleted_at)  # kind None: no commitment
        practice[patient_id].pride[week] = (count, own)
    tried = living(Experiment).filter(
        Experiment.in_days(first_day, None), patient_id__in=ids, status=Experiment.Status.TRIED
    )
    for patient_id, planned_for, written_on in tried.values_list("patient_id", "planned_for", "date"):
        practice[patient_id].tried[Experiment.week_of(planned_for=planned_for, written_on=written_on)] += 1
    targets = active_pride_targets(patient_ids=ids)
    last_active = last_activity(patient_ids=ids)

    result = {}
    for patient in patients:
        one = practice[patient.id]
        active_target = targets.get(patient.id)

        def summary(week: str, one: _Practice = one, active_target: int | None = active_target) -> WeekSummary:
            count, own_target = one.pride.get(week, (0, None))
            target = pride_target(own=own_target, active=active_target)
            moods = one.moods.get(week)
            return WeekSummary(
                week=week,
                pride=PrideWeek(count=count, target=target, met=count >= target),
                reflection_dates=tuple(sorted(one.reflections.get(week, ()))),
                experiments_tried=one.tried.get(week, 0),
                mood_avg=round(sum(moods) / len(moods), 1) if moods else None,
            )

        result[patient.id] = PatientWeeks(
            patient_id=patient.id,
            timezone=patient.timezone,
            this_week=this_weeks[patient.id],
            last_active_at=last_active.get(patient.id),
            weeks=tuple(summary(week) for week in weeks_back(this_weeks[patient.id], weeks)),
        )
    return result


def last_activity(*, patient_ids: Collection[uuid.UUID]) -> dict[uuid.UUID, datetime]:
    """When each patient last wrote or changed a living entry; one query.

    For each patient and kind, the newest living entry is one step down a partial index
    (``*_patient_latest``): the cost follows the number of patients, never the years of
    journal behind them (a ``MAX`` grouped by patient read every entry ever written).
    """
    newest = newest_entries(patient="pk")
    rows = User.objects.filter(id__in=list(patient_ids)).annotate(**newest).values_list("id", *newest)
    return {patient_id: at for patient_id, *found in rows if (at := latest(found)) is not None}


def newest_entries(*, patient: str) -> dict[str, Subquery]:
    """Annotations, one per kind of entry: when the patient (the outer query's ``patient``
    field) last wrote or changed a living one. ``latest`` of them is their last activity.
    For a query over other rows than users: the roster's links ask it of ``patient``."""
    return {
        f"newest_{model._meta.model_name}": Subquery(
            living(model).filter(patient=OuterRef(patient)).order_by("-updated_at").values("updated_at")[:1]
        )
        for model in (Reflection, PrideEntry, Experiment)
    }


def latest(times: Iterable[datetime | None]) -> datetime | None:
    """The newest of ``times`` (``newest_entries``' values), None when there is none. In Python:
    SQL's ``GREATEST`` skips nulls on PostgreSQL and answers null on SQLite."""
    return max((at for at in times if at is not None), default=None)


def practice_weeks(*, patient: User) -> set[str]:
    """Every ISO week in which the patient practised anything (wrote, or tried an experiment)."""
    weeks = {iso_week(day) for day in living(Reflection).filter(patient=patient).values_list("date", flat=True)}
    weeks |= set(living(PrideEntry).filter(patient=patient).values_list("week", flat=True))
    tried = living(Experiment).filter(patient=patient, status=Experiment.Status.TRIED)
    weeks |= {
        Experiment.week_of(planned_for=planned_for, written_on=written_on)
        for planned_for, written_on in tried.values_list("planned_for", "date")
    }
    return weeks


def progress(*, patient: User, weeks: int, now: datetime) -> PatientProgress:
    """One patient's weeks, and the streak of weeks with any practice (which reads further back)."""
    summary = week_summaries(patients=[patient], weeks=weeks, now=now)[patient.id]
    return PatientProgress(
        **vars(summary),
        practice_streak_weeks=streak(practice_weeks(patient=patient), summary.this_week),
    )


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
