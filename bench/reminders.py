"""The reminder dispatcher: one pass with 1,000 reminders due among 10k, 100k and 1M stored.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_reminders \\
    REDIS_URL=redis://127.0.0.1:6379/9 .venv/bin/python bench/reminders.py

PostgreSQL only (the claim is ``SELECT ... FOR UPDATE SKIP LOCKED``). On a throwaway test
database, reminders are written straight to the tables with ``INSERT ... SELECT
generate_series`` (one patient per 10 reminders, five zones, half the patients with settings,
some with quiet hours or paused, a tenth of the reminders disabled or finished), then
``VACUUM (ANALYZE)``. Exactly 1,000 reminders (on 1,000 patients) are due at the pass's
``now``, all at the same minute's slot as a pass every minute finds them; every other one is
due later. Some of the due patients already wrote today's reflection (``skipped_done``).

For each size it times ``dispatch_due`` (claim, decide, write deliveries, advance
``next_fire_at``, enqueue after commit), median of ``BENCH_RUNS`` runs after a warm-up; the
1,000 due rows are put back and their deliveries deleted between runs, outside the timing.
The enqueue is timed three ways: a collector (no broker), ``app.send_task("reminders.send")``
to Redis (what ``.delay`` costs), and, when ``reminders/tasks.py`` exists, the real
``send_deliveries.delay``; the messages are purged afterwards, as no worker runs. The idle
pass (nothing due), the queries of each pass, the 1M/10k ratio and ``EXPLAIN (ANALYZE)`` of
the claim query at the largest size follow. Queries are timed with Django's debug cursor off,
as in production, and counted with it on.

``BENCH_SIZES=10000,100000`` picks sizes; ``BENCH_PROFILE=1`` prints a cProfile of one pass
at the largest size; ``BENCH_E2E=5000`` then runs a real Celery worker (``--pool prefork
--concurrency 2``) on the same database and broker and times that many deliveries from one
pass to all of them ``sent`` through the console channel.
"""

from __future__ import annotations

import cProfile
import os
import pstats
import statistics
import subprocess
import sys
import time
import zoneinfo
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from harness import count_queries, test_database

SIZES = [int(n) for n in os.environ.get("BENCH_SIZES", "10000,100000,1000000").split(",")]
RUNS = int(os.environ.get("BENCH_RUNS", "5"))
DUE = 1000
PER_PATIENT = 10
ZONES = ["Europe/London", "America/New_York", "Asia/Kolkata", "Australia/Sydney", "America/Los_Angeles"]
#: The slot every due reminder is at; the pass runs a few seconds after it, as beat does.
SLOT = datetime(2026, 11, 26, 19, 0, tzinfo=UTC)
NOW = SLOT + timedelta(seconds=3)
E2E = int(os.environ.get("BENCH_E2E", "0"))
ROOT = Path(__file__).resolve().parent.parent
CELERY = [sys.executable, "-m", "celery", "-A", "backend", "worker", "--pool", "prefork", "--concurrency", "2"]


def main() -> None:
    from django.db import connection

    if connection.vendor != "postgresql":
        sys.exit("bench/reminders.py needs PostgreSQL: DATABASE_URL=postgres://...")
    with test_database():
        run()


def run() -> None:
    import logging

    from django.db import connection

    from backend.celery import app
    from reminders.dispatcher import dispatch_due

    logging.getLogger("reminders.dispatcher").setLevel(logging.WARNING)  # a line a pass
    collected: list[str] = []
    enqueues: dict[str, Callable[[list[str]], None]] = {
        "collector": collected.extend,
        "send_task to Redis": lambda ids: app.send_task("reminders.send", args=[ids]),
    }
    if (ROOT / "reminders" / "tasks.py").exists():
        from reminders.tasks import enqueue_sends

        enqueues["send_deliveries.delay"] = enqueue_sends

    print(f"postgresql {connection.pg_version // 10000}, {DUE} due, median of {RUNS} runs after a warm-up")
    medians: dict[int, float] = {}
    loaded = 0
    for size in SIZES:
        started = time.perf_counter()
        load(loaded, size)
        loaded = size
        due_ids = reset(None)
        print(
            f"\n{size:,} reminders ({size // PER_PATIENT:,} patients), loaded in {time.perf_counter() - started:.1f} s"
        )
        for name, enqueue in enqueues.items():
            timings = timed_passes(lambda e=enqueue: dispatch_due(now=NOW, enqueue=e), due_ids)
            line(f"pass, {DUE} due, enqueue: {name}", timings)
            if name == "send_task to Redis":
                medians[size] = statistics.median(timings)
        app.control.purge()
        result = dispatch_due(now=NOW, enqueue=collected.extend)
        reset(due_ids)
        queries = count_queries(lambda: dispatch_due(now=NOW, enqueue=collected.extend))
        print(f"  {result}; {queries} queries a pass")
        reset(due_ids)
        idle = timed_passes(lambda: dispatch_due(now=SLOT - timedelta(seconds=57), enqueue=collected.extend), None)
        line(
            "idle pass, nothing due",
            idle,
            count_queries(lambda: dispatch_due(now=SLOT - timedelta(seconds=57), enqueue=collected.extend)),
        )
    if len(medians) > 1:
        smallest, largest = min(medians), max(medians)
        print(f"\n{largest:,} / {smallest:,}: {medians[largest] / medians[smallest]:.2f}")
    explain(due_ids)
    if os.environ.get("BENCH_PROFILE"):
        profile(due_ids)
    if E2E:
        end_to_end(E2E)


def line(name: str, timings: list[float], queries: int | None = None) -> None:
    extra = f"   {queries} queries" if queries is not None else ""
    print(f"  {name:<44} median {statistics.median(timings):8.2f} ms   max {max(timings):8.2f} ms{extra}")


def timed_passes(call: Callable[[], object], due_ids: list[str] | None) -> list[float]:
    """Milliseconds of each pass after a warm-up; the due rows are put back before each."""
    from django.conf import settings

    debug, settings.DEBUG = settings.DEBUG, False  # no debug cursor: production's query cost
    try:
        timings = []
        for run in range(RUNS + 1):
            if due_ids is not None:
                reset(due_ids)
            start = time.perf_counter()
            call()
            if run:
                timings.append((time.perf_counter() - start) * 1000)
        return timings
    finally:
        settings.DEBUG = debug
        if due_ids is not None:
            reset(due_ids)


def reset(due_ids: list[str] | None) -> list[str]:
    """Put the due reminders back at the slot and delete every delivery; answer their ids."""
    from django.db import connection

    from reminders.models import Delivery, Reminder

    with connection.cursor() as cursor:
        if due_ids is not None:
            cursor.execute(
                f"UPDATE {Reminder._meta.db_table} SET next_fire_at = %s, enabled = true WHERE id = ANY(%s::uuid[])",  # noqa: S608
                [SLOT, due_ids],
            )
        cursor.execute(f"DELETE FROM {Delivery._meta.db_table}")  # noqa: S608
        # Each run leaves 1,000 dead row versions in the index the claim scans; autovacuum
        # would clear them in time. Without this, run n reads n thousand dead entries.
        cursor.execute(f"VACUUM {Reminder._meta.db_table}, {Delivery._meta.db_table}")
    return [str(pk) for pk in Reminder.objects.filter(enabled=True, next_fire_at__lte=NOW).values_list("id", flat=True)]


def load(start: int, stop: int) -> None:
    """Reminders ``start`` to ``stop`` and their patients; the first 1,000 patients' first is due."""
    from django.db import connection

    from accounts.models import User
    from journal.models import Reflection
    from reminders.models import Reminder, ReminderSettings

    users, reminders, settings = User._meta.db_table, Reminder._meta.db_table, ReminderSettings._meta.db_table
    zones = "ARRAY[" + ", ".join(f"'{zone}'" for zone in ZONES) + "]"
    first, last = start // PER_PATIENT, stop // PER_PATIENT
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMP TABLE IF NOT EXISTS bench_patient (n integer PRIMARY KEY, id uuid NOT NULL)")
        cursor.execute(
            "INSERT INTO bench_patient SELECT n, gen_random_uuid() FROM generate_series(%s, %s - 1) n", [first, last]
        )
        cursor.execute(
            f"""INSERT INTO {users} (id, password, is_superuser, email, display_name, role, timezone,
                                     country, is_active, is_staff, created_at)
                SELECT id, '!', false, 'p' || n || '@bench.test', 'P' || n, 'patient',
                       ({zones})[1 + n %% {len(ZONES)}], '', true, false, %s
                FROM bench_patient WHERE n >= %s""",  # noqa: S608
            [NOW, first],
        )
        # Half the patients have settings: every tenth quiet 22:00-07:00, every fiftieth paused.
        cursor.execute(
            f"""INSERT INTO {settings} (patient_id, quiet_start, quiet_end, paused_until, channels, updated_at, version)
                SELECT id,
                       CASE WHEN n %% 10 = 4 THEN time '22:00' END, CASE WHEN n %% 10 = 4 THEN time '07:00' END,
                       CASE WHEN n %% 50 = 2 THEN date '2026-12-31' END, '["push"]', %s, 1
                FROM bench_patient WHERE n >= %s AND n %% 2 = 0""",  # noqa: S608
            [NOW, first],
        )
        # Reminder r belongs to patient r / 10. Later ones fire from a minute to a week after
        # the pass; one in twenty is disabled, one in twenty has fired its last (no next slot).
        cursor.execute(
            f"""INSERT INTO {reminders} (id, patient_id, kind, local_time, weekdays, enabled, held,
                                         next_fire_at, created_at, updated_at, version)
                SELECT gen_random_uuid(), p.id,
                       CASE WHEN r %% 10 < 7 THEN 'reflection_daily' WHEN r %% 10 < 9 THEN 'pride_weekly'
                            ELSE 'custom' END,
                       make_time(r %% 24, (r / 24) %% 60, 0),
                       CASE WHEN r %% 10 IN (7, 8) THEN '[7]'::jsonb ELSE '[1, 2, 3, 4, 5, 6, 7]'::jsonb END,
                       r %% 20 <> 19, false,
                       CASE WHEN r %% 20 <> 18 THEN %s + make_interval(secs => 60 + (r::bigint * 7919) %% 604800) END,
                       %s, %s, 1
                FROM generate_series(%s, %s - 1) r JOIN bench_patient p ON p.n = r / {PER_PATIENT}""",  # noqa: S608
            [NOW, NOW, NOW, start, stop],
        )
        # The due ones: the first reminder of each of the first 1,000 patients, at the slot,
        # its local time the slot's on its patient's clock.
        cursor.execute(
            f"""UPDATE {reminders} rem SET next_fire_at = %s, enabled = true,
                       local_time = (%s AT TIME ZONE u.timezone)::time,
                       kind = CASE WHEN p.n %% 10 < 7 THEN 'reflection_daily' WHEN p.n %% 10 < 9 THEN 'pride_weekly'
                                   ELSE 'custom' END,
                       weekdays = '[1, 2, 3, 4, 5, 6, 7]'
                FROM bench_patient p JOIN {users} u ON u.id = p.id
                WHERE rem.patient_id = p.id AND p.n < %s AND p.n >= %s
                  AND rem.id = (SELECT id FROM {reminders} WHERE patient_id = p.id ORDER BY id LIMIT 1)""",  # noqa: S608
            [SLOT, SLOT, DUE, first],
        )
    if start == 0:  # three in ten of the due patients wrote today's reflection: skipped_done
        with connection.cursor() as cursor:
            cursor.execute(
                f"""SELECT p.id, u.timezone FROM bench_patient p JOIN {users} u ON u.id = p.id
                    WHERE p.n < %s AND p.n %% 10 < 3""",  # noqa: S608
                [DUE],
            )
            written = cursor.fetchall()
        Reflection.objects.bulk_create(
            Reflection(
                patient_id=patient_id,
                seq=1,
                date=SLOT.astimezone(zoneinfo.ZoneInfo(zone)).date(),
                effort="e",
                mood=3,
                created_at=NOW,
                updated_at=NOW,
            )
            for patient_id, zone in written
        )
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM (ANALYZE) {users}, {settings}, {reminders}, {Reflection._meta.db_table}")


def explain(due_ids: list[str]) -> None:
    """The dispatcher's own claim query (as it ran), under ``EXPLAIN (ANALYZE, BUFFERS)``."""
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from reminders.dispatcher import dispatch_due

    reset(due_ids)
    with CaptureQueriesContext(connection) as queries:
        dispatch_due(now=NOW, enqueue=lambda ids: None)
    claim = next(q["sql"] for q in queries if "FOR UPDATE" in q["sql"] and "reminders_reminder" in q["sql"])
    reset(due_ids)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + claim)
        plan = [row[0] for row in cursor.fetchall()]
        transaction.set_rollback(True)
    print(f"\nclaim query:\n  {claim}\nEXPLAIN (ANALYZE, BUFFERS):")
    for row in plan:
        print("  " + row)


def profile(due_ids: list[str]) -> None:
    from reminders.dispatcher import dispatch_due

    reset(due_ids)
    profiler = cProfile.Profile()
    profiler.runcall(dispatch_due, now=NOW, enqueue=lambda ids: None)
    reset(due_ids)
    print("\ncProfile of one pass (1,000 due), by cumulative time:")
    pstats.Stats(profiler, stream=sys.stdout).sort_stats("cumulative").print_stats(40)


def end_to_end(count: int) -> None:
    """``count`` deliveries from one pass to all ``sent`` through a real worker and the console."""
    from django.db import connection
    from django.utils import timezone

    from backend.celery import app
    from reminders.dispatcher import dispatch_due
    from reminders.models import Delivery, Reminder
    from reminders.tasks import enqueue_sends

    # ``count`` reminders due now, on the real clock: the worker claims and sends on it. Every
    # other one is due tomorrow (the set-up's slots lie days back: a pass would take them first
    # and call them missed).
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Reminder._meta.db_table} SET next_fire_at = %s WHERE next_fire_at <= %s",  # noqa: S608
            [now + timedelta(days=1), now],
        )
        cursor.execute(
            f"""UPDATE {Reminder._meta.db_table} SET next_fire_at = %s, enabled = true WHERE id IN (
                    SELECT id FROM {Reminder._meta.db_table} WHERE enabled ORDER BY next_fire_at LIMIT %s)""",  # noqa: S608
            [now, count],
        )
        cursor.execute(f"DELETE FROM {Delivery._meta.db_table}")  # noqa: S608
    app.control.purge()
    env = dict(os.environ, DATABASE_URL=test_database_url(), LOG_LEVEL=os.environ.get("BENCH_WORKER_LOG", "INFO"))
    (ROOT / "var").mkdir(exist_ok=True)
    worker = subprocess.Popen(  # noqa: S603
        [*CELERY, "--loglevel", env["LOG_LEVEL"], "--without-gossip", "--without-mingle", "--without-heartbeat"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=open(ROOT / "var" / "bench-worker.log", "w"),  # noqa: SIM115
    )
    try:
        assert app.control.ping(timeout=30) or wait_for_worker(app)
        start = time.perf_counter()
        result = dispatch_due(now=now, enqueue=enqueue_sends, limit=count)
        dispatched = time.perf_counter() - start
        pending = Delivery.objects.filter(status=Delivery.Status.PENDING)
        while pending.exists() and time.perf_counter() - start < 600:
            time.sleep(0.05)
        elapsed = time.perf_counter() - start
        sent = Delivery.objects.filter(status=Delivery.Status.SENT).count()
        print(f"\nend to end: {result}")
        print(
            f"  pass {dispatched * 1000:.0f} ms; {sent} sent in {elapsed:.2f} s from the pass's start: "
            f"{sent / elapsed:.0f} sends/s ({sent / (elapsed - dispatched):.0f}/s after the pass)"
        )
    finally:
        worker.terminate()
        worker.wait(60)


def wait_for_worker(app) -> bool:
    for _ in range(60):
        if app.control.ping(timeout=1):
            return True
    raise RuntimeError("no worker answered")


def test_database_url() -> str:
    from django.db import connection

    settings = connection.settings_dict
    return f"postgres://{settings['USER']}@{settings['HOST']}:{settings['PORT']}/{settings['NAME']}"


if __name__ == "__main__":
    main()
