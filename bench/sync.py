"""Sync cost: an initial sync of 10,000 entries in pages of 500, and a single write.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test REDIS_URL=redis://127.0.0.1:6379/0 \\
        .venv/bin/python bench/sync.py

On a throwaway test database: one patient with 10,000 entries (reflections, pride entries,
experiments) written through the services, so each has its place in the sync sequence.
"""

from __future__ import annotations

import os
from datetime import date, timedelta

from harness import count_queries, report, test_database, timed

ENTRIES = int(os.environ.get("BENCH_ENTRIES", "10000"))
RUNS = int(os.environ.get("BENCH_RUNS", "5"))


def main() -> None:
    from django.db import connection
    from django.utils import timezone
    from rest_framework.test import APIClient
    from rest_framework_simplejwt.tokens import AccessToken

    from accounts.models import User
    from journal import services
    from journal.dates import iso_week
    from journal.models import Experiment, PrideEntry, Reflection

    patient = User.objects.create_user("p@bench.test", "bench-password-2026", display_name="P", role="patient")
    now = timezone.now()
    first = date(2000, 1, 3)
    reflections, prides = int(ENTRIES * 0.7), int(ENTRIES * 0.1)
    for n in range(reflections):
        services.entry_create(model=Reflection, patient=patient, now=now, date=first + timedelta(days=n), effort=f"{n}")
    for n in range(prides):
        week = iso_week(first + timedelta(weeks=n))
        services.entry_create(model=PrideEntry, patient=patient, now=now, week=week, items=["a", "b", "c"])
    for n in range(ENTRIES - reflections - prides):
        services.entry_create(model=Experiment, patient=patient, now=now, title=f"try {n}", status="tried")

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {AccessToken.for_user(patient)}")

    def initial_sync():
        cursor, pages, total = None, 0, 0
        while True:
            body = client.get("/api/v1/sync/", {"cursor": cursor} if cursor else {}).json()
            pages += 1
            total += len(body["changes"])
            cursor = body["cursor"]
            if not body["has_more"]:
                assert total == ENTRIES, total
                return pages

    pages = initial_sync()
    print(f"{connection.vendor}, {ENTRIES} entries, {pages} pages of at most 500, {RUNS} runs")
    report("initial sync, all pages", timed(initial_sync, RUNS))
    report(
        "one page of 500",
        timed(lambda: client.get("/api/v1/sync/"), RUNS * 4),
        count_queries(lambda: client.get("/api/v1/sync/")),
    )
    day = [date(2100, 1, 1)]

    def write():
        day[0] -= timedelta(days=1)
        return client.post("/api/v1/reflections/", {"date": str(day[0] - timedelta(days=40000)), "effort": "x"})

    report("single write (POST /reflections/)", timed(write, 100), count_queries(write))
    cursor = None
    while True:
        body = client.get("/api/v1/sync/", {"cursor": cursor} if cursor else {}).json()
        cursor = body["cursor"]
        if not body["has_more"]:
            break
    report("incremental sync, nothing new", timed(lambda: client.get("/api/v1/sync/", {"cursor": cursor}), 100))


if __name__ == "__main__":
    with test_database():
        main()
