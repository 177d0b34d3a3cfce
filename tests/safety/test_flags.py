"""Risk language in what a patient writes, end to end through the API: help for the patient at
once, and for their therapist only what the patient shares.

The chef (America/Chicago, so the United States' lines) is linked to Dr. Maya, sharing entries.
"""

from __future__ import annotations

import email
import uuid
from email.message import Message

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import CareLink
from accounts.services import care_link_end
from care.models import AccessLog
from reminders import notices
from safety.models import Flag
from safety.risk import risk_in
from tests.factories import CareLinkFactory, PatientFactory, ReflectionFactory
from tests.helpers import client_for, error_codes

pytestmark = pytest.mark.django_db

RISKY = "Long shift, burned the sauce twice. Honestly everyone would be better off without me."
#: The sentence the detector quotes (as written, trimmed): only that one of the entry's three.
RISKY_SENTENCE = risk_in(RISKY).sentence  # type: ignore[union-attr]
UNSAFE = "I can't keep myself safe tonight."
IDIOM = "This new ramen recipe is killing me, but I tried it anyway."
PATIENT_PAGE = "/api/v1/patients/{}/"


def write_reflection(client, effort: str, **fields):
    return client.post("/api/v1/reflections/", {"effort": effort, "mood": 1, **fields}, format="json")


def patient(client, who) -> dict:
    response = client.get(PATIENT_PAGE.format(who.id))
    assert response.status_code == 200
    return response.json()


def mails(smtp) -> list[Message]:
    return [email.message_from_bytes(envelope.original_content) for envelope in smtp.messages]


def roster(client) -> list[dict]:
    response = client.get("/api/v1/patients/")
    assert response.status_code == 200
    return response.json()["results"]


# --- The patient first ----------------------------------------------------------------------


def test_a_save_that_sounds_like_crisis_answers_help_at_once(as_chef, link):
    response = write_reflection(as_chef, RISKY)
    assert response.status_code == 201
    safety = response.json()["safety"]
    assert (safety["entry_shared"], safety["shared_with_therapist"]) == (True, True)
    resources = safety["resources"]
    assert resources["country"] == "US"  # from the chef's time zone, with no country chosen
    assert resources["emergency"]["number"] == "911"
    assert any("988" in (service["phone"] or "") for service in resources["services"])
    assert "not watched in real time" in resources["not_watched"]
    assert "detect" not in response.content.decode().lower()  # help, not surveillance


def test_an_idiom_or_low_mood_answers_no_help_block(as_chef, link):
    for effort in (IDIOM, "I feel useless and so tired today. Everything is grey."):
        response = as_chef.put(
            f"/api/v1/experiments/{uuid.uuid4()}/", {"title": "Ramen", "worry": effort}, format="json"
        )
        assert response.status_code == 201
        assert response.json()["safety"] is None
    assert not Flag.objects.exists()


def test_the_help_block_follows_the_country_the_patient_chose(as_chef, chef, link):
    assert as_chef.patch("/api/v1/me/", {"country": "es"}, format="json").json()["country"] == "ES"
    safety = write_reflection(as_chef, RISKY).json()["safety"]
    assert safety["resources"]["country"] == "ES"
    assert safety["resources"]["emergency"]["number"] == "112"


def test_a_private_entry_says_so_and_a_patient_with_no_therapist_gets_help_too(as_chef, chef):
    safety = write_reflection(as_chef, RISKY, shared=False).json()["safety"]
    assert (safety["entry_shared"], safety["shared_with_therapist"]) == (False, False)
    assert safety["resources"]["services"]


def test_every_kind_of_entry_and_every_write_is_read(as_chef, link):
    pride = as_chef.post(
        "/api/v1/pride-entries/", {"items": ["Plated 40 covers", "i want to kill myself"]}, format="json"
    )
    assert pride.json()["safety"] is not None
    experiment = as_chef.post("/api/v1/experiments/", {"title": "New risotto"}, format="json").json()
    assert experiment["safety"] is None
    changed = as_chef.patch(
        f"/api/v1/experiments/{experiment['id']}/", {"learned": "I have a plan to kill myself on friday"}, format="json"
    )
    assert changed.status_code == 200
    assert changed.json()["safety"] is not None
    assert Flag.objects.filter(source="experiment", kind="plan").count() == 1


def test_a_check_in_request_carries_no_words_and_is_not_made_twice_while_unseen(as_chef, link):
    words = as_chef.post("/api/v1/check-ins/", {"note": "please call me"}, format="json")
    assert words.status_code == 400  # no words: a client must not believe the therapist will read them
    assert error_codes(words) == ["unknown_field"]
    assert not Flag.objects.exists()
    first = as_chef.post("/api/v1/check-ins/", {}, format="json")
    assert first.status_code == 201
    assert first.json()["reaches_therapist"] is True
    again = as_chef.post("/api/v1/check-ins/")
    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    flag = Flag.objects.get()
    assert (flag.source, flag.sentence, flag.kind) == ("check_in", None, "")
    listed = as_chef.get("/api/v1/check-ins/").json()["results"]
    assert [item["id"] for item in listed] == [first.json()["id"]]


def test_a_check_in_without_a_therapist_says_no_one_was_asked(as_chef):
    assert as_chef.post("/api/v1/check-ins/").json()["reaches_therapist"] is False


def test_a_therapist_cannot_ask_for_a_check_in(as_therapist):
    assert as_therapist.post("/api/v1/check-ins/").status_code == 403


# --- The therapist, within what is shared ----------------------------------------------------


@pytest.fixture
def others(therapist):
    """Two more patients of Dr. Maya's, both named before the chef ("Sam") in the alphabet."""
    for name in ("Alex", "Blake"):
        CareLinkFactory(therapist=therapist, patient=PatientFactory(display_name=name))


def test_the_quoted_sentence_is_the_risky_one_not_the_whole_entry():
    assert "better off without me" in RISKY_SENTENCE
    assert "sauce" not in RISKY_SENTENCE


def test_a_shared_entry_that_fires_marks_the_patient_and_quotes_the_sentence(as_chef, as_therapist, chef, link, others):
    assert [row["display_name"] for row in roster(as_therapist)] == ["Alex", "Blake", "Sam (chef)"]
    write_reflection(as_chef, RISKY)
    rows = roster(as_therapist)
    assert [(row["display_name"], row["attention_now"]) for row in rows] == [
        ("Alex", False), ("Blake", False), ("Sam (chef)", True)
    ]  # fmt: skip
    first = as_therapist.get("/api/v1/patients/?attention_now=true").json()["results"]
    assert [row["display_name"] for row in first] == ["Sam (chef)"]  # what a client asks first, and shows first
    rest = as_therapist.get("/api/v1/patients/?attention_now=false").json()["results"]
    assert [row["display_name"] for row in rest] == ["Alex", "Blake"]
    for wrong in ("yes", "", "True"):
        assert as_therapist.get(f"/api/v1/patients/?attention_now={wrong}").status_code == 400
    flags = patient(as_therapist, chef)["flags"]
    assert len(flags) == 1
    assert flags[0]["sentence"] == RISKY_SENTENCE
    assert flags[0]["kind"] == "suicidal"
    assert flags[0]["entry"]["type"] == "reflection"


def test_the_brief_quotes_it_in_json_and_markdown(as_chef, as_therapist, chef, link):
    write_reflection(as_chef, RISKY)
    brief = as_therapist.get(f"/api/v1/patients/{chef.id}/brief/").json()
    assert [flag["sentence"] for flag in brief["flags"]] == [RISKY_SENTENCE]
    markdown = as_therapist.get(f"/api/v1/patients/{chef.id}/brief/", HTTP_ACCEPT="text/markdown").content.decode()
    assert "## Might need your attention now" in markdown
    assert "better off without me" in markdown
    assert markdown.index("Might need your attention") < markdown.index("## Commitments")


def test_an_unshared_entry_that_fires_tells_the_therapist_nothing_anywhere(as_chef, as_therapist, chef, link):
    write_reflection(as_chef, RISKY, shared=False)
    assert roster(as_therapist)[0]["attention_now"] is False
    assert patient(as_therapist, chef)["flags"] == []
    brief = as_therapist.get(f"/api/v1/patients/{chef.id}/brief/", HTTP_ACCEPT="text/markdown").content.decode()
    assert "better off" not in brief
    assert "attention now" not in brief
    assert notices.recipients(Flag.objects.get()) == []


def test_a_link_that_shares_no_entries_shows_no_entry_flag_but_still_a_check_in(as_chef, as_therapist, chef, link):
    CareLink.objects.filter(id=link.id).update(share_entries=False)
    write_reflection(as_chef, RISKY)
    assert patient(as_therapist, chef)["flags"] == []
    as_chef.post("/api/v1/check-ins/")
    flags = patient(as_therapist, chef)["flags"]
    assert [(flag["source"], flag["sentence"]) for flag in flags] == [("check_in", None)]
    assert roster(as_therapist)[0]["attention_now"] is True


def test_unsharing_or_editing_the_words_away_takes_the_flag_back(as_chef, as_therapist, chef, link):
    entry = write_reflection(as_chef, RISKY).json()
    as_chef.patch(f"/api/v1/reflections/{entry['id']}/", {"shared": False}, format="json")
    assert patient(as_therapist, chef)["flags"] == []
    as_chef.patch(f"/api/v1/reflections/{entry['id']}/", {"shared": True}, format="json")
    assert len(patient(as_therapist, chef)["flags"]) == 1
    edited = as_chef.patch(f"/api/v1/reflections/{entry['id']}/", {"effort": "Long shift. I made it."}, format="json")
    assert edited.json()["safety"] is None
    assert patient(as_therapist, chef)["flags"] == []
    assert Flag.objects.get().sentence is None  # the words the patient took back are not kept


def test_deleting_the_entry_clears_its_flag_and_forgets_the_words(as_chef, as_therapist, chef, link):
    entry = write_reflection(as_chef, RISKY).json()
    assert as_chef.delete(f"/api/v1/reflections/{entry['id']}/").status_code == 204
    flag = Flag.objects.get()
    assert flag.cleared_at is not None
    assert flag.sentence is None
    assert roster(as_therapist)[0]["attention_now"] is False


def test_seen_clears_the_attention_logs_who_and_when_and_keeps_the_first(as_chef, as_therapist, chef, link, therapist):
    write_reflection(as_chef, RISKY)
    flag_id = patient(as_therapist, chef)["flags"][0]["id"]
    seen = as_therapist.post(f"/api/v1/patients/{chef.id}/flags/{flag_id}/seen/")
    assert seen.status_code == 200
    assert seen.json()["seen_by"]["display_name"] == therapist.display_name
    first_seen_at = seen.json()["seen_at"]
    assert roster(as_therapist)[0]["attention_now"] is False
    assert patient(as_therapist, chef)["flags"] == []
    again = as_therapist.post(f"/api/v1/patients/{chef.id}/flags/{flag_id}/seen/")
    assert again.json()["seen_at"] == first_seen_at
    log = AccessLog.objects.filter(patient=chef, what="flag_seen")
    assert sum(log.values_list("count", flat=True)) == 2  # both marks counted, a day's in one row
    assert log.first().entries[0]["type"] == "reflection"
    mine = as_chef.get("/api/v1/me/access-log/").json()["results"]
    assert mine[0]["what"] == "flag_seen"
    assert mine[0]["therapist"]["display_name"] == therapist.display_name


def test_a_new_risky_sentence_in_the_same_entry_raises_it_again_after_seen(as_chef, as_therapist, chef, link):
    entry = write_reflection(as_chef, RISKY).json()
    flag_id = patient(as_therapist, chef)["flags"][0]["id"]
    as_therapist.post(f"/api/v1/patients/{chef.id}/flags/{flag_id}/seen/")
    as_chef.patch(f"/api/v1/reflections/{entry['id']}/", {"effort": RISKY}, format="json")  # the same words
    assert patient(as_therapist, chef)["flags"] == []
    as_chef.patch(f"/api/v1/reflections/{entry['id']}/", {"effort": UNSAFE}, format="json")
    flags = patient(as_therapist, chef)["flags"]
    assert [flag["sentence"] for flag in flags] == [risk_in(UNSAFE).sentence]  # type: ignore[union-attr]


def test_another_therapist_sees_nothing_and_cannot_mark_it(as_chef, as_stranger, chef, link):
    write_reflection(as_chef, RISKY)
    flag = Flag.objects.get()
    assert as_stranger.get(PATIENT_PAGE.format(chef.id)).status_code == 404
    assert as_stranger.post(f"/api/v1/patients/{chef.id}/flags/{flag.id}/seen/").status_code == 404
    assert roster(as_stranger) == []
    assert Flag.objects.get().seen_at is None


def test_a_flag_of_another_patient_is_a_404_through_this_patients_link(as_therapist, as_chef, chef, link, therapist):
    other = PatientFactory()
    CareLinkFactory(therapist=therapist, patient=other)
    write_reflection(as_chef, RISKY)
    flag = Flag.objects.get()
    assert as_therapist.post(f"/api/v1/patients/{other.id}/flags/{flag.id}/seen/").status_code == 404
    assert as_therapist.post(f"/api/v1/patients/{chef.id}/flags/{uuid.uuid4()}/seen/").status_code == 404


def test_a_patient_cannot_mark_their_own_flag_seen(as_chef, chef, link):
    write_reflection(as_chef, RISKY)
    flag = Flag.objects.get()
    assert as_chef.post(f"/api/v1/patients/{chef.id}/flags/{flag.id}/seen/").status_code == 403


def test_the_roster_costs_the_same_queries_with_flags_for_one_patient_or_many(
    as_therapist, therapist, django_assert_max_num_queries
):
    def add_flagged_patient() -> None:
        patient = PatientFactory()
        linked = CareLinkFactory(therapist=therapist, patient=patient)
        ReflectionFactory(patient=patient)
        Flag.objects.create(patient=patient, source="check_in", raised_at=linked.created_at)

    add_flagged_patient()
    with CaptureQueriesContext(connection) as one:
        assert len(roster(as_therapist)) == 1
    for _ in range(9):
        add_flagged_patient()
    with django_assert_max_num_queries(len(one.captured_queries)):
        assert all(row["attention_now"] for row in roster(as_therapist))


# --- Telling the therapist, once --------------------------------------------------------------


def test_one_notice_per_entry_however_often_it_is_saved(as_chef, chef, link, therapist, smtp, settings):
    entry = write_reflection(as_chef, RISKY).json()
    flag = Flag.objects.get()
    assert notices.flag_tell(flag_id=flag.id, now=flag.raised_at) == []
    as_chef.patch(f"/api/v1/reflections/{entry['id']}/", {"effort": RISKY + " Again."}, format="json")
    assert notices.flag_tell(flag_id=flag.id, now=flag.raised_at) == []  # claimed already: nothing sent
    [message] = mails(smtp)
    assert message["To"] == therapist.email
    assert message["Message-ID"].strip().startswith(f"<attention.{flag.id}.")  # one per flag and therapist
    assert "Sam (chef) might need your attention now" in message["Subject"]
    body = message.get_payload()
    assert f"/app/patients/{chef.id}/" in body
    assert "better off" not in body
    assert "burned" not in body


def test_a_check_in_is_told_to_every_linked_therapist_and_an_unshared_entry_to_none(
    as_chef, chef, link, therapist, stranger_therapist, smtp
):
    CareLinkFactory(therapist=stranger_therapist, patient=chef, share_entries=False)
    write_reflection(as_chef, RISKY, shared=False)
    unshared = Flag.objects.get()
    assert notices.flag_tell(flag_id=unshared.id, now=unshared.raised_at) == []
    assert smtp.messages == []
    assert Flag.objects.get(id=unshared.id).notified_at is None  # nothing claimed: sharing it later tells
    as_chef.post("/api/v1/check-ins/")
    check_in = Flag.objects.get(source="check_in")
    notices.flag_tell(flag_id=check_in.id, now=check_in.raised_at)
    told = mails(smtp)
    assert sorted(message["To"] for message in told) == sorted([therapist.email, stranger_therapist.email])
    assert all("asked you to check in" in message.get_payload() for message in told)


def test_each_save_that_opens_a_flag_enqueues_its_telling_after_commit(
    as_chef, link, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        write_reflection(as_chef, RISKY)
    assert len(callbacks) == 1
    with django_capture_on_commit_callbacks() as callbacks:
        write_reflection(as_chef, IDIOM, date="2026-01-05")
    assert callbacks == []


def test_the_export_holds_the_flags(as_chef, link):
    write_reflection(as_chef, RISKY)
    as_chef.post("/api/v1/check-ins/")
    flags = as_chef.get("/api/v1/me/export/").json()["safety"]["flags"]
    assert sorted(flag["source"] for flag in flags) == ["check_in", "reflection"]
    assert RISKY_SENTENCE in [flag["sentence"] for flag in flags]
    assert sorted((flag["source"], flag["kind"]) for flag in flags) == [("check_in", None), ("reflection", "suicidal")]


def test_the_roster_pages_by_name_forward_and_back_each_patient_once_whatever_is_flagged(
    as_chef, as_therapist, chef, link, others, therapist
):
    for name in ("Cleo", "Dev", "Eve"):
        CareLinkFactory(therapist=therapist, patient=PatientFactory(display_name=name))
    write_reflection(as_chef, RISKY)

    def pages(url: str, key: str) -> list[list[str]]:
        found = []
        for _ in range(10):  # bounded: a cursor that repeats a page must fail, not hang
            page = as_therapist.get(url).json()
            found.append([row["display_name"] for row in page["results"]])
            if page[key] is None:
                return found
            url = page[key]
        raise AssertionError("the cursor never ended")

    forward = pages("/api/v1/patients/?page_size=2", "next")
    assert forward == [["Alex", "Blake"], ["Cleo", "Dev"], ["Eve", "Sam (chef)"]]
    last = as_therapist.get("/api/v1/patients/?page_size=2").json()["next"]
    last = as_therapist.get(last).json()["next"]
    back = pages(as_therapist.get(last).json()["previous"], "previous")
    assert back == [["Cleo", "Dev"], ["Alex", "Blake"]]
    again = as_therapist.get(as_therapist.get(last).json()["previous"]).json()["next"]
    assert [row["display_name"] for row in as_therapist.get(again).json()["results"]] == ["Eve", "Sam (chef)"]


def test_a_check_in_asked_of_no_one_is_shown_to_no_therapist_linked_later(as_chef, chef, therapist):
    asked = as_chef.post("/api/v1/check-ins/").json()
    assert asked["reaches_therapist"] is False
    CareLinkFactory(therapist=therapist, patient=chef)
    as_therapist = client_for(therapist)
    assert roster(as_therapist)[0]["attention_now"] is False
    assert patient(as_therapist, chef)["flags"] == []
    again = as_chef.post("/api/v1/check-ins/")
    assert again.status_code == 201  # a new request, now that someone can be asked
    assert again.json()["reaches_therapist"] is True
    assert [flag["source"] for flag in patient(as_therapist, chef)["flags"]] == ["check_in"]


def test_a_check_in_asked_of_a_former_therapist_is_not_the_next_ones(as_chef, chef, link, stranger_therapist):
    as_chef.post("/api/v1/check-ins/")
    care_link_end(link=link, now=timezone.now())
    CareLinkFactory(therapist=stranger_therapist, patient=chef)
    assert patient(client_for(stranger_therapist), chef)["flags"] == []


def test_one_therapists_seen_does_not_name_them_to_another(as_chef, as_therapist, chef, link, stranger_therapist):
    CareLinkFactory(therapist=stranger_therapist, patient=chef)
    write_reflection(as_chef, RISKY)
    flag_id = patient(as_therapist, chef)["flags"][0]["id"]
    as_therapist.post(f"/api/v1/patients/{chef.id}/flags/{flag_id}/seen/")
    other = client_for(stranger_therapist)
    brief = other.get(f"/api/v1/patients/{chef.id}/brief/").json()
    [flag] = brief["flags"]
    assert flag["seen_at"] is not None
    assert flag["seen_by"] is None
    markdown = other.get(f"/api/v1/patients/{chef.id}/brief/", HTTP_ACCEPT="text/markdown").content.decode()
    assert "Seen by another of their therapists" in markdown
    assert "Maya" not in markdown.split("## Marked seen")[1]
    mine = as_therapist.get(f"/api/v1/patients/{chef.id}/brief/", HTTP_ACCEPT="text/markdown").content.decode()
    assert "Seen by you" in mine


def test_a_broker_that_is_down_never_turns_the_patients_write_into_an_error(
    as_chef, link, monkeypatch, django_capture_on_commit_callbacks, caplog
):
    from celery import current_app

    def broker_down(*args, **kwargs):
        raise ConnectionRefusedError("the broker is down")

    monkeypatch.setattr(current_app, "send_task", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        response = write_reflection(as_chef, RISKY)
    assert response.status_code == 201
    assert response.json()["safety"] is not None
    assert Flag.objects.get().notified_at is None  # the sweep tells it once the broker is back


def test_the_sweep_tells_a_flag_no_one_could_be_told_of_when_it_was_raised(as_chef, chef, therapist, smtp):
    write_reflection(as_chef, RISKY)  # shared, but no therapist linked yet
    flag = Flag.objects.get()
    assert notices.flags_untold(now=flag.raised_at) == [flag.id]
    for flag_id in notices.flags_untold(now=flag.raised_at):
        notices.flag_tell(flag_id=flag_id, now=flag.raised_at)
    assert smtp.messages == []  # no one to tell: nothing claimed
    CareLinkFactory(therapist=therapist, patient=chef)
    for flag_id in notices.flags_untold(now=flag.raised_at):
        notices.flag_tell(flag_id=flag_id, now=flag.raised_at)
    assert [message["To"] for message in mails(smtp)] == [therapist.email]
    assert notices.flags_untold(now=flag.raised_at) == []


def test_a_check_in_is_told_only_to_the_therapists_it_was_asked_of(as_chef, chef, link, therapist, stranger_therapist):
    as_chef.post("/api/v1/check-ins/")
    check_in = Flag.objects.get()
    CareLinkFactory(therapist=stranger_therapist, patient=chef)  # linked after the asking
    assert notices.recipients(check_in) == [therapist]
