"""Passing an invite on, in real browsers: the therapist makes one on the dashboard, and a new
patient on a phone joins with its code typed carelessly; reloading the invite's page makes no
second code; a cancelled code is refused at join, in words the patient can act on."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from accounts.models import CareLink, Invite
from seeds import personas
from tests.dashboard.browser import pages
from tests.dashboard.browser.conftest import NOW
from tests.patient_web.browser import journal

pytestmark = pytest.mark.browser


@pytest.fixture
def phone(browser: Browser, live_server, clock) -> Iterator[Page]:
    """A new patient's phone: 360 px wide, its own cookies, the app's checks after the test."""
    context = browser.new_context(base_url=live_server.url, viewport={"width": 360, "height": 780})
    context.set_default_timeout(10_000)
    tab = context.new_page()
    tab.clock.set_system_time(NOW)
    seen = journal.watch(tab, origin=live_server.url)
    yield tab
    context.close()
    seen.assert_clean()


def make_invite(page: Page, note: str) -> str:
    """From the roster's "Invite a patient", as a therapist does: the invite's page and its code."""
    pages.sign_in(page, personas.THERAPIST.email, personas.THERAPIST.password)
    pages.follow(page, "Invite a patient")
    page.get_by_label("Whom is it for?").fill(note)
    pages.press(page, "Make an invite code")
    assert pages.heading(page) == "An invite for a new patient"
    return page.locator(".invite-code code").inner_text()


def join_with(phone: Page, code: str, *, email: str) -> None:
    """A newcomer creates an account, then types the code on the join screen."""
    journal.register(phone, email=email, path="/journal/join")
    journal.screen(phone, "Join your therapist")
    phone.get_by_label("Invite code from your therapist").fill(code)
    phone.get_by_role("button", name="Join").click()


def test_a_code_typed_in_small_letters_with_a_dash_missing_still_joins_and_a_reload_makes_no_second(page, phone, demo):
    before = Invite.objects.count()
    code = make_invite(page, "The referral from Dr. Lee")
    page_address = page.url
    words = pages.text(page)
    assert f"/journal/join/{code}" in words
    assert "The referral from Dr. Lee" in words
    expect(page.get_by_role("img", name="QR code of the join link")).to_be_visible()

    for _ in range(2):
        page.reload()
        pages.check_accessibility(page)
        assert page.locator(".invite-code code").inner_text() == code
    assert page.url == page_address
    assert Invite.objects.count() == before + 1

    typed = code.lower().replace("-", "", 1)  # "k7qxm3pd-r8tw"
    join_with(phone, typed, email="newcomer@example.test")
    journal.screen(phone, "Practices")
    expect(phone.locator("#status")).to_have_text(f"You're linked with {demo.therapist.display_name}.")
    assert CareLink.objects.filter(therapist=demo.therapist, patient__email="newcomer@example.test").exists()

    page.reload()
    pages.check_accessibility(page)
    assert pages.heading(page) == "An invite"
    assert "This invite was used: the patient it was for has joined" in pages.text(page)
    expect(page.locator(".invite-code")).to_have_count(0)
    assert Invite.objects.count() == before + 1


def test_a_cancelled_code_is_refused_at_join(page, phone, demo):
    code = make_invite(page, "For R., who may not come")
    pages.follow(page, "Your open invites")
    row = page.locator(".invite-list li", has_text="For R., who may not come")
    expect(row).to_contain_text("works until Wed 2 Dec 2026, 12:00")
    with page.expect_navigation():
        row.get_by_role("button", name="Cancel this invite").click()
    pages.check_accessibility(page)
    words = pages.text(page)
    assert "Cancelled the invite (“For R., who may not come”): its code no longer works." in words
    expect(page.locator(".invite-list li", has_text="For R., who may not come")).to_have_count(0)

    join_with(phone, code, email="r@example.test")
    expect(
        phone.get_by_text("This invite code was cancelled by your therapist; ask them for a new one.")
    ).to_be_visible()
    journal.check(phone)
    assert journal.text(phone).count("cancelled by your therapist") == 1
    assert not CareLink.objects.filter(patient__email="r@example.test").exists()
