"""A patient's steps in the app, shared by the tests, and what every screen must pass.

Each step that shows a screen checks it with axe (``screen``); ``watch`` records what the tab
fetched, so that after a test every request is known to have gone to the server's own origin
and every page the server sent to have carried the app's Content-Security-Policy.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlsplit

from playwright.sync_api import Page, Response, expect

from tests.dashboard.browser.pages import assert_accessible

PASSWORD = "a-kind-long-password-2026"


@dataclass
class Seen:
    origin: str
    requests: list[str] = field(default_factory=list)
    policies: list[tuple[str, str | None]] = field(default_factory=list)
    checked: list[str] = field(default_factory=list)

    def on_response(self, response: Response) -> None:
        if response.request.resource_type == "document" and not response.from_service_worker:
            self.policies.append((response.url, response.headers.get("content-security-policy")))

    def assert_clean(self) -> None:
        origin = urlsplit(self.origin)[:2]
        outside = [url for url in self.requests if urlsplit(url)[:2] != origin]
        assert not outside, f"the app fetched from outside the server: {outside}"
        unguarded = [url for url, policy in self.policies if not policy or "script-src 'self'" not in policy]
        assert not unguarded, f"pages without the app's Content-Security-Policy: {unguarded}"
        assert self.checked or not self.requests, "the tab showed screens but axe checked none"


def watch(page: Page, *, origin: str) -> Seen:
    seen = Seen(origin=origin)
    page.on("request", lambda request: seen.requests.append(request.url))
    page.on("response", seen.on_response)
    page.__dict__["_journal_seen"] = seen
    return seen


def check(page: Page) -> None:
    """Axe over the screen as shown (the dashboard's rule), and the screen noted as checked."""
    assert_accessible(page)
    page.__dict__["_journal_seen"].checked.append(page.url)


def screen(page: Page, title: str) -> None:
    """Wait for the screen whose heading is ``title``, then check it."""
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    check(page)


def open_app(page: Page, path: str = "/journal/") -> None:
    page.goto(path)
    page.wait_for_selector("main h1")


def tab(page: Page, name: str, title: str) -> None:
    """Go to a screen by the tab bar, as a thumb would."""
    page.get_by_role("navigation", name="Journal").get_by_role("link", name=name, exact=True).click()
    screen(page, title)


def register(page: Page, *, email: str, name: str = "Sam", path: str = "/journal/") -> None:
    open_app(page, path)
    page.get_by_role("link", name="Create an account").click()
    screen(page, "Create your account")
    page.get_by_label("What should we call you?").fill(name)
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Create my account").click()


def sign_in(page: Page, *, email: str, password: str = PASSWORD) -> None:
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def signed_in(page: Page, *, email: str, password: str = PASSWORD) -> None:
    """From the sign-in screen to Today, with the first sync done."""
    open_app(page, "/journal/sign-in")
    sign_in(page, email=email, password=password)
    screen(page, "Today")
    settled(page)


def text(page: Page) -> str:
    return " ".join(page.locator("main").inner_text().split())


#: True once no record in the app's IndexedDB is waiting to leave (read the way the app stores them).
_NOTHING_WAITING = """() => new Promise((resolve) => {
  const opened = indexedDB.open("good-enough");
  opened.onsuccess = () => {
    const all = opened.result.transaction("records").objectStore("records").getAll();
    all.onsuccess = () => { opened.result.close(); resolve(all.result.every((r) => r.state !== "pending")); };
  };
})"""


def until(page: Page, predicate: str, timeout_ms: int = 10_000) -> None:
    """Poll ``predicate`` (a function, maybe async) until it answers true. Not wait_for_function:
    its polling evaluates strings in the page, which the app's policy (no unsafe-eval) refuses."""
    for _ in range(timeout_ms // 100):
        if page.evaluate(predicate):
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"still false after {timeout_ms} ms: {predicate}")


def settled(page: Page) -> None:
    """Wait until nothing is waiting to send: in the store itself, then on the header."""
    page.wait_for_timeout(50)  # a click's write reaches the store first
    until(page, _NOTHING_WAITING, timeout_ms=20_000)
    expect(page.locator("#sync-state")).not_to_contain_text("waiting", timeout=10_000)
