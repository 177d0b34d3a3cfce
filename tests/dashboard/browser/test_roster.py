"""The roster at a caseload of 200, in a real browser: the compact table fits 25 and more rows
on one screen at a desk's width, search finds a patient by part of the name, and the "drafts
to review" filter lists exactly those with drafts waiting."""

from __future__ import annotations

import pytest

from seeds import personas
from tests.dashboard.browser import pages
from tests.dashboard.test_roster import bulk_patients, drafted

pytestmark = pytest.mark.browser

MAYA = personas.THERAPIST


@pytest.fixture
def caseload(demo):
    """The demo's three patients and 197 more; two of the new ones have drafts waiting."""
    more = bulk_patients(demo.therapist, 197)
    for someone in (more[40], more[150]):
        drafted(demo.therapist, someone)
    return more


def test_the_compact_roster_of_200_fits_25_rows_on_one_screen(page, caseload, screenshots_dir):
    pages.sign_in(page, MAYA.email, MAYA.password)
    assert "200 patients, page 1 of 4." in pages.text(page)
    rows = page.locator(".roster-table tbody tr")
    assert rows.count() == 50
    pages.screenshots(page, screenshots_dir, "roster-table")
    visible = page.evaluate(
        """() => [...document.querySelectorAll('.roster-table tbody tr')]
             .filter(row => row.getBoundingClientRect().bottom <= window.innerHeight).length"""
    )
    assert visible >= 25, f"only {visible} rows on the first screen"


def test_search_finds_a_patient_by_part_of_the_name(page, caseload):
    pages.sign_in(page, MAYA.email, MAYA.password)
    page.get_by_label("Find a patient").fill("ent 12")
    with page.expect_navigation():
        page.get_by_role("button", name="Show").click()
    pages.check_accessibility(page)
    names = page.locator(".roster-table th.who > a:first-child").all_inner_texts()
    assert sorted(names) == [f"Patient {n}" for n in range(120, 130)]  # not "Patient 012": "ent 012"
    page.get_by_label("Find a patient").fill("SAM (CHEF")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    pages.check_accessibility(page)
    assert page.locator(".roster-table th.who > a:first-child").all_inner_texts() == ["Sam (chef)"]


def test_the_drafts_filter_lists_exactly_those_with_drafts_waiting(page, caseload):
    pages.sign_in(page, MAYA.email, MAYA.password)
    pages.follow(page, "Drafts to review 2")
    names = page.locator(".roster-table th.who > a:first-child").all_inner_texts()
    assert sorted(names) == ["Patient 040", "Patient 150"]
    assert page.locator(".roster-table tr", has_text="Patient 040").get_by_role("link", name="1 waiting").count() == 1
    assert "2 patients." in pages.text(page)
