"""The model drafter: off unless configured, and trusting a model's answer only where it can be checked.

Each test talks to a real HTTP server on 127.0.0.1 (``tests.reminders.servers``) that answers
what the test chose, through the drafter's real client; nothing of ours is mocked.
"""

from __future__ import annotations

import json
import logging
import socket
from collections.abc import Iterator
from datetime import date, time
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured

from backend import env
from care.detection import EVIDENCE
from care.model_drafter import MAX_ANSWER_BYTES, drafts_from_model
from care.transcripts import transcript_parse
from tests.reminders.servers import HTTPRecorder, http_recorder

HELD_ON = date(2026, 11, 24)  # a Tuesday
TRANSCRIPT = transcript_parse(
    "# Session 4\n"  # line 1
    "Therapist: How was the week?\n"  # 2
    "Patient: Hard. I kept telling myself I'd failed.\n"  # 3
    "Therapist: That sounds heavy. Could you try, each evening, to write one thing you tried,\n"  # 4
    "even if it went badly? Just a line.\n"  # 5: the turn of line 4 goes on
    "Patient: Okay, I can do that.\n"  # 6
    "Therapist: And on Thursday, would you send the report with one typo left in?\n"  # 7
    "Patient: Maybe. Thursday is bad.\n"  # 8
    "Therapist: Friday then?\n"  # 9
    "Patient: Yes, Friday. I'll send it at nine.\n"  # 10
)
TURNS = {turn.line: turn for turn in TRANSCRIPT.turns}


def reflection(**changes: Any) -> dict[str, Any]:
    return {
        "kind": "reflection_daily",
        "cadence": "daily",
        "target_count": 1,
        "title": "Write one thing you tried each evening",
        "details": "Could you try, each evening, to write one thing you tried, even if it went badly?",
        "weekdays": [],
        "planned_for": None,
        "remind_at": None,
        "proposal_line": 4,
        "answer_line": 6,
        # The quote crosses the turn's two lines, and the model spaced it its own way.
        "proposal_quote": "write one thing you tried,\n  even if it went badly",
        "answer_quote": "I can do that",
        **changes,
    }


def experiment(**changes: Any) -> dict[str, Any]:
    return {
        "kind": "experiment",
        "cadence": "once",
        "target_count": 1,
        "title": "Send the report with one typo left in",
        "details": "",
        "weekdays": [],
        "planned_for": "2026-11-27",
        "remind_at": "09:00",
        "proposal_line": 7,
        "answer_line": 10,
        "proposal_quote": "send the report with one typo left in",
        "answer_quote": "Yes, Friday.",
        **changes,
    }


def completion(answer: Any) -> dict[str, Any]:
    """A chat completion whose message is ``answer`` as JSON text (or ``answer`` itself, if text)."""
    content = answer if isinstance(answer, str) else json.dumps(answer)
    return {
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}],
    }


@pytest.fixture
def model(settings) -> Iterator[HTTPRecorder]:
    """A model server, configured as the drafter's: it answers with no drafts until told otherwise."""
    with http_recorder() as server:
        server.answer(200, json_body=completion({"drafts": []}))
        settings.TRANSCRIPT_DRAFTER_URL = f"{server.url}/v1"
        settings.TRANSCRIPT_DRAFTER_MODEL = "default"
        settings.TRANSCRIPT_DRAFTER_KEY = None
        settings.TRANSCRIPT_DRAFTER_TIMEOUT = 2.0
        yield server


def test_it_is_off_by_default_and_sends_nothing(settings):
    assert settings.TRANSCRIPT_DRAFTER_URL is None
    with http_recorder() as server:
        assert drafts_from_model(TRANSCRIPT, held_on=HELD_ON) is None
        assert server.received == []


def test_a_good_answer_becomes_drafts_with_evidence_written_from_the_transcript(model):
    model.answer(200, json_body=completion({"drafts": [experiment(), reflection()]}))
    drafts = drafts_from_model(TRANSCRIPT, held_on=HELD_ON)
    assert drafts is not None
    reflecting, sending = drafts  # in the order proposed, not the order the model listed them
    assert (reflecting.kind, reflecting.cadence, reflecting.target_count) == ("reflection_daily", "daily", 1)
    assert reflecting.title == "Write one thing you tried each evening"
    assert reflecting.line == 4
    assert reflecting.evidence == EVIDENCE.format(proposal=TURNS[4], answer=TURNS[6])
    assert reflecting.details == "Could you try, each evening, to write one thing you tried, even if it went badly?"
    assert (sending.kind, sending.cadence, sending.line) == ("experiment", "once", 7)
    assert sending.evidence == EVIDENCE.format(proposal=TURNS[7], answer=TURNS[10])
    assert "Therapist (line 7)" in sending.evidence
    assert "Patient (line 10): Yes, Friday. I'll send it at nine." in sending.evidence
    assert (sending.planned_for, sending.remind_at, sending.weekdays) == (date(2026, 11, 27), time(9, 0), ())
    # No details given: the proposal's sentence that holds the quote, not the whole turn.
    assert sending.details == "And on Thursday, would you send the report with one typo left in?"


def test_details_the_therapist_did_not_say_are_replaced_by_the_sentence_they_did(model):
    said = "Write down one thing you tried, every evening."  # the model's paraphrase
    model.answer(200, json_body=completion({"drafts": [reflection(details=said, weekdays=[5, 1])]}))
    [draft] = drafts_from_model(TRANSCRIPT, held_on=HELD_ON) or []
    assert draft.details == "Could you try, each evening, to write one thing you tried, even if it went badly?"
    assert draft.weekdays == (1, 5)


@pytest.mark.parametrize(
    "change",
    [
        {"proposal_quote": "write two things you tried"},  # not said
        {"answer_quote": "Yes, definitely"},  # not said
        {"proposal_quote": "Write one thing you tried"},  # case is part of what was said
        {"answer_quote": "Hard. I kept telling myself"},  # said, but in another turn
    ],
)
def test_a_quote_not_said_word_for_word_in_its_turn_drops_that_draft(model, change):
    model.answer(200, json_body=completion({"drafts": [reflection(**change), experiment()]}))
    drafts = drafts_from_model(TRANSCRIPT, held_on=HELD_ON)
    assert [draft.line for draft in drafts or []] == [7]


@pytest.mark.parametrize(
    "lines",
    [
        {"proposal_line": 3, "proposal_quote": "I kept telling myself", "answer_line": 6},  # the patient's turn
        {"proposal_line": 4, "answer_line": 7, "answer_quote": "would you send"},  # the therapist's turn
        {"proposal_line": 5},  # the turn's second line, where no turn starts
        {"proposal_line": 99},  # no such line
        {"proposal_line": 7, "proposal_quote": "send the report", "answer_line": 6},  # answered before asked
    ],
)
def test_lines_that_are_not_a_therapist_then_a_later_patient_turn_drop_that_draft(model, lines):
    model.answer(200, json_body=completion({"drafts": [reflection(**lines), experiment()]}))
    drafts = drafts_from_model(TRANSCRIPT, held_on=HELD_ON)
    assert [draft.line for draft in drafts or []] == [7]


def test_an_answer_with_nothing_that_holds_up_is_no_drafts_not_a_failure(model):
    model.answer(200, json_body=completion({"drafts": [reflection(proposal_line=3)]}))
    assert drafts_from_model(TRANSCRIPT, held_on=HELD_ON) == []
    model.answer(200, json_body=completion({"drafts": []}))
    assert drafts_from_model(TRANSCRIPT, held_on=HELD_ON) == []


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (500, json.dumps(completion({"drafts": []})).encode()),
        (404, b"no such model"),
        (302, b""),  # a redirect is never followed
        (200, b"{not json"),
        (200, b"[" * 100_000),  # deeper than the parser goes
        (200, json.dumps({"drafts": []}).encode()),  # not a chat completion
        (200, json.dumps({"choices": []}).encode()),
        (200, json.dumps(completion("Sure! Here are the drafts: ...")).encode()),  # prose, not JSON
        (200, json.dumps(completion({"practices": []})).encode()),
        (200, json.dumps(completion({"drafts": {}})).encode()),
        (200, json.dumps(completion({"drafts": [reflection()] * 21})).encode()),
        # A good answer, but padded past the limit: not read to its end.
        (200, json.dumps(completion({"drafts": [reflection()]})).encode().ljust(MAX_ANSWER_BYTES + 1)),
    ],
    ids=[
        "500",
        "404",
        "redirect",
        "body-not-json",
        "body-too-deep",
        "not-a-completion",
        "no-choices",
        "message-not-json",
        "no-drafts-key",
        "drafts-not-a-list",
        "too-many-drafts",
        "over-a-megabyte",
    ],
)
def test_an_answer_that_cannot_be_used_leaves_drafting_to_the_built_in_drafter(model, status, body):
    model.answer(status, body=body, headers={"content-type": "application/json"})
    assert drafts_from_model(TRANSCRIPT, held_on=HELD_ON) is None
    assert len(model.received) == 1


@pytest.mark.parametrize(
    "change",
    [
        {"kind": "homework"},
        {"kind": ["experiment"]},
        {"cadence": "monthly"},
        {"kind": "pride_weekly", "cadence": "daily"},  # pride entries are kept by the week
        {"target_count": 0},
        {"target_count": 101},
        {"target_count": "1"},
        {"target_count": True},
        {"target_count": 1.5},
        {"title": ""},
        {"title": "   "},
        {"title": "x" * 81},
        {"title": None},
        {"details": 3},
        {"weekdays": [0]},
        {"weekdays": [8]},
        {"weekdays": [1, 1]},
        {"weekdays": "1,3"},
        {"planned_for": "Friday"},
        {"planned_for": "20261127"},
        {"planned_for": "2026-02-30"},
        {"planned_for": "2026-11-23"},  # the day before the session
        {"planned_for": "2028-01-01"},
        {"remind_at": "9am"},
        {"remind_at": "24:00"},
        {"remind_at": "09:00:00"},
        {"proposal_line": "4"},
        {"answer_line": 0},
        {"proposal_quote": ""},
        {"answer_quote": None},
    ],
)
def test_a_field_of_the_wrong_type_or_range_makes_the_whole_answer_unusable(model, change):
    model.answer(200, json_body=completion({"drafts": [experiment(), reflection(**change)]}))
    assert drafts_from_model(TRANSCRIPT, held_on=HELD_ON) is None


def test_a_draft_missing_a_field_makes_the_whole_answer_unusable(model):
    draft = reflection()
    del draft["remind_at"]
    model.answer(200, json_body=completion({"drafts": [draft]}))
    assert drafts_from_model(TRANSCRIPT, held_on=HELD_ON) is None


def test_a_model_that_answers_too_slowly_is_given_up_on_within_the_timeout(model, settings):
    settings.TRANSCRIPT_DRAFTER_TIMEOUT = 0.5
    model.answer(200, json_body=completion({"drafts": [reflection()]}), delay=1.5)
    assert drafts_from_model(TRANSCRIPT, held_on=HELD_ON) is None


def test_a_model_that_cannot_be_reached_leaves_drafting_to_the_built_in_drafter(settings):
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
    settings.TRANSCRIPT_DRAFTER_URL = f"http://127.0.0.1:{port}/v1"  # nothing listens there now
    settings.TRANSCRIPT_DRAFTER_TIMEOUT = 2.0
    assert drafts_from_model(TRANSCRIPT, held_on=HELD_ON) is None


def test_the_request_names_the_model_carries_the_key_and_asks_for_json(model, settings):
    settings.TRANSCRIPT_DRAFTER_MODEL = "clinic-llama"
    settings.TRANSCRIPT_DRAFTER_KEY = "sk-local-0123"
    drafts_from_model(TRANSCRIPT, held_on=HELD_ON)
    [request] = model.received
    assert (request.method, request.path) == ("POST", "/v1/chat/completions")
    assert request.headers["authorization"] == "Bearer sk-local-0123"
    body = request.json()
    assert body["model"] == "clinic-llama"
    assert body["temperature"] == 0
    assert body["response_format"] == {"type": "json_object"}


def test_no_key_sends_no_authorization(model):
    drafts_from_model(TRANSCRIPT, held_on=HELD_ON)
    [request] = model.received
    assert "authorization" not in request.headers


def test_the_transcript_is_sent_once_as_numbered_turns_with_the_session_day(model):
    drafts_from_model(TRANSCRIPT, held_on=HELD_ON)
    [request] = model.received
    system, user = request.json()["messages"]
    assert system["role"] == "system"
    assert "[line 2]" not in system["content"]
    assert user["role"] == "user"
    assert "2026-11-24, a Tuesday" in user["content"]
    assert (
        "[line 4] Therapist: That sounds heavy. Could you try, each evening, to write one thing you tried, "
        "even if it went badly? Just a line.\n[line 6] Patient: Okay, I can do that.\n"
    ) in user["content"]
    assert user["content"].endswith("[line 10] Patient: Yes, Friday. I'll send it at nine.")
    for turn in TRANSCRIPT.turns:
        assert request.body.decode().count(turn.text) == 1


def test_a_failure_is_logged_with_its_reason_and_no_words_of_the_session(model, caplog):
    model.answer(500, body=b"Patient: Hard. I kept telling myself I'd failed.")
    with caplog.at_level(logging.INFO, logger="care.model_drafter"):
        assert drafts_from_model(TRANSCRIPT, held_on=HELD_ON) is None
        model.answer(200, json_body=completion({"drafts": [reflection(proposal_quote="I'd failed")]}))
        assert drafts_from_model(TRANSCRIPT, held_on=HELD_ON) == []
    records = [record for record in caplog.records if record.name == "care.model_drafter"]
    assert [record.levelname for record in records] == ["WARNING", "INFO"]
    assert "answered 500" in records[0].getMessage()
    assert "proposal_quote not said" in records[1].getMessage()
    for record in records:
        assert "failed" not in record.getMessage()
        assert "Hard" not in record.getMessage()


# --- settings ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "ftp://127.0.0.1/v1",
        "127.0.0.1:8080/v1",
        "http:///v1",
        "http://127.0.0.1:port/v1",
        "http://127.0.0.1:8080/v1?key=1",
    ],
)
def test_a_drafter_url_that_is_not_an_http_base_url_stops_start_up_naming_it(monkeypatch, value):
    monkeypatch.setenv("TRANSCRIPT_DRAFTER_URL", value)
    with pytest.raises(ImproperlyConfigured, match="TRANSCRIPT_DRAFTER_URL"):
        env.get_base_url("TRANSCRIPT_DRAFTER_URL")


@pytest.mark.parametrize(
    "value",
    [
        "http://169.254.169.254/latest",
        "http://[fe80::1]/v1",
        "http://[fd00:ec2::254]/v1",
        "http://metadata.google.internal/computeMetadata/v1",
    ],
)
def test_a_drafter_url_at_a_cloud_metadata_service_stops_start_up(monkeypatch, value):
    monkeypatch.setenv("TRANSCRIPT_DRAFTER_URL", value)
    with pytest.raises(ImproperlyConfigured, match="instance-metadata"):
        env.get_base_url("TRANSCRIPT_DRAFTER_URL")


@pytest.mark.parametrize("value", ["http://127.0.0.1:8080/v1", "http://[::1]:8080/v1", "http://10.0.0.7/v1"])
def test_a_drafter_on_this_machine_or_the_clinics_network_is_the_operators_choice(monkeypatch, value):
    # The model a clinic runs is usually here (llama-server on 127.0.0.1): the operator sets the
    # URL, no user can aim it, and a redirect from it is never followed (test above).
    monkeypatch.setenv("TRANSCRIPT_DRAFTER_URL", value)
    assert env.get_base_url("TRANSCRIPT_DRAFTER_URL") == value


def test_a_drafter_url_is_read_without_its_final_slash(monkeypatch):
    monkeypatch.setenv("TRANSCRIPT_DRAFTER_URL", "https://models.clinic.example/v1/")
    assert env.get_base_url("TRANSCRIPT_DRAFTER_URL") == "https://models.clinic.example/v1"
    monkeypatch.setenv("TRANSCRIPT_DRAFTER_URL", "")
    assert env.get_base_url("TRANSCRIPT_DRAFTER_URL") is None


@pytest.mark.parametrize("value", ["soon", "0", "-1", "nan", "601"])
def test_a_drafter_timeout_that_is_not_a_sensible_number_of_seconds_stops_start_up(monkeypatch, value):
    monkeypatch.setenv("TRANSCRIPT_DRAFTER_TIMEOUT", value)
    with pytest.raises(ImproperlyConfigured, match="TRANSCRIPT_DRAFTER_TIMEOUT"):
        env.get_seconds("TRANSCRIPT_DRAFTER_TIMEOUT", 20.0, minimum=0.1, maximum=600.0)


def test_a_drafter_key_that_cannot_be_a_header_is_refused():
    with pytest.raises(ValueError, match="Authorization"):
        env.validate_bearer_token("two words")
    env.validate_bearer_token("sk-local-0123")


# --- recording a session with the model on ----------------------------------------------------

SOURCE = "\n".join(
    [
        "# Session 4",
        "Therapist: How was the week?",
        "Patient: Hard. I kept telling myself I'd failed.",
        "Therapist: That sounds heavy. Could you try, each evening, to write one thing you tried,",
        "even if it went badly? Just a line.",
        "Patient: Okay, I can do that.",
        "Therapist: And on Thursday, would you send the report with one typo left in?",
        "Patient: Maybe. Thursday is bad.",
        "Therapist: Friday then?",
        "Patient: Yes, Friday. I'll send it at nine.",
    ]
)


@pytest.mark.django_db
def test_a_session_recorded_with_the_model_on_keeps_its_grounded_drafts_with_day_and_time(
    model, as_therapist, chef, link
):
    import time_machine

    model.answer(200, json_body=completion({"drafts": [experiment()]}))
    with time_machine.travel("2026-11-24T18:00:00Z", tick=False):
        response = as_therapist.post(
            "/api/v1/sessions/",
            {"patient": str(chef.id), "held_on": "2026-11-24", "transcript": SOURCE},
            format="json",
        )
    assert response.status_code == 201, response.json()
    [draft] = response.json()["draft_commitments"]
    assert (draft["kind"], draft["planned_for"], draft["remind_at"]) == ("experiment", "2026-11-27", "09:00")
    assert draft["evidence"].startswith("Therapist (line 7): And on Thursday")
    assert len(model.received) == 1


@pytest.mark.django_db
def test_a_model_that_fails_leaves_the_drafting_to_the_built_in_drafter(model, as_therapist, chef, link):
    from pathlib import Path

    import time_machine

    t44 = (Path(__file__).resolve().parents[2] / "seeds" / "transcripts" / "T44.txt").read_text()
    model.answer(500, json_body={"error": "overloaded"})
    with time_machine.travel("2026-11-24T18:00:00Z", tick=False):
        response = as_therapist.post(
            "/api/v1/sessions/",
            {"patient": str(chef.id), "held_on": "2026-11-24", "transcript": t44},
            format="json",
        )
    assert response.status_code == 201, response.json()
    assert len(model.received) == 1
    # The built-in drafter read the same session: T44's three practices.
    kinds = sorted(draft["kind"] for draft in response.json()["draft_commitments"])
    assert kinds == ["experiment", "pride_weekly", "reflection_daily"]


@pytest.mark.django_db
def test_nothing_is_sent_to_the_model_for_a_patient_not_linked(model, as_stranger, chef, link):
    response = as_stranger.post("/api/v1/sessions/", {"patient": str(chef.id), "transcript": SOURCE}, format="json")
    assert response.status_code == 404
    assert model.received == []
