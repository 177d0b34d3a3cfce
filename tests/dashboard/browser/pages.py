"""A therapist's steps in the browser, shared by the tests, and what every page must pass.

Each step that lands on a page (``visit``, ``follow``, ``sign_in``, ``sign_out``) checks it
with axe before the test reads it, and ``watch`` records what the tab fetched, so a test that
adds a flow (the second factor, the sessions pages) writes only the steps and what the
therapist should see: the checks come with them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit
from weakref import WeakKeyDictionary

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, Response

#: The impacts that fail a page. Axe's "minor" and "moderate" are reported by axe itself
#: when run by hand; these two are the ones a screen reader or keyboard user cannot get past.
FAILING_IMPACTS = {"serious", "critical"}
WIDTHS = (1440, 360)

_axe = Axe()


@dataclass
class Document:
    url: str
    status: int
    policy: str | None


@dataclass
class Seen:
    """What one tab fetched: every request, every document answer, every page axe checked."""

    origin: str
    requests: list[str] = field(default_factory=list)
    documents: list[Document] = field(default_factory=list)
    checked: set[str] = field(default_factory=set)

    def on_response(self, response: Response) -> None:
        if response.request.resource_type == "document":
            policy = response.headers.get("content-security-policy")
            self.documents.append(Document(response.url, response.status, policy))

    def assert_clean(self) -> None:
        outside = [url for url in self.requests if _origin(url) != _origin(self.origin)]
        assert not outside, f"the pages fetched from outside the server: {outside}"
        assert self.documents, "the tab loaded no page"
        unguarded = [d.url for d in self.documents if not d.policy or "script-src 'none'" not in d.policy]
        assert not unguarded, f"answers without the Content-Security-Policy: {unguarded}"
        shown = {d.url for d in self.documents if not 300 <= d.status < 400}
        unchecked = shown - self.checked
        assert not unchecked, f"pages shown but not checked by axe (use pages.visit/follow): {unchecked}"


_seen: WeakKeyDictionary[Page, Seen] = WeakKeyDictionary()


def _origin(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.scheme, parts.netloc


def watch(page: Page, *, origin: str) -> Seen:
    seen = Seen(origin=origin)
    page.on("request", lambda request: seen.requests.append(request.url))
    page.on("response", seen.on_response)
    _seen[page] = seen
    return seen


def check_accessibility(page: Page) -> None:
    """Axe over the page as shown, and the page noted as checked for ``Seen.assert_clean``."""
    assert_accessible(page)
    _seen[page].checked.add(page.url)


def assert_accessible(page: Page) -> None:
    """Axe over the page as shown; a serious or critical violation fails with its rule, the
    elements it found and axe's advice, so the fix can be made without rerunning by hand."""
    violations = _axe.run(page).response["violations"]
    failing = [v for v in violations if v["impact"] in FAILING_IMPACTS]
    if failing:
        lines = [f"axe on {page.url}:"]
        for violation in failing:
            targets = ", ".join(" ".join(node["target"]) for node in violation["nodes"])
            lines.append(f"  {violation['id']} ({violation['impact']}): {violation['help']}")
            lines.append(f"    on: {targets}")
            lines.append(f"    see: {violation['helpUrl']}")
        raise AssertionError("\n".join(lines))


def visit(page: Page, path: str) -> Response | None:
    response = page.goto(path)
    check_accessibility(page)
    return response


def follow(page: Page, link: str) -> None:
    """Click the link a therapist would, by its words, and wait for the page it opens."""
    with page.expect_navigation():
        page.get_by_role("link", name=link, exact=True).click()
    check_accessibility(page)


def sign_in(page: Page, email: str, password: str) -> None:
    """Fill the form with the keyboard alone, as someone without a mouse would: the e-mail,
    Tab to the password, Enter to send. From the sign-in page, or opens it."""
    if urlsplit(page.url).path != "/app/sign-in/":
        visit(page, "/app/sign-in/")
    page.get_by_label("E-mail").focus()
    page.keyboard.type(email)
    page.keyboard.press("Tab")
    page.keyboard.type(password)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    check_accessibility(page)


def sign_out(page: Page) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name="Sign out").click()
    check_accessibility(page)


def heading(page: Page) -> str:
    return page.get_by_role("heading", level=1).inner_text()


def text(page: Page) -> str:
    """The page's main part as a person reads it, one space between words."""
    return " ".join(page.locator("main").inner_text().split())


def path(page: Page) -> str:
    parts = urlsplit(page.url)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


def screenshots(page: Page, folder: Path, name: str) -> list[Path]:
    """The whole page at each width, as ``<name>-<width>.png``; at each, nothing wider than
    the window (a page a therapist would have to scroll sideways fails here) and axe again,
    since a narrow layout can hide or crowd what the wide one shows."""
    written = []
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        check_accessibility(page)
        overflow = page.evaluate("document.documentElement.scrollWidth")
        assert overflow <= width, f"{page.url} is {overflow} px wide in a {width} px window"
        target = folder / f"{name}-{width}.png"
        page.screenshot(path=target, full_page=True, animations="disabled", caret="hide")
        written.append(target)
    page.set_viewport_size({"width": WIDTHS[0], "height": 900})
    return written


def press(page: Page, button: str) -> None:
    """Press the button a therapist would, by its accessible name, and wait for the page."""
    with page.expect_navigation():
        page.get_by_role("button", name=button, exact=True).click()
    check_accessibility(page)
