"""Screenshots of the demo's roster, patient page and brief at 1440 and 360 px wide.

A test run writes them to a temporary folder; ``make screenshots`` writes them to
docs/screenshots/ for the README. The demo is built at a fixed moment and the clock held
there, so a rerun on the same machine draws the same pictures.
"""

from __future__ import annotations

import pytest

from seeds import personas
from tests.dashboard.browser import pages

pytestmark = pytest.mark.browser


def test_the_roster_patient_page_and_brief_fit_at_both_widths(page, demo, screenshots_dir):
    pages.sign_in(page, personas.THERAPIST.email, personas.THERAPIST.password)
    written = pages.screenshots(page, screenshots_dir, "roster")
    pages.follow(page, "Sam (chef)")
    written += pages.screenshots(page, screenshots_dir, "patient")
    pages.follow(page, "Read the pre-session brief")
    written += pages.screenshots(page, screenshots_dir, "brief")
    assert [path.name for path in written] == [
        f"{name}-{width}.png" for name in ("roster", "patient", "brief") for width in pages.WIDTHS
    ]
    assert all(path.stat().st_size > 10_000 for path in written)


def test_the_invite_page_fits_at_both_widths(page, demo, screenshots_dir):
    """The code on one line and the QR code beside or under the join link, at both widths."""
    pages.sign_in(page, personas.THERAPIST.email, personas.THERAPIST.password)
    pages.follow(page, "Invite a patient")
    page.get_by_label("Whom is it for?").fill("The referral from Dr. Lee")
    pages.press(page, "Make an invite code")
    code = page.locator(".invite-code code")
    for width in pages.WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        box = code.bounding_box()
        assert box is not None
        assert box["height"] < 3 * 16 * 1.6, f"the code wraps at {width} px"  # one line of it
    written = pages.screenshots(page, screenshots_dir, "invite")
    pages.follow(page, "Your open invites")
    written += pages.screenshots(page, screenshots_dir, "invites")
    assert [path.name for path in written] == [
        f"{name}-{width}.png" for name in ("invite", "invites") for width in pages.WIDTHS
    ]
    assert all(path.stat().st_size > 10_000 for path in written)
