"""Every screen of the app, as the chef of T44 sees it at 360 px: axe on each, nothing wider
than the phone, a screenshot of each (``make screenshots`` writes them to docs/screenshots/)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from accounts.models import User
from journal.models import Commitment, Reflection
from seeds import demo as demo_seed
from seeds import personas
from tests.factories import CommitmentFactory
from tests.patient_web.browser import journal
from tests.patient_web.browser.conftest import NOW

pytestmark = pytest.mark.browser


@pytest.fixture
def chef(transactional_db, clock) -> User:
    demo_seed.load(now=NOW)
    chef = User.objects.get(email=personas.CHEF.email)
    therapist = User.objects.get(email=personas.THERAPIST.email)
    CommitmentFactory(
        patient=chef,
        author=therapist,
        kind=Commitment.Kind.CUSTOM,
        title="Taste one dish without fixing it",
        cadence=Commitment.Cadence.WEEKLY,
        status=Commitment.Status.PROPOSED,
        now=NOW,
    )
    return chef


def shoot(page, folder, name: str) -> None:
    journal.check(page)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"{name} is {width} px wide on a 360 px phone"
    # A window as tall as the page, so the sticky tab bar sits at its end, not across its middle.
    height = page.evaluate("document.documentElement.scrollHeight")
    page.set_viewport_size({"width": 360, "height": height})
    page.screenshot(path=folder / f"journal-{name}-360.png", animations="disabled", caret="hide")
    page.set_viewport_size({"width": 360, "height": 780})


def test_every_screen_reads_well_on_a_phone(new_tab, chef, screenshots_dir):
    page = new_tab()
    journal.open_app(page)
    journal.screen(page, "Good Enough")
    shoot(page, screenshots_dir, "welcome")
    page.get_by_role("link", name="Create an account").click()
    journal.screen(page, "Create your account")
    shoot(page, screenshots_dir, "register")
    page.get_by_role("link", name="Sign in").click()
    journal.screen(page, "Sign in")
    shoot(page, screenshots_dir, "sign-in")
    journal.sign_in(page, email=chef.email, password=personas.CHEF.password)
    journal.screen(page, "Today")
    journal.settled(page)
    shoot(page, screenshots_dir, "today")

    for tab, title, name in [
        ("Week", "This week", "week"),
        ("Tries", "Experiments", "experiments"),
        ("Practices", "Practices", "practices"),
        ("Progress", "Progress", "progress"),
        ("History", "History", "history"),
    ]:
        journal.tab(page, tab, title)
        shoot(page, screenshots_dir, name)

    journal.tab(page, "Tries", "Experiments")
    page.locator("ul.cards a").first.click()
    expect(page.get_by_role("heading", level=2).or_(page.get_by_text("Did it happen?"))).not_to_have_count(0)
    shoot(page, screenshots_dir, "experiment")

    page.get_by_role("link", name="Account").click()
    journal.screen(page, "Account")
    expect(page.locator("main")).to_contain_text(chef.display_name)
    shoot(page, screenshots_dir, "account")
    page.goto("/journal/join")
    journal.screen(page, "Join your therapist")
    shoot(page, screenshots_dir, "join")


def test_a_drafted_practice_is_accepted_or_set_aside_by_the_patient(new_tab, chef):
    draft = Commitment.objects.get(patient=chef, status=Commitment.Status.PROPOSED)
    page = new_tab()
    journal.signed_in(page, email=chef.email, password=personas.CHEF.password)
    journal.tab(page, "Practices", "Practices")
    card = page.locator(".card", has_text="Taste one dish without fixing it")
    expect(card).to_contain_text("Each week")
    card.get_by_role("button", name="Yes, I'll practise this").click()
    expect(page.locator("#status")).to_have_text("Added to your practices.")
    journal.settled(page)
    draft.refresh_from_db()
    assert draft.status == Commitment.Status.ACTIVE

    other = CommitmentFactory(
        patient=chef,
        author=draft.created_by,
        kind=Commitment.Kind.CUSTOM,
        title="Call a friend",
        cadence=Commitment.Cadence.WEEKLY,
        status=Commitment.Status.PROPOSED,
    )
    page.reload()
    journal.screen(page, "Practices")
    journal.settled(page)
    page.locator(".card", has_text="Call a friend").get_by_role("button", name="Not for me").click()
    journal.settled(page)
    other.refresh_from_db()
    assert other.status == Commitment.Status.DROPPED


def test_an_entry_is_edited_and_deleted_from_history(new_tab, chef):
    newest = Reflection.objects.filter(patient=chef, deleted_at=None).order_by("-date").first()
    page = new_tab()
    journal.signed_in(page, email=chef.email, password=personas.CHEF.password)
    journal.tab(page, "History", "History")
    card = page.locator(".card", has_text=newest.effort[:30]).first
    card.get_by_role("link", name="Edit").click()
    effort = page.get_by_label("What did I do with effort today?")
    expect(effort).to_have_value(newest.effort)
    effort.fill("Rewritten from history.")
    page.get_by_role("button", name="Save").click()
    journal.settled(page)
    newest.refresh_from_db()
    assert newest.effort == "Rewritten from history."

    journal.tab(page, "History", "History")
    card = page.locator(".card", has_text="Rewritten from history.")
    card.get_by_role("button", name="Delete").click()
    journal.check(page)
    card.get_by_role("button", name="Yes, delete").click()
    expect(page.locator(".card", has_text="Rewritten from history.")).to_have_count(0)
    journal.settled(page)
    newest.refresh_from_db()
    assert newest.deleted_at is not None
