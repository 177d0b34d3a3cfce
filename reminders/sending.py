"""Sending deliveries: through the patient's channels, once, retried when worth it.

The send task hands ``deliveries_send`` a batch of delivery ids (the dispatcher enqueues them
a hundred at a time):

1. **Claim**: the batch's pending deliveries whose turn has come (``enqueued_at`` not in the
   future) get a short lease: ``lease_owner`` names this run and ``enqueued_at`` moves to the
   end of the lease, which the run renews every ``RENEW_EVERY`` while it works. A second task
   given the same ids (a retry racing a re-enqueue, a message the broker delivers twice) finds
   them leased and leaves them alone. A worker that dies stops renewing: its lease ends within
   ``LEASE`` and the dispatcher's next pass enqueues what it held again.
2. **Send**, with no transaction open, each delivery in three steps: count the attempt (one
   small write, only while the lease is still ours: the "sending" mark), send on the patient's
   channels, record the outcome at once (``sent_at`` when the send ended: the receiver has
   it, a slow one a little before). A crash can
   therefore re-send only a delivery whose send was in flight, and ``attempts`` counts that
   lost send too. A slot more than two hours old is not sent at all (``missed``).
3. Outcomes that say "try again" leave the delivery pending with a backoff (``enqueued_at``
   is the retry's turn); after the last attempt it is ``failed``. A push token the service
   calls unregistered is deactivated.

**Time.** One slow endpoint must not hold a batch. Sends run in a few threads
(``SEND_CONCURRENCY``), staggered: the next send starts when the one before has finished or
has been going for ``STAGGER_SECONDS``. Receivers that answer promptly therefore see one send
at a time, so a crash re-sends at most one of them, while a slow or silent one is passed by.
A send is bounded by its channel (``reminders.channels``: each HTTP send has a deadline of its
own) and a delivery by ``DELIVERY_BUDGET_SECONDS``: once that long has passed since its first
send began, none of its other sends starts. What was not tried counts as a transient failure.

The database writes are all made here, in the task's own thread, never in a sending thread
(a thread would open a connection of its own). A write that meets a database outage is tried
again for ``DATABASE_PATIENCE`` on a fresh connection; meanwhile no new send starts, so only
sends already in flight wait for their record. Past that the task fails, and
``reminders.tasks`` retries it.

Celery's soft time limit (``SoftTimeLimitExceeded``, raised in the task's thread) is never
taken for a channel's failure: no new send starts, the ones in flight are waited for and
recorded, and the deliveries not begun get their lease back (``enqueued_at`` as before the
claim), so the dispatcher's next pass enqueues them again.

A receiver that sees a delivery twice sees the same delivery id (webhook-id, the e-mail's
Message-ID) and push collapse key and notification tag, so it can show it once.
"""

from __future__ import annotations

import contextlib
import logging
import signal
import threading
import time
import uuid
from collections import defaultdict, deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from queue import Empty, SimpleQueue
from types import FrameType
from typing import TypeVar
from uuid import UUID

from billiard.pool import SIG_SOFT_TIMEOUT  # type: ignore[import-untyped]
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import connection, models, transaction
from django.db.models import F

from core.errors import DATABASE_OUTAGES
from reminders import channels
from reminders.models import LATEST_SEND, MAX_DEVICES, Delivery, Device, ReminderSettings
from reminders.wording import message_for

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5


def backoff(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min, 4 min between attempts: the whole retry fits in a reminder's hour."""
    return timedelta(seconds=30 * 2 ** (attempts - 1))


@dataclass(frozen=True)
class Outcome:
    sent: bool
    retry_in: timedelta | None = None


@dataclass
class _Attempt:
    """What one delivery's channels did."""

    delivered: list[str] = field(default_factory=list)
    transient: list[str] = field(default_factory=list)
    permanent: list[str] = field(default_factory=list)
    asked_wait: float = 0.0
    dead_devices: list[UUID] = field(default_factory=list)

    @property
    def tried(self) -> bool:
        """Did a channel take its turn (even one left untried for lack of time)?"""
        return bool(self.delivered or self.transient or self.permanent)


#: No send of a delivery starts once this many seconds have passed since its first one began:
#: room for every device a user may hold, an e-mail and a webhook at their usual pace, while a
#: user whose endpoints never answer costs the reminders behind theirs this plus one send.
DELIVERY_BUDGET_SECONDS = 10.0
#: At most this many deliveries of a batch are being sent at once (threads of the task).
SEND_CONCURRENCY = 8
#: The next send starts when the one before ended or has taken this long: one at a time while
#: the receivers answer promptly (a crash then cuts short at most one), in parallel when not.
STAGGER_SECONDS = 0.5

#: How long a claim holds a delivery without being renewed. Short, because a worker that dies
#: holds its deliveries this long; renewed every ``RENEW_EVERY`` while the batch is worked.
LEASE = timedelta(seconds=40)
RENEW_EVERY = timedelta(seconds=10)
#: How far ahead of this worker's clock a delivery's turn may be and still be taken: hosts'
#: clocks differ by a little. Well under the shortest backoff, and under a lease less a renewal.
CLOCK_SKEW = timedelta(seconds=15)
#: How long a write waits out a database outage (tried again on a fresh connection) before the
#: task gives up and is retried: a restart or a fail-over, not a long outage.
DATABASE_PATIENCE = 30.0


def delivery_send(*, delivery_id: str, now: datetime) -> Outcome:
    """One delivery: ``deliveries_send`` of a batch of one."""
    return deliveries_send(delivery_ids=[delivery_id], now=now).get(delivery_id, Outcome(sent=False))


def deliveries_send(*, delivery_ids: Sequence[str], now: datetime) -> dict[str, Outcome]:
    """Send the pending deliveries among ``delivery_ids``; answer an ``Outcome`` for each one tried.

    ``now`` is when the batch starts; a delivery's ``sent_at`` and the lease's renewals are
    ``now`` plus the time the batch has taken to reach them.
    """
    began, owner = time.monotonic(), uuid.uuid4()
    batch = _durably(partial(_claim, delivery_ids, owner=owner, now=now))
    if not batch:
        return {}
    devices = _reachable_devices({delivery.patient_id for delivery in batch})
    configured = channels.configured()
    run = _Run(batch, owner=owner, now=now, began=began, sends=lambda d: _what_to_send(d, configured, devices))
    senders = _Senders(min(SEND_CONCURRENCY, len(batch)), send=run.send)
    time_limit = _SoftTimeLimit()
    try:
        with time_limit:
            run.work(senders, time_limit=time_limit)
    except SoftTimeLimitExceeded:  # raised where no safe point was kept (not Celery's prefork pool)
        run.wind_down(senders)
        raise
    finally:
        if time_limit.reached:
            run.wind_down(senders)
        senders.stop()  # after a wind-down, nothing is left to wait for
    time_limit.raise_if_reached()
    return run.outcomes


class _SoftTimeLimit:
    """Celery's soft time limit, taken at the run's safe points.

    In a prefork worker the soft limit is a signal whose handler raises ``SoftTimeLimitExceeded``
    in the task's thread wherever it is: in the middle of a database write (a savepoint half
    released) or of the run's bookkeeping, losing what a send that went out should record.
    While the batch is worked the signal only notes that the time is up; the run looks at each
    step (waiting ``SAFE_POINT_EVERY`` at most), winds down, and then Celery's own handler
    raises its exception. Outside the main thread, or with no handler installed, nothing changes.
    """

    def __init__(self) -> None:
        self.celerys: Callable[[int, FrameType | None], object] | None = None
        self.noted: tuple[int, FrameType | None] | None = None

    @property
    def reached(self) -> bool:
        return self.noted is not None

    def __enter__(self) -> _SoftTimeLimit:
        handler = signal.getsignal(SIG_SOFT_TIMEOUT)
        if callable(handler) and threading.current_thread() is threading.main_thread():
            self.celerys = handler
            signal.signal(SIG_SOFT_TIMEOUT, self._note)
        return self

    def __exit__(self, *_: object) -> None:
        if self.celerys is not None:
            signal.signal(SIG_SOFT_TIMEOUT, self.celerys)

    def raise_if_reached(self) -> None:
        if self.celerys is not None and self.noted is not None:
            self.celerys(*self.noted)

    def _note(self, signum: int, frame: FrameType | None) -> None:
        self.noted = (signum, frame)


#: The longest the run waits without looking whether the soft time limit was reached.
SAFE_POINT_EVERY = 1.0


class _Senders:
    """The sending threads, all started before the first send: each takes a delivery from
    ``work`` and sends it, until told to stop. (A ``ThreadPoolExecutor`` starts its threads
    inside ``submit``, where an interruption could leave a sending thread it does not know of.)
    """

    def __init__(self, count: int, *, send: Callable[[Delivery, _Sends], None]) -> None:
        self.work: SimpleQueue[tuple[Delivery, _Sends] | None] = SimpleQueue()
        self.send = send
        self.threads = [threading.Thread(target=self._loop, name=f"send-{n}", daemon=True) for n in range(count)]
        for thread in self.threads:
            thread.start()

    def submit(self, delivery: Delivery, sends: _Sends) -> None:
        self.work.put((delivery, sends))

    def not_begun(self) -> None:
        """Take back what no thread has begun."""
        with contextlib.suppress(Empty):
            while True:
                self.work.get_nowait()

    def stop(self) -> None:
        """Let each thread end its send in flight and stop; wait for them (each send is bounded)."""
        for thread in self.threads:
            if thread.is_alive():
                self.work.put(None)
        for thread in self.threads:
            thread.join()

    def _loop(self) -> None:
        while (item := self.work.get()) is not None:
            self.send(*item)


class _Run:
    """One ``deliveries_send``: its lease, the sends in flight, what it has recorded.

    The sending threads report each send themselves (``began``, then ``finished``), so what
    went out is known wherever the soft time limit interrupts this thread's bookkeeping.
    """

    def __init__(
        self, batch: list[Delivery], *, owner: UUID, now: datetime, began: float, sends: Callable[[Delivery], _Sends]
    ) -> None:
        self.owner = owner
        self.now = now
        self.sends = sends
        self.clock_began = began  # time.monotonic() at ``now``: before the claim, which may have waited
        self.batch = batch
        self.todo: deque[Delivery] = deque(batch)
        self.in_flight = 0
        self.began: set[UUID] = set()  # by the sending threads
        self.finished: SimpleQueue[tuple[Delivery, _Attempt]] = SimpleQueue()  # by the sending threads
        self.ended: list[tuple[Delivery, _Attempt]] = []  # taken from ``finished``, not yet recorded
        self.recorded: set[UUID] = set()
        self.outcomes: dict[str, Outcome] = {}
        self.latest: UUID | None = None  # the delivery whose send began last
        self.last_start = -STAGGER_SECONDS
        self.next_renewal = self.clock_began + RENEW_EVERY.total_seconds()

    def at(self) -> datetime:
        """The moment the batch has reached: ``now`` plus the time it has taken so far."""
        return self.now + timedelta(seconds=time.monotonic() - self.clock_began)

    def work(self, senders: _Senders, *, time_limit: _SoftTimeLimit) -> None:
        while (self.todo or self.in_flight) and not time_limit.reached:
            if self._may_start():
                delivery = self.todo.popleft()
                if delivery.too_late(self.now):
                    self._record([(delivery, _Attempt())])
                elif _durably(partial(_mark_sending, delivery, owner=self.owner)):
                    senders.submit(delivery, self.sends(delivery))
                    self.in_flight += 1
                    self.latest, self.last_start = delivery.id, time.monotonic()
                continue
            self._collect(timeout=self._until_next_step())
            self._renew_if_due()

    def wind_down(self, senders: _Senders) -> None:
        """The task's time is up: no send begins, the ones in flight end (each within its
        delivery's budget) and are recorded, the rest is given back."""
        senders.not_begun()
        senders.stop()
        self._collect(timeout=0)
        left = [d for d in self.batch if d.id not in self.began and d.id not in self.recorded]
        _durably(partial(_hand_back, left, owner=self.owner))

    def send(self, delivery: Delivery, sends: _Sends) -> None:
        """In a sending thread: send, and say so."""
        self.began.add(delivery.id)
        attempt = _Attempt(transient=["not sent: the send raised"])
        try:
            attempt = _send_everywhere(sends)
        except BaseException:  # a bug: _send_everywhere keeps each channel's failure to itself
            log.exception("reminders: the send of delivery %s raised", delivery.id)
        finally:
            self.finished.put((delivery, attempt))

    def _may_start(self) -> bool:
        """The next send starts when the last one begun has ended, or has been going for
        ``STAGGER_SECONDS`` (a slow receiver: it is passed by), while fewer than
        ``SEND_CONCURRENCY`` are in flight."""
        if not self.todo or self.in_flight >= SEND_CONCURRENCY:
            return False
        return self.latest in self.recorded or time.monotonic() - self.last_start >= STAGGER_SECONDS

    def _until_next_step(self) -> float:
        """Seconds until something may need doing even if no send finishes: a start, a renewal."""
        steps = [self.next_renewal, time.monotonic() + SAFE_POINT_EVERY]
        if self.todo and self.in_flight < SEND_CONCURRENCY:
            steps.append(self.last_start + STAGGER_SECONDS)
        return max(0.0, min(steps) - time.monotonic())

    def _collect(self, *, timeout: float) -> None:
        """Record the sends that ended: the first waited for up to ``timeout``, any others with it.

        They wait in ``ended`` until recorded, wherever the soft time limit interrupts (a second
        record of one is a no-op: the first gave up the lease ``_mine`` checks).
        """
        with contextlib.suppress(Empty):
            self.ended.append(self.finished.get(timeout=timeout) if timeout > 0 else self.finished.get_nowait())
            while True:
                self.ended.append(self.finished.get_nowait())
        if self.ended:
            self._record(self.ended)
            self.in_flight -= len(self.ended)
            self.ended = []

    def _record(self, finished: list[tuple[Delivery, _Attempt]]) -> None:
        self.outcomes.update(_durably(partial(_record, finished, owner=self.owner, now=self.now, at=self.at())))
        self.recorded.update(delivery.id for delivery, _ in finished)

    def _renew_if_due(self) -> None:
        if time.monotonic() < self.next_renewal:
            return
        held = [d.id for d in self.batch if d.id not in self.recorded]
        _durably(partial(_renew, held, owner=self.owner, until=self.at() + LEASE))
        self.next_renewal = time.monotonic() + RENEW_EVERY.total_seconds()


T = TypeVar("T")


def _durably(write: Callable[[], T]) -> T:
    """``write()``, tried again on a fresh connection while the database is briefly away.

    Django reconnects only between requests (and Celery's fixup between tasks): within a task,
    a connection the server dropped stays broken until it is closed here.
    """
    gives_up = time.monotonic() + DATABASE_PATIENCE
    pause = 0.25
    while True:
        try:
            return write()
        except DATABASE_OUTAGES as error:
            if time.monotonic() + pause > gives_up:
                raise
            log.warning("reminders: the database is away (%s); trying again in %.2g s", error, pause)
            connection.close()
            time.sleep(pause)
            pause = min(pause * 2, 4.0)


def _claim(delivery_ids: Sequence[str], *, owner: UUID, now: datetime) -> list[Delivery]:
    """The batch's deliveries whose turn has come, leased to ``owner``; the oldest slot first."""
    with transaction.atomic():
        # SQLite has no row locks: test_sending.py's tests on PostgreSQL check these arguments.
        unclaimed = Delivery.objects.select_for_update(of=("self",), skip_locked=True)  # pragma: no mutate (see above)
        batch = list(
            unclaimed.select_related("reminder", "patient__reminder_settings")
            .filter(id__in=delivery_ids, status=Delivery.Status.PENDING, enqueued_at__lte=now + CLOCK_SKEW)
            .order_by(
                "slot_at",
                "id",  # pragma: no mutate (ties by id only make the order repeatable)
            )
        )
        if batch:
            Delivery.objects.filter(id__in=[d.id for d in batch]).update(enqueued_at=now + LEASE, lease_owner=owner)
    return batch


def _mine(ids: Iterable[UUID], *, owner: UUID) -> models.QuerySet[Delivery]:
    """Of ``ids``, the pending deliveries still leased to ``owner``: every write after the
    claim is guarded by it, so a run whose lease ran out (its worker stalled) writes nothing
    over the run that took them next."""
    return Delivery.objects.filter(id__in=list(ids), status=Delivery.Status.PENDING, lease_owner=owner)


def _mark_sending(delivery: Delivery, *, owner: UUID) -> bool:
    """Count the attempt before the send goes out; ``False`` if the delivery is no longer ours."""
    if not _mine([delivery.id], owner=owner).update(attempts=F("attempts") + 1):
        log.warning("reminders: delivery %s was taken from this send (its lease ran out)", delivery.id)
        return False
    delivery.attempts += 1
    return True


def _renew(ids: list[UUID], *, owner: UUID, until: datetime) -> None:
    if ids:
        _mine(ids, owner=owner).update(enqueued_at=until)


def _hand_back(deliveries: Sequence[Delivery], *, owner: UUID) -> None:
    """Give back the lease of deliveries this run will not begin: ``enqueued_at`` as it was
    before the claim (the objects still hold it), so the dispatcher enqueues them again as soon
    as it would have if this run had never taken them."""
    before: dict[datetime | None, list[UUID]] = defaultdict(list)
    for delivery in deliveries:
        before[delivery.enqueued_at].append(delivery.id)
    with transaction.atomic():
        for enqueued_at, ids in before.items():
            _mine(ids, owner=owner).update(enqueued_at=enqueued_at, lease_owner=None)


def _record(
    finished: list[tuple[Delivery, _Attempt]], *, owner: UUID, now: datetime, at: datetime
) -> dict[str, Outcome]:
    """Write the outcomes, ``at`` the moment they were known: one UPDATE per way of ending."""
    outcomes: dict[str, Outcome] = {}
    writes: dict[tuple[tuple[str, object], ...], list[UUID]] = defaultdict(list)
    dead_devices: list[UUID] = []
    for delivery, attempt in finished:
        fields, outcome = _result(delivery, attempt, now=now, at=at)
        writes[tuple(sorted(fields.items()))].append(delivery.id)
        outcomes[str(delivery.id)] = outcome
        dead_devices += attempt.dead_devices
    # Usually one UPDATE (a send's outcome, right after it): a statement is atomic on its own,
    # and a transaction around it would cost two more round trips for each delivery.
    with transaction.atomic() if len(writes) + bool(dead_devices) > 1 else contextlib.nullcontext():
        for fields_key, ids in writes.items():
            _mine(ids, owner=owner).update(**dict(fields_key), lease_owner=None)
        if dead_devices:
            Device.objects.filter(id__in=dead_devices).update(active=False)
    return outcomes


def _result(delivery: Delivery, attempt: _Attempt, *, now: datetime, at: datetime) -> tuple[dict[str, object], Outcome]:
    """The delivery's new fields after this attempt (``attempts`` already counts it), and what
    the task should do next."""
    if delivery.too_late(now):
        return {"status": Delivery.Status.MISSED}, Outcome(sent=False)
    errors = "; ".join(attempt.transient + attempt.permanent)[:500]
    counted = {"last_error": errors}
    if attempt.delivered:
        fields = {"status": Delivery.Status.SENT, "sent_at": at, "channel": ",".join(attempt.delivered)}
        return {**counted, **fields}, Outcome(sent=True)
    if attempt.transient and delivery.attempts < MAX_ATTEMPTS:
        # Never beyond the slot's last useful moment, whatever Retry-After asked for (capped
        # before it becomes a timedelta: a service's "1e300" would not fit in one).
        asked = timedelta(seconds=min(attempt.asked_wait, LATEST_SEND.total_seconds()))
        wait_for = min(max(backoff(delivery.attempts), asked), LATEST_SEND)
        # enqueued_at is when the retry runs: the dispatcher counts it lost only if not run by then.
        return {**counted, "enqueued_at": at + wait_for}, Outcome(sent=False, retry_in=wait_for)
    failed = {"status": Delivery.Status.FAILED, "last_error": errors or "no channel reaches this patient"}
    return {**counted, **failed}, Outcome(sent=False)


def _reachable_devices(patient_ids: set[UUID]) -> dict[UUID, list[Device]]:
    """Each patient's active devices (at most ``MAX_DEVICES``), the last registered first: the
    one most likely in the patient's hand goes first when the delivery's time runs short. Every
    patient has a list, maybe empty; another user's device has none to go into."""
    platforms = channels.push_platforms()
    found: dict[UUID, list[Device]] = {patient_id: [] for patient_id in patient_ids}
    if platforms:
        for device in Device.objects.filter(user_id__in=patient_ids, active=True, platform__in=platforms).order_by(
            "-last_registered_at", "id"
        ):
            found[device.user_id].append(device)
    return {patient_id: devices[:MAX_DEVICES] for patient_id, devices in found.items()}


def _message(delivery: Delivery) -> channels.Message:
    reminder = delivery.reminder
    title, body = message_for(reminder.kind, str(delivery.id))  # the same words on every retry
    return channels.Message(
        delivery_id=str(delivery.id),
        kind=reminder.kind,
        title=title,
        body=body,
        slot_at=delivery.slot_at,
        collapse_key=f"r{reminder.id.hex[:12]}{delivery.slot_at:%y%m%d%H%M}",
        experiment_id=str(reminder.experiment_id) if reminder.experiment_id else None,
    )


@dataclass(frozen=True)
class _Sends:
    """What a sending thread needs for one delivery, read from the database beforehand."""

    message: channels.Message
    patient_id: str
    email: str
    wanted: set[str]  # the channels the patient chose that the server has
    configured: set[str]
    devices: list[Device]


def _what_to_send(delivery: Delivery, configured: set[str], devices: dict[UUID, list[Device]]) -> _Sends:
    patient = delivery.patient
    return _Sends(
        message=_message(delivery),
        patient_id=str(patient.id),
        email=patient.email,
        wanted=set(ReminderSettings.of(patient).channels) & configured,
        configured=configured,
        devices=devices[delivery.patient_id],
    )


def _send_everywhere(sends: _Sends) -> _Attempt:
    """Try each channel the patient chose and the server has; the log when there is none.

    Runs in a sending thread: it touches no model's database. No send starts once
    ``DELIVERY_BUDGET_SECONDS`` have passed since this began: the ones left are transient
    failures, tried again with the delivery's retry if nothing else reached the patient.
    """
    message, wanted, configured = sends.message, sends.wanted, sends.configured
    deadline = time.monotonic() + DELIVERY_BUDGET_SECONDS
    attempt = _Attempt()

    def to(name: str, send: Callable[[], None], device: Device | None = None) -> None:
        if time.monotonic() >= deadline:
            attempt.transient.append(f"{name}: not tried, the delivery's {DELIVERY_BUDGET_SECONDS:g} s were spent")
            return
        try:
            send()
        except SoftTimeLimitExceeded:
            # Celery raises it in the task's thread, not here; were it raised here all the same,
            # the task's time is up, not this channel's.
            raise
        except channels.Unregistered as error:
            if device is not None:
                attempt.dead_devices.append(device.id)
            attempt.permanent.append(f"{name}: unregistered ({error})")
        except channels.TransientError as error:
            attempt.transient.append(f"{name}: {error}")
            if error.retry_after is not None:
                attempt.asked_wait = max(attempt.asked_wait, error.retry_after)
        except channels.PermanentError as error:
            attempt.permanent.append(f"{name}: {error}")
        except Exception as error:  # a bug or an odd answer in one channel must not cost the batch
            log.exception("reminders: %s send of delivery %s raised", name, message.delivery_id)
            attempt.transient.append(f"{name}: {type(error).__name__}")
        else:
            if name not in attempt.delivered:
                attempt.delivered.append(name)

    if "push" in wanted:
        for device in sends.devices:
            to("push", partial(channels.push, device=device, message=message), device)
    if "email" in wanted:
        to("email", lambda: channels.email(address=sends.email, message=message))
    if "webhook" in configured:
        to("webhook", lambda: channels.webhook(patient_id=sends.patient_id, message=message))
    if not attempt.tried and (not configured or settings.REMINDER_CONSOLE_FALLBACK):
        # Nothing is configured (or, in development, nothing reaches this patient): the log.
        channels.console(patient_id=sends.patient_id, message=message)
        attempt.delivered.append("console")
    return attempt
