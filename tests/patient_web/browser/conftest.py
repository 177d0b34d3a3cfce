"""The patient's app in a real browser: Debian's Chromium driven by Playwright, against a live server.

The browser fixtures are the dashboard's (the same Chromium, the same rules for when a missing
browser skips or fails). The clock is pinned on both sides: the server by time-machine, the
page by Playwright's clock, so "today" is the same day for the app and for the API.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
import time_machine
from playwright.sync_api import Browser, BrowserContext, Page

from accounts import services as account_services
from accounts.models import User
from tests.dashboard.browser import conftest as dashboard
from tests.factories import TherapistFactory
from tests.patient_web.browser import journal

NOW = dashboard.NOW
# The dashboard's browser fixtures, shared: one Chromium, the same rules for a missing one.
chromium = dashboard.chromium
browser = dashboard.browser
screenshots_dir = dashboard.screenshots_dir


@pytest.fixture
def clock() -> Iterator[None]:
    """Ticking from NOW (not frozen): tokens expire and sync sequences move as they would."""
    with time_machine.travel(NOW, tick=True):
        yield


@dataclass
class Invite:
    therapist: User
    code: str


@pytest.fixture
def invite(transactional_db, clock) -> Invite:
    therapist = TherapistFactory(display_name="Dr. Okafor", timezone="America/Chicago")
    _, code = account_services.invite_create(therapist=therapist, now=NOW)
    return Invite(therapist=therapist, code=code)


@pytest.fixture
def new_tab(browser: Browser, live_server, clock) -> Iterator[Callable[..., Page]]:
    """Tabs of a phone 360 px wide, each context with its own cookies and IndexedDB unless one
    is passed in; every request they make is recorded and, after the test, must have gone to
    the live server only, and every screen shown must have passed axe."""
    contexts: list[BrowserContext] = []
    watched: list[journal.Seen] = []

    def make(context: BrowserContext | None = None) -> Page:
        if context is None:
            context = browser.new_context(
                base_url=live_server.url, viewport={"width": 360, "height": 780}, timezone_id="Europe/London"
            )
            context.set_default_timeout(10_000)
            contexts.append(context)
        tab = context.new_page()
        tab.clock.set_system_time(NOW)
        watched.append(journal.watch(tab, origin=live_server.url))
        return tab

    yield make
    for context in contexts:
        context.close()
    for seen in watched:
        seen.assert_clean()
