"""The checks every browser test leans on can fail: a page with a real accessibility fault,
a request to another site, an answer without the policy and a page nobody checked are each
refused. Without these, a check broken by an upgrade would pass every page silently."""

from __future__ import annotations

import pytest

from tests.dashboard.browser import pages
from tests.dashboard.browser.pages import Document, Seen

ORIGIN = "http://localhost:8123"
POLICY = "default-src 'self'; script-src 'none'"


@pytest.mark.browser
def test_axe_refuses_an_unlabelled_field_and_names_the_rule_and_the_element(browser):
    tab = browser.new_page()
    try:
        pages.watch(tab, origin=ORIGIN)
        tab.set_content('<html lang="en"><title>t</title><main><h1>Hi</h1><input id="who"></main></html>')
        with pytest.raises(AssertionError) as refused:
            pages.check_accessibility(tab)
    finally:
        tab.close()
    assert "label (critical)" in str(refused.value)
    assert "on: #who" in str(refused.value)


def test_a_request_to_another_site_is_refused():
    seen = Seen(origin=ORIGIN, requests=[f"{ORIGIN}/app/", "https://fonts.example.com/a.woff2"])
    seen.documents.append(Document(f"{ORIGIN}/app/", 200, POLICY))
    seen.checked.add(f"{ORIGIN}/app/")
    with pytest.raises(AssertionError, match=r"fonts\.example\.com"):
        seen.assert_clean()


def test_an_answer_without_the_policy_is_refused():
    seen = Seen(origin=ORIGIN, requests=[f"{ORIGIN}/app/"])
    seen.documents.append(Document(f"{ORIGIN}/app/", 302, None))
    with pytest.raises(AssertionError, match="without the Content-Security-Policy"):
        seen.assert_clean()


def test_a_page_shown_but_never_checked_by_axe_is_refused():
    seen = Seen(origin=ORIGIN, requests=[f"{ORIGIN}/app/"])
    seen.documents.append(Document(f"{ORIGIN}/app/", 200, POLICY))
    with pytest.raises(AssertionError, match="not checked by axe"):
        seen.assert_clean()
