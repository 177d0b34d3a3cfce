"""Every therapist read of a patient's data is in that patient's access log, and only theirs."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine

from accounts import services as account_services
from care.models import AccessLog
from tests.factories import CareLinkFactory, CommitmentFactory, PatientFactory

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
def test_each_read_writes_one_row_the_patient_sees(as_therapist, as_chef, chef, therapist, link, path, what):
    CommitmentFactory(patient=chef, now=NOW)  # so the unfiltered commitment list reads the chef's
    assert get(as_therapist, f"/api/v1/{path.format(id=chef.id)}").status_code == 200
    rows = get(as_chef, ACCESS_LOG).json()["results"]
    assert rows == [
        {
            "id": rows[0]["id"],
            "therapist": {"id": str(therapist.id), "display_name": "Dr. Maya Okafor"},
            "what": what,
            "at": "2026-11-25T18:00:00Z",
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
