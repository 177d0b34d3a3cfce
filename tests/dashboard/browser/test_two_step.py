"""The second factor in a real browser: a therapist turns it on by reading the QR page's key
into an app (here: the TOTP sum done by django-otp's own ``totp``), keeps the recovery codes,
and from then on every sign-in asks for a code after the password."""

from __future__ import annotations

from base64 import b32decode
from datetime import timedelta

import pytest
import time_machine
from django_otp.oath import totp
from playwright.sync_api import Page

from seeds import personas
from tests.dashboard.browser import pages
from tests.dashboard.browser.conftest import NOW

pytestmark = pytest.mark.browser

MAYA = personas.THERAPIST


def app_code(key: bytes) -> str:
    """What an authenticator app shows now for this key: 30-second steps, six digits."""
    return f"{totp(key, step=30, t0=0, digits=6):06d}"


def type_code(page: Page, code: str, button: str) -> None:
    page.get_by_label("Code").fill(code)
    with page.expect_navigation():
        page.get_by_role("button", name=button).click()
    pages.check_accessibility(page)


def test_turning_on_two_step_sign_in_then_signing_in_with_a_code_and_a_recovery_code(page, demo):
    pages.sign_in(page, MAYA.email, MAYA.password)
    pages.follow(page, "Two-step sign-in")
    assert "Off." in pages.text(page)
    with page.expect_navigation():
        page.get_by_role("button", name="Set up two-step sign-in").click()
    pages.check_accessibility(page)

    # The QR code is drawn into the page, and the key is there to type by hand.
    assert pages.heading(page) == "Set up two-step sign-in"
    qr = page.locator("figure.qr svg")
    assert qr.count() == 1
    assert qr.locator("title").text_content() == "QR code for your authenticator app"
    key = b32decode(page.locator(".secret code").inner_text().replace(" ", ""))

    # A wrong code turns nothing on.
    wrong = f"{(int(app_code(key)) + 1) % 1_000_000:06d}"
    type_code(page, wrong, "Turn two-step sign-in on")
    assert pages.heading(page) == "Set up two-step sign-in"
    assert "That code is not right" in pages.text(page)

    # django-otp asks for a second's pause after a wrong code (the clock here stands still).
    with time_machine.travel(NOW + timedelta(seconds=5), tick=False):
        type_code(page, app_code(key), "Turn two-step sign-in on")
        assert pages.heading(page) == "Your recovery codes", pages.text(page)
        assert "This is the only time they are shown" in pages.text(page)
        recovery = page.locator(".recovery-codes code").all_inner_texts()
        assert len(recovery) == 10
        pages.sign_out(page)

    # From now on the password alone opens nothing: the code page, then the roster.
    with time_machine.travel(NOW + timedelta(minutes=1), tick=False):
        pages.sign_in(page, MAYA.email, MAYA.password)
        assert pages.heading(page) == "Your code"
        pages.visit(page, "/app/")
        assert pages.heading(page) == "Sign in", "a half-way sign-in opened the roster"
        pages.sign_in(page, MAYA.email, MAYA.password)
        type_code(page, app_code(key), "Sign in")
        assert pages.heading(page) == "Your patients"
        assert page.locator(".roster-table th.who > a:first-child").first.inner_text() == "Ana (nurse)"
        pages.sign_out(page)

    # A lost phone: a recovery code signs in once, and not a second time.
    with time_machine.travel(NOW + timedelta(minutes=2), tick=False):
        pages.sign_in(page, MAYA.email, MAYA.password)
        type_code(page, recovery[0], "Sign in")
        assert pages.heading(page) == "Your patients"
        pages.sign_out(page)
        pages.sign_in(page, MAYA.email, MAYA.password)
        type_code(page, recovery[0], "Sign in")
        assert pages.heading(page) == "Your code"
        assert "That code is not right, or it has been used." in page.get_by_role("alert").inner_text()
