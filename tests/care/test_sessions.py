"""Recording a session: the transcript drafts commitments; bad input writes nothing."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
import time_machine
from django.core.management import CommandError, call_command

from care.models import TRANSCRIPT_MAX_LENGTH, AccessLog, Session
from journal.models import Commitment
from tests.factories import CareLinkFactory
from tests.helpers import error_attrs, error_codes

SESSIONS = "/api/v1/sessions/"
T44 = Path(__file__).resolve().parents[2] / "seeds" / "transcripts" / "T44.txt"
NOW = "2026-11-25T18:00:00Z"

pytestmark = pytest.mark.django_db


def record(client, **body):
    with time_machine.travel(NOW, tick=False):
        return client.post(SESSIONS, body, format="json")


def test_t44_becomes_a_session_with_the_three_practices_drafted(as_therapist, chef, link):
    response = record(as_therapist, patient=str(chef.id), held_on="2026-11-20", transcript=T44.read_text())
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["patient"] == str(chef.id)
    assert body["held_on"] == "2026-11-20"
    assert body["title"] == "Transcript T44"
    assert body["turns"] == 39  # 40 speaker lines, the last a placeholder
    assert [(w["line"], w["code"]) for w in body["warnings"]] == [(81, "placeholder")]
    drafts = {(d["kind"], d["cadence"], d["target_count"], d["status"]) for d in body["draft_commitments"]}
    assert drafts == {
        ("experiment", "once", 1, "proposed"),
        ("reflection_daily", "daily", 1, "proposed"),
        ("pride_weekly", "weekly", 3, "proposed"),
    }
    for draft in body["draft_commitments"]:
        assert draft["session"] == body["id"]
        assert draft["patient"] == str(chef.id)
        assert draft["evidence"].startswith("Therapist (line ")
        assert "\nPatient (line " in draft["evidence"]
    reflection = next(d for d in body["draft_commitments"] if d["kind"] == "reflection_daily")
    assert "You're doing your best, and that's enough" in reflection["evidence"]
    assert "I can try." in reflection["evidence"]


def test_a_draft_is_confirmed_by_the_therapist_and_starts_its_reminder(as_therapist, chef, link):
    body = record(as_therapist, patient=str(chef.id), transcript=T44.read_text()).json()
    pride = next(d for d in body["draft_commitments"] if d["kind"] == "pride_weekly")
    with time_machine.travel(NOW, tick=False):
        confirmed = as_therapist.post(f"/api/v1/commitments/{pride['id']}/confirm/")
    assert confirmed.status_code == 200
    assert confirmed.json()["status"] == "active"
    from reminders.models import Reminder

    assert Reminder.objects.filter(commitment_id=pride["id"], enabled=True).count() == 1


def test_a_sessions_drafts_keep_the_sessions_order_when_one_is_confirmed(as_therapist, chef, link):
    body = record(as_therapist, patient=str(chef.id), transcript=T44.read_text()).json()
    in_order = ["experiment", "reflection_daily", "pride_weekly"]
    assert [d["kind"] for d in body["draft_commitments"]] == in_order
    first = body["draft_commitments"][0]
    with time_machine.travel(NOW, tick=False):
        assert as_therapist.post(f"/api/v1/commitments/{first['id']}/confirm/").status_code == 200
        again = as_therapist.get(f"{SESSIONS}{body['id']}/").json()
    # The confirm gave the experiment a later seq; the session still lists it first.
    assert [(d["kind"], d["status"]) for d in again["draft_commitments"]] == [
        ("experiment", "active"),
        ("reflection_daily", "proposed"),
        ("pride_weekly", "proposed"),
    ]


def test_a_session_without_a_transcript_drafts_nothing(as_therapist, chef, link):
    response = record(as_therapist, patient=str(chef.id), notes="Talked about the kitchen.")
    assert response.status_code == 201
    body = response.json()
    assert (body["turns"], body["draft_commitments"], body["warnings"], body["notes"]) == (
        0,
        [],
        [],
        "Talked about the kitchen.",
    )
    assert body["held_on"] == "2026-11-25"  # today, in the therapist's zone (Chicago)


@pytest.mark.parametrize(
    ("transcript", "code"),
    [
        ("", "no_turns"),
        ("   \n\n  ", "no_turns"),
        ("# Only a title\n", "no_turns"),
        ("Therapist: [Answer not properly formatted or missing]\nPatient: []\n", "no_turns"),
        ("\x89PNG\r\n\x1a\n\x01\x02\x03\rIHDR", "not_text"),  # NUL itself: the JSON parser's 400
        ("Therapist: hello\x07\x08 there\nPatient: yes", "not_text"),
    ],
)
def test_a_transcript_that_cannot_be_read_is_a_400_and_nothing_is_written(as_therapist, chef, link, transcript, code):
    response = record(as_therapist, patient=str(chef.id), transcript=transcript)
    assert response.status_code == 400, response.json()
    assert error_codes(response) == [code]
    assert error_attrs(response) == ["transcript"]
    assert not Session.objects.exists()
    assert not Commitment.objects.exists()


def test_a_session_on_a_day_that_has_not_come_is_refused(as_therapist, chef, link):
    response = record(as_therapist, patient=str(chef.id), held_on="2026-11-27", transcript=T44.read_text())
    assert response.status_code == 400
    assert error_codes(response) == ["future_date"]
    assert not Session.objects.exists()
    assert not Commitment.objects.exists()


def test_a_session_with_a_patient_not_linked_is_a_404(as_stranger, as_therapist, chef, link):
    assert record(as_stranger, patient=str(chef.id), transcript=T44.read_text()).status_code == 404
    link.status, link.ended_at = "ended", link.created_at
    link.save()
    assert record(as_therapist, patient=str(chef.id), transcript=T44.read_text()).status_code == 404
    assert not Session.objects.exists()
    assert not Commitment.objects.exists()


def test_patients_do_not_record_or_list_sessions(as_chef, chef):
    assert record(as_chef, patient=str(chef.id), notes="x").status_code == 403
    assert as_chef.get(SESSIONS, {"patient": str(chef.id)}).status_code == 403


def test_the_list_names_one_patient_and_shows_their_sessions_newest_first(as_therapist, therapist, chef, link):
    record(as_therapist, patient=str(chef.id), held_on="2026-11-06", notes="first")
    record(as_therapist, patient=str(chef.id), held_on="2026-11-20", transcript=T44.read_text())
    other = CareLinkFactory(therapist=therapist).patient
    record(as_therapist, patient=str(other.id), notes="someone else")
    assert error_codes(as_therapist.get(SESSIONS)) == ["required"]
    listed = as_therapist.get(SESSIONS, {"patient": str(chef.id)})
    assert listed.status_code == 200
    results = listed.json()["results"]
    assert [(s["held_on"], len(s["draft_commitments"])) for s in results] == [("2026-11-20", 3), ("2026-11-06", 0)]
    # In the order the session agreed them, though all were drafted at the same instant.
    assert [d["kind"] for d in results[0]["draft_commitments"]] == ["experiment", "reflection_daily", "pride_weekly"]
    one = as_therapist.get(f"{SESSIONS}{results[0]['id']}/")
    assert one.status_code == 200
    assert one.json() == results[0]
    # Two reads of the sessions, each counted (a day's reads of a kind are one row with a count).
    assert sum(AccessLog.objects.filter(patient=chef, what="sessions").values_list("count", flat=True)) == 2


def test_another_therapists_session_is_a_404_and_so_is_one_after_the_link_ended(
    as_therapist, as_stranger, stranger_therapist, chef, link
):
    session_id = record(as_therapist, patient=str(chef.id), notes="x").json()["id"]
    CareLinkFactory(therapist=stranger_therapist, patient=chef)  # linked too, but not their session
    assert as_stranger.get(f"{SESSIONS}{session_id}/").status_code == 404
    listed = as_stranger.get(SESSIONS, {"patient": str(chef.id)})
    assert (listed.status_code, listed.json()["results"]) == (200, [])  # the patient's, not theirs
    link.status, link.ended_at = "ended", link.created_at
    link.save()
    assert as_therapist.get(f"{SESSIONS}{session_id}/").status_code == 404
    assert as_therapist.get(SESSIONS, {"patient": str(chef.id)}).status_code == 404


def test_import_transcript_records_the_same_session_from_a_file(therapist, chef, link):
    out, err = StringIO(), StringIO()
    with time_machine.travel(NOW, tick=False):
        call_command(
            "import_transcript",
            str(T44),
            "--held-on=2026-11-20",
            therapist=therapist.email,
            patient=chef.email.upper(),
            stdout=out,
            stderr=err,
        )
    session = Session.objects.get()
    assert (session.held_on.isoformat(), session.turns, session.title) == ("2026-11-20", 39, "Transcript T44")
    drafts = Commitment.objects.filter(session_id=session.id, status="proposed")
    assert sorted(drafts.values_list("kind", flat=True)) == ["experiment", "pride_weekly", "reflection_daily"]
    assert out.getvalue().count("drafted:") == 3
    assert "line 81" in err.getvalue().lower()


def test_import_transcript_refuses_a_binary_file_and_writes_nothing(tmp_path, therapist, chef, link):
    binary = tmp_path / "photo.png"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe")
    with pytest.raises(CommandError, match="not_text"):
        call_command("import_transcript", str(binary), therapist=therapist.email, patient=chef.email)
    with pytest.raises(CommandError, match="No patient"):
        call_command("import_transcript", str(T44), therapist=therapist.email, patient="nobody@example.test")
    assert not Session.objects.exists()
    assert not Commitment.objects.exists()


def test_a_transcript_is_stored_as_read_whether_pasted_or_imported_from_a_file(
    tmp_path, as_therapist, therapist, chef, link
):
    # One reading for every way in (care.transcripts.transcript_text): a leading BOM is no
    # part of what was said, in a file's bytes or in text a client read without stripping it.
    said = T44.read_text()
    pasted = record(as_therapist, patient=str(chef.id), transcript="\ufeff" + said)
    assert pasted.status_code == 201, pasted.json()
    path = tmp_path / "t44.txt"
    pasted_session = Session.objects.get()
    assert pasted_session.transcript == said
    pasted_session.delete()  # the same transcript again for the patient would be refused as a repeat
    path.write_bytes(b"\xef\xbb\xbf" + said.encode())
    with time_machine.travel(NOW, tick=False):
        call_command("import_transcript", str(path), therapist=therapist.email, patient=chef.email, stdout=StringIO())
    assert [session.transcript for session in Session.objects.all()] == [said]


def test_import_transcript_holds_a_file_to_the_apis_limit_and_writes_nothing(
    tmp_path, as_therapist, therapist, chef, link
):
    long = "Therapist: " + "a" * TRANSCRIPT_MAX_LENGTH + "\nPatient: I can try."
    assert record(as_therapist, patient=str(chef.id), transcript=long).status_code == 400
    path = tmp_path / "long.txt"
    path.write_text(long, encoding="utf-8")
    with pytest.raises(CommandError, match=f"at most {TRANSCRIPT_MAX_LENGTH:,} characters.*max_length"):
        call_command("import_transcript", str(path), therapist=therapist.email, patient=chef.email)
    assert not Session.objects.exists()
    assert not Commitment.objects.exists()


AGREED = "Therapist: Would you be willing to write down three things you're proud of each week?\nPatient: I can try.\n"


def test_a_practice_agreed_again_is_one_draft_and_a_warning(as_therapist, chef, link):
    recap = "Therapist: So, to sum up: would you be willing to write down three things you're proud of each week?\n"
    body = record(as_therapist, patient=str(chef.id), transcript=AGREED + recap + "Patient: Yes, I will.\n").json()
    assert [(d["kind"], d["evidence"].splitlines()[0][:20]) for d in body["draft_commitments"]] == [
        ("pride_weekly", "Therapist (line 1): ")
    ]
    assert [(w["line"], w["code"]) for w in body["warnings"]] == [(3, "repeated_practice")]


def test_a_transcript_pasted_over_and_over_drafts_twenty_at_most(as_therapist, chef, link):
    instruments = ["piano", "violin", "cello", "guitar", "flute", "drums", "harp", "banjo", "ukulele", "trumpet",
                   "clarinet", "oboe", "bassoon", "tuba", "saxophone", "mandolin", "accordion", "harmonica", "viola",
                   "trombone", "recorder", "bagpipes"]  # fmt: skip
    proposals = [f"practise the {instrument} each day" for instrument in instruments]  # 22 distinct practices
    once = "".join(f"Therapist: Would you be willing to {p}?\nPatient: I can try.\n" for p in proposals)
    body = record(as_therapist, patient=str(chef.id), transcript=once * 5).json()
    assert len(body["draft_commitments"]) == 20
    assert Commitment.objects.filter(status="proposed").count() == 20
    codes = [w["code"] for w in body["warnings"]]
    assert codes.count("too_many_drafts") == 2 * 5  # the 21st and 22nd, each time they come
    assert codes.count("repeated_practice") == 4 * 20  # the twenty drafted, four times again


def test_two_different_experiments_agreed_are_two_drafts(as_therapist, chef, link):
    transcript = (
        "Therapist: Could you try a new recipe this weekend?\nPatient: I can try.\n"
        "Therapist: And could you try something new at work, like leaving on time once?\nPatient: Okay, I will.\n"
    )
    body = record(as_therapist, patient=str(chef.id), transcript=transcript).json()
    assert [d["kind"] for d in body["draft_commitments"]] == ["experiment", "experiment"]
    assert len({d["title"] for d in body["draft_commitments"]}) == 2
    assert body["warnings"] == []


@pytest.mark.timeout(60)  # a guard against work that grows with the square of a turn, not a speed goal
def test_a_wall_of_text_is_read_in_one_pass(as_therapist, chef, link):
    sentence = "Would you be willing to " + "stop telling yourself " * 85 + "? "
    turn = "Therapist: " + sentence + "\nPatient: " + "yes, I will, " * 10 + "\n"
    response = record(as_therapist, patient=str(chef.id), transcript=(turn * 200)[:199_000])
    assert response.status_code == 201
    assert response.json()["draft_commitments"] == []


def test_a_draft_of_a_practice_the_patient_already_keeps_is_found(as_therapist, chef, link):
    from care.selectors import practices_in_place

    first = record(as_therapist, patient=str(chef.id), transcript=T44.read_text()).json()
    with time_machine.travel(NOW, tick=False):
        for draft in first["draft_commitments"]:
            assert as_therapist.post(f"/api/v1/commitments/{draft['id']}/confirm/").status_code == 200
    recipe = next(d["id"] for d in first["draft_commitments"] if d["kind"] == "experiment")
    Commitment.objects.filter(id=recipe).update(status=Commitment.Status.DONE)  # tried: no longer kept
    # Agreed afresh at a later session (the very same transcript would be refused as a repeat).
    later = T44.read_text() + "\nTherapist: Same time next week?\nPatient: Yes.\n"
    again = record(as_therapist, patient=str(chef.id), transcript=later).json()
    drafts = list(Commitment.objects.filter(session_id=again["id"]))
    found = practices_in_place(patient_id=chef.id, drafts=drafts)
    kinds = {draft.kind: str(found[draft.id].id) for draft in drafts if draft.id in found}
    kept = {d["kind"]: d["id"] for d in first["draft_commitments"] if d["kind"] != "experiment"}
    assert kinds == kept
    # Edited into something new, a draft is no longer the same practice.
    pride = next(d for d in drafts if d.kind == "pride_weekly")
    pride.title = "Two things I'm proud of, each week"
    assert pride.id not in practices_in_place(patient_id=chef.id, drafts=drafts)
