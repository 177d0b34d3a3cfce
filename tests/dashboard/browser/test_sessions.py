"""Recording a session in a real browser: the transcript uploaded as a file, the drafts read
with the turns they came from, then one confirmed, one edited and confirmed, one dropped;
and inviting a new patient from the roster."""

from __future__ import annotations

from pathlib import Path

import pytest

from seeds import personas
from tests.dashboard.browser import pages

pytestmark = pytest.mark.browser

MAYA = personas.THERAPIST
T44 = Path(__file__).resolve().parents[3] / "seeds" / "transcripts" / "T44.txt"
RECIPE = "Try this new recipe"
DAILY = "Take a few minutes each day to reflect on your efforts"
PRIDE = "Write down three things you're proud of each week"


def test_a_session_is_recorded_from_a_file_and_its_drafts_confirmed_edited_and_dropped(page, demo):
    pages.sign_in(page, MAYA.email, MAYA.password)
    pages.follow(page, "Leo (student)")
    assert "No sessions recorded yet." in pages.text(page)
    pages.follow(page, "Record a session")
    assert pages.heading(page) == "Record a session with Leo (student)"

    page.get_by_label("Notes").fill("First session: perfectionism in the kitchen.")
    page.get_by_label("Or a transcript file").set_input_files(T44)
    pages.press(page, "Record the session")

    # The session's page: what the reader skipped, and the three practices agreed, each
    # quoted from the turns it came from.
    assert pages.heading(page) == "Transcript T44"
    text = pages.text(page)
    assert "First session: perfectionism in the kitchen." in text
    assert "Line 81" in page.locator(".warnings").inner_text()
    drafts = page.locator("li.commitment")
    assert sorted(drafts.locator("h3").all_inner_texts()) == sorted([RECIPE, DAILY, PRIDE])
    recipe = drafts.filter(has_text=RECIPE)
    assert "Draft" in recipe.locator(".meta").inner_text()
    assert recipe.locator("blockquote").inner_text().startswith("Therapist (line 37): That sounds like a great")

    # Confirm one as it is.
    pages.press(page, f"Confirm “{RECIPE}”")
    assert "✓" in page.get_by_role("status").inner_text()
    assert "Active" in page.locator("li.commitment", has_text=RECIPE).locator(".meta").inner_text()
    assert page.get_by_role("button", name=f"Confirm “{RECIPE}”").count() == 0

    # Edit one (two things a week, not three) and confirm it with the change.
    pages.follow(page, f"Edit “{PRIDE}”")
    page.get_by_label("Title").fill("Write down two things I'm proud of each week")
    page.get_by_label("Target").fill("2")
    pages.press(page, "Save and confirm")
    edited = page.locator("li.commitment", has_text="two things I'm proud of")
    assert "Active" in edited.locator(".meta").inner_text()
    assert "target 2" in edited.locator(".meta").inner_text()

    # Drop the third: it is gone, and the patient's page lists what was agreed.
    pages.press(page, f"Drop “{DAILY}”")
    assert page.locator("li.commitment", has_text=DAILY).count() == 0
    pages.follow(page, "Leo (student)")
    commitments = page.locator("li.commitment").locator("h3").all_inner_texts()
    assert RECIPE in commitments
    assert "Write down two things I'm proud of each week" in commitments
    assert DAILY not in commitments
    sessions = page.locator(".session-list").inner_text()
    assert "Transcript T44" in sessions
    assert "to review" not in sessions


def test_a_transcript_that_is_not_text_is_said_beside_the_field_and_nothing_is_recorded(page, demo, tmp_path):
    binary = tmp_path / "photo.jpg"
    binary.write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(256)))
    pages.sign_in(page, MAYA.email, MAYA.password)
    pages.visit(page, f"/app/patients/{demo.student.id}/sessions/new/")
    page.get_by_label("Or a transcript file").set_input_files(binary)
    pages.press(page, "Record the session")
    assert pages.heading(page) == "Record a session with Leo (student)"
    assert page.locator(".field-problem").count() >= 1
    pages.visit(page, f"/app/patients/{demo.student.id}/")
    assert "No sessions recorded yet." in pages.text(page)


def test_an_invite_code_is_made_from_the_roster_and_shown_on_its_own_page(page, demo):
    pages.sign_in(page, MAYA.email, MAYA.password)
    pages.follow(page, "Invite a patient")
    page.get_by_label("Whom is it for?").fill("Jo, Tuesday intake")
    pages.press(page, "Make an invite code")
    assert pages.heading(page) == "An invite for a new patient"
    code = page.locator(".invite-code code").inner_text()
    assert len(code) >= 8
    text = pages.text(page)
    assert "It works once, until Wednesday 2 December 2026, 12:00 (your time, CST)." in text  # a week, in her zone
    assert "Your note: Jo, Tuesday intake" in text
    assert "This page shows the code while the invite is open and you stay signed in." in text
    pages.follow(page, "Back to your patients")
    assert code not in page.content()
