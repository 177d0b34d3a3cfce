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
