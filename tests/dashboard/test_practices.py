"""The therapist's own hand on the dashboard: a practice added (quoting the session), changed,
paused, resumed, ended; a session's day and notes changed, the session deleted; a transcript that
names people asks who is who; the same transcript twice is caught. And who can do none of it."""

from __future__ import annotations

import html
from datetime import date, time
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from care.models import AccessLog, Session
from journal.models import Commitment
from reminders.models import Reminder
from tests.dashboard.conftest import NOW, get, signed_in, text
from tests.factories import PASSWORD, CommitmentFactory

T44 = Path(settings.BASE_DIR) / "seeds" / "transcripts" / "T44.txt"
NAMED_VTT = """WEBVTT

1
00:00:01.000 --> 00:00:04.000
<v Dr. Amara Lee>How did the week go with the study group?

2
00:00:04.500 --> 00:00:09.000
<v Jordan Reyes>I went, but I didn't say a word. I never do.

3
00:00:09.500 --> 00:00:15.000
<v Dr. Amara Lee>Would you be willing to ask one question at Thursday's study group?

4
00:00:15.500 --> 00:00:18.000
<v Jordan Reyes>Okay. Yes, I can do that.
"""

pytestmark = pytest.mark.django_db


def post(client: Client, path: str, data: dict | None = None, **extra):
    with time_machine.travel(NOW, tick=False):
        return client.post(path, data or {}, **extra)


@pytest.fixture
def stranger(stranger_therapist) -> Client:
    with time_machine.travel(NOW, tick=False):
        return signed_in(stranger_therapist.email, PASSWORD)


def practice_data(**changes) -> dict:
    return {
        "kind": "custom",
        "title": "Walk round the block after the shift",
        "details": "",
        "cadence": "weekly",
        "target_count": "2",
        "weekdays": ["2", "5"],
        "remind_at": "18:30",
        "planned_for": "",
        **changes,
    }


# --- adding a practice by hand ------------------------------------------------------------------


def test_a_practice_added_by_hand_is_active_with_its_reminder_on_its_days(maya, chef, link):
    page = get(maya, f"/app/patients/{chef.id}/")
    assert f'href="/app/patients/{chef.id}/practices/new/"' in page.content.decode()
    response = post(maya, f"/app/patients/{chef.id}/practices/new/", practice_data())
    assert response.status_code == 302, text(response)
    practice = Commitment.objects.get(patient=chef)
    assert (practice.kind, practice.status, practice.weekdays, practice.remind_at) == (
        "custom",
        "active",
        [2, 5],
        time(18, 30),
    )
    assert practice.created_by_id != chef.id
    reminder = Reminder.objects.get(commitment=practice)
    assert (reminder.kind, reminder.weekdays, f"{reminder.local_time:%H:%M}", reminder.enabled) == (
        "custom",
        [2, 5],
        "18:30",
        True,
    )
    after = text(get(maya, response["Location"]))
    assert "Added “Walk round the block after the shift”" in after
    assert "on Tue and Fri · reminder at 18:30" in after


def test_a_practice_added_by_hand_may_quote_the_sessions_lines(maya, chef, link):
    post(maya, f"/app/patients/{chef.id}/sessions/new/", {"held_on": "2026-11-20", "transcript": T44.read_text()})
    session = Session.objects.get()
    form = get(maya, f"/app/patients/{chef.id}/practices/new/?session={session.id}")
    assert f'<option value="{session.id}" selected>' in form.content.decode()
    data = practice_data(kind="experiment", cadence="once", weekdays=[], remind_at="", planned_for="2026-11-26")
    data |= {"session": str(session.id), "first_line": "9", "last_line": "10"}
    assert post(maya, f"/app/patients/{chef.id}/practices/new/", data).status_code == 302
    practice = Commitment.objects.get(patient=chef, status="active")
    lines = T44.read_text().splitlines()
    assert lines[9].strip() == ""  # a blank line in the range quotes nothing
    said = lines[8].removeprefix("Therapist: ")
    assert practice.evidence == f"Therapist (line 9): {said}"
    assert practice.session_id == session.id
    assert practice.planned_for == date(2026, 11, 26)


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"title": ""}, "This field is required."),
        ({"kind": "hobby"}, "Select a valid choice."),
        ({"weekdays": ["8"]}, "Select a valid choice."),
        ({"remind_at": "7:30"}, "A time as HH:MM, 24-hour."),
        ({"remind_at": "25:00"}, "A time as HH:MM, 24-hour."),
        ({"planned_for": "2026-11-30"}, "Only an experiment has a planned day."),
        ({"kind": "experiment", "cadence": "once"}, "Something done once has no days of the week"),
        ({"title": "A NUL \x00"}, "Null characters are not allowed."),
        ({"session": "not-a-session"}, "Select a valid choice."),
        ({"first_line": "3"}, "Which session the lines are from."),
    ],
)
def test_a_practice_that_makes_no_sense_is_refused_beside_its_field_and_nothing_is_made(
    maya, chef, link, changes, problem
):
    response = post(maya, f"/app/patients/{chef.id}/practices/new/", practice_data(**changes))
    assert response.status_code == 400
    assert problem in html.unescape(response.content.decode())
    assert not Commitment.objects.exists()


def test_lines_outside_the_transcript_are_refused(maya, chef, link):
    post(maya, f"/app/patients/{chef.id}/sessions/new/", {"held_on": "2026-11-20", "transcript": T44.read_text()})
    session = Session.objects.get()
    data = practice_data() | {"session": str(session.id), "first_line": "500"}
    response = post(maya, f"/app/patients/{chef.id}/practices/new/", data)
    assert response.status_code == 400
    assert "The transcript has lines 1 to" in text(response)
    assert not Commitment.objects.filter(status="active").exists()


# --- changing, pausing, resuming, ending ---------------------------------------------------------


@pytest.fixture
def walk(maya, chef, link) -> Commitment:
    assert post(maya, f"/app/patients/{chef.id}/practices/new/", practice_data()).status_code == 302
    return Commitment.objects.get(patient=chef)


def test_changing_a_practices_days_and_time_moves_its_reminder(maya, chef, walk):
    url = f"/app/patients/{chef.id}/practices/{walk.id}/"
    form = html.unescape(get(maya, url).content.decode())
    assert 'value="18:30"' in form
    assert 'value="Walk round the block after the shift"' in form
    response = post(maya, url, practice_data(weekdays=["6"], remind_at="09:15"))
    assert response.status_code == 302
    reminder = Reminder.objects.get(commitment=walk)
    assert (reminder.weekdays, f"{reminder.local_time:%H:%M}") == ([6], "09:15")
    assert AccessLog.objects.filter(patient=chef, what="commitments").exists()


def test_pause_then_resume_brings_back_the_reminder_and_end_stops_it(maya, chef, walk):
    url = f"/app/patients/{chef.id}/practices/{walk.id}/status/"
    assert post(maya, url, {"action": "pause"}).status_code == 302
    assert not Reminder.objects.get(commitment=walk).enabled
    page = text(get(maya, f"/app/patients/{chef.id}/"))
    assert "Paused “Walk round the block after the shift”" in page
    assert "Resume “Walk round the block after the shift”" in page
    post(maya, url, {"action": "resume"})
    assert Reminder.objects.get(commitment=walk).enabled
    post(maya, url, {"action": "end"})
    walk.refresh_from_db()
    assert walk.status == "done"
    assert not Reminder.objects.get(commitment=walk).enabled
    assert "Change “Walk round the block" not in text(get(maya, f"/app/patients/{chef.id}/"))


def test_an_unknown_button_changes_nothing(maya, chef, walk):
    response = post(maya, f"/app/patients/{chef.id}/practices/{walk.id}/status/", {"action": "delete"})
    assert response.status_code == 302
    walk.refresh_from_db()
    assert walk.status == "active"


def test_a_practice_the_patient_set_for_themself_is_not_the_therapists_to_change(maya, chef, link):
    own = CommitmentFactory(patient=chef, kind="reflection_daily", title="My own evening minute", now=NOW)
    page = text(get(maya, f"/app/patients/{chef.id}/"))
    assert "My own evening minute" in page
    assert "Pause “My own evening minute”" not in page
    response = post(maya, f"/app/patients/{chef.id}/practices/{own.id}/status/", {"action": "pause"})
    assert response.status_code == 302
    own.refresh_from_db()
    assert own.status == "active"
    edit = post(
        maya, f"/app/patients/{chef.id}/practices/{own.id}/", practice_data(kind="reflection_daily", cadence="daily")
    )
    assert edit.status_code == 400
    own.refresh_from_db()
    assert own.title == "My own evening minute"


@pytest.mark.parametrize("suffix", ["", "status/"])
def test_another_therapist_reaches_no_practice(stranger, chef, walk, suffix):
    url = f"/app/patients/{chef.id}/practices/{walk.id}/{suffix}"
    assert post(stranger, url, {"action": "end", **practice_data(title="Theirs")}).status_code == 404
    assert get(stranger, f"/app/patients/{chef.id}/practices/new/").status_code == 404
    walk.refresh_from_db()
    assert (walk.status, walk.title) == ("active", "Walk round the block after the shift")


# --- a session changed or deleted ---------------------------------------------------------------------


def test_a_sessions_day_and_notes_change_from_its_page(maya, chef, link):
    post(maya, f"/app/patients/{chef.id}/sessions/new/", {"held_on": "2026-11-20", "transcript": T44.read_text()})
    session = Session.objects.get()
    response = post(maya, f"/app/sessions/{session.id}/edit/", {"held_on": "2026-11-19", "notes": "Moved."})
    assert response.status_code == 302
    session.refresh_from_db()
    assert (session.held_on, session.notes) == (date(2026, 11, 19), "Moved.")
    refused = post(maya, f"/app/sessions/{session.id}/edit/", {"held_on": "2027-01-01", "notes": ""})
    assert refused.status_code == 400
    assert "That day has not come yet." in text(refused)


def test_deleting_a_session_says_what_goes_and_what_stays_then_does_it(maya, chef, link):
    post(maya, f"/app/patients/{chef.id}/sessions/new/", {"held_on": "2026-11-20", "transcript": T44.read_text()})
    session = Session.objects.get()
    kept = Commitment.objects.get(session_id=session.id, kind="pride_weekly")
    post(maya, f"/app/sessions/{session.id}/drafts/{kept.id}/confirm/")
    confirm = text(get(maya, f"/app/sessions/{session.id}/delete/"))
    assert "Its 2 drafts still to confirm go" in confirm
    assert f"stays with Sam (chef): “{kept.title}”" in confirm
    assert post(maya, f"/app/sessions/{session.id}/delete/").status_code == 302
    assert not Session.objects.exists()
    living = Commitment.objects.filter(patient=chef, deleted_at__isnull=True)
    assert list(living.values_list("id", flat=True)) == [kept.id]


def test_another_therapist_cannot_change_or_delete_a_session(maya, stranger, chef, link):
    post(maya, f"/app/patients/{chef.id}/sessions/new/", {"held_on": "2026-11-20", "notes": "mine"})
    session = Session.objects.get()
    assert (
        post(stranger, f"/app/sessions/{session.id}/edit/", {"held_on": "2026-11-19", "notes": "x"}).status_code == 404
    )
    assert post(stranger, f"/app/sessions/{session.id}/delete/").status_code == 404
    assert Session.objects.get().notes == "mine"


# --- who is who, and the same transcript twice -------------------------------------------------------


def test_a_transcript_naming_people_asks_who_is_who_then_records_with_the_answer(maya, chef, link):
    upload = SimpleUploadedFile("session.vtt", NAMED_VTT.encode(), content_type="text/vtt")
    step = post(maya, f"/app/patients/{chef.id}/sessions/new/", {"held_on": "2026-11-24", "transcript_file": upload})
    assert step.status_code == 200
    page = html.unescape(step.content.decode())
    assert "Who is who?" in text(step)
    assert not Session.objects.exists()
    # The proposal: the one who proposes and asks is the therapist.
    assert 'name="speaker_0" value="therapist" required id="id_speaker_0_0" checked' in page
    assert 'name="speaker_1" value="patient" required id="id_speaker_1_1" checked' in page
    assert "Thursday's study group" in page  # the file's words moved into the paste box
    answer = {"held_on": "2026-11-24", "transcript": NAMED_VTT, "who_is_who": "1"}
    done = post(
        maya, f"/app/patients/{chef.id}/sessions/new/", answer | {"speaker_0": "therapist", "speaker_1": "patient"}
    )
    assert done.status_code == 302, text(done)
    session = Session.objects.get()
    assert session.turns == 4
    assert "Dr. Amara Lee" in session.speaker_roles


@pytest.mark.parametrize(
    ("roles", "problem"),
    [
        (("patient", "patient"), "Say which speaker is you, the therapist."),
        (("therapist", "therapist"), "Say which speaker is the patient."),
    ],
)
def test_who_is_who_needs_a_therapist_and_a_patient(maya, chef, link, roles, problem):
    answer = {"held_on": "2026-11-24", "transcript": NAMED_VTT, "who_is_who": "1"}
    answer |= {f"speaker_{index}": role for index, role in enumerate(roles)}
    response = post(maya, f"/app/patients/{chef.id}/sessions/new/", answer)
    assert response.status_code == 400
    assert problem in text(response)
    assert not Session.objects.exists()


def test_the_same_transcript_recorded_twice_is_caught_with_a_link_to_the_first(maya, chef, link):
    post(maya, f"/app/patients/{chef.id}/sessions/new/", {"held_on": "2026-11-20", "transcript": T44.read_text()})
    first = Session.objects.get()
    again = post(
        maya, f"/app/patients/{chef.id}/sessions/new/", {"held_on": "2026-11-24", "transcript": T44.read_text()}
    )
    assert again.status_code == 409
    assert "This transcript was already recorded on Friday 20 November 2026" in text(again)
    assert f'href="/app/sessions/{first.id}/"' in again.content.decode()
    assert Session.objects.count() == 1


def test_a_transcript_naming_people_uploaded_again_is_caught_before_asking_who_is_who(maya, chef, link):
    answer = {"held_on": "2026-11-20", "transcript": NAMED_VTT, "who_is_who": "1"}
    first = post(
        maya, f"/app/patients/{chef.id}/sessions/new/", answer | {"speaker_0": "therapist", "speaker_1": "patient"}
    )
    assert first.status_code == 302, text(first)
    # The same file again, as Windows saved it: with a BOM and CRLF line endings.
    upload = SimpleUploadedFile("session.vtt", ("\ufeff" + NAMED_VTT.replace("\n", "\r\n")).encode())
    again = post(maya, f"/app/patients/{chef.id}/sessions/new/", {"held_on": "2026-11-24", "transcript_file": upload})
    assert again.status_code == 409
    page = text(again)
    assert "This transcript was already recorded on Friday 20 November 2026" in page
    assert "Who is who?" not in page
    assert Session.objects.count() == 1


def test_quoting_the_lines_of_a_caption_file_quotes_what_was_said_not_the_file(maya, chef, link):
    """A WebVTT file's lines hold cue numbers, timings and voice tags around the words: the quote
    is the turns said on those lines, each with its speaker's side and its line, as a draft's."""
    from care.services import session_quote
    from core.exceptions import DomainError

    vtt = (Path(__file__).parents[1] / "care" / "drafts" / "02_engineering_student_tutorials.vtt").read_text()
    roles = {"who_is_who": "1", "speaker_0": "therapist", "speaker_1": "patient"}
    post(maya, f"/app/patients/{chef.id}/sessions/new/", {"held_on": "2026-09-08", "transcript": vtt, **roles})
    session = Session.objects.get(patient=chef)
    quote = session_quote(session, 96, 113)
    assert quote.splitlines() == [
        "Therapist (line 97): What would it be like to ask one question in the Thursday study group this week? "
        "Just one, and let the voice come along for the ride.",
        "Patient (line 105): The study group's less scary than the lecture. There's only six of us.",
        "Therapist (line 109): That's partly why I suggested it. One question, however clumsy it comes out.",
        "Patient (line 113): Yeah. Okay. Thursday, one question. I'll do it.",
    ]
    for machinery in ("-->", "<v", "00:0"):
        assert machinery not in quote
    with pytest.raises(DomainError) as nobody:
        session_quote(session, 1, 2)  # the WEBVTT header and a blank line
    assert nobody.value.code == "invalid_lines"
