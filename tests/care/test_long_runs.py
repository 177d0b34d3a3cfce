"""A long run of one character costs a transcript one pass, not the square of its length.

A sentence-end expression that backtracked over "....x" took 8.5 s for 20,000 dots and hit
the web tier's 30 s timeout at 40,000. Each character a pattern repeats (sentence ends,
closing quotes, clause breaks, spaces, digits, dashes, brackets) is sent 200,000 times, in the
places a pattern meets it: in a therapist's proposal and a patient's answer, at a line's start,
as a whole turn, at the end of the text. Each must be read in under a second.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import time_machine

from care.brief_markdown import escape
from care.detection import drafts_detect, evidence_line
from care.models import TRANSCRIPT_MAX_LENGTH, Session
from care.transcripts import TranscriptError, transcript_parse

pytestmark = pytest.mark.django_db

RUN = 200_000
#: Sentence ends, closing quotes and brackets, clause breaks, the spaces between words,
#: digits and dashes (ranges, placeholders), titles' hashes, and what a label may hold.
CHARACTERS = [".", "!", "?", "…", ",", " ", "\t", "\u2003", "'", "\u2019", '"', ")", "(", "]", "[", "-", "\u2013",
              ";", ":", "1", "#", "<", "{", "a"]  # fmt: skip
BUDGET = 1.0  # seconds; the quadratic expression took 2.7 s at a twentieth of this length


@contextmanager
def under(seconds: float, what: str) -> Iterator[None]:
    # The CPU time of this process: what the reading costs, not what other processes on a
    # shared machine (the suite's other workers, CI's neighbours) took of the wall clock.
    started = time.process_time()
    yield
    took = time.process_time() - started
    assert took < seconds, f"{what} took {took:.2f} s"


def shapes(run: str) -> dict[str, str]:
    """Transcripts that put ``run`` where each expression reads: after a proposal and inside
    it, in an agreement, followed by a letter (so nothing ends there) or by the end."""
    proposal = "Would you be willing to write down three things you're proud of each week"
    return {
        "after a proposal": f"Therapist: {proposal}? {run}x\nPatient: I can try {run}x",
        "inside a proposal": f"Therapist: {proposal} {run}x?\nPatient: Okay. {run}",
        "a number before a practice": f"Therapist: Could you write down 2 {run}things you're proud of?\nPatient: Yes",
        "the whole turn": f"Therapist: {run}\nPatient: {run}x",
        "a line of its own": f"{run}x\nTherapist: {proposal}?\n{run}\nPatient: I can try.",
        "a label's note": f"Therapist ({run}x: {proposal}?\nPatient: I can try.",
        "a title": f"#{run}x\nTherapist: {proposal}?\nPatient: I can try.",
    }


def read(source: str) -> Any:
    try:
        return drafts_detect(transcript_parse(source))
    except TranscriptError:
        return None


@pytest.mark.parametrize("character", CHARACTERS)
def test_a_transcript_with_a_long_run_of_one_character_is_read_in_under_a_second(character):
    for shape, source in shapes(character * RUN).items():
        with under(BUDGET, f"{shape} with {RUN:,} of {character!r}"):
            read(source)


def test_the_runs_do_not_hide_a_proposal_or_an_agreement():
    # The same transcripts still draft what was agreed: the fix changed the cost, not the reading.
    drafts = read(shapes(" " * 1000)["after a proposal"])
    assert [(d.kind, d.target_count) for d in drafts] == [("pride_weekly", 3)]
    drafts = read(shapes("." * 1000)["after a proposal"])
    assert [(d.kind, d.target_count) for d in drafts] == [("pride_weekly", 3)]


@pytest.mark.parametrize("character", CHARACTERS)
def test_evidence_and_markdown_read_a_long_run_in_under_a_second(character):
    run = character * RUN
    for text in (run + "x", "(line " + run + "x", "1" + run + "x"):
        with under(BUDGET, f"evidence_line of {character!r}"):
            evidence_line(text)
        with under(BUDGET, f"escape of {character!r}"):
            escape(text)


def warm_up(client: Any, patient: Any) -> None:
    """A first request pays for imports and compiled patterns: the budget is for the long run."""
    with time_machine.travel("2026-11-25T18:00:00Z", tick=False):
        short = "Therapist: Could you write down three things you're proud of each week?\nPatient: I can try."
        assert client.post("/api/v1/sessions/", {"patient": str(patient.id), "transcript": short}).status_code == 201


@pytest.mark.parametrize("character", [".", "!", "?", "…", ",", " "])
def test_a_therapist_recording_a_long_run_is_answered_in_under_a_second(as_therapist, chef, link, character):
    opening = "Therapist: Would you be willing to write down three things you're proud of each week? "
    answer = "\nPatient: I can try "
    room = 200_000 - len(opening) - len(answer) - 2  # the transcript's limit, to the character
    run = character * (room // 2)
    transcript = f"{opening}{run}x{answer}{run}x"
    assert len(transcript) <= 200_000
    warm_up(as_therapist, chef)
    with time_machine.travel("2026-11-25T18:00:00Z", tick=False), under(BUDGET, f"POST with {character!r}"):
        response = as_therapist.post(
            "/api/v1/sessions/", {"patient": str(chef.id), "transcript": transcript}, format="json"
        )
    assert response.status_code == 201, response.content
    assert [d["kind"] for d in response.json()["draft_commitments"]] == ["pride_weekly"]
    assert Session.objects.count() == 2


def test_a_run_at_the_end_of_a_transcript_is_answered_in_under_a_second(as_therapist, chef, link):
    # The limit is the request's, not the expression's: the same characters with nothing after them.
    transcript = "Therapist: Could you write down three things you're proud of each week?\nPatient: Yes" + "!" * 199_000
    warm_up(as_therapist, chef)
    with time_machine.travel("2026-11-25T18:00:00Z", tick=False), under(BUDGET, "a run at the end"):
        response = as_therapist.post(
            "/api/v1/sessions/", {"patient": str(chef.id), "transcript": transcript}, format="json"
        )
    assert response.status_code == 201, response.content


def test_the_import_command_reads_a_long_run_in_under_a_second(tmp_path, therapist, chef, link):
    from django.core.management import call_command

    # Two runs, each as long as the transcript's limit lets them be: the command holds a file to it too.
    transcript = shapes("." * (TRANSCRIPT_MAX_LENGTH // 2 - 100))["after a proposal"]
    assert len(transcript) <= TRANSCRIPT_MAX_LENGTH
    path = tmp_path / "dots.txt"
    path.write_text(transcript, encoding="utf-8")
    with time_machine.travel("2026-11-25T18:00:00Z", tick=False), under(BUDGET, "import_transcript"):
        call_command("import_transcript", str(path), therapist=therapist.email, patient=chef.email)
    assert Session.objects.count() == 1
