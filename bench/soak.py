"""A soak of the reminders under faults: a real worker and beat, PostgreSQL and Redis, a webhook receiver.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/soak_reminders \\
    REDIS_URL=redis://127.0.0.1:6379/13 .venv/bin/python bench/soak.py

PostgreSQL only (workers and beat are other processes). On a throwaway test database
(``bench_soak_reminders``; the Redis db given is flushed before and after), ``SOAK_PER_MINUTE``
patients (150; 250 in minute 7) each get one daily reminder due at each of the next
``SOAK_MINUTES`` (9) minutes, ``next_fire_at`` set directly, so beat's own dispatcher pass at
the top of each minute finds them. A real ``celery worker --pool prefork --concurrency 2`` and
a real ``celery beat`` run with the webhook channel pointed at a receiver in this process
(``http.server``), which records each request's arrival and webhook-id and answers after
``PROMPT_ANSWER`` (0.2 s, a send in flight for a while, as on the internet).

Each slot minute is a phase; the faults come two minutes apart, each followed by a quiet
minute:

  0 baseline
  1 (a) the worker's whole process group SIGKILLed mid-batch (once 30 of the minute's
        reminders have arrived), a new worker started at once
  3 (b) PostgreSQL drops every connection to the database but this script's, every 50 ms
        for 7 s (``pg_terminate_backend``), once 30 of the minute's have arrived
  5 (c) the receiver answers each request after 3.5 s, for the minute
  7 (d) Redis FLUSHDB on the broker's db mid-batch, once 30 of the minute's have arrived:
        the minute has three batches of sends, two being sent and one waiting in the queue,
        which the wipe loses (with the unacknowledged messages and the bindings);
        ``/healthz`` and ``/healthz/reminders`` are asked 3 s later, after the next pass,
        and at the end (Django's test client, in this process)

Then it waits until every reminder has reached the receiver and no delivery is pending (at
most three minutes past the last slot), and prints for each phase and overall: deliveries
due and delivered; lateness (first arrival minus slot: median, p95, max) and how many were
later than two minutes; webhook-ids received twice and more; rows whose ``attempts`` differs
from the times the receiver saw that id; rows whose ``sent_at`` is more than 2 s from the
receiver's last arrival of it (and the median of that difference); rows still pending. Then
the dispatcher's passes and the warnings the worker logged. The whole run takes ~13 minutes;
the worker's and beat's logs are kept in a temporary folder whose path is printed.
"""

from __future__ import annotations

import base64
import json
import math
import os
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from itertools import islice
from pathlib import Path
from typing import Any

from harness import test_database

ROOT = Path(__file__).resolve().parent.parent
PER_MINUTE = int(os.environ.get("SOAK_PER_MINUTE", "150"))
MINUTES = int(os.environ.get("SOAK_MINUTES", "9"))
#: The minute of the Redis wipe has a third batch of sends (``dispatcher.SEND_BATCH``), so that
#: one message waits in the queue while both pool processes send: the wipe has something to lose.
WIPED_MINUTE = 7
DUE = {minute: PER_MINUTE + (100 if minute == WIPED_MINUTE else 0) for minute in range(MINUTES)}
#: The receiver's answer in the quiet minutes, and in the slow one.
PROMPT_ANSWER = 0.2
SLOW_ANSWER = 3.5
#: What the product promises: a delivery lost to a fault is made good within two minutes.
LATE = 120.0
#: How long the database's connections are dropped, and how often.
DATABASE_GONE_FOR = 7.0
DROP_EVERY = 0.05
#: Arrivals of the minute's reminders before a fault strikes: the batches are then mid-way.
MID_BATCH = 30
#: After the last slot, how long to wait at most for everything owed to arrive.
TAIL = timedelta(minutes=3)
SECRET = "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()
PHASES = {
    0: "baseline",
    1: "(a) worker SIGKILL",
    2: "after (a)",
    3: "(b) PG dropped 7 s",
    4: "after (b)",
    5: "(c) receiver 3.5 s",
    6: "after (c)",
    7: "(d) Redis FLUSHDB",
    8: "after (d)",
}


# --- The receiver -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Arrival:
    at: float  # time.time() when the request arrived, before the answer's delay
    webhook_id: str
    slot_at: str


class Receiver:
    """A webhook receiver on 127.0.0.1: records each request, answers 200 after ``delay``."""

    def __init__(self) -> None:
        self.arrivals: list[Arrival] = []
        self.delay = PROMPT_ANSWER
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length") or 0))
                slot_at = json.loads(body)["data"]["slot_at"]
                receiver.arrivals.append(Arrival(time.time(), self.headers["webhook-id"], slot_at))
                time.sleep(receiver.delay)
                try:
                    self.send_response(200)
                    self.send_header("content-length", "0")
                    self.end_headers()
                except OSError:  # the sender gave up waiting
                    pass

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/reminders"

    def of_slot(self, slot: datetime) -> int:
        wanted = slot.strftime("%Y-%m-%dT%H:%M")
        return sum(1 for arrival in self.arrivals if arrival.slot_at.startswith(wanted))


# --- The worker and beat ------------------------------------------------------------------------


class Process:
    """A ``celery`` command in its own process group, its output to a log file."""

    def __init__(self, args: list[str], env: dict[str, str], log: Path) -> None:
        self.log = log.open("a")
        self.process = subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "celery", "-A", "backend", *args],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def kill(self) -> None:
        os.killpg(self.process.pid, signal.SIGKILL)  # the main process and its pool children, at once
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()
        self.log.close()


WORKER = ["worker", "--pool", "prefork", "--concurrency", "2", "--without-gossip", "--without-mingle"]


def environment(receiver: Receiver) -> dict[str, str]:
    from django.db import connection

    settings = connection.settings_dict
    return {
        **os.environ,
        "DATABASE_URL": f"postgres://{settings['USER']}@{settings['HOST']}:{settings['PORT']}/{settings['NAME']}",
        "REMINDER_WEBHOOK_URL": receiver.url,
        "REMINDER_WEBHOOK_SECRET": SECRET,
        "REMINDER_CHANNEL_PUSH_URL": "",
        "EMAIL_URL": "",
        "LOG_LEVEL": "INFO",
    }


# --- The run ------------------------------------------------------------------------------------


def main() -> None:
    from django.conf import settings
    from django.db import connection

    if connection.vendor != "postgresql":
        sys.exit("bench/soak.py needs PostgreSQL: DATABASE_URL=postgres://...")
    if not settings.REDIS_URL:
        sys.exit("bench/soak.py needs Redis: REDIS_URL=redis://127.0.0.1:6379/<db>")
    print(f"load average before: {' '.join(f'{n:.2f}' for n in os.getloadavg())}")
    flush_broker()
    try:
        with test_database():
            run()
    finally:
        flush_broker()
    print(f"load average after: {' '.join(f'{n:.2f}' for n in os.getloadavg())}")


def flush_broker() -> int:
    """FLUSHDB on the broker's db; answers how many messages were waiting in Celery's queue."""
    import redis
    from django.conf import settings

    broker = redis.Redis.from_url(settings.REDIS_URL)
    waiting = int(broker.llen("celery"))
    broker.flushdb()
    return waiting


def run() -> None:
    logs = Path(tempfile.mkdtemp(prefix="soak-"))
    print(f"worker and beat logs in {logs}")
    reminder_ids = patients(sum(DUE.values()))
    receiver = Receiver()
    env = environment(receiver)
    worker = Process([*WORKER, "--loglevel", "INFO"], env, logs / "worker.log")
    beat = Process(["beat", "--schedule", str(logs / "beat-schedule"), "--loglevel", "INFO"], env, logs / "beat.log")
    try:
        wait_for_a_worker()
        # The first slot: the top of a minute far enough ahead for the rows to be written.
        t0 = (datetime.now(UTC) + timedelta(seconds=75)).replace(second=0, microsecond=0)
        plan(reminder_ids, t0)
        print(f"reminders due at each of {MINUTES} minutes from {t0:%H:%M:%S} UTC: {list(DUE.values())}")
        worker, events = faults(t0, receiver, worker, env, logs)
        last_slot = t0 + timedelta(minutes=MINUTES - 1)
        wait_until_all_arrived(receiver, len(reminder_ids), until=last_slot + TAIL)
        health("at the end")
    finally:
        beat.stop()
        worker.stop()
    report(t0, receiver, events)
    passes_and_warnings(logs)


def patients(count: int) -> list[str]:
    """``count`` patients in UTC, each with a daily reminder that is not due yet."""
    from django.utils import timezone

    from accounts.models import Role, User
    from reminders.models import EVERY_DAY, Reminder

    now = timezone.now()
    users = User.objects.bulk_create(
        User(email=f"soak{n}@bench.test", display_name=f"P{n}", role=Role.PATIENT, password="!") for n in range(count)
    )
    reminders = Reminder.objects.bulk_create(
        Reminder(
            patient=user,
            kind=Reminder.Kind.REFLECTION_DAILY,
            local_time=now.time(),
            weekdays=list(EVERY_DAY),
            next_fire_at=None,
            created_at=now,
            updated_at=now,
        )
        for user in users
    )
    return [str(reminder.id) for reminder in reminders]


def plan(reminder_ids: list[str], t0: datetime) -> None:
    """``DUE[minute]`` reminders due at each minute from ``t0``, their local time the slot's."""
    from reminders.models import Reminder

    rest = iter(reminder_ids)
    for minute, count in DUE.items():
        slot = t0 + timedelta(minutes=minute)
        ids = list(islice(rest, count))
        Reminder.objects.filter(id__in=ids).update(next_fire_at=slot, local_time=slot.time())


def wait_for_a_worker() -> None:
    from backend.celery import app

    deadline = time.monotonic() + 120
    while not app.control.ping(timeout=1):
        if time.monotonic() > deadline:
            raise RuntimeError("no worker answered within two minutes")


@dataclass
class Event:
    minute: int
    at: float  # time.time() when the fault ended (the system whole again)
    what: str


def faults(
    t0: datetime, receiver: Receiver, worker: Process, env: dict[str, str], logs: Path
) -> tuple[Process, list[Event]]:
    """The four faults, each in its own slot minute; answers the worker running at the end."""
    events: list[Event] = []

    def slot(minute: int) -> datetime:
        return t0 + timedelta(minutes=minute)

    def note(minute: int, what: str) -> None:
        events.append(Event(minute, time.time(), what))
        print(f"  {datetime.now(UTC):%H:%M:%S} {what}")

    # A shorter run (``SOAK_MINUTES``) has the faults that fit in it.
    if MINUTES > 1:  # (a) SIGKILL mid-batch, a new worker at once.
        wait_for_arrivals(receiver, slot(1), MID_BATCH, until=slot(1) + timedelta(seconds=40))
        seen = receiver.of_slot(slot(1))
        worker.kill()
        worker = Process([*WORKER, "--loglevel", "INFO"], env, logs / "worker.log")
        note(1, f"(a) worker group SIGKILLed with {seen} of minute 1's arrived; a new one started")

    if MINUTES > 3:  # (b) Every connection to the database dropped, again and again, for 7 s.
        wait_for_arrivals(receiver, slot(3), MID_BATCH, until=slot(3) + timedelta(seconds=40))
        dropped = drop_connections(DATABASE_GONE_FOR)
        note(3, f"(b) {dropped} connections dropped over {DATABASE_GONE_FOR:g} s; the database is back")

    if MINUTES > 5:  # (c) A slow receiver for the minute.
        wait_until(slot(5) - timedelta(seconds=1))
        receiver.delay = SLOW_ANSWER
        note(5, f"(c) the receiver answers after {SLOW_ANSWER:g} s")
        wait_until(slot(6) - timedelta(seconds=1))
        receiver.delay = PROMPT_ANSWER
        note(5, f"(c) the receiver answers after {PROMPT_ANSWER:g} s again")

    if MINUTES > WIPED_MINUTE:  # (d) The broker's data wiped mid-batch, a batch waiting in the queue.
        wait_for_arrivals(receiver, slot(WIPED_MINUTE), MID_BATCH, until=slot(WIPED_MINUTE) + timedelta(seconds=40))
        waiting = flush_broker()
        arrived = receiver.of_slot(slot(WIPED_MINUTE))
        note(WIPED_MINUTE, f"(d) Redis FLUSHDB with {arrived} of the minute's arrived, {waiting} messages in the queue")
        time.sleep(3)
        health("3 s after the wipe")
        wait_until(slot(WIPED_MINUTE + 1) + timedelta(seconds=20))
        health("20 s after the next pass was due")
    return worker, events


def wait_until(moment: datetime) -> None:
    time.sleep(max(0.0, (moment - datetime.now(UTC)).total_seconds()))


def wait_for_arrivals(receiver: Receiver, slot: datetime, count: int, *, until: datetime) -> None:
    wait_until(slot)
    while receiver.of_slot(slot) < count and datetime.now(UTC) < until:
        time.sleep(0.05)


def drop_connections(seconds: float) -> int:
    """``pg_terminate_backend`` every backend of this database but ours, every ``DROP_EVERY``."""
    from django.db import connection

    dropped = 0
    ends = time.monotonic() + seconds
    with connection.cursor() as cursor:
        while time.monotonic() < ends:
            cursor.execute(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
            dropped += cursor.fetchone()[0]
            time.sleep(DROP_EVERY)
    return dropped


def health(when: str) -> None:
    from django.test import Client

    client = Client()
    for path in ("/healthz", "/healthz/reminders"):
        response = client.get(path)
        print(f"  {datetime.now(UTC):%H:%M:%S} {when}: GET {path} {response.status_code} {response.json()}")


def wait_until_all_arrived(receiver: Receiver, count: int, *, until: datetime) -> None:
    from reminders.models import Delivery

    while datetime.now(UTC) < until:
        all_arrived = len({a.webhook_id for a in receiver.arrivals}) >= count
        if all_arrived and not Delivery.objects.filter(status=Delivery.Status.PENDING).exists():
            time.sleep(15)  # a second send of one would arrive now
            return
        time.sleep(2)


# --- The numbers --------------------------------------------------------------------------------


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(len(ordered) * q) - 1)]


def report(t0: datetime, receiver: Receiver, events: list[Event]) -> None:
    from reminders.models import Delivery, Reminder

    arrivals: dict[str, list[float]] = defaultdict(list)
    for arrival in receiver.arrivals:
        arrivals[arrival.webhook_id].append(arrival.at)
    rows = list(Delivery.objects.values("id", "slot_at", "status", "attempts", "sent_at"))
    by_minute: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        by_minute[int((row["slot_at"] - t0).total_seconds() // 60)].append(row)
    undispatched = Reminder.objects.filter(next_fire_at__lt=t0 + timedelta(minutes=MINUTES)).count()
    known = {str(row["id"]) for row in rows}
    strangers = sum(1 for webhook_id in arrivals if webhook_id not in known)

    print(
        f"\n{'phase (slot minute)':<24}{'due':>5}{'deliv':>7}{'median':>8}{'p95':>8}{'max':>8}{'>2min':>6}"
        f"{'2x':>5}{'3x+':>5}{'att≠':>6}{'sent≠':>6}{'sent-last':>10}{'pending':>8}"
    )
    for minute in range(MINUTES):
        line(f"{minute} {PHASES.get(minute, '')}", by_minute[minute], arrivals, DUE[minute])
    line("overall", rows, arrivals, sum(DUE.values()))
    print(
        "\nlateness: first arrival - slot, seconds; 2x/3x+: webhook-ids received twice / three times or more;"
        "\natt≠: rows whose attempts differ from the times the id arrived; sent≠: rows whose sent_at is more than"
        "\n2 s from the id's last arrival; sent-last: median of sent_at - last arrival, seconds"
    )
    print(f"statuses at the end: {dict(Counter(row['status'] for row in rows))}")
    print(f"reminders never dispatched: {undispatched}; webhook-ids with no delivery row: {strangers}")
    for event in events:
        if event.minute in (1, 3, WIPED_MINUTE):
            firsts = [min(arrivals[str(r["id"])]) for r in by_minute[event.minute] if str(r["id"]) in arrivals]
            print(f"minute {event.minute}: the last of them arrived {max(firsts) - event.at:.1f} s after the fault")
    twice = [
        (str(row["id"]), row["attempts"], row["slot_at"]) for row in rows if len(arrivals.get(str(row["id"]), [])) > 1
    ]
    for webhook_id, attempts, slot_at in twice[:10]:
        gaps = [f"{at - arrivals[webhook_id][0]:.1f}" for at in arrivals[webhook_id]]
        print(
            f"  received {len(arrivals[webhook_id])}x: {webhook_id} slot {slot_at:%H:%M}"
            f" attempts {attempts}, at +{gaps} s"
        )


def line(name: str, rows: list[dict[str, Any]], arrivals: dict[str, list[float]], due: int) -> None:
    seen = [arrivals.get(str(row["id"]), []) for row in rows]
    lateness = [min(times) - row["slot_at"].timestamp() for row, times in zip(rows, seen, strict=True) if times]
    counts = Counter(len(times) for times in seen)
    attempts_off = sum(1 for row, times in zip(rows, seen, strict=True) if row["attempts"] != len(times))
    offsets = [
        row["sent_at"].timestamp() - max(times)
        for row, times in zip(rows, seen, strict=True)
        if times and row["sent_at"] is not None
    ]
    sent_off = sum(1 for offset in offsets if abs(offset) > 2) + sum(
        1 for row, times in zip(rows, seen, strict=True) if bool(times) != (row["sent_at"] is not None)
    )
    pending = sum(1 for row in rows if row["status"] == "pending")
    stats = (
        f"{statistics.median(lateness):8.1f}{percentile(lateness, 0.95):8.1f}{max(lateness):8.1f}"
        if lateness
        else f"{'-':>8}" * 3
    )
    print(
        f"{name:<24}{due:>5}{len(lateness):>7}{stats}{sum(1 for x in lateness if x > LATE):>6}"
        f"{counts[2]:>5}{sum(n for k, n in counts.items() if k > 2):>5}{attempts_off:>6}{sent_off:>6}"
        f"{statistics.median(offsets) if offsets else math.nan:>10.2f}{pending:>8}"
    )


def passes_and_warnings(logs: Path) -> None:
    """The dispatcher's passes that did something, and what the worker and beat warned of."""
    worker = (logs / "worker.log").read_text(errors="replace").splitlines()
    beat = (logs / "beat.log").read_text(errors="replace").splitlines()
    print("\ndispatcher passes (worker log):")
    for entry in worker:
        if "dispatch at" in entry:  # Celery's format: "[time: LEVEL/process] message"
            print("  " + entry.split("] ", 1)[-1])

    def counted(lines: list[str], text: str) -> int:
        return sum(1 for entry in lines if text in entry)

    print(
        "worker log: "
        f"{counted(worker, 'the database is away')} 'database is away', "
        f"{counted(worker, 'was taken from this send')} 'taken from this send', "
        f"{counted(worker, 'ERROR/')} ERROR, {counted(worker, 'Traceback')} tracebacks, "
        f"{counted(worker, 'retry: Retry in')} task retries; "
        f"beat log: {counted(beat, 'Sending due task')} sent, {counted(beat, 'ERROR/')} ERROR"
    )


if __name__ == "__main__":
    main()
