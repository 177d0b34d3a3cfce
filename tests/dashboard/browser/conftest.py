"""A real browser against a live server: Debian's Chromium driven by Playwright.

One browser for the whole folder, a fresh context and page per test (their own cookies),
the demo loaded at a fixed moment with the clock pinned there, so that what a therapist sees
("quiet since 9 Nov", who comes first) and the screenshots are the same on every run.

Playwright's sync API runs an asyncio event loop in the test's own thread for as long as it
is started, and Django's ORM refuses to be called from a thread with a running loop
(``SynchronousOnlyOperation``), meant to catch blocking calls inside async code. Ours are not:
the fixtures and the flush after each test call the ORM synchronously, outside the loop, while
the live server answers the browser from its own thread. So ``DJANGO_ALLOW_ASYNC_UNSAFE`` is
set for exactly as long as Playwright runs, and Playwright runs for this folder only
(package scope, not session scope: a loop left running would make every later test in the
suite trip the same guard).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
import time_machine
from playwright.sync_api import Browser, Page, sync_playwright

from accounts.models import User
from seeds import demo as demo_seed
from seeds import personas
from tests.dashboard.browser import pages

#: Wednesday of 2026-W48, noon for the demo therapist in Chicago: the demo is built here and
#: the clock stays here while the browser reads it.
NOW = datetime(2026, 11, 25, 18, 0, tzinfo=UTC)

BROWSER_ENV = "GOOD_ENOUGH_BROWSER"
REQUIRED_ENV = "GOOD_ENOUGH_BROWSER_REQUIRED"
SCREENSHOTS_ENV = "GOOD_ENOUGH_SCREENSHOTS_DIR"


@pytest.fixture(scope="package")
def chromium() -> str:
    """The browser to drive: ``$GOOD_ENOUGH_BROWSER``, else Debian's Chromium. Playwright's own
    download is never used. Missing: the folder is skipped, unless CI said it must run."""
    path = os.environ.get(BROWSER_ENV) or "/usr/bin/chromium"
    found = shutil.which(path)
    if found is None:
        reason = f"no Chromium at {path} (apt-get install chromium, or set {BROWSER_ENV})"
        if os.environ.get(REQUIRED_ENV) == "1":
            pytest.fail(f"{reason}; {REQUIRED_ENV}=1 says the browser tests must run", pytrace=False)
        pytest.skip(reason)
    return found


@pytest.fixture(scope="package")
def browser(chromium: str) -> Iterator[Browser]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            launched = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
            yield launched
            launched.close()


@pytest.fixture
def clock() -> Iterator[None]:
    """Server and fixtures both read ``NOW``: time-machine patches the clock process-wide,
    so the live server's thread sees it too. Frozen, not ticking, so the brief's "Prepared at"
    minute is the same in every screenshot."""
    with time_machine.travel(NOW, tick=False):
        yield


@dataclass(frozen=True)
class Demo:
    therapist: User
    chef: User
    nurse: User
    student: User


@pytest.fixture
def demo(transactional_db, clock) -> Demo:
    """What ``make run`` loads: the therapist, the chef of T44, the quiet nurse, the new student."""
    demo_seed.load(now=NOW)

    def user(persona: personas.Persona) -> User:
        return User.objects.get(email=persona.email)

    return Demo(
        therapist=user(personas.THERAPIST),
        chef=user(personas.CHEF),
        nurse=user(personas.NURSE),
        student=user(personas.STUDENT),
    )


@pytest.fixture
def page(browser: Browser, live_server, clock) -> Iterator[Page]:
    """A tab of its own (its own cookies), 1440 px wide, that records every request and every
    document answer. After the test: each request went to the live server, each document
    carried the Content-Security-Policy, and each page shown was checked by axe."""
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1440, "height": 900})
    context.set_default_timeout(10_000)
    tab = context.new_page()
    seen = pages.watch(tab, origin=live_server.url)
    yield tab
    context.close()
    seen.assert_clean()


@pytest.fixture(scope="package")
def screenshots_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the run writes its screenshots: ``$GOOD_ENOUGH_SCREENSHOTS_DIR`` (``make
    screenshots`` gives docs/screenshots/), else a temporary folder, so a test run leaves the
    tree clean."""
    wanted = os.environ.get(SCREENSHOTS_ENV)
    folder = Path(wanted) if wanted else tmp_path_factory.mktemp("screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder
