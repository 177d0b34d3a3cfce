"""Recording a session from the dashboard and reviewing what its transcript drafted: what a
therapist sees, what the patient's app then sees, and who can do none of it."""

from __future__ import annotations

import html
import re
from datetime import UTC, date, datetime
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts import services as account_services
from care.models import TRANSCRIPT_MAX_LENGTH, AccessLog, Session
from core.input import FIRST_YEAR
from dashboard.forms import BriefSinceForm
from dashboard.security import CONTENT_SECURITY_POLICY
from dashboard.session_forms import TRANSCRIPT_MAX_BYTES, SessionForm
from journal.models import Commitment
from tests.dashboard.conftest import NOW, get, signed_in, text
from tests.factories import PASSWORD, CareLinkFactory, CommitmentFactory

T44 = Path(settings.BASE_DIR) / "seeds" / "transcripts" / "T44.txt"
EVIDENCE = "Therapist (line 12): Could you notice one effort a day?\nPatient (line 13): I can try."

pytestmark = pytest.mark.django_db


def post(client: Client, path: str, data: dict | None = None, **extra):
    with time_machine.travel(NOW, tick=False):
        return client.post(path, data or {}, **extra)


def new(patient) -> str:
    return f"/app/patients/{patient.id}/sessions/new/"


@pytest.fixture
def stranger(stranger_therapist) -> Client:
    with time_machine.travel(NOW, tick=False):
        return signed_in(stranger_therapist.email, PASSWORD)


@pytest.fixture
def recorded(maya, chef, link) -> Session:
    """T44, recorded from the dashboard: three drafts waiting."""
    response = post(maya, new(chef), {"held_on": "2026-11-20", "notes": "The kitchen.", "transcript": T44.read_text()})
    assert response.status_code == 302, text(response)
    return Session.objects.get()


def drafts_of(session: Session) -> dict[str, Commitment]:
    return {c.kind: c for c in Commitment.objects.filter(session_id=session.id)}


def as_the_app_sees(as_chef) -> dict[str, dict]:
    """The chef's commitments as their phone reads them, by id."""
    with time_machine.travel(NOW, tick=False):
        body = as_chef.get("/api/v1/commitments/").json()
    return {row["id"]: row for row in body["results"]}


# --- Recording -----------------------------------------------------------------------------------


def test_the_patient_page_offers_to_record_a_session(maya, chef, link):
    page = get(maya, f"/app/patients/{chef.id}/")
    assert f'href="/app/patients/{chef.id}/sessions/new/"' in page.content.decode()
    assert "Sessions Record a session No sessions recorded yet." in text(page)


def test_the_form_asks_for_the_day_with_today_in_the_therapists_zone(therapist, chef, link):
    with time_machine.travel(datetime(2026, 11, 26, 3, 0, tzinfo=UTC), tick=False):  # 21:00 the 25th in Chicago
        response = signed_in(therapist.email, "listen-kindly-2026").get(new(chef))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'type="date" name="held_on" value="2026-11-25"' in body
    assert 'enctype="multipart/form-data"' in body
    for label in ["Held on", "Notes", "Transcript, pasted", "Or a transcript file"]:
        assert f">{label}</label>" in body


def test_t44_pasted_shows_its_three_drafts_each_with_both_turns_quoted(maya, chef, recorded):
    response = get(maya, f"/app/sessions/{recorded.id}/")
    assert response.status_code == 200
    page = text(response)
    assert "Session recorded, 3 practices drafted." in page
    assert "Transcript T44 With Sam (chef), held on Friday 20 November 2026. 39 turns read" in page
    assert "The kitchen." in page
    assert "What the transcript reader skipped Line 81: the therapist's turn is a placeholder and was skipped." in page
    assert page.count("Quoted from the session") == 3
    assert page.count("Draft ·") == 3
    body = response.content.decode()
    # Each turn its own line, with the line it is on in the transcript.
    turns = re.findall(r"<p>((?:Therapist|Patient) \(line (\d+)\): [^<]*)</p>", body)
    assert len(turns) == 6
    assert [speaker.split()[0] for speaker, _ in turns] == ["Therapist", "Patient"] * 3
    assert any("You&#x27;re doing your best, and that&#x27;s enough" in turn for turn, _ in turns)
    assert body.count(">Confirm</button>") == 3
    assert body.count(">Drop</button>") == 3
    assert body.count(">Edit</a>") == 3
    assert {c.status for c in drafts_of(recorded).values()} == {"proposed"}


def test_t44_uploaded_as_a_file_drafts_the_same_three(maya, chef, link):
    upload = SimpleUploadedFile("T44.txt", T44.read_bytes(), content_type="text/plain")
    response = post(maya, new(chef), {"held_on": "2026-11-20", "transcript_file": upload})
    assert response.status_code == 302
    session = Session.objects.get()
    assert response["Location"] == f"/app/sessions/{session.id}/"
    assert session.transcript == T44.read_text()
    assert set(drafts_of(session)) == {"experiment", "reflection_daily", "pride_weekly"}
    assert text(get(maya, response["Location"])).count("Quoted from the session") == 3


def test_a_session_without_a_transcript_is_recorded_with_nothing_drafted(maya, chef, link):
    response = post(maya, new(chef), {"held_on": "", "notes": "Talked about the kitchen."})
    assert response.status_code == 302
    session = Session.objects.get()
    assert session.held_on == date(2026, 11, 25)  # today in Chicago
    assert (session.notes, session.transcript) == ("Talked about the kitchen.", None)
    page = text(get(maya, response["Location"]))
    assert "Session recorded, no practice drafted." in page
    assert "No practice was drafted from this session." in page


@pytest.mark.parametrize(
    ("field", "sent", "problem"),
    [
        ("transcript", "# Only a title\n", "The transcript has no turns: no line starts with a speaker and text."),
        ("transcript", "Therapist: [inaudible]\nPatient: ...\n", "The transcript has no turns"),
        ("transcript", "Therapist: hello\x07 there\nPatient: yes", "The transcript holds control characters"),
        ("transcript", "Therapist: a NUL \x00\nPatient: yes", "Null characters are not allowed."),
        ("transcript_file", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe", "The transcript is not UTF-8 text."),
        ("transcript_file", b"Therapist: \xed\xa0\x80 a lone surrogate\nPatient: ok", "not UTF-8 text"),
        ("transcript_file", b"Therapist: hi\x00\nPatient: yes", "The transcript holds control characters"),
        ("transcript_file", b"Just notes, no one speaking.\n", "The transcript has no turns"),
        ("transcript_file", b"", "The submitted file is empty."),
        ("notes", "A NUL \x00", "Null characters are not allowed."),
        ("held_on", "2026-11-27", "That day has not come yet."),
        ("held_on", "\uff12\uff10\uff12\uff16-11-20", "A date as YYYY-MM-DD, from 1900 on."),
        ("held_on", "11/20/2026", "A date as YYYY-MM-DD, from 1900 on."),
        ("held_on", "1899-12-31", "A date as YYYY-MM-DD, from 1900 on."),
    ],
)
def test_what_cannot_be_recorded_is_a_form_error_and_nothing_is_saved(maya, chef, link, field, sent, problem):
    data: dict = {"held_on": "2026-11-20", "transcript": T44.read_text() if field != "transcript_file" else ""}
    data[field] = SimpleUploadedFile("upload.txt", sent) if isinstance(sent, bytes) else sent
    response = post(maya, new(chef), data)
    assert response.status_code == 400
    page = text(response)
    assert problem in page
    assert "Record a session with Sam (chef)" in page
    assert not Session.objects.exists()
    assert not Commitment.objects.exists()


def test_pasting_and_uploading_at_once_is_refused(maya, chef, link):
    upload = SimpleUploadedFile("T44.txt", T44.read_bytes())
    response = post(maya, new(chef), {"transcript": T44.read_text(), "transcript_file": upload})
    assert response.status_code == 400
    assert "Paste the transcript or upload a file, not both." in text(response)
    assert not Session.objects.exists()


def test_a_transcript_over_the_apis_limit_is_refused_pasted_or_uploaded(maya, chef, link):
    long = "Therapist: " + "a" * TRANSCRIPT_MAX_LENGTH
    pasted = post(maya, new(chef), {"transcript": long})
    assert pasted.status_code == 400
    assert f"Ensure this value has at most {TRANSCRIPT_MAX_LENGTH} characters (it has {len(long)})." in text(pasted)
    uploaded = post(maya, new(chef), {"transcript_file": SimpleUploadedFile("t.txt", long.encode())})
    assert uploaded.status_code == 400
    assert f"A transcript may be at most {TRANSCRIPT_MAX_LENGTH:,} characters; this one is {len(long):,}." in text(
        uploaded
    )
    huge = SimpleUploadedFile("t.txt", b"Therapist: " + b"a" * TRANSCRIPT_MAX_BYTES)
    too_big = post(maya, new(chef), {"transcript_file": huge})
    assert too_big.status_code == 400
    assert f"A transcript file may be at most {TRANSCRIPT_MAX_BYTES // 1000:,} kB." in text(too_big)
    assert not Session.objects.exists()


def test_a_body_over_the_upload_limit_is_refused_unread(maya, chef, link):
    huge = SimpleUploadedFile("big.bin", b"\x00" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1))
    response = post(maya, new(chef), {"transcript_file": huge})
    assert response.status_code == 413
    assert "That was too large to send" in text(response)
    assert "Nothing was saved. Go back, shorten what you pasted or choose a smaller file" in text(response)
    assert not Session.objects.exists()
    assert not AccessLog.objects.exists()  # no CSRF check yet, so nothing is written, not even a read


def test_an_announced_length_over_the_limit_is_refused_before_the_body_is_read(maya, chef, link):
    # The test client's body is short; reading past it would fail the request, not answer 413.
    announced = str(settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)
    response = post(maya, new(chef), {"transcript": "Therapist: hi"}, CONTENT_LENGTH=announced)
    assert response.status_code == 413


@pytest.mark.parametrize(
    "sent", ["\uff12\uff10\uff12\uff16-11-20", "11/20/2026", f"{FIRST_YEAR - 1}-12-31", "2026-11-20\x00"]
)
def test_the_session_and_the_brief_read_a_day_by_one_rule_in_one_message(sent):
    held_on, since = SessionForm.base_fields["held_on"], BriefSinceForm.base_fields["since"]
    assert type(held_on) is type(since)
    for field in (held_on, since):
        assert field.clean(" 2026-11-20 ") == date(2026, 11, 20)
        with pytest.raises(ValidationError) as refused:
            field.clean(sent)
        assert refused.value.messages == [f"A date as YYYY-MM-DD, from {FIRST_YEAR} on."]


def test_a_lone_surrogate_is_refused_by_the_form():
    form = SessionForm(data={"transcript": "Therapist: a \ud800 b\nPatient: yes"})
    assert not form.is_valid()
    assert form.errors["transcript"] == ["This holds characters that are not text. Paste it again from the original."]


def test_a_post_without_its_csrf_token_is_refused_and_records_nothing(therapist, chef, link):
    with time_machine.travel(NOW, tick=False):
        client = Client(enforce_csrf_checks=True)
        client.force_login(therapist)
        response = client.post(new(chef), {"transcript": T44.read_text()})
    assert response.status_code == 403
    assert not Session.objects.exists()


# --- Reviewing the drafts ---------------------------------------------------------------------


def action(session: Session, draft: Commitment, verb: str) -> str:
    return f"/app/sessions/{session.id}/drafts/{draft.id}/{verb}/"


def titles_in_order(response) -> list[str]:
    return re.findall(r"<h3>([^<]+)</h3>", html.unescape(response.content.decode()))


def test_confirming_a_draft_makes_it_active_in_the_patients_app(maya, recorded, as_chef):
    pride = drafts_of(recorded)["pride_weekly"]
    assert as_the_app_sees(as_chef)[str(pride.id)]["status"] == "proposed"
    response = post(maya, action(recorded, pride, "confirm"))
    assert response.status_code == 302
    assert response["Location"] == f"/app/sessions/{recorded.id}/"
    assert as_the_app_sees(as_chef)[str(pride.id)]["status"] == "active"
    page = text(get(maya, response["Location"]))
    assert f"Confirmed “{pride.title}”: it is an active practice in their app now." in page
    assert page.count(">Confirm<") == 0
    assert page.count("Draft ·") == 2
    assert f"{pride.title} Active ·" in page


def test_a_draft_of_a_practice_already_kept_says_so_before_it_is_confirmed_twice(maya, chef, recorded):
    pride = drafts_of(recorded)["pride_weekly"]
    post(maya, action(recorded, pride, "confirm"))
    later = T44.read_text() + "\nTherapist: Same time next week?\nPatient: Yes.\n"  # agreed afresh
    again = post(maya, new(chef), {"held_on": "2026-11-24", "transcript": later})
    assert again.status_code == 302
    page = text(get(maya, again["Location"]))
    assert page.count("Already a practice:") == 1  # only the pride practice is kept; the others wait
    assert f"Sam (chef) keeps “{pride.title}”, agreed on 25 Nov and active now." in page
    assert "Confirming this draft would make it twice" in page
    # The first session's page, where the practice was confirmed, says nothing of the kind.
    assert "Already a practice" not in text(get(maya, f"/app/sessions/{recorded.id}/"))


def test_another_patient_keeping_the_same_practice_is_no_concern_of_this_draft(
    maya, therapist, chef, other_patient, recorded
):
    CareLinkFactory(therapist=therapist, patient=other_patient)
    pride = drafts_of(recorded)["pride_weekly"]
    CommitmentFactory(patient=other_patient, kind=pride.kind, title=pride.title, target_count=pride.target_count)
    assert "Already a practice" not in text(get(maya, f"/app/sessions/{recorded.id}/"))


def test_the_pages_say_the_patient_sees_drafts_before_they_are_confirmed_as_their_app_does(
    maya, chef, recorded, as_chef
):
    assert {row["status"] for row in as_the_app_sees(as_chef).values()} == {"proposed"}
    name = chef.display_name
    session_page, record_page = text(get(maya, f"/app/sessions/{recorded.id}/")), text(get(maya, new(chef)))
    assert f"{name} sees these drafts in their app as suggestions, and may confirm one there." in session_page
    assert "Confirmed, by you or by them, a draft becomes an active practice" in session_page
    assert f"{name} sees the drafts in their app as suggestions; each becomes an active practice" in record_page
    for page in (session_page, record_page):
        assert "reaches" not in page


def test_the_drafts_stay_in_the_order_they_came_up_in_the_session_when_acted_on(maya, recorded):
    in_order = [
        "Try this new recipe",
        "Take a few minutes each day to reflect on your efforts",
        "Write down three things you're proud of each week",
    ]
    assert titles_in_order(get(maya, f"/app/sessions/{recorded.id}/")) == in_order
    first = drafts_of(recorded)["experiment"]
    post(maya, action(recorded, first, "confirm"))  # a new seq: care's own order would put it last
    assert titles_in_order(get(maya, f"/app/sessions/{recorded.id}/")) == in_order


def test_a_draft_without_quoted_evidence_comes_after_the_quoted_ones(maya, therapist, chef, link):
    session = Session.objects.create(therapist=therapist, patient=chef, held_on=date(2026, 11, 20), created_at=NOW)
    for title, evidence in [("Written by hand", ""), ("Quoted", EVIDENCE)]:
        CommitmentFactory(
            patient=chef,
            author=therapist,
            session_id=session.id,
            status="proposed",
            title=title,
            evidence=evidence,
            now=NOW,
        )
    response = get(maya, f"/app/sessions/{session.id}/")
    assert response.status_code == 200
    assert titles_in_order(response) == ["Quoted", "Written by hand"]


def test_editing_a_draft_changes_what_the_app_sees_and_keeps_it_a_draft(maya, recorded, as_chef):
    reflection = drafts_of(recorded)["reflection_daily"]
    form = get(maya, action(recorded, reflection, "edit"))
    assert form.status_code == 200
    assert f'value="{reflection.title}"' in html.unescape(form.content.decode())
    assert "Quoted from the session" in text(form)
    data = {
        "kind": "reflection_daily",
        "title": "Two minutes on an effort, each evening",
        "cadence": "daily",
        "target_count": "2",
        "save": "",
    }
    response = post(maya, action(recorded, reflection, "edit"), data)
    assert response.status_code == 302
    seen = as_the_app_sees(as_chef)[str(reflection.id)]
    assert (seen["title"], seen["cadence"], seen["target_count"], seen["status"]) == (
        "Two minutes on an effort, each evening",
        "daily",
        2,
        "proposed",
    )
    assert "It is still a draft until you confirm it." in text(get(maya, response["Location"]))


def test_save_and_confirm_does_both(maya, recorded, as_chef):
    experiment = drafts_of(recorded)["experiment"]
    data = {"kind": "experiment", "title": "Cook something new, just for me", "cadence": "once", "target_count": "1"}
    data["confirm"] = ""
    assert post(maya, action(recorded, experiment, "edit"), data).status_code == 302
    seen = as_the_app_sees(as_chef)[str(experiment.id)]
    assert (seen["title"], seen["status"]) == ("Cook something new, just for me", "active")


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        ({"title": "", "cadence": "daily", "target_count": "1"}, "This field is required."),
        ({"title": "x" * 201, "cadence": "daily", "target_count": "1"}, "at most 200 characters"),
        ({"title": "Fine", "cadence": "hourly", "target_count": "1"}, "Select a valid choice."),
        ({"title": "Fine", "cadence": "daily", "target_count": "0"}, "greater than or equal to 1"),
        ({"title": "Fine", "cadence": "daily", "target_count": "101"}, "less than or equal to 100"),
        ({"title": "Fine", "cadence": "daily", "target_count": "\u0663"}, "A whole number, in digits 0 to 9."),
        ({"title": "Fine", "cadence": "daily", "target_count": "9" * 5000}, "Enter a whole number."),
        ({"title": "A NUL \x00", "cadence": "daily", "target_count": "1"}, "Null characters are not allowed."),
    ],
)
def test_an_edit_that_breaks_a_rule_is_a_form_error_and_changes_nothing(maya, recorded, data, problem):
    reflection = drafts_of(recorded)["reflection_daily"]
    response = post(maya, action(recorded, reflection, "edit"), {**data, "confirm": ""})
    assert response.status_code == 400
    assert problem in text(response)
    after = Commitment.objects.get(id=reflection.id)
    assert (after.title, after.version, after.status) == (reflection.title, reflection.version, "proposed")


def test_dropping_a_draft_takes_it_out_of_the_patients_app(maya, recorded, as_chef):
    experiment = drafts_of(recorded)["experiment"]
    assert str(experiment.id) in as_the_app_sees(as_chef)
    response = post(maya, action(recorded, experiment, "drop"))
    assert response.status_code == 302
    assert str(experiment.id) not in as_the_app_sees(as_chef)
    page = text(get(maya, response["Location"]))
    assert f"Dropped “{experiment.title}”." in page
    assert page.count("Quoted from the session") == 2


def test_a_draft_confirmed_in_the_api_meanwhile_is_news_not_an_error(maya, recorded, as_therapist):
    pride = drafts_of(recorded)["pride_weekly"]
    with time_machine.travel(NOW, tick=False):
        assert as_therapist.post(f"/api/v1/commitments/{pride.id}/confirm/").status_code == 200
    version = Commitment.objects.get(id=pride.id).version
    for verb in ["confirm", "drop", "edit"]:
        data = {"title": "Changed", "cadence": "weekly", "target_count": "3"} if verb == "edit" else {}
        response = post(maya, action(recorded, pride, verb), data)
        assert response.status_code == 302
        page = text(get(maya, response["Location"]))
        assert f"“{pride.title}” is no longer a draft: it is active now." in page
    after = Commitment.objects.get(id=pride.id)
    assert (after.version, after.title, after.deleted_at) == (version, pride.title, None)


def test_opening_the_edit_form_of_a_draft_confirmed_meanwhile_says_so_in_the_same_words(maya, recorded, as_therapist):
    pride = drafts_of(recorded)["pride_weekly"]
    with time_machine.travel(NOW, tick=False):
        assert as_therapist.post(f"/api/v1/commitments/{pride.id}/confirm/").status_code == 200
    response = get(maya, action(recorded, pride, "edit"))
    assert response.status_code == 302
    assert f"“{pride.title}” is no longer a draft: it is active now." in text(get(maya, response["Location"]))


def test_a_draft_dropped_in_the_api_meanwhile_is_news_not_an_error(maya, recorded, as_therapist):
    experiment = drafts_of(recorded)["experiment"]
    with time_machine.travel(NOW, tick=False):
        assert as_therapist.delete(f"/api/v1/commitments/{experiment.id}/").status_code == 204
    for verb, method in [("confirm", post), ("drop", post), ("edit", post), ("edit", get)]:
        response = method(maya, action(recorded, experiment, verb))
        assert response.status_code == 302
        assert "That draft is no longer here: it was dropped, perhaps from the app." in text(
            get(maya, response["Location"])
        )


# --- Who may do none of it ------------------------------------------------------------------


def every_sessions_url(session: Session, chef) -> list[tuple[str, str]]:
    draft = Commitment.objects.filter(session_id=session.id).first()
    assert draft is not None
    return [
        ("get", new(chef)),
        ("post", new(chef)),
        ("get", f"/app/sessions/{session.id}/"),
        ("get", action(session, draft, "edit")),
        ("post", action(session, draft, "edit")),
        ("post", action(session, draft, "confirm")),
        ("post", action(session, draft, "drop")),
    ]


def snapshot() -> list[tuple]:
    return sorted((str(c.id), c.status, c.title, c.version, c.deleted_at) for c in Commitment.objects.all()) + sorted(
        (str(s.id), s.held_on) for s in Session.objects.all()
    )


def test_a_second_therapist_gets_the_404_page_everywhere_and_changes_nothing(stranger, recorded, chef):
    before = snapshot()
    for method, url in every_sessions_url(recorded, chef):
        data = {"title": "Mine now", "cadence": "daily", "target_count": "1", "transcript": T44.read_text()}
        response = post(stranger, url, data) if method == "post" else get(stranger, url)
        assert response.status_code == 404, (method, url)
        assert "Not found" in text(response)
        assert "Sam (chef)" not in text(response)
    assert snapshot() == before


def test_a_second_therapist_of_the_same_patient_cannot_act_on_the_firsts_drafts(
    stranger, stranger_therapist, recorded, chef
):
    CareLinkFactory(therapist=stranger_therapist, patient=chef)
    theirs = a_session_with(1, therapist=stranger_therapist, chef=chef)
    draft = drafts_of(recorded)["pride_weekly"]
    before = snapshot()
    data = {"title": "Mine now", "cadence": "daily", "target_count": "1"}
    for verb in ("edit", "confirm", "drop"):
        # By the first therapist's session: not theirs to reach.
        assert post(stranger, action(recorded, draft, verb), data).status_code == 404, verb
        # By their own session: that session drafted no such thing.
        response = post(stranger, action(theirs, draft, verb), data)
        assert (response.status_code, response["Location"]) == (302, f"/app/sessions/{theirs.id}/"), verb
    assert snapshot() == before


def test_once_the_link_ends_the_therapist_gets_the_404_page_too(maya, recorded, chef, link):
    account_services.care_link_end(link=link, now=NOW)
    before = snapshot()
    for method, url in every_sessions_url(recorded, chef):
        response = post(maya, url, {"transcript": T44.read_text()}) if method == "post" else get(maya, url)
        assert response.status_code == 404, (method, url)
    assert snapshot() == before


def test_a_patient_cannot_use_the_sessions_pages(recorded, chef):
    before = snapshot()
    with time_machine.travel(NOW, tick=False):
        client = Client()
        client.force_login(chef)
    for method, url in every_sessions_url(recorded, chef):
        response = post(client, url, {"transcript": T44.read_text()}) if method == "post" else get(client, url)
        assert response.status_code == 302, (method, url)
        sent_to = urlsplit(response["Location"])
        assert (sent_to.path, "next" in parse_qs(sent_to.query)) == ("/app/sign-in/", True)
    assert snapshot() == before


def test_a_session_url_with_no_such_session_is_the_404_page(maya, chef, link):
    response = get(maya, "/app/sessions/00000000-0000-4000-8000-000000000000/")
    assert response.status_code == 404
    assert "Not found" in text(response)


# --- The access log and the patient page ---------------------------------------------------------


def test_the_patient_sees_the_dashboards_session_reads_in_their_access_log(maya, chef, recorded, as_chef):
    draft = drafts_of(recorded)["experiment"]
    for path in [new(chef), f"/app/sessions/{recorded.id}/", action(recorded, draft, "edit")]:
        assert get(maya, path).status_code == 200
    with time_machine.travel(NOW, tick=False):
        rows = as_chef.get("/api/v1/me/access-log/").json()["results"]
    # The form before recording, then the three pages; the record itself and the actions read nothing.
    # One row for the day's reads of its sessions, with their count.
    assert [(row["what"], row["count"]) for row in rows] == [("sessions", 3)]
    assert {row["therapist"]["display_name"] for row in rows} == {"Dr. Maya Okafor"}


def test_an_edit_sent_back_with_a_problem_is_a_read_the_patient_sees_in_their_access_log(maya, chef, recorded, as_chef):
    draft = drafts_of(recorded)["experiment"]
    response = post(maya, action(recorded, draft, "edit"), {"title": "", "cadence": "once", "target_count": "1"})
    assert response.status_code == 400
    page = text(response)
    assert chef.display_name in page  # the patient's name and words, shown again
    assert "Quoted from the session" in page
    with time_machine.travel(NOW, tick=False):
        rows = as_chef.get("/api/v1/me/access-log/").json()["results"]
    assert [row["what"] for row in rows] == ["sessions"]


def test_the_patient_page_lists_the_sessions_newest_first_with_what_is_left_to_review(maya, chef, recorded, as_chef):
    assert post(maya, new(chef), {"held_on": "2026-11-24", "notes": "A short one."}).status_code == 302
    later = Session.objects.exclude(id=recorded.id).get()
    pride = drafts_of(recorded)["pride_weekly"]
    post(maya, action(recorded, pride, "confirm"))
    response = get(maya, f"/app/patients/{chef.id}/")
    page = text(response)
    listed = "Sessions Record a session Tue 24 Nov 2026 Session Fri 20 Nov 2026 Transcript T44 · 2 drafts to review"
    assert listed in page
    body = response.content.decode()
    assert body.index(f'href="/app/sessions/{later.id}/"') < body.index(f'href="/app/sessions/{recorded.id}/"')
    with time_machine.travel(NOW, tick=False):
        rows = as_chef.get("/api/v1/me/access-log/").json()["results"]
    assert {"patient", "sessions"} <= {row["what"] for row in rows}


# --- What a page costs ------------------------------------------------------------------------------


def a_session_with(drafts: int, *, therapist, chef) -> Session:
    session = Session.objects.create(therapist=therapist, patient=chef, held_on=date(2026, 11, 20), created_at=NOW)
    for n in range(drafts):
        CommitmentFactory(
            patient=chef,
            author=therapist,
            session_id=session.id,
            status="proposed",
            title=f"Practice {n}",
            evidence=EVIDENCE,
            now=NOW,
        )
    return session


def test_the_session_page_costs_the_same_queries_for_one_draft_as_for_ten(
    maya, therapist, chef, link, django_assert_num_queries
):
    one = a_session_with(1, therapist=therapist, chef=chef)
    ten = a_session_with(10, therapist=therapist, chef=chef)
    with CaptureQueriesContext(connection) as for_one:
        assert text(get(maya, f"/app/sessions/{one.id}/")).count("Quoted from the session") == 1
    # 14 when written: the signed-in session and user, the session row, the link, the access-log
    # row, the drafts, the patient's name, savepoints and the idle timer's session save.
    with django_assert_num_queries(len(for_one.captured_queries)):
        assert text(get(maya, f"/app/sessions/{ten.id}/")).count("Quoted from the session") == 10


def test_the_patient_page_costs_the_same_queries_for_one_session_as_for_ten(maya, therapist, chef, link):
    a_session_with(2, therapist=therapist, chef=chef)
    with CaptureQueriesContext(connection) as one:
        assert get(maya, f"/app/patients/{chef.id}/").status_code == 200
    for _ in range(9):
        a_session_with(2, therapist=therapist, chef=chef)
    with CaptureQueriesContext(connection) as ten:
        assert text(get(maya, f"/app/patients/{chef.id}/")).count("2 drafts to review") == 10
    assert len(ten.captured_queries) == len(one.captured_queries), [q["sql"] for q in ten.captured_queries]


def test_a_lone_surrogate_sent_as_bytes_never_reaches_the_database_as_one(maya, chef, link):
    """A browser sends a lone surrogate in a text box as U+FFFD; a script can send its bytes
    (not UTF-8), which Django reads as U+FFFD too: what is stored is text UTF-8 can hold."""
    with time_machine.travel(NOW, tick=False):
        token = maya.get(new(chef)).cookies["csrftoken"].value
    boundary = "XyZ"
    parts = [
        (b"csrfmiddlewaretoken", token.encode()),
        (b"transcript", b"Therapist: could you try \xed\xa0\x80 once?\nPatient: I can try."),
    ]
    body = (
        b"".join(
            b'--XyZ\r\nContent-Disposition: form-data; name="' + name + b'"\r\n\r\n' + value + b"\r\n"
            for name, value in parts
        )
        + b"--XyZ--\r\n"
    )
    with time_machine.travel(NOW, tick=False):
        response = maya.post(new(chef), body, content_type=f"multipart/form-data; boundary={boundary}")
    assert response.status_code == 302
    stored = Session.objects.get().transcript
    assert stored is not None
    stored.encode("utf-8")  # no lone surrogate: this would raise
    assert "\ufffd" in stored


def test_a_field_problem_is_tied_to_its_field_for_a_screen_reader(maya, chef, link):
    body = post(maya, new(chef), {"transcript": "# Only a title\n"}).content.decode()
    assert 'aria-invalid="true" aria-describedby="id_transcript_helptext id_transcript_error"' in body
    assert '<div id="id_transcript_error"><p class="field-problem">The transcript has no turns' in body
    # And said at the top of the page, where a phone opens it, pointing down to the reason.
    banner = body.index('<div class="form-problem" role="alert">')
    assert banner < body.index("id_transcript_error")
    assert "The transcript could not be read: why is said beside it, below." in body[banner:]


def test_the_sessions_pages_load_nothing_from_outside_and_carry_the_policy(maya, chef, recorded):
    draft = drafts_of(recorded)["experiment"]
    pages = [new(chef), f"/app/sessions/{recorded.id}/", action(recorded, draft, "edit")]
    responses = [get(maya, path) for path in pages]
    responses.append(post(maya, new(chef), {"transcript": "# Only a title\n"}))
    with time_machine.travel(NOW, tick=False):
        made = maya.post("/app/invites/", {"note": ""})
        assert made.status_code == 303
        responses += [maya.get(made["Location"]), maya.get("/app/invites/")]
    for response in responses:
        assert response.status_code in (200, 400)
        body = response.content.decode()
        assert response["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
        assert "no-store" in response["Cache-Control"]
        urls = re.findall(r'(?:src|href|action)="([^"]*)"', body)
        assert all(url.startswith(("/", "#")) and not url.startswith("//") for url in urls), urls
        assert "<script" not in body
        assert "<style" not in body
        assert " style=" not in body


def test_a_drafts_card_says_its_days_its_planned_day_and_its_reminders_time(maya, chef, recorded):
    """The session page shows a draft's schedule as the patient page shows a practice's: what
    an edit set is seen without opening the edit page again."""
    from datetime import time

    drafts = drafts_of(recorded)
    Commitment.objects.filter(id=drafts["experiment"].id).update(planned_for=date(2026, 11, 26), remind_at=time(17))
    Commitment.objects.filter(id=drafts["reflection_daily"].id).update(weekdays=[1, 3, 5], remind_at=time(7, 30))
    page = text(get(maya, f"/app/sessions/{recorded.id}/"))
    assert "Once · planned for Thursday 26 November · reminder at 17:00" in page
    assert "Daily, on Mon, Wed and Fri · reminder at 07:30" in page
    assert "Weekly, target 3" in page  # the pride draft, as before


def test_the_session_page_shows_the_transcript_numbered_as_practices_quote_it(maya, chef, recorded):
    page = get(maya, f"/app/sessions/{recorded.id}/").content.decode()
    lines = T44.read_text().split("\n")
    assert '<details class="transcript">' in page
    # Line 37 as the file numbers it: the recipe's proposal, which a practice by hand may quote.
    assert f'<li value="37">{html.escape(lines[36])}</li>' in page
    assert page.count("<li value=") == len(lines)
