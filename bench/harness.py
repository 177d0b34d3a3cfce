"""Shared by the bench scripts: Django set up on a throwaway test database, and timing."""

from __future__ import annotations

import contextlib
import math
import os
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")
os.environ.setdefault("DEBUG", "1")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402


@contextlib.contextmanager
def test_database() -> Iterator[None]:
    setup_test_environment()
    # Its own name, so a bench never collides with the test suite's database.
    if connection.vendor != "sqlite":  # SQLite benches run in memory
        connection.settings_dict.setdefault("TEST", {})["NAME"] = f"bench_{connection.settings_dict['NAME']}"
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        yield
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def timed(call: Callable[[], object], runs: int) -> list[float]:
    """Milliseconds for each of ``runs`` calls, after one warm-up call."""
    call()
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        call()
        timings.append((time.perf_counter() - start) * 1000)
    return sorted(timings)


def report(name: str, timings: list[float], queries: int | None = None) -> None:
    p95 = timings[max(0, math.ceil(len(timings) * 0.95) - 1)]
    extra = f"   {queries} queries" if queries is not None else ""
    print(f"{name:<48} median {statistics.median(timings):8.2f} ms   p95 {p95:8.2f} ms{extra}")


def count_queries(call: Callable[[], object]) -> int:
    connection.queries_log.clear()  # a full log (maxlen 9000) would make the count read 0
    with CaptureQueriesContext(connection) as queries:
        call()
    return len(queries)
