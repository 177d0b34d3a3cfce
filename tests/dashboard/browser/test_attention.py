"""A patient who might need attention now, in a real browser: first on the roster, their words
quoted on their page, "Mark seen" clears it. Axe checks every page shown (``pages``)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from journal import services as journal_services
from journal.models import Reflection
from seeds import personas
from tests.dashboard.browser import pages
from tests.dashboard.browser.conftest import NOW

pytestmark = pytest.mark.browser

MAYA = personas.THERAPIST
WORDS = "Service was a blur. Honestly everyone would be better off without me."


def test_the_flagged_patient_comes_first_the_sentence_is_quoted_and_seen_clears_it(page, demo, screenshots_dir):
    today = Reflection.objects.get(patient=demo.chef, date=date(2026, 11, 25))  # the demo's, shared
    journal_services.entry_update(entry=today, now=NOW - timedelta(hours=3), effort=WORDS, mood=1)
    pages.visit(page, "/app/")
    pages.sign_in(page, MAYA.email, MAYA.password)

    names = page.locator(".roster-table th.who > a:first-child").all_inner_texts()
    assert names[0] == "Sam (chef)"  # before the nurse who has been quiet for weeks
    chef = page.locator(".roster-table tr", has_text="Sam (chef)")
    assert "Might need you now" in chef.inner_text()
    assert "better off" not in pages.text(page)  # the roster names no words
    told = page.locator(".not-watched").inner_text()
    assert "not watched in real time" in told

    assert chef.get_by_role("link", name="Might need you now").get_attribute("href") == (
        f"/app/patients/{demo.chef.id}/#attention"
    )
    pages.follow(page, "Sam (chef)")
    attention = page.locator("section.attention")
    assert attention.get_by_role("heading").inner_text() == "Might need your attention now"
    assert attention.locator("blockquote").inner_text().startswith("Honestly everyone would be better off without me")
    assert "In a shared reflection for Wed 25 Nov (saved Wed 25 Nov, 09:00 their time):" in attention.inner_text()
    pages.screenshots(page, screenshots_dir, "attention-patient")

    pages.press(page, "Mark seen")
    assert pages.path(page) == f"/app/patients/{demo.chef.id}/"
    assert "Marked what they wrote seen." in pages.text(page)
    assert page.locator("section.attention").count() == 0

    pages.follow(page, "Your patients")
    chef = page.locator(".roster-table tr", has_text="Sam (chef)")
    assert "Might need you now" not in chef.inner_text()
    assert page.locator(".roster-table th.who > a:first-child").all_inner_texts()[0] == "Ana (nurse)"  # quiet first
