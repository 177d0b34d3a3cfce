"""The dispatcher: one pass finds the reminders that are due, decides each slot, and hands the
sends to the workers. Celery beat runs a pass every minute; ``manage.py dispatch_reminders``
runs one by hand.

A pass is one transaction: it claims the due rows (``SELECT ... FOR UPDATE SKIP LOCKED``, so
a second dispatcher running at once takes other rows or none), writes one ``Delivery`` per
slot (the unique constraint on reminder and slot is the second lock), moves each reminder's
``next_fire_at`` to its next slot, and only after commit enqueues the sends. Its cost follows
the number due: one index range scan, one query per kind of "already done?" check, one bulk
insert, one bulk update.

The database, not the broker, is the record of what is owed: a pending delivery whose send
task has let it go is enqueued again by the next pass, and the send itself does nothing for a
delivery no longer pending. "Let go" is one of two things: a lease that ended (the worker
holding it died or lost the database, so stopped renewing), or a message that no worker took
within ``LOST_AFTER`` of its turn (lost with a killed worker, or with the broker's data).
"""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from itertools import islice
from typing import TypeVar
from uuid import UUID

from django.db import connection, transaction
from django.db.models import DEFERRED, Model, OuterRef, Q, Subquery
from django.utils import timezone

from accounts.models import User
from core.health import DISPATCHER
from core.models import Heartbeat
from journal.models import Experiment
from journal.selectors import patients_who_practised
from reminders.models import LATEST_SEND, Delivery, Reminder, ReminderSettings

log = logging.getLogger(__name__)

#: A pending delivery no send task has taken this long after its turn is enqueued again: a
#: message waits seconds for a worker, longer only when they are all busy (a second message is
#: then harmless: the first task to claim it sends it). Under beat's minute, so a message lost
#: with the broker's data is enqueued again by the very next pass, whatever each pass's own
#: few seconds of delay: its delivery goes out a minute or so late, not two. A lease that ended
#: is enqueued again at once: with ``sending.LEASE``, a delivery held by a worker that died is
#: sent again within two minutes.
LOST_AFTER = timedelta(seconds=45)
#: Reminders claimed per pass; more wait for the next pass, a minute later.
PASS_LIMIT = 5000
#: Deliveries per Celery message: one message per delivery would cost more than the sends.
SEND_BATCH = 100

Enqueue = Callable[[list[str]], None]
M = TypeVar("M", bound=Model)

#: What a pass reads of the claimed rows; of their patients and experiments, only ``READ_WITH_EACH``.
CLAIMED_FIELDS = ("id", "patient", "kind", "experiment", "local_time", "weekdays", "on_date", "enabled", "next_fire_at")
#: What deciding a slot reads beyond the reminder, read with it by the claim: the patient's zone,
#: their saved settings (what ``ReminderSettings.is_paused`` and ``is_quiet`` read; ``patient_id``
#: is null for a patient who never saved any), and an experiment's state (``Experiment.settled``).
READ_WITH_EACH = {
    "patient": ("timezone",),
    "settings": ("patient_id", "quiet_start", "quiet_end", "paused_until"),
    "experiment": ("status", "deleted_at"),
}


@dataclass(frozen=True)
class PassResult:
    due: int
    to_send: int
    skipped: int
    missed: int
    requeued: int


def dispatch_due(*, now: datetime, enqueue: Enqueue, limit: int = PASS_LIMIT) -> PassResult:
    """One dispatcher pass at ``now``. ``enqueue`` receives batches of delivery ids after commit.

    The caller says how a batch reaches the workers (``reminders.tasks.enqueue_sends``, or a
    list in a test): the task module imports this one, never the other way round.
    """
    with transaction.atomic():
        due, settings_of = _claim(now=now, limit=limit)
        deliveries = _decide(due, settings_of=settings_of, now=now)
        for reminder in due:
            reminder.next_fire_at = _following(reminder, now=now)
            if reminder.next_fire_at is None:
                reminder.enabled = reminder.on_date is None  # a one-off has fired: it is done
        _advance(due)
        fresh = _insert_new(deliveries)
        to_send = [str(d.id) for d in fresh if d.status == Delivery.Status.PENDING]
        requeued = _requeue_lost(now=now)
        # What was owed before goes first: it is late already.
        for batch in _batches(requeued + to_send, SEND_BATCH):
            transaction.on_commit(partial(enqueue, batch))
    # When the pass really ran (a pass replayed with --now is still a pass now), for /healthz.
    Heartbeat.record(DISPATCHER, at=timezone.now())
    counts = Counter(delivery.status for delivery in fresh)
    result = PassResult(
        due=len(due),
        to_send=len(to_send),
        skipped=sum(n for status, n in counts.items() if status.startswith("skipped")),
        missed=counts[Delivery.Status.MISSED],
        requeued=len(requeued),
    )
    if due or requeued:
        log.info("dispatch at %s: %s", now.isoformat(), result)
    return result


def _advance(due: Sequence[Reminder]) -> None:
    """Write each claimed reminder's new ``next_fire_at`` and ``enabled``, in one statement.

    On PostgreSQL one ``UPDATE ... FROM unnest(arrays)``: ``bulk_update``'s ``CASE WHEN id =
    ... THEN`` per row and field cost ~0.9 s for 1,000 rows (~0.8 s building the expressions
    in Python, ~0.1 s for PostgreSQL to try each row against every WHEN), 90% of a pass.
    """
    if not due:
        return
    if connection.vendor != "postgresql":  # pragma: no mutate (a misspelling: the portable path, slower)
        Reminder.objects.bulk_update(due, ["next_fire_at", "enabled"])
        return
    with connection.cursor() as cursor:  # pragma: no mutate block (PostgreSQL only; its test leg runs it)
        cursor.execute(
            f"""UPDATE {Reminder._meta.db_table} AS reminder
                SET next_fire_at = advanced.next_fire_at, enabled = advanced.enabled
                FROM unnest(%s::uuid[], %s::timestamptz[], %s::boolean[]) AS advanced (id, next_fire_at, enabled)
                WHERE reminder.id = advanced.id""",  # noqa: S608
            [
                [reminder.id for reminder in due],
                [reminder.next_fire_at for reminder in due],
                [reminder.enabled for reminder in due],
            ],
        )


def _insert_new(deliveries: Sequence[Delivery]) -> list[Delivery]:
    """Insert the deliveries whose slot has none yet; answer the ones inserted.

    A slot that already has its delivery (a reminder edited back onto a slot it fired for) is
    left alone, so nothing is enqueued twice. On PostgreSQL one ``INSERT ... SELECT FROM
    unnest(arrays) ON CONFLICT DO NOTHING RETURNING id``: ``bulk_create`` spent ~0.2 s of a
    1,000-row pass preparing each value; elsewhere, a query for the taken slots and
    ``bulk_create``.
    """
    if not deliveries:
        return []
    if connection.vendor != "postgresql":  # pragma: no mutate (a misspelling: the portable path, slower)
        # Each filter only narrows the read: the pairs are matched on the next line but one.
        near = Delivery.objects.filter(
            reminder_id__in=[d.reminder_id for d in deliveries],  # pragma: no mutate (see above)
            slot_at__in={d.slot_at for d in deliveries},  # pragma: no mutate (see above)
        )
        taken = set(near.values_list("reminder_id", "slot_at"))
        fresh = [d for d in deliveries if (d.reminder_id, d.slot_at) not in taken]
        # Another pass inserting one of these since the read above (two processes on one SQLite
        # file) breaks the unique constraint: this pass is rolled back whole, its reminders still
        # due for the next one, rather than answering deliveries it did not write.
        Delivery.objects.bulk_create(fresh)
        return fresh
    with connection.cursor() as cursor:  # pragma: no mutate block (PostgreSQL only; its test leg runs it)
        cursor.execute(
            f"""INSERT INTO {Delivery._meta.db_table}
                    (id, reminder_id, patient_id, slot_at, local_slot, status, created_at, enqueued_at,
                     channel, attempts, last_error)
                SELECT new.*, '', 0, '' FROM unnest(
                    %s::uuid[], %s::uuid[], %s::uuid[], %s::timestamptz[], %s::text[], %s::text[],
                    %s::timestamptz[], %s::timestamptz[]
                ) AS new
                ON CONFLICT (reminder_id, slot_at) DO NOTHING
                RETURNING id""",  # noqa: S608 (the table name is ours; every value is a parameter)
            [
                [d.id for d in deliveries],
                [d.reminder_id for d in deliveries],
                [d.patient_id for d in deliveries],
                [d.slot_at for d in deliveries],
                [d.local_slot for d in deliveries],
                [d.status for d in deliveries],
                [d.created_at for d in deliveries],
                [d.enqueued_at for d in deliveries],
            ],
        )
        inserted = {row[0] for row in cursor.fetchall()}
    return [d for d in deliveries if d.id in inserted]


def _batches(ids: list[str], size: int) -> list[list[str]]:
    rest = iter(ids)
    return list(iter(lambda: list(islice(rest, size)), []))


def _claim(*, now: datetime, limit: int) -> tuple[list[Reminder], dict[UUID, ReminderSettings]]:
    """Lock the due reminders, each with its patient (id and zone) and experiment (its state);
    answer them and each patient's settings.

    One statement, whose cost follows the rows claimed: the reminders are a range of the
    partial index ``reminder_due``, and what deciding reads of their patients and experiments is
    looked up by primary key for each claimed row. Joined instead, PostgreSQL hash-joined a scan
    of every user and every experiment (at 1M reminders, 100k users read to find 1,000: ~10-30
    ms, growing with the patients stored); read afterwards with ``id IN (...)``, the users were
    scanned whole too, as under the default ``random_page_cost`` a thousand index lookups look
    dearer than a scan. Deciding builds no more than it reads: a user with a zone, the settings
    a patient saved, an experiment's state.
    """
    # SQLite has no row locks: test_sending.py's tests on PostgreSQL check these arguments.
    unclaimed = Reminder.objects.select_for_update(skip_locked=True, of=("self",))  # pragma: no mutate (see above)
    claim = (
        unclaimed.filter(enabled=True, next_fire_at__lte=now)
        .only(*CLAIMED_FIELDS)
        .annotate(**_read_with_each())
        .order_by("next_fire_at")[:limit]
    )
    due = list(claim)
    patients: dict[UUID, User] = {}
    settings_of: dict[UUID, ReminderSettings] = {}
    for reminder in due:
        patient = patients.get(reminder.patient_id)
        if patient is None:
            patient = patients[reminder.patient_id] = _as_read(
                User, claim.db, id=reminder.patient_id, **_read(reminder, "patient")
            )
            settings = _read(reminder, "settings")
            if settings["patient_id"] is not None:
                settings_of[patient.id] = _as_read(ReminderSettings, claim.db, **settings)
        reminder.patient = patient
        if reminder.experiment_id is not None:
            reminder.experiment = _as_read(
                Experiment, claim.db, id=reminder.experiment_id, **_read(reminder, "experiment")
            )
    return due, settings_of


def _read_with_each() -> dict[str, Subquery]:
    """The claim's subqueries, named ``<model>_<field>``: a lookup by primary key for each row.

    PostgreSQL runs a subquery in the SELECT list once for each row it returns and cannot turn
    it into a join, so no plan scans the users, settings or experiments whole.
    """
    by_key = {
        "patient": User.objects.filter(pk=OuterRef("patient_id")),
        "settings": ReminderSettings.objects.filter(pk=OuterRef("patient_id")),
        "experiment": Experiment.objects.filter(pk=OuterRef("experiment_id")),
    }
    return {
        f"{model}_{name}": Subquery(rows.values(name))
        for model, rows in by_key.items()
        for name in READ_WITH_EACH[model]
    }


def _read(reminder: Reminder, model: str) -> dict[str, object]:
    """What the claim read of ``reminder``'s ``model``, by field."""
    return {name: getattr(reminder, f"{model}_{name}") for name in READ_WITH_EACH[model]}


def _as_read(model: type[M], db: str, **values: object) -> M:
    """A ``model`` instance as if read from ``db`` with only these fields (the others deferred)."""
    return model.from_db(db, values, [values.get(field.attname, DEFERRED) for field in model._meta.concrete_fields])


def _following(reminder: Reminder, *, now: datetime) -> datetime | None:
    """The slot after this one: after ``now``, so a long outage never leaves a backlog to burst."""
    return reminder.next_slot(reminder.patient.zone, after=now)


def _decide(due: Sequence[Reminder], *, settings_of: Mapping[UUID, ReminderSettings], now: datetime) -> list[Delivery]:
    """A delivery for each due slot, its status decided: send, or why not. A patient who never
    saved settings has the defaults."""
    done = _already_done(due)
    defaults = ReminderSettings.defaults()
    deliveries = []
    for reminder in due:
        slot = reminder.next_fire_at
        assert slot is not None  # only rows with a next_fire_at are due
        local = slot.astimezone(reminder.patient.zone)
        settings = settings_of.get(reminder.patient_id, defaults)
        if now - slot > LATEST_SEND:  # Delivery.too_late, before the row exists
            status = Delivery.Status.MISSED
        elif reminder.id in done:
            status = Delivery.Status.SKIPPED_DONE
        elif settings.is_paused(local.date()):
            status = Delivery.Status.SKIPPED_PAUSED
        elif settings.is_quiet(local.time()):
            status = Delivery.Status.SKIPPED_QUIET
        else:
            status = Delivery.Status.PENDING
        deliveries.append(
            Delivery(
                reminder_id=reminder.id,
                patient_id=reminder.patient_id,
                slot_at=slot,
                local_slot=local.isoformat(),
                status=status,
                created_at=now,
                enqueued_at=now if status == Delivery.Status.PENDING else None,
            )
        )
    return deliveries


def _already_done(due: Sequence[Reminder]) -> set[UUID]:
    """The reminders whose practice is already done for the period of their slot.

    One query per kind and slot instant, not per reminder: the reminders due at one instant
    are asked of the journal's own rule (``patients_who_practised``) together. A pass each
    minute sees one or a few instants; after downtime, at most one per zone offset and minute.
    An experiment's nudges are done once it is tried, skipped or deleted.
    """
    done: set[UUID] = set()
    by_kind: dict[str, list[Reminder]] = defaultdict(list)
    for reminder in due:
        if reminder.experiment_id is not None:
            if reminder.experiment_settled:
                done.add(reminder.id)
        elif reminder.kind in Reminder.PRACTICE_OF:
            by_kind[reminder.kind].append(reminder)
    for kind, reminders in by_kind.items():
        # Slots due in one pass lie within minutes of each other, except the missed ones,
        # whose answer does not matter: asking at the latest slot is asking about its period.
        by_slot: dict[datetime, list[Reminder]] = defaultdict(list)
        for reminder in reminders:
            assert reminder.next_fire_at is not None
            by_slot[reminder.next_fire_at].append(reminder)
        for slot, at_slot in by_slot.items():
            practised = patients_who_practised(
                patients=[r.patient for r in at_slot], kind=Reminder.PRACTICE_OF[kind], now=slot
            )
            done.update(r.id for r in at_slot if r.patient_id in practised)
    return done


def _requeue_lost(*, now: datetime) -> list[str]:
    """Pending deliveries no send task holds or took in time: their lease ended, or their message was lost."""
    # SQLite has no row locks: test_sending.py's tests on PostgreSQL check this argument.
    unclaimed = Delivery.objects.select_for_update(skip_locked=True)  # pragma: no mutate (see above)
    let_go = Q(lease_owner__isnull=False, enqueued_at__lte=now) | Q(enqueued_at__lt=now - LOST_AFTER)
    lost = list(
        # The first bound keeps the partial index's range scan: both cases lie before now.
        unclaimed.filter(let_go, status=Delivery.Status.PENDING, enqueued_at__lte=now).values_list(
            "id",  # pragma: no mutate (a flat values_list naming no field gives the primary key: the id)
            flat=True,
        )[:PASS_LIMIT]
    )
    if lost:
        Delivery.objects.filter(id__in=lost).update(enqueued_at=now, lease_owner=None)
        log.warning("dispatch at %s: %d deliveries pending too long, enqueued again", now.isoformat(), len(lost))
    return [str(delivery_id) for delivery_id in lost]
