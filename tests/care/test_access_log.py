"""Every therapist read of a patient's data is in that patient's access log, and only theirs."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine

from accounts import services as account_services
from care.models import AccessLog
from journal import services as journal_services
from tests.factories import (
    CareLinkFactory,
    CommitmentFactory,
    ExperimentFactory,
    PatientFactory,
    PrideEntryFactory,
    ReflectionFactory,
)

NOW = datetime(2026, 11, 25, 18, 0, tzinfo=UTC)
ACCESS_LOG = "/api/v1/me/access-log/"

pytestmark = pytest.mark.django_db


def get(client, url, **params):
    with time_machine.travel(NOW, tick=False):
        return client.get(url, params)


@pytest.mark.parametrize(
    ("path", "what"),
    [
        ("patients/{id}/", "patient"),
        ("patients/{id}/progress/", "progress"),
        ("patients/{id}/entries/", "entries"),
        ("patients/{id}/brief/", "brief"),
        ("patients/{id}/brief/?format=md", "brief"),
        ("sessions/?patient={id}", "sessions"),
        ("commitments/?patient={id}", "commitments"),
        ("commitments/", "commitments"),
        ("patients/", "roster"),
    ],
)
def test_each_read_is_counted_in_one_row_a_day_the_patient_sees(
    as_therapist, as_chef, chef, therapist, link, path, what
):
    CommitmentFactory(patient=chef, now=NOW)  # so the unfiltered commitment list reads the chef's
    for at in (NOW - timedelta(hours=2), NOW):  # 10:00 and 12:00 in Chicago, the chef's zone
        with time_machine.travel(at, tick=False):
            assert as_therapist.get(f"/api/v1/{path.format(id=chef.id)}").status_code == 200
    rows = get(as_chef, ACCESS_LOG).json()["results"]
    assert rows == [
        {
            "id": rows[0]["id"],
            "therapist": {"id": str(therapist.id), "display_name": "Dr. Maya Okafor"},
            "what": what,
            "day": "2026-11-25",
            "count": 2,
            "first_at": "2026-11-25T16:00:00Z",
            "at": "2026-11-25T18:00:00Z",
            "entries": [],  # the chef has written nothing, so no read showed an entry's words
        }
    ]


def test_a_commitment_read_one_by_one_is_logged_too(as_therapist, as_chef, chef, therapist, link):
    commitment = CommitmentFactory(patient=chef, author=therapist, now=NOW)
    assert get(as_therapist, f"/api/v1/commitments/{commitment.id}/").status_code == 200
    assert [row["what"] for row in get(as_chef, ACCESS_LOG).json()["results"]] == ["commitments"]
    assert get(as_chef, f"/api/v1/commitments/{commitment.id}/").status_code == 200  # the patient's own read
    assert AccessLog.objects.count() == 1


def test_the_log_is_newest_first_paged_and_only_the_patients_own(as_therapist, as_chef, chef, therapist, link):
    other = PatientFactory()
    CareLinkFactory(therapist=therapist, patient=other)
    for n, path in enumerate(["progress/", "brief/", "entries/"]):
        with time_machine.travel(datetime(2026, 11, 20 + n, 12, tzinfo=UTC), tick=False):
            assert as_therapist.get(f"/api/v1/patients/{chef.id}/{path}").status_code == 200
            assert as_therapist.get(f"/api/v1/patients/{other.id}/{path}").status_code == 200
    first = get(as_chef, ACCESS_LOG, page_size=2).json()
    assert [row["what"] for row in first["results"]] == ["entries", "brief"]
    with time_machine.travel(NOW, tick=False):
        rest = as_chef.get(first["next"]).json()
    assert [row["what"] for row in rest["results"]] == ["progress"]
    assert AccessLog.objects.filter(patient=other).count() == 3  # theirs, not shown to the chef


def test_a_therapist_has_no_access_log_of_their_own(as_therapist, anon):
    assert as_therapist.get(ACCESS_LOG).status_code == 403
    assert anon.get(ACCESS_LOG).status_code == 401


def test_a_refused_read_writes_nothing(as_stranger, chef, link):
    for path in ["", "progress/", "entries/", "brief/"]:
        assert get(as_stranger, f"/api/v1/patients/{chef.id}/{path}").status_code == 404
    assert not AccessLog.objects.exists()


def test_the_export_holds_the_log_and_erasure_removes_it(as_therapist, as_chef, chef, therapist, link):
    from care.models import Session
    from care.services import session_record

    session_record(therapist=therapist, patient_id=chef.id, transcript="Therapist: Hi\nPatient: Hello", now=NOW)
    get(as_therapist, f"/api/v1/patients/{chef.id}/brief/")
    exported = get(as_chef, "/api/v1/me/export/").json()
    assert [row["what"] for row in exported["care"]["access_log"]] == ["brief"]
    assert exported["care"]["sessions"] == []
    assert [row["turns"] for row in get(as_therapist, "/api/v1/me/export/").json()["care"]["sessions"]] == [2]
    account_services.user_erase(user=chef, now=NOW)
    assert not AccessLog.objects.exists()
    assert not Session.objects.exists()  # what was said about them goes with them


def test_the_log_keeps_the_readers_name_after_they_erase_their_account(as_therapist, as_chef, chef, therapist, link):
    get(as_therapist, f"/api/v1/patients/{chef.id}/progress/")
    account_services.user_erase(user=therapist, now=NOW)
    (row,) = get(as_chef, ACCESS_LOG).json()["results"]
    assert row["therapist"] == {"id": None, "display_name": "Dr. Maya Okafor"}


@pytest.fixture
def written(chef):
    """A shared reflection, pride week and experiment, and a private reflection, written before NOW."""
    earlier = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
    return {
        "reflection": ReflectionFactory(patient=chef, date=date(2026, 11, 24), now=earlier),
        "private": ReflectionFactory(patient=chef, date=date(2026, 11, 23), shared=False, now=earlier),
        "pride": PrideEntryFactory(patient=chef, week="2026-W47", now=earlier),
        # An experiment's day is the day it was written.
        "experiment": ExperimentFactory(patient=chef, now=datetime(2026, 11, 22, 9, 0, tzinfo=UTC)),
    }


def logged_entries(as_chef):
    (row,) = get(as_chef, ACCESS_LOG).json()["results"]
    return row["entries"]


def test_a_read_of_shared_entries_names_each_entry_it_showed_and_no_other(as_therapist, as_chef, chef, link, written):
    assert get(as_therapist, f"/api/v1/patients/{chef.id}/entries/", page_size=2).status_code == 200
    # The page held the two written last (created together: newest id first); the log names those two.
    shown = sorted(logged_entries(as_chef), key=lambda entry: entry["type"])
    page = get(as_therapist, f"/api/v1/patients/{chef.id}/entries/", page_size=2).json()["results"]
    assert sorted((entry["type"], entry["id"]) for entry in shown) == sorted((e["type"], e["id"]) for e in page)
    assert len(shown) == 2


def test_each_entry_is_named_by_its_type_id_and_day_or_week_never_its_words(as_therapist, as_chef, chef, link, written):
    assert get(as_therapist, f"/api/v1/patients/{chef.id}/entries/").status_code == 200
    shown = logged_entries(as_chef)
    assert sorted(shown, key=lambda entry: entry["type"]) == [
        {"type": "experiment", "id": str(written["experiment"].id), "date": "2026-11-22"},
        {"type": "pride_entry", "id": str(written["pride"].id), "week": "2026-W47"},
        {"type": "reflection", "id": str(written["reflection"].id), "date": "2026-11-24"},
    ]  # the private reflection is not among them: the therapist never saw it


def test_the_log_still_names_an_entry_after_the_patient_deletes_it(as_therapist, as_chef, chef, link, written):
    assert get(as_therapist, f"/api/v1/patients/{chef.id}/entries/", type="reflection").status_code == 200
    journal_services.record_delete(record=written["reflection"], now=NOW)
    deleted = {"type": "reflection", "id": str(written["reflection"].id), "date": "2026-11-24"}
    assert logged_entries(as_chef) == [deleted]


def test_a_read_while_the_link_shares_nothing_names_no_entry(as_therapist, as_chef, chef, link, written):
    link.share_entries = False
    link.save()
    assert get(as_therapist, f"/api/v1/patients/{chef.id}/entries/").status_code == 200
    assert get(as_therapist, f"/api/v1/patients/{chef.id}/brief/", since="2026-11-16").status_code == 200
    assert [row["entries"] for row in get(as_chef, ACCESS_LOG).json()["results"]] == [[], []]


def test_a_brief_names_each_entry_it_quotes_and_not_the_private_ones_it_only_counts(
    as_therapist, as_chef, chef, link, written
):
    ExperimentFactory(patient=chef, shared=False, now=NOW)  # counted, not quoted
    assert get(as_therapist, f"/api/v1/patients/{chef.id}/brief/", since="2026-11-16").status_code == 200
    assert sorted(logged_entries(as_chef), key=lambda entry: entry["type"]) == [
        {"type": "experiment", "id": str(written["experiment"].id), "date": "2026-11-22"},
        {"type": "pride_entry", "id": str(written["pride"].id), "week": "2026-W47"},
        {"type": "reflection", "id": str(written["reflection"].id), "date": "2026-11-24"},
    ]


def test_a_read_that_fails_to_build_logs_nothing(as_therapist, chef, link):
    # A brief for a day still to come is refused after the link was found: no row.
    assert get(as_therapist, f"/api/v1/patients/{chef.id}/brief/", since="2027-01-01").status_code == 400
    assert not AccessLog.objects.exists()


def test_asking_for_a_patients_commitments_is_logged_even_when_they_have_none(as_therapist, as_chef, chef, link):
    response = get(as_therapist, "/api/v1/commitments/", patient=str(chef.id))
    assert (response.status_code, response.json()["results"]) == (200, [])
    assert [row["what"] for row in get(as_chef, ACCESS_LOG).json()["results"]] == ["commitments"]
