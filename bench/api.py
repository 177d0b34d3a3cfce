"""Median latency of the foundation's endpoints, in-process, on a throwaway test database.

    .venv/bin/python bench/api.py                 # SQLite
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test .venv/bin/python bench/api.py

Prints one line per endpoint: median and p95 over N calls, and SQL queries per call.
Numbers go in bench/README.md with the machine they came from.
"""

from __future__ import annotations

import os

from harness import count_queries, report, test_database, timed

CALLS = int(os.environ.get("BENCH_CALLS", "200"))


def main() -> None:
    from django.conf import settings
    from django.core.cache import cache
    from django.db import connection
    from rest_framework.test import APIClient
    from rest_framework_simplejwt.tokens import AccessToken

    from accounts.models import CareLink, User

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    therapist = User.objects.create_user("t@bench.test", "bench-password-2026", display_name="T", role="therapist")
    patients = [
        User.objects.create_user(f"p{i}@bench.test", "bench-password-2026", display_name=f"P{i}", role="patient")
        for i in range(200)
    ]
    CareLink.objects.bulk_create([CareLink(therapist=therapist, patient=p) for p in patients])
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {AccessToken.for_user(therapist)}")
    anon = APIClient()

    def login():
        cache.clear()  # the throttle would stop the loop at AUTH_THROTTLE_RATE
        return anon.post("/api/v1/auth/token/", {"email": "t@bench.test", "password": "bench-password-2026"})

    print(f"{connection.vendor}, {CALLS} calls each, 200 care links")
    for name, call in [
        ("GET /healthz", lambda: client.get("/healthz")),
        ("GET /api/v1/me/", lambda: client.get("/api/v1/me/")),
        ("GET /api/v1/care-links/ (page of 50)", lambda: client.get("/api/v1/care-links/")),
        ("GET /api/v1/care-links/?page_size=200", lambda: client.get("/api/v1/care-links/?page_size=200")),
        ("POST /api/v1/auth/token/ (PBKDF2, real cost)", login),
    ]:
        report(name, timed(call, CALLS), count_queries(call))


if __name__ == "__main__":
    with test_database():
        main()
