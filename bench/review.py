"""The therapist's roster and pre-session brief, over a year of entries for 500 patients.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test REDIS_URL=redis://127.0.0.1:6379/0 \\
        .venv/bin/python bench/review.py

On a throwaway test database of its own (``bench_review_<name>``, so it never collides with
the other benches): one therapist linked to 500 patients in zones east and west of UTC, and
another linked to one patient with the same kind of year. Each patient has three active
commitments (daily reflection, weekly pride, an experiment), a year of entries (a reflection
most days with a mood, a pride entry of about three items most weeks, an experiment every
week or two; about three in four shared) and a session held ten days ago. The rows are written
with ``bulk_create`` straight to the models (the services would take the best part of an hour),
filled as the services fill them: a running ``seq`` per patient and its ``SyncCounter``,
``version``, timestamps, the local day or week, ``item_count``; encrypted fields encrypt on
the way in as they do on ``save``. Then ``ANALYZE``, as autovacuum would have done.

Timed through the real HTTP stack in-process (``APIClient`` with a real JWT, as
``bench/api.py``), ``BENCH_RUNS`` calls each after one warm-up, with Django's debug cursor
off (production's cost); queries are counted in a separate call with it on, and the time
spent in the driver's ``execute`` (``connection.execute_wrapper``) is the median of five more:

- ``GET /api/v1/me/``, the floor any authenticated request pays (JWT, middleware, one query);
- ``GET /api/v1/patients/?page_size=200``, for the therapist of 500 and the therapist of one;
- the whole roster through ``care.selectors.roster`` in a transaction (the dashboard's read),
  for 500 and for one;
- ``GET /api/v1/patients/{id}/brief/`` (since the session ten days ago), with ``?since=`` a
  year back (the worst case), and as Markdown.

The statements of the page of 200, the whole roster of 500 and the year's brief are then
listed with the time each took at the driver, and the slowest SELECT of each is run under
``EXPLAIN (ANALYZE, BUFFERS)``. Goals (from the issue): the roster of 500 under 300 ms, in as
many queries as for one patient; a year's brief under 50 ms. ``BENCH_PATIENTS`` (500) and
``BENCH_RUNS`` (25) change the sizes; ``BENCH_PROFILE=1`` adds a cProfile of each of those calls.
The machine's load averages are printed with the numbers: on a shared box they move them.
"""

from __future__ import annotations

import contextlib
import gc
import math
import os
import random
import statistics
import sys
import warnings
from collections.abc import Callable, Iterator
from datetime import date, datetime, time, timedelta
from typing import Any

from harness import count_queries, timed

PATIENTS = int(os.environ.get("BENCH_PATIENTS", "500"))
RUNS = int(os.environ.get("BENCH_RUNS", "25"))
DAYS = 365
ZONES = ["Pacific/Kiritimati", "Asia/Tokyo", "Europe/London", "America/Chicago", "Pacific/Pago_Pago"]
#: Patients written per round of ``bulk_create`` (bounds the instances held in memory).
CHUNK = 50
ROSTER_GOAL_MS = 300
BRIEF_GOAL_MS = 50


@contextlib.contextmanager
def review_database() -> Iterator[None]:
    """As ``harness.test_database``, under a name of this bench's own."""
    from django.db import connection
    from django.test.utils import setup_test_environment

    setup_test_environment()
    connection.settings_dict.setdefault("TEST", {})["NAME"] = f"bench_review_{connection.settings_dict['NAME']}"
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        yield
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def main() -> None:
    from django.db import connection

    if connection.vendor != "postgresql":
        sys.exit("bench/review.py needs PostgreSQL: DATABASE_URL=postgres://...")
    with review_database():
        run()


# --- The data ----------------------------------------------------------------------------


def at_local(day: date, hour: int, zone: Any, now: datetime) -> datetime:
    """``hour`` o'clock on ``day`` in ``zone``, never after ``now``."""
    return min(datetime.combine(day, time(hour), zone), now)


def year_of(patient: Any, therapist: Any, now: datetime, rng: random.Random) -> dict[type, list[Any]]:
    """One patient's year, as unsaved model instances in the order they were written."""
    from care.models import Session
    from journal.dates import iso_week, local_date
    from journal.models import Commitment, Experiment, PrideEntry, Reflection, SyncCounter

    zone = patient.zone
    today = local_date(now, zone)
    began = today - timedelta(days=DAYS + 5)
    seq = iter(range(1, 10**6))
    stamp = at_local(began, 18, zone, now)

    def commitment(kind: str, cadence: str, target: int, title: str) -> Any:
        return Commitment(
            patient=patient,
            seq=next(seq),
            version=1,
            created_at=stamp,
            updated_at=stamp,
            kind=kind,
            title=title,
            details="Agreed in session.",
            cadence=cadence,
            target_count=target,
            starts_on=began,
            status=Commitment.Status.ACTIVE,
            created_by=therapist,
        )

    reflect = commitment(Commitment.Kind.REFLECTION_DAILY, Commitment.Cadence.DAILY, 1, "A few minutes a day")
    proud = commitment(Commitment.Kind.PRIDE_WEEKLY, Commitment.Cadence.WEEKLY, 3, "Three things a week")
    tryout = commitment(Commitment.Kind.EXPERIMENT, Commitment.Cadence.ONCE, 1, "Send the email unpolished")
    rows: dict[type, list[Any]] = {
        Commitment: [reflect, proud, tryout],
        Reflection: [],
        PrideEntry: [],
        Experiment: [],
    }
    next_experiment = DAYS - 1 - rng.randint(0, 10)
    for days_ago in range(DAYS - 1, -1, -1):
        day = today - timedelta(days=days_ago)
        written = at_local(day, 20, zone, now)
        common = {"patient": patient, "version": 1, "created_at": written, "updated_at": written}
        if rng.random() < 0.85:  # a reflection most days, nearly always with a mood
            rows[Reflection].append(
                Reflection(
                    seq=next(seq),
                    date=day,
                    effort=f"Kept going on day {days_ago} even though it was hard.",
                    kind_words="Good enough is enough." if rng.random() < 0.4 else None,
                    mood=rng.randint(1, 5) if rng.random() < 0.9 else None,
                    shared=rng.random() < 0.75,
                    commitment=reflect if rng.random() < 0.5 else None,
                    **common,
                )
            )
        if day.weekday() == 6 and rng.random() < 0.85:  # a pride entry most weeks, on Sunday
            items = [f"Proud of thing {n} this week" for n in range(rng.choice((2, 3, 3, 3, 4)))]
            rows[PrideEntry].append(
                PrideEntry(
                    seq=next(seq),
                    week=iso_week(day),
                    items=items,
                    item_count=len(items),
                    note="A slow week." if rng.random() < 0.3 else None,
                    shared=rng.random() < 0.75,
                    commitment=proud if rng.random() < 0.5 else None,
                    **common,
                )
            )
        if days_ago == next_experiment:  # every week or two
            next_experiment = days_ago - rng.randint(7, 14)
            status = rng.choice(["tried", "tried", "tried", "skipped", "planned"] if days_ago > 3 else ["planned"])
            rows[Experiment].append(
                Experiment(
                    seq=next(seq),
                    date=day,
                    planned_for=day + timedelta(days=2) if rng.random() < 0.5 else None,
                    title="Leave one typo in a message",
                    worry="They will think I am careless.",
                    outcome="Nobody noticed." if status == "tried" else None,
                    learned="It was fine." if status == "tried" else None,
                    status=status,
                    shared=rng.random() < 0.75,
                    commitment=tryout if rng.random() < 0.5 else None,
                    **common,
                )
            )
    last_seq = next(seq) - 1
    held_on = today - timedelta(days=10)
    rows[SyncCounter] = [SyncCounter(patient=patient, last_seq=last_seq)]
    rows[Session] = [
        Session(
            therapist=therapist,
            patient=patient,
            held_on=held_on,
            title="Weekly session",
            notes="Talked about the email.",
            turns=0,
            created_at=at_local(held_on, 17, zone, now),
        )
    ]
    return rows


def build(now: datetime) -> dict[str, Any]:
    """The therapists and patients (one of 500, one of one), their links and years of entries."""
    from django.db import connection

    from accounts.models import CareLink, User
    from care.models import Session
    from journal.models import Commitment, Experiment, PrideEntry, Reflection, SyncCounter

    rng = random.Random(2026)  # noqa: S311 (reproducible data, not secrets)
    many = User.objects.create(email="many@bench.test", display_name="T500", role="therapist", timezone="UTC")
    one = User.objects.create(email="one@bench.test", display_name="T1", role="therapist", timezone="UTC")
    patients = User.objects.bulk_create(
        User(
            email=f"p{n}@bench.test",
            display_name=f"Patient {n:04d}",
            role="patient",
            timezone=ZONES[n % len(ZONES)],
            created_at=now - timedelta(days=DAYS + 30),
        )
        for n in range(PATIENTS + 1)
    )
    therapist_of = {patient.id: many for patient in patients[:PATIENTS]} | {patients[PATIENTS].id: one}
    CareLink.objects.bulk_create(
        CareLink(therapist=therapist_of[p.id], patient=p, created_at=now - timedelta(days=DAYS + 10)) for p in patients
    )
    order = [Commitment, Reflection, PrideEntry, Experiment, SyncCounter, Session]  # commitments before entries
    counts = dict.fromkeys(order, 0)
    for start in range(0, len(patients), CHUNK):
        rows: dict[type, list[Any]] = {model: [] for model in order}
        for patient in patients[start : start + CHUNK]:
            for model, objects in year_of(patient, therapist_of[patient.id], now, rng).items():
                rows[model] += objects
        for model in order:
            model.objects.bulk_create(rows[model], batch_size=2000)
            counts[model] += len(rows[model])
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {"many": many, "one": one, "patients": patients, "counts": counts}


# --- Measuring ---------------------------------------------------------------------------


def quiet(call: Callable[[], object]) -> list[float]:
    """``harness.timed`` with Django's debug cursor off, as in production."""
    from django.conf import settings

    debug, settings.DEBUG = settings.DEBUG, False
    try:
        return timed(call, RUNS)
    finally:
        settings.DEBUG = debug


def load() -> str:
    """The machine's load averages (1, 5, 15 min): these numbers are only as quiet as the box."""
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def p95(timings: list[float]) -> float:
    return timings[max(0, math.ceil(len(timings) * 0.95) - 1)]


def captured(call: Callable[[], object]) -> list[tuple[float, str]]:
    """Each statement of one call, with the milliseconds it took at the driver (debug cursor off)."""
    import time as clock

    from django.conf import settings
    from django.db import connection

    statements: list[tuple[float, str]] = []

    def timer(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        start = clock.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            cursor = context["cursor"]
            shown = connection.ops.last_executed_query(cursor, sql, params) if not many else sql
            statements.append(((clock.perf_counter() - start) * 1000, shown))

    debug, settings.DEBUG = settings.DEBUG, False
    try:
        with connection.execute_wrapper(timer):
            call()
    finally:
        settings.DEBUG = debug
    return statements


def profile(call: Callable[[], object]) -> None:
    import cProfile
    import pstats

    profiler = cProfile.Profile()
    profiler.runcall(call)
    pstats.Stats(profiler, stream=sys.stdout).sort_stats("cumulative").print_stats(30)


def explain(sql: str) -> list[str]:
    """``EXPLAIN (ANALYZE, BUFFERS)`` of a captured statement, rolled back."""
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
        plan = [row[0] for row in cursor.fetchall()]
        transaction.set_rollback(True)
    return plan


def run() -> None:
    import time as clock

    from django.db import connection, transaction
    from django.test import Client
    from django.utils import timezone
    from rest_framework.test import APIClient
    from rest_framework_simplejwt.tokens import AccessToken

    from care.selectors import roster, roster_links
    from journal.dates import local_date

    warnings.filterwarnings("ignore", message="No directory at")  # whitenoise: no collectstatic here
    now = timezone.now()
    started = clock.perf_counter()
    data = build(now)
    counts = {model.__name__: n for model, n in data["counts"].items()}
    patients = data["patients"]
    # As each gunicorn worker does once the app is loaded (backend/wsgi.py): what is alive now
    # lives on, so the collector need not scan it during the calls timed below.
    gc.collect()
    gc.freeze()
    print(
        f"postgresql {connection.pg_version // 10000}, {PATIENTS} + 1 patients, {sum(counts.values()):,} rows "
        f"({', '.join(f'{n:,} {name}' for name, n in counts.items())}), "
        f"written in {clock.perf_counter() - started:.1f} s; {RUNS} calls each after a warm-up; load {load()}"
    )

    def client_of(therapist: Any) -> APIClient:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {AccessToken.for_user(therapist)}")
        return client

    def get(client: Client, url: str) -> Callable[[], object]:
        def call() -> object:
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code, response.content[:500])
            return response

        return call

    def whole_roster(therapist: Any) -> Callable[[], object]:
        def call() -> object:
            with transaction.atomic():
                return roster(therapist=therapist, links=list(roster_links(therapist)), now=timezone.now())

        return call

    def browser_of(therapist: Any) -> Client:
        """The dashboard's client: a Django session, as after signing in (no second factor)."""
        client = Client()
        client.force_login(therapist)
        return client

    many, one = client_of(data["many"]), client_of(data["one"])
    many_page, one_page = browser_of(data["many"]), browser_of(data["one"])
    patient = patients[0]
    a_year_back = local_date(now, patient.zone) - timedelta(days=DAYS)
    brief = f"/api/v1/patients/{patient.id}/brief/"
    assert len(whole_roster(data["many"])()) == PATIENTS  # type: ignore[arg-type]
    lines: list[tuple[str, Callable[[], object]]] = [
        ("GET /api/v1/me/ (the HTTP stack's floor)", get(many, "/api/v1/me/")),
        (f"GET /patients/?page_size=200, of {PATIENTS}", get(many, "/api/v1/patients/?page_size=200")),
        ("GET /patients/?page_size=200, of 1", get(one, "/api/v1/patients/?page_size=200")),
        (f"roster(), all {PATIENTS}, in a transaction", whole_roster(data["many"])),
        ("roster(), all of 1, in a transaction", whole_roster(data["one"])),
        (f"GET /app/ (dashboard roster) of {PATIENTS}", get(many_page, "/app/")),
        ("GET /app/ (dashboard roster) of 1", get(one_page, "/app/")),
        ("GET /app/?sort=name&page=6 (a page of it)", get(many_page, "/app/?sort=name&page=6")),
        ("GET /app/?q=7 (searched)", get(many_page, "/app/?q=7")),
        ("GET /app/?show=quiet&sort=last", get(many_page, "/app/?show=quiet&sort=last")),
        ("GET /app/?view=cards (50 cards)", get(many_page, "/app/?view=cards")),
        ("GET /app/patients/{id}/ (a year)", get(many_page, f"/app/patients/{patient.id}/")),
        ("GET brief/ (since the session, 10 days)", get(many, brief)),
        ("GET brief/?since= a year back", get(many, f"{brief}?since={a_year_back.isoformat()}")),
        ("GET brief/?format=md (10 days)", get(many, f"{brief}?format=md")),
        ("GET brief/?since= a year back&format=md", get(many, f"{brief}?since={a_year_back.isoformat()}&format=md")),
    ]
    results = {}
    print(f"\n{'':<44} {'median':>10} {'p95':>10}  queries  {'in SQL':>9}")
    for label, call in lines:
        timings = quiet(call)
        queries = count_queries(call)
        in_sql = statistics.median(sum(ms for ms, _ in captured(call)) for _ in range(5))
        results[label] = (statistics.median(timings), queries)
        print(
            f"{label:<44} {statistics.median(timings):7.2f} ms {p95(timings):7.2f} ms  {queries:>7}  {in_sql:6.2f} ms"
        )
    print(f"(in SQL: median of 5 calls of the time spent in the driver's execute; load {load()})")

    roster_ms, roster_queries = results[f"roster(), all {PATIENTS}, in a transaction"]
    brief_ms, _ = results["GET brief/?since= a year back"]
    print(
        f"\nroster of {PATIENTS}: {roster_ms:.0f} ms (goal < {ROSTER_GOAL_MS} ms: "
        f"{'met' if roster_ms < ROSTER_GOAL_MS else 'NOT met'}), {roster_queries} queries "
        f"({'the same as' if roster_queries == results['roster(), all of 1, in a transaction'][1] else 'NOT as'} "
        f"for one patient)"
    )
    page_ms, page_queries = results[f"GET /app/ (dashboard roster) of {PATIENTS}"]
    print(
        f"dashboard roster of {PATIENTS}: {page_ms:.0f} ms (goal < {ROSTER_GOAL_MS} ms: "
        f"{'met' if page_ms < ROSTER_GOAL_MS else 'NOT met'}), {page_queries} queries "
        f"({'the same as' if page_queries == results['GET /app/ (dashboard roster) of 1'][1] else 'NOT as'} "
        f"for one patient)"
    )
    print(
        f"brief of a year: {brief_ms:.0f} ms (goal < {BRIEF_GOAL_MS} ms: "
        f"{'met' if brief_ms < BRIEF_GOAL_MS else 'NOT met'})"
    )

    shown = dict(lines)
    for label in (lines[1][0], lines[3][0], lines[5][0], "GET brief/?since= a year back"):
        call = shown[label]
        call()  # warm
        statements = captured(call)
        total = sum(ms for ms, _ in statements)
        print(f"\n{label}: each statement at the driver, slowest first ({total:.1f} ms of the call in SQL)")
        for ms, sql in sorted(statements, key=lambda pair: -pair[0]):
            print(f"  {ms:8.2f} ms  {' '.join(sql.split())[:104]}")
        slowest = max(pair for pair in statements if pair[1].lstrip(" (").upper().startswith("SELECT"))
        print("  EXPLAIN (ANALYZE, BUFFERS) of the slowest SELECT:")
        for row in explain(slowest[1]):
            print("    " + (row if len(row) < 150 else row[:146] + " ..."))
        if os.environ.get("BENCH_PROFILE"):
            profile(call)


if __name__ == "__main__":
    main()
