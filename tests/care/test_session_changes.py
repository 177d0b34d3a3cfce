"""A session after it is recorded: its day and notes changed, deleted (its drafts go, what was
confirmed stays), recorded twice by mistake (caught), or retried with an Idempotency-Key (once)."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest
import time_machine

from care.models import Session
from journal.models import Commitment
from tests.factories import CareLinkFactory
from tests.helpers import error_attrs, error_codes

SESSIONS = "/api/v1/sessions/"
T44 = Path(__file__).resolve().parents[2] / "seeds" / "transcripts" / "T44.txt"
NOW = "2026-11-25T18:00:00Z"

pytestmark = pytest.mark.django_db


def _at(call, *args, headers=None, **kwargs):
    with time_machine.travel(NOW, tick=False):
        return call(*args, format="json", headers=headers or {}, **kwargs)


def record(client, headers=None, **body):
    return _at(client.post, SESSIONS, body, headers=headers)


# --- the same transcript twice ----------------------------------------------------------------


def test_the_same_transcript_recorded_again_is_refused_naming_the_first_session(as_therapist, chef, link):
    first = record(as_therapist, patient=str(chef.id), held_on="2026-11-20", transcript=T44.read_text()).json()
    # The same words, with other line endings and trailing spaces: the same transcript.
    again_text = T44.read_text().replace("\n", "  \r\n")
    again = record(as_therapist, patient=str(chef.id), held_on="2026-11-24", transcript=again_text)
    assert again.status_code == 409
    [error] = again.json()["errors"]
    assert (error["code"], error["attr"]) == ("already_recorded", "transcript")
    assert "already recorded on Friday 20 November 2026" in error["detail"]
    assert again.json()["existing_id"] == first["id"]
    assert Session.objects.count() == 1
    assert Commitment.objects.filter(patient=chef).count() == 3


#: T44 with a last turn that has accents, for the editor that decomposes them.
T44_ACCENTED = T44.read_text() + "Patient: Gracias, hasta el jueves en el café.\n"


@pytest.mark.parametrize(
    "again_text",
    [
        pytest.param("\ufeff" + T44_ACCENTED.replace("\n", "\r\n"), id="BOM and CRLF, as Windows saves it"),
        pytest.param(T44_ACCENTED.replace("\n", "\r"), id="old Mac line endings"),
        pytest.param("\n\n" + T44_ACCENTED.replace("\n", "\n    "), id="blank lines first, every line indented"),
        pytest.param(T44_ACCENTED.replace(": ", ":\t").replace(" ", "  "), id="tabs and double spaces between words"),
        pytest.param(unicodedata.normalize("NFD", T44_ACCENTED), id="accents decomposed"),
    ],
)
def test_the_same_words_laid_out_otherwise_are_the_same_transcript(as_therapist, chef, link, again_text):
    first = record(as_therapist, patient=str(chef.id), held_on="2026-11-20", transcript=T44_ACCENTED)
    assert first.status_code == 201, first.json()
    again = record(as_therapist, patient=str(chef.id), held_on="2026-11-24", transcript=again_text)
    assert again.status_code == 409
    assert "already recorded on Friday 20 November 2026" in again.json()["errors"][0]["detail"]
    assert Session.objects.count() == 1


def test_the_same_transcript_for_another_patient_is_not_a_repeat(as_therapist, chef, link, therapist, other_patient):
    CareLinkFactory(therapist=therapist, patient=other_patient)
    assert record(as_therapist, patient=str(chef.id), transcript=T44.read_text()).status_code == 201
    assert record(as_therapist, patient=str(other_patient.id), transcript=T44.read_text()).status_code == 201


def test_a_deleted_session_may_be_recorded_again(as_therapist, chef, link):
    first = record(as_therapist, patient=str(chef.id), transcript=T44.read_text()).json()
    assert _at(as_therapist.delete, f"{SESSIONS}{first['id']}/").status_code == 204
    assert record(as_therapist, patient=str(chef.id), transcript=T44.read_text()).status_code == 201


# --- Idempotency-Key ----------------------------------------------------------------------------


def test_a_retried_request_with_its_key_records_once_and_answers_the_same_session(as_therapist, chef, link):
    key = {"Idempotency-Key": "5f1c9d0e-retry-1"}
    body = {"patient": str(chef.id), "held_on": "2026-11-20", "transcript": T44.read_text()}
    first = record(as_therapist, headers=key, **body)
    retry = record(as_therapist, headers=key, **body)
    assert (first.status_code, retry.status_code) == (201, 201)
    assert retry["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first
    assert retry.json()["id"] == first.json()["id"]
    assert [d["id"] for d in retry.json()["draft_commitments"]] == [d["id"] for d in first.json()["draft_commitments"]]
    assert Session.objects.count() == 1
    assert Commitment.objects.filter(patient=chef).count() == 3


def test_a_key_reused_for_another_request_is_refused_and_records_nothing(as_therapist, chef, link):
    key = {"Idempotency-Key": "one-key"}
    assert record(as_therapist, headers=key, patient=str(chef.id), notes="first").status_code == 201
    other = record(as_therapist, headers=key, patient=str(chef.id), notes="second")
    assert other.status_code == 409
    assert [error["code"] for error in other.json()["errors"]] == ["idempotency_key_reused"]
    assert Session.objects.count() == 1


def test_keys_are_each_therapists_own(as_therapist, as_stranger, chef, link, stranger_therapist, other_patient):
    CareLinkFactory(therapist=stranger_therapist, patient=other_patient)
    key = {"Idempotency-Key": "shared-by-chance"}
    assert record(as_therapist, headers=key, patient=str(chef.id)).status_code == 201
    theirs = record(as_stranger, headers=key, patient=str(other_patient.id))
    assert theirs.status_code == 201
    assert "Idempotent-Replayed" not in theirs
    assert Session.objects.count() == 2


@pytest.mark.parametrize("key", ["", "a b", "é", "x" * 256])
def test_a_malformed_key_is_refused(as_therapist, chef, link, key):
    response = record(as_therapist, headers={"Idempotency-Key": key}, patient=str(chef.id))
    assert response.status_code == 400
    assert error_attrs(response) == ["Idempotency-Key"]
    assert not Session.objects.exists()


# --- changing a session -------------------------------------------------------------------------


def test_a_sessions_day_and_notes_change_and_its_drafts_stay(as_therapist, chef, link):
    body = record(as_therapist, patient=str(chef.id), held_on="2026-11-20", transcript=T44.read_text()).json()
    changed = _at(as_therapist.patch, f"{SESSIONS}{body['id']}/", {"held_on": "2026-11-19", "notes": "Calmer."})
    assert changed.status_code == 200, changed.json()
    assert (changed.json()["held_on"], changed.json()["notes"]) == ("2026-11-19", "Calmer.")
    assert len(changed.json()["draft_commitments"]) == 3
    assert changed.json()["turns"] == body["turns"]


def test_a_session_cannot_move_to_a_day_that_has_not_come(as_therapist, chef, link):
    body = record(as_therapist, patient=str(chef.id), held_on="2026-11-20").json()
    refused = _at(as_therapist.patch, f"{SESSIONS}{body['id']}/", {"held_on": "2026-12-01"})
    assert refused.status_code == 400
    assert error_codes(refused) == ["future_date"]
    assert Session.objects.get().held_on.isoformat() == "2026-11-20"


def test_deleting_a_session_takes_its_drafts_and_leaves_what_was_confirmed(as_therapist, chef, link):
    body = record(as_therapist, patient=str(chef.id), transcript=T44.read_text()).json()
    confirmed = body["draft_commitments"][0]
    assert _at(as_therapist.post, f"/api/v1/commitments/{confirmed['id']}/confirm/").status_code == 200
    assert _at(as_therapist.delete, f"{SESSIONS}{body['id']}/").status_code == 204
    assert not Session.objects.exists()
    living = Commitment.objects.filter(patient=chef, deleted_at__isnull=True)
    assert [(c.id.hex, c.status) for c in living] == [(confirmed["id"].replace("-", ""), "active")]
    assert living.get().evidence  # the quoted turns stay with it


@pytest.mark.parametrize("method", ["get", "patch", "delete"])
def test_another_therapists_session_is_not_found_and_unchanged(as_therapist, as_stranger, chef, link, method):
    body = record(as_therapist, patient=str(chef.id), held_on="2026-11-20", notes="mine").json()
    response = _at(getattr(as_stranger, method), f"{SESSIONS}{body['id']}/", {"notes": "theirs"})
    assert response.status_code == 404
    session = Session.objects.get()
    assert session.notes == "mine"


@pytest.mark.parametrize("method", ["patch", "delete"])
def test_a_session_with_a_patient_no_longer_linked_is_not_found(as_therapist, chef, link, method):
    body = record(as_therapist, patient=str(chef.id), notes="kept").json()
    link.status, link.ended_at = "ended", link.created_at
    link.save()
    assert _at(getattr(as_therapist, method), f"{SESSIONS}{body['id']}/", {"notes": "x"}).status_code == 404
    assert Session.objects.get().notes == "kept"


def test_a_patient_cannot_change_or_delete_a_session(as_therapist, as_chef, chef, link):
    body = record(as_therapist, patient=str(chef.id), notes="kept").json()
    assert _at(as_chef.patch, f"{SESSIONS}{body['id']}/", {"notes": "x"}).status_code == 403
    assert _at(as_chef.delete, f"{SESSIONS}{body['id']}/").status_code == 403
    assert Session.objects.get().notes == "kept"


@pytest.mark.parametrize(
    ("roles", "code"),
    [
        ({"Dr. Lee": "therapist", "Jordan": "therapist"}, "invalid_roles"),
        ({"Dr. Lee": "patient", "Jordan": "patient"}, "invalid_roles"),
        ({"Dr. Lee": "therapist", "Robin": "patient"}, "unknown_speaker"),
    ],
)
def test_roles_that_cannot_be_are_refused_on_speaker_roles_and_nothing_is_recorded(
    as_therapist, chef, link, roles, code
):
    vtt = (Path(__file__).parent / "drafts" / "02_engineering_student_tutorials.vtt").read_text()
    response = record(as_therapist, patient=str(chef.id), transcript=vtt, speaker_roles=roles)
    assert response.status_code == 400
    assert (error_codes(response), error_attrs(response)) == ([code], ["speaker_roles"])
    assert not Session.objects.exists()
    assert not Commitment.objects.exists()
