"""The demo therapist's way through the dashboard in a real browser, each step asserting what
she sees. Steps come from ``pages``; a new flow (the second factor at sign-in, recording a
session) is a few more steps in the same style."""

from __future__ import annotations

import re

import pytest

from seeds import personas
from tests.dashboard.browser import pages

pytestmark = pytest.mark.browser

MAYA = personas.THERAPIST


def test_signed_out_the_roster_sends_you_to_sign_in(page, demo):
    pages.visit(page, "/app/")
    assert pages.path(page) == "/app/sign-in/?next=/app/"
    assert pages.heading(page) == "Sign in"
    assert "For therapists" in pages.text(page)
    assert "Ana (nurse)" not in page.content()


def test_a_wrong_password_is_said_beside_the_form_and_nothing_opens(page, demo):
    pages.sign_in(page, MAYA.email, "listen-unkindly-2026")
    assert pages.heading(page) == "Sign in"
    assert page.get_by_role("alert").inner_text().startswith("That e-mail and password do not match")
    assert page.get_by_label("E-mail").input_value() == MAYA.email
    pages.visit(page, "/app/")
    assert pages.heading(page) == "Sign in"


def test_the_demo_therapist_reads_the_roster_then_a_patient_then_the_brief(page, demo):
    pages.visit(page, "/app/")
    pages.sign_in(page, MAYA.email, MAYA.password)

    # The roster: the nurse who went quiet first, offered a check-in in gentle words.
    assert pages.path(page) == "/app/"
    assert pages.heading(page) == "Your patients"
    assert MAYA.display_name in page.locator("header").inner_text()
    names = page.locator(".roster h2").all_inner_texts()
    assert names[0] == "Ana (nurse)"
    assert set(names) == {"Ana (nurse)", "Sam (chef)", "Leo (student)"}
    nurse = page.locator("li.patient", has_text="Ana (nurse)")
    assert "Might like a check-in: quiet since 9 Nov." in nurse.inner_text()
    roster = pages.text(page).lower()
    for harsh in ("failed", "overdue", "missed", "non-compliant", "streak"):
        assert harsh not in roster
    chef = page.locator("li.patient", has_text="Sam (chef)")
    assert "Might like a check-in" not in chef.inner_text()
    assert "This week" in chef.inner_text()

    # The chef's page: the three practices of session T44, each with the words that agreed it.
    pages.follow(page, "Sam (chef)")
    assert pages.path(page) == f"/app/patients/{demo.chef.id}/"
    assert pages.heading(page) == "Sam (chef)"
    commitments = page.locator("li.commitment")
    assert commitments.count() == 3
    recipe = commitments.filter(has_text="new recipe")
    assert "Active" in recipe.locator(".meta").inner_text()
    quote = recipe.locator("blockquote").inner_text()
    assert quote.startswith("Therapist (line 37): That sounds like a great starting point.")
    assert "I think I can commit to that, just this once." in quote
    assert "From the session" in recipe.inner_text()

    # The brief: the period since T44, the practices counted, what the chef chose to share.
    pages.follow(page, "Read the pre-session brief")
    assert pages.path(page) == f"/app/patients/{demo.chef.id}/brief/"
    assert pages.heading(page) == "Pre-session brief: Sam (chef)"
    brief = pages.text(page)
    assert "since the last session" in brief
    assert "Saffron risotto, a recipe I'd never made" in brief
    assert "Too salty. The team ate it anyway and we laughed." in brief
    assert "Prepared 25 Nov 2026, 12:00" in brief

    # And back, by the crumbs.
    pages.follow(page, "Your patients")
    assert pages.heading(page) == "Your patients"


def test_signing_out_returns_to_sign_in_and_closes_the_roster_again(page, demo):
    pages.sign_in(page, MAYA.email, MAYA.password)
    assert pages.heading(page) == "Your patients"
    pages.sign_out(page)
    assert pages.path(page) == "/app/sign-in/"
    assert pages.heading(page) == "Sign in"
    assert page.get_by_role("button", name="Sign out").count() == 0
    pages.visit(page, f"/app/patients/{demo.chef.id}/")
    assert pages.path(page) == f"/app/sign-in/?next=/app/patients/{demo.chef.id}/"
    assert "Sam (chef)" not in page.content()


def test_the_keyboard_reaches_the_page_first_then_the_invite_and_each_patient(page, demo):
    pages.sign_in(page, MAYA.email, MAYA.password)
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to the page")
    assert skip.evaluate("link => link === document.activeElement")
    box = skip.bounding_box()
    assert box is not None
    assert box["x"] >= 0, "the skip link is focused but off screen"
    page.keyboard.press("Enter")
    # First the invite form under the heading (and the open invites), then the patients in the roster's order.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "invite-note"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent").strip() == "Make an invite code"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent").strip() == "Your open invites"
    reached = []
    for _ in range(3):
        page.keyboard.press("Tab")
        reached.append(page.evaluate("document.activeElement.textContent").strip())
    assert reached == ["Ana (nurse)", "Leo (student)", "Sam (chef)"]
    page.keyboard.press("Shift+Tab")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    pages.check_accessibility(page)
    assert pages.heading(page) == "Leo (student)"


def test_the_brief_prints_on_one_a4_sheet_without_the_header(page, demo):
    pages.sign_in(page, MAYA.email, MAYA.password)
    pages.visit(page, f"/app/patients/{demo.chef.id}/brief/")
    page.emulate_media(media="print")
    assert page.locator("header.top").is_hidden()
    assert page.get_by_role("link", name="Your patients").is_hidden()
    assert page.get_by_role("heading", name="Pre-session brief: Sam (chef)").is_visible()
    pdf = page.pdf(format="A4", prefer_css_page_size=True)
    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) == 1
