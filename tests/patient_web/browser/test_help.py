"""Help when things are very hard, in the patient's app on a phone: "Help now" one tap away even
signed out, the crisis lines for where the patient is, and a gentle panel at once when what they
just wrote sounds like crisis, saying plainly who will read it. Axe checks every screen."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from accounts.models import User
from safety.models import Flag
from seeds import personas
from tests.helpers import client_for
from tests.patient_web.browser import journal
from tests.patient_web.browser.test_screens import chef, shoot  # noqa: F401  (the demo's chef, as a fixture)

pytestmark = pytest.mark.browser


def test_help_now_is_one_tap_away_signed_out_with_the_lines_for_the_devices_zone(new_tab, transactional_db):
    page = new_tab()  # a phone in Europe/London
    journal.open_app(page, "/journal/welcome")
    page.get_by_role("link", name="Help now").click()
    journal.screen(page, "Help now")
    main = page.locator("main")
    expect(main).to_contain_text("not watched in real time")
    expect(main.get_by_role("link", name="Call 999")).to_have_attribute("href", "tel:999")
    expect(main).to_contain_text("Samaritans")
    # Somewhere else: the lines of the country chosen, right here.
    page.get_by_label("Lines for another country").select_option("ES")
    expect(main.get_by_role("link", name="Call 112")).to_be_visible()
    expect(main).not_to_contain_text("Samaritans")
    journal.check(page)


def test_a_reflection_that_sounds_like_crisis_shows_help_at_once_and_a_check_in_can_be_asked(
    new_tab,
    chef,  # noqa: F811
    screenshots_dir,
):
    page = new_tab()
    journal.signed_in(page, email=chef.email, password=personas.CHEF.password)
    page.get_by_label("What did I do with effort today?").fill(
        "Got through the lunch rush. Honestly everyone would be better off without me."
    )
    page.get_by_role("button", name="Save").click()
    panel = page.get_by_role("dialog", name="That sounds really hard")
    expect(panel).to_be_visible()
    expect(panel).to_contain_text("988")  # the United States' line: the chef is in Chicago
    expect(panel).to_contain_text("Your therapist can read this entry, but not straight away")
    expect(panel.get_by_role("link", name="Call 911")).to_have_attribute("href", "tel:911")
    expect(panel.get_by_role("link", name="Text 988")).to_have_attribute("href", "sms:988")
    expect(panel.get_by_role("link", name="Text HOME to 741741")).to_have_attribute("href", "sms:741741?&body=HOME")
    assert "detect" not in panel.inner_text().lower()
    journal.check(page)
    shoot(page, screenshots_dir, "safety-panel")

    panel.get_by_role("button", name="Ask my therapist to check in").click()
    expect(panel).to_contain_text("Asked. Your therapist will see it")
    assert Flag.objects.filter(patient=chef, source="check_in").count() == 1
    panel.get_by_role("button", name="Close").click()
    expect(page.get_by_role("dialog")).to_have_count(0)

    page.get_by_role("link", name="Help now").click()
    journal.screen(page, "Help now")
    expect(page.locator("main").get_by_role("link", name="Call 911")).to_be_visible()  # the account's country
    shoot(page, screenshots_dir, "help-now")

    # The therapist marks both seen; the patient's log of reads says so, in words.
    therapist = User.objects.get(email=personas.THERAPIST.email)
    for flag in Flag.objects.filter(patient=chef):
        assert client_for(therapist).post(f"/api/v1/patients/{chef.id}/flags/{flag.id}/seen/").status_code == 200
    page.get_by_role("link", name="Account").click()
    journal.screen(page, "Account")
    page.get_by_role("link", name="What my therapist sees").click()
    journal.screen(page, "What my therapist sees")
    reads = page.locator("ul.reads li")
    expect(
        reads.filter(has_text="Dr. Maya Okafor marked seen what you wrote in your reflection of Wed, Nov 25")
    ).to_have_count(1)
    expect(
        reads.filter(has_text="Dr. Maya Okafor looked at your request for a check-in and marked it seen")
    ).to_have_count(1)
