"""The access log keeps one row per reader, patient, kind of read and day: the patient's own day,
in their zone. A therapist's tenth look at the roster counts into the row of the first, so the
log stays short enough for the patient to read, and still true."""

from __future__ import annotations

import importlib
import threading
import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test import Client

from care.access import patient_read
from care.models import AccessLog
from tests.factories import CareLinkFactory, PatientFactory, ReflectionFactory, TherapistFactory
from tests.helpers import client_for, migrate_to, needs_concurrent_transactions

NOW = datetime(2026, 11, 25, 18, 0, tzinfo=UTC)  # noon in Chicago, the chef's zone
ACCESS_LOG = "/api/v1/me/access-log/"


def log_of(patient) -> list[dict]:
    with time_machine.travel(NOW + timedelta(days=1), tick=False):
        return client_for(patient).get(ACCESS_LOG).json()["results"]


def read_at(client, url: str, at: datetime | str) -> None:
    with time_machine.travel(at, tick=False):
        assert client.get(url).status_code == 200, url


def dashboard_of(therapist, at: datetime = NOW) -> Client:
    """Signed in at ``at``: a dashboard session ends after half an hour idle."""
    client = Client()
    with time_machine.travel(at, tick=False):
        client.force_login(therapist)
    return client


@pytest.mark.django_db
@pytest.mark.parametrize("roster", ["/app/", "/api/v1/patients/"])
def test_the_roster_opened_ten_times_in_a_day_is_one_row_with_the_count(therapist, chef, link, roster):
    first = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)
    client = dashboard_of(therapist, first) if roster == "/app/" else client_for(therapist)
    for n in range(10):  # from 09:00 to 12:00 in Chicago
        read_at(client, roster, first + timedelta(minutes=20 * n))
    rows = log_of(chef)
    assert [(row["what"], row["day"], row["count"], row["first_at"], row["at"]) for row in rows] == [
        ("roster", "2026-11-25", 10, "2026-11-25T15:00:00Z", "2026-11-25T18:00:00Z")
    ]
    assert rows[0]["therapist"] == {"id": str(therapist.id), "display_name": "Dr. Maya Okafor"}


@pytest.mark.django_db
def test_each_kind_of_read_keeps_its_own_row_and_count(therapist, chef, link):
    dashboard, api = dashboard_of(therapist), client_for(therapist)
    for minutes in range(0, 50, 10):  # five times
        at = NOW + timedelta(minutes=minutes)
        read_at(dashboard, "/app/", at)
        read_at(api, "/api/v1/patients/", at)
        read_at(api, f"/api/v1/patients/{chef.id}/progress/", at)
    assert sorted((row["what"], row["count"]) for row in log_of(chef)) == [("progress", 5), ("roster", 10)]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("zone", "before", "after", "days"),
    [
        ("Asia/Tokyo", "2026-11-25T14:59:00Z", "2026-11-25T15:01:00Z", ["2026-11-26", "2026-11-25"]),  # UTC+9
        ("Pacific/Kiritimati", "2026-11-25T09:59:00Z", "2026-11-25T10:01:00Z", ["2026-11-26", "2026-11-25"]),  # +14
        ("America/Los_Angeles", "2026-11-26T07:59:00Z", "2026-11-26T08:01:00Z", ["2026-11-26", "2026-11-25"]),  # -8
        # The night clocks go back in Berlin: that midnight is still summer time's, UTC+2.
        ("Europe/Berlin", "2026-10-24T21:59:00Z", "2026-10-24T22:01:00Z", ["2026-10-25", "2026-10-24"]),
        # The first midnight after New York's clocks went forward: UTC-4, no longer -5.
        ("America/New_York", "2026-03-09T03:59:00Z", "2026-03-09T04:01:00Z", ["2026-03-09", "2026-03-08"]),
        # UTC's midnight is mid-morning in Tokyo: one day for the patient, so one row.
        ("Asia/Tokyo", "2026-11-25T23:59:00Z", "2026-11-26T00:01:00Z", ["2026-11-26"]),
    ],
)
def test_a_read_just_after_the_patients_midnight_starts_a_new_row(therapist, chef, link, zone, before, after, days):
    chef.timezone = zone
    chef.save()
    api = client_for(therapist)
    for at in (before, after):
        read_at(api, f"/api/v1/patients/{chef.id}/progress/", at)
        read_at(api, "/api/v1/patients/", at)
    rows = log_of(chef)
    assert sorted({row["day"] for row in rows}, reverse=True) == days
    assert sorted((row["what"], row["count"]) for row in rows) == sorted(
        (what, 2 // len(days)) for what in ("progress", "roster") for _ in days
    )


@pytest.mark.django_db
def test_two_therapists_reading_the_same_thing_the_same_day_are_two_rows(therapist, chef, link):
    colleague = TherapistFactory(display_name="Dr. Lee")
    CareLinkFactory(therapist=colleague, patient=chef)
    for reader, times in ((therapist, 2), (colleague, 1)):
        for n in range(times):
            read_at(client_for(reader), f"/api/v1/patients/{chef.id}/progress/", NOW + timedelta(minutes=n))
    assert sorted((row["therapist"]["display_name"], row["count"]) for row in log_of(chef)) == [
        ("Dr. Lee", 1),
        ("Dr. Maya Okafor", 2),
    ]


@pytest.mark.django_db
def test_the_entries_shown_over_a_days_reads_are_each_named_once_in_the_order_first_shown(therapist, chef, link):
    written = [
        ReflectionFactory(patient=chef, date=date(2026, 11, day), now=datetime(2026, 11, day, 20, tzinfo=UTC))
        for day in (20, 21, 22)
    ]
    api, entries = client_for(therapist), f"/api/v1/patients/{chef.id}/entries/"
    read_at(api, f"{entries}?page_size=2", NOW)  # the newest two: the 22nd and the 21st
    read_at(api, f"{entries}?page_size=3", NOW + timedelta(hours=1))  # all three
    read_at(api, f"{entries}?page_size=1", NOW + timedelta(hours=2))  # the 22nd again
    (row,) = log_of(chef)
    assert row["count"] == 3
    named = {"type": "reflection"}
    assert row["entries"] == [
        {**named, "id": str(written[2].id), "date": "2026-11-22"},
        {**named, "id": str(written[1].id), "date": "2026-11-21"},
        {**named, "id": str(written[0].id), "date": "2026-11-20"},
    ]


@pytest.mark.django_db
def test_a_row_of_yesterday_is_left_as_it_was(therapist, chef, link):
    api = client_for(therapist)
    read_at(api, f"/api/v1/patients/{chef.id}/progress/", NOW - timedelta(days=1))
    read_at(api, f"/api/v1/patients/{chef.id}/progress/", NOW)
    read_at(api, f"/api/v1/patients/{chef.id}/progress/", NOW + timedelta(minutes=5))
    assert [(row["day"], row["count"], row["at"]) for row in log_of(chef)] == [
        ("2026-11-25", 2, "2026-11-25T18:05:00Z"),
        ("2026-11-24", 1, "2026-11-24T18:00:00Z"),
    ]


@pytest.mark.django_db
def test_a_read_that_commits_late_does_not_move_the_last_time_back(therapist, chef, link):
    # Two reads at once: the one that began earlier may be the one to commit last.
    for at in (NOW, NOW - timedelta(seconds=30)):
        with patient_read(therapist=therapist, patient_id=chef.id, what=AccessLog.What.PROGRESS, now=at):
            pass
    (row,) = AccessLog.objects.all()
    assert (row.count, row.first_at, row.at) == (2, NOW, NOW)


@pytest.mark.django_db
def test_a_wrong_reader_counts_nothing_and_another_patient_sees_none_of_it(
    therapist, chef, link, stranger_therapist, other_patient
):
    read_at(client_for(therapist), f"/api/v1/patients/{chef.id}/progress/", NOW)
    with time_machine.travel(NOW, tick=False):
        assert client_for(stranger_therapist).get(f"/api/v1/patients/{chef.id}/progress/").status_code == 404
    assert [row["count"] for row in log_of(chef)] == [1]
    assert log_of(other_patient) == []


def at_once(count: int, work) -> list:
    """``work`` in ``count`` threads released together, each on its own database connection."""
    barrier = threading.Barrier(count)
    failures: list = []

    def run() -> None:
        try:
            barrier.wait(timeout=10)
            work()
        except Exception as failure:  # the test reports it
            failures.append(failure)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return failures


@needs_concurrent_transactions
@pytest.mark.django_db(transaction=True)
def test_reads_at_once_all_count_and_none_fails(therapist, chef, link):
    def read() -> None:
        with patient_read(therapist=therapist, patient_id=chef.id, what=AccessLog.What.ENTRIES, now=NOW) as read:
            read.entries += [{"type": "reflection", "id": str(uuid.uuid4()), "date": "2026-11-24"}]

    assert at_once(4, read) == []
    (row,) = AccessLog.objects.all()
    assert (row.count, len(row.entries)) == (4, 4)


# --- The migration that merged the rows written one per read ----------------------------------

BEFORE = ("care", "0004_session_roles_digests_idempotency")
MERGED = ("care", "0005_accesslog_one_row_a_day")


@pytest.mark.django_db(transaction=True)
def test_the_migration_merges_the_rows_written_one_per_read(back_at_the_end):
    executor = migrate_to(BEFORE)
    OldLog = executor.loader.project_state([BEFORE]).apps.get_model("care", "AccessLog")
    tokyo = PatientFactory(timezone="Asia/Tokyo")
    maya, lee = TherapistFactory(display_name="Dr. Maya Okafor"), TherapistFactory(display_name="Dr. Lee")
    one, two = ({"type": "reflection", "id": str(uuid.uuid4()), "date": "2026-11-24"} for _ in range(2))

    def old_row(reader, what: str, at: str, entries: list | None = None) -> None:
        OldLog.objects.create(
            patient_id=tokyo.pk,
            therapist_id=reader.pk if reader else None,
            therapist_name=reader.display_name if reader else "Dr. Gone",
            what=what,
            at=datetime.fromisoformat(at),
            entries=entries or [],
        )

    # 09:00, 12:00 and 23:30 in Tokyo on the 25th, then 00:30 on the 26th.
    for at in ("2026-11-25T00:00:00+00:00", "2026-11-25T03:00:00+00:00", "2026-11-25T14:30:00+00:00"):
        old_row(maya, "roster", at)
    old_row(maya, "roster", "2026-11-25T15:30:00+00:00")
    old_row(maya, "entries", "2026-11-25T01:00:00+00:00", [one])
    old_row(maya, "entries", "2026-11-25T02:00:00+00:00", [two, one])
    old_row(lee, "roster", "2026-11-25T04:00:00+00:00")
    old_row(None, "roster", "2026-11-25T05:00:00+00:00")  # an erased reader's rows stay theirs
    old_row(None, "roster", "2026-11-25T06:00:00+00:00")

    migrate_to(MERGED)
    merged = AccessLog.objects.order_by("therapist_name", "what", "day")
    assert [
        (row.therapist_name, row.what, row.day, row.count, row.first_at.isoformat(), row.at.isoformat(), row.entries)
        for row in merged
    ] == [
        ("Dr. Gone", "roster", date(2026, 11, 25), 2, "2026-11-25T05:00:00+00:00", "2026-11-25T06:00:00+00:00", []),
        ("Dr. Lee", "roster", date(2026, 11, 25), 1, "2026-11-25T04:00:00+00:00", "2026-11-25T04:00:00+00:00", []),
        ("Dr. Maya Okafor", "entries", date(2026, 11, 25), 2, "2026-11-25T01:00:00+00:00",
         "2026-11-25T02:00:00+00:00", [one, two]),
        ("Dr. Maya Okafor", "roster", date(2026, 11, 25), 3, "2026-11-25T00:00:00+00:00",
         "2026-11-25T14:30:00+00:00", []),
        ("Dr. Maya Okafor", "roster", date(2026, 11, 26), 1, "2026-11-25T15:30:00+00:00",
         "2026-11-25T15:30:00+00:00", []),
    ]  # fmt: skip


def test_merging_counts_a_row_already_merged_by_its_own_count():
    migration = importlib.import_module("care.migrations.0005_accesslog_one_row_a_day")
    at = datetime(2026, 11, 25, 12, tzinfo=UTC)
    rows = [
        {"id": 1, "therapist_id": 7, "therapist_name": "Dr. A", "what": "roster", "at": at, "entries": [],
         "count": 4, "first_at": at - timedelta(hours=3)},
        {"id": 2, "therapist_id": 7, "therapist_name": "Dr. A (renamed)", "what": "roster",
         "at": at + timedelta(hours=1), "entries": None, "count": None, "first_at": None},
    ]  # fmt: skip
    ((kept, dropped),) = migration.merged(rows, zone="Not/A_Zone")  # an unknown zone reads as UTC
    assert dropped == [1]
    assert (kept["id"], kept["therapist_name"], kept["count"], kept["day"]) == (2, "Dr. A (renamed)", 5, at.date())
    assert (kept["first_at"], kept["at"], kept["entries"]) == (at - timedelta(hours=3), at + timedelta(hours=1), [])


@pytest.mark.django_db
def test_the_export_holds_each_days_row_with_its_count(therapist, chef, link):
    api = client_for(therapist)
    for minutes in (0, 30):
        read_at(api, f"/api/v1/patients/{chef.id}/brief/", NOW + timedelta(minutes=minutes))
    with time_machine.travel(NOW + timedelta(hours=1), tick=False):
        exported = client_for(chef).get("/api/v1/me/export/").json()["care"]["access_log"]
    assert [(row["what"], row["day"], row["count"], row["first_at"], row["at"]) for row in exported] == [
        ("brief", "2026-11-25", 2, "2026-11-25T18:00:00Z", "2026-11-25T18:30:00Z")
    ]
