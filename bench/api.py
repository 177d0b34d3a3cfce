"""Median latency of the foundation's endpoints, in-process, on a throwaway test database.

    .venv/bin/python bench/api.py                 # SQLite
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test .venv/bin/python bench/api.py

Prints one line per endpoint: median and p95 over N calls, and SQL queries per call.
Numbers go in bench/README.md with the machine they came from.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")
os.environ.setdefault("DEBUG", "1")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from rest_framework.test import APIClient  # noqa: E402
from rest_framework_simplejwt.tokens import AccessToken  # noqa: E402

CALLS = int(os.environ.get("BENCH_CALLS", "200"))


def measure(name: str, call) -> None:
    call()  # warm up
    connection.queries_log.clear()  # a full log (maxlen 9000) would make the count read 0
    with CaptureQueriesContext(connection) as queries:
        call()
    timings = []
    for _ in range(CALLS):
        start = time.perf_counter()
        response = call()
        timings.append((time.perf_counter() - start) * 1000)
        assert response.status_code < 400, (name, response.status_code)
    timings.sort()
    p95 = timings[int(len(timings) * 0.95) - 1]
    print(f"{name:<44} median {statistics.median(timings):6.2f} ms   p95 {p95:6.2f} ms   {len(queries)} queries")


def main() -> None:
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0)
    try:
        from django.conf import settings

        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
        from accounts.models import CareLink, User

        therapist = User.objects.create_user("t@bench.test", "bench-password-2026", display_name="T", role="therapist")
        patients = [
            User.objects.create_user(f"p{i}@bench.test", "bench-password-2026", display_name=f"P{i}", role="patient")
            for i in range(200)
        ]
        CareLink.objects.bulk_create([CareLink(therapist=therapist, patient=p) for p in patients])
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {AccessToken.for_user(therapist)}")
        print(f"{connection.vendor}, {CALLS} calls each, 200 care links")
        measure("GET /healthz", lambda: client.get("/healthz"))
        measure("GET /api/v1/me/", lambda: client.get("/api/v1/me/"))
        measure("GET /api/v1/care-links/ (page of 50)", lambda: client.get("/api/v1/care-links/"))
        measure("GET /api/v1/care-links/?page_size=200", lambda: client.get("/api/v1/care-links/?page_size=200"))
        anon = APIClient()

        def login():
            from django.core.cache import cache

            cache.clear()  # the throttle would stop the loop at AUTH_THROTTLE_RATE
            return anon.post("/api/v1/auth/token/", {"email": "t@bench.test", "password": "bench-password-2026"})

        measure("POST /api/v1/auth/token/ (PBKDF2, real cost)", login)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
