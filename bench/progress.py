"""Week summaries for a roster: ``journal.selectors.week_summaries`` over 1 to 200 patients.

    .venv/bin/python bench/progress.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test REDIS_URL=redis://127.0.0.1:6379/0 \\
        .venv/bin/python bench/progress.py

On a throwaway test database: 200 patients in zones east and west of UTC, each with a year
of practice (about 5 reflections and a pride entry a week, an experiment a month), written
straight to the tables in bulk (the services would take minutes and are not what is measured).
The roster and the pre-session brief read this selector; its query count must not grow
with the number of patients, and its time should grow no faster than the rows it reads.
"""

from __future__ import annotations

import os
import uuid
from datetime import timedelta

from harness import count_queries, report, test_database, timed

PATIENTS = int(os.environ.get("BENCH_PATIENTS", "200"))
RUNS = int(os.environ.get("BENCH_RUNS", "10"))
ZONES = ["Pacific/Kiritimati", "Asia/Tokyo", "Europe/London", "America/Chicago", "Pacific/Pago_Pago"]


def main() -> None:
    from django.utils import timezone

    from accounts.models import User
    from journal.dates import iso_week
    from journal.models import Commitment, Experiment, PrideEntry, Reflection
    from journal.selectors import week_summaries

    now = timezone.now()
    today = now.date()
    patients = User.objects.bulk_create(
        User(email=f"p{n}@bench.test", display_name=f"P{n}", role="patient", timezone=ZONES[n % len(ZONES)])
        for n in range(PATIENTS)
    )
    stamps = {"created_at": now, "updated_at": now}
    seq = iter(range(1, 10**9))
    rows: dict[type, list] = {Reflection: [], PrideEntry: [], Experiment: [], Commitment: []}
    for patient in patients:
        rows[Commitment].append(
            Commitment(
                patient=patient,
                seq=next(seq),
                kind="pride_weekly",
                title="3 things",
                cadence="weekly",
                target_count=3,
                **stamps,
            )
        )
        for days_ago in range(365):
            day = today - timedelta(days=days_ago)
            if days_ago % 7 not in (2, 5):
                rows[Reflection].append(
                    Reflection(patient=patient, seq=next(seq), date=day, effort="e", mood=1 + days_ago % 5, **stamps)
                )
            if day.weekday() == 6:
                rows[PrideEntry].append(
                    PrideEntry(
                        patient=patient,
                        seq=next(seq),
                        week=iso_week(day),
                        items=["a", "b"],
                        item_count=2 + days_ago % 2,
                        **stamps,
                    )
                )
            if days_ago % 30 == 0:
                rows[Experiment].append(
                    Experiment(
                        patient=patient, seq=next(seq), date=day, title="t", status="tried", id=uuid.uuid4(), **stamps
                    )
                )
    for model, objects in rows.items():
        model.objects.bulk_create(objects, batch_size=2000)
    total = sum(len(objects) for objects in rows.values())
    print(f"{PATIENTS} patients, {total} rows, {RUNS} runs each, 12 weeks and 52 weeks")
    for count in (1, 10, 50, PATIENTS):
        some = patients[:count]
        for weeks in (12, 52):
            call = lambda some=some, weeks=weeks: week_summaries(patients=some, weeks=weeks, now=now)  # noqa: E731
            report(f"week_summaries, {count} patients, {weeks} weeks", timed(call, RUNS), count_queries(call))


if __name__ == "__main__":
    with test_database():
        main()
