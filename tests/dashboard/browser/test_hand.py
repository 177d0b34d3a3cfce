"""The therapist's own hand, in a real browser: a transcript that names people recorded through
the who-is-who step; a draft edited (how often, days, planned day, time) then confirmed, and its
reminder then; a practice added by hand; the same transcript recorded twice, caught."""

from __future__ import annotations

from datetime import date, time
from pathlib import Path

import pytest

from care.models import Session
from journal.models import Commitment
from reminders.models import Reminder
from seeds import personas
from tests.dashboard.browser import pages

pytestmark = pytest.mark.browser

MAYA = personas.THERAPIST
T44 = Path(__file__).resolve().parents[3] / "seeds" / "transcripts" / "T44.txt"
NAMED_VTT = """WEBVTT

1
00:00:01.000 --> 00:00:04.000
<v Jordan Reyes>Sorry I'm late, the bus again.

2
00:00:04.500 --> 00:00:09.000
<v Dr. Amara Lee>No trouble. How did the week go with the study group?

3
00:00:09.500 --> 00:00:15.000
<v Jordan Reyes>I went, but I didn't say a word. I never do.

4
00:00:15.500 --> 00:00:21.000
<v Dr. Amara Lee>Would you be willing to ask one question at Thursday's study group?

5
00:00:21.500 --> 00:00:24.000
<v Jordan Reyes>Okay. Yes, I can do that.
"""


def test_a_named_speaker_vtt_is_recorded_after_saying_who_is_who(page, demo, tmp_path):
    vtt = tmp_path / "session.vtt"
    vtt.write_text(NAMED_VTT)
    pages.sign_in(page, MAYA.email, MAYA.password)
    pages.visit(page, f"/app/patients/{demo.student.id}/sessions/new/")
    page.get_by_label("Or a transcript file").set_input_files(vtt)
    pages.press(page, "Record the session")

    # The step: the names, each with the proposed role ticked; the patient speaks first here,
    # but the one who proposes and asks is proposed as the therapist.
    assert "Who is who?" in pages.text(page)
    lee = page.get_by_role("group", name="Dr. Amara Lee")
    jordan = page.get_by_role("group", name="Jordan Reyes")
    assert lee.get_by_label("Therapist (you)").is_checked()
    assert jordan.get_by_label("Patient").is_checked()
    assert "Thursday's study group" in page.get_by_label("Transcript, pasted").input_value()
    # The demo's chef already has session T44: nothing is recorded for Leo yet.
    assert not Session.objects.filter(patient=demo.student).exists()

    pages.press(page, "Record the session with these roles")
    assert "Session recorded" in page.get_by_role("status").inner_text()
    session = Session.objects.get(patient=demo.student)
    assert session.turns == 5
    assert '"Dr. Amara Lee": "therapist"' in session.speaker_roles


def test_a_draft_edited_then_confirmed_is_reminded_on_its_days_at_its_time(page, demo):
    pages.sign_in(page, MAYA.email, MAYA.password)
    pages.visit(page, f"/app/patients/{demo.student.id}/sessions/new/")
    page.get_by_label("Held on").fill("2026-11-24")
    page.get_by_label("Transcript, pasted").fill(T44.read_text())
    pages.press(page, "Record the session")

    daily = Commitment.objects.get(patient=demo.student, kind="reflection_daily")
    pages.follow(page, f"Edit “{daily.title}”")
    days = page.get_by_role("group", name="On these days (optional)")
    for day in ("Mon", "Wed", "Fri"):
        days.get_by_label(day).check()
    page.get_by_label("Reminder time (optional)").fill("07:30")
    pages.press(page, "Save and confirm")
    meta = page.locator("li.commitment", has_text=daily.title).locator(".meta").inner_text()
    assert "Active" in meta
    reminder = Reminder.objects.get(commitment=daily)
    assert (reminder.kind, reminder.weekdays, reminder.local_time, reminder.enabled) == (
        "reflection_daily",
        [1, 3, 5],
        time(7, 30),
        True,
    )

    recipe = Commitment.objects.get(patient=demo.student, kind="experiment")
    pages.follow(page, f"Edit “{recipe.title}”")
    page.get_by_label("How often").select_option("once")
    page.get_by_label("Planned day (an experiment)").fill("2026-11-28")
    page.get_by_label("Reminder time (optional)").fill("17:00")
    pages.press(page, "Save and confirm")
    nudge = Reminder.objects.get(commitment=recipe)
    assert (nudge.kind, nudge.on_date, nudge.local_time) == ("experiment_day", date(2026, 11, 28), time(17, 0))
    assert nudge.next_fire_at is not None

    pages.follow(page, "Leo (student)")
    listed = page.locator("li.commitment", has_text=daily.title).locator(".meta").inner_text()
    assert "on Mon, Wed and Fri · reminder at 07:30" in " ".join(listed.split())


def test_a_practice_is_added_by_hand_when_no_draft_caught_it(page, demo):
    pages.sign_in(page, MAYA.email, MAYA.password)
    pages.follow(page, "Leo (student)")
    pages.follow(page, "Add a practice by hand")
    page.get_by_label("Kind").select_option("custom")
    page.get_by_label("Title").fill("Walk round the block after the library")
    page.get_by_label("How often").select_option("weekly")
    page.get_by_label("Target").fill("2")
    days = page.get_by_role("group", name="On these days (optional)")
    days.get_by_label("Tue").check()
    days.get_by_label("Thu").check()
    page.get_by_label("Reminder time (optional)").fill("16:00")
    pages.press(page, "Add the practice")
    assert "Added “Walk round the block after the library”" in page.get_by_role("status").inner_text()
    card = page.locator("li.commitment", has_text="Walk round the block after the library")
    assert "on Tue and Thu · reminder at 16:00" in " ".join(card.locator(".meta").inner_text().split())
    # A title is encrypted at rest, so the database cannot be asked for it: Leo's one custom practice.
    practice = Commitment.objects.get(patient=demo.student, kind="custom")
    assert practice.title == "Walk round the block after the library"
    assert Reminder.objects.get(commitment=practice).weekdays == [2, 4]

    # Paused from the same card, then resumed.
    pages.press(page, "Pause “Walk round the block after the library”")
    assert not Reminder.objects.get(commitment=practice).enabled
    pages.press(page, "Resume “Walk round the block after the library”")
    assert Reminder.objects.get(commitment=practice).enabled


def test_a_session_recorded_twice_is_caught_with_the_first_one_named(page, demo):
    pages.sign_in(page, MAYA.email, MAYA.password)
    for held_on in ("2026-11-20", "2026-11-24"):
        pages.visit(page, f"/app/patients/{demo.student.id}/sessions/new/")
        page.get_by_label("Held on").fill(held_on)
        page.get_by_label("Or a transcript file").set_input_files(T44)
        pages.press(page, "Record the session")
    assert pages.heading(page) == "Record a session with Leo (student)"
    assert "This transcript was already recorded on Friday 20 November 2026" in pages.text(page)
    pages.follow(page, "the session of 20 November 2026")
    assert pages.heading(page) == "Transcript T44"
    assert Session.objects.filter(patient=demo.student).count() == 1
