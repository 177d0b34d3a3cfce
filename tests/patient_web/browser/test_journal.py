"""A patient's first days with the app, offline and on two devices, as they would live them."""

from __future__ import annotations

import dataclasses
import datetime as dt
import gzip
import re

import pytest
from django.db import transaction
from playwright.sync_api import expect
from rest_framework.test import APIClient

from accounts.models import User
from accounts.tokens import tokens_revoke_all
from journal.models import Experiment, PrideEntry, Reflection
from journal.services import record_delete
from patient_web import shell as shell_module
from patient_web import views as patient_web_views
from tests.factories import PatientFactory, ReflectionFactory
from tests.patient_web.browser import journal
from tests.patient_web.browser.conftest import NOW

pytestmark = pytest.mark.browser

BUDGET = 100 * 1024


def wait_for_worker(page) -> None:
    """Until the service worker controls the tab: from then on the shell opens offline."""
    journal.until(page, "() => Boolean(navigator.serviceWorker && navigator.serviceWorker.controller)")


def test_a_newcomer_joins_writes_each_practice_and_their_therapist_reads_what_was_shared(new_tab, invite):
    page = new_tab()
    journal.register(page, email="sam@example.test", path=f"/journal/join/{invite.code}")

    # The join link carried the code through registration.
    journal.screen(page, "Join your therapist")
    expect(page.get_by_label("Invite code from your therapist")).to_have_value(invite.code)
    words = journal.text(page)
    assert "What your therapist will see" in words
    assert "What they will not see" in words
    page.get_by_role("button", name="Join").click()
    journal.screen(page, "Practices")
    expect(page.locator("#status")).to_have_text("You're linked with Dr. Okafor.")

    journal.tab(page, "Today", "Today")
    expect(page.get_by_label("Kind words to myself")).to_have_value("You're doing your best, and that's enough.")
    page.get_by_label("What did I do with effort today?").fill("Plated the special without re-doing it twice.")
    page.get_by_role("radio", name="4 (good)").check()
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".state")).to_have_text("Saved.")
    journal.check(page)

    journal.tab(page, "Week", "This week")
    for n, item in enumerate(["Asked for help on the line", "Left early without guilt", "Tried a new sauce"], 1):
        page.get_by_label(f"Thing {n} I'm proud of").fill(item)
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#status")).to_have_text("That makes the week: 3 things.")
    expect(page.locator(".state")).to_have_text("Saved.")

    journal.tab(page, "Tries", "Experiments")
    page.get_by_label("What will I try?").fill("A new recipe just for fun")
    page.get_by_label("Which day?").fill("2026-11-25")
    page.get_by_label("What am I worried might happen?").fill("That it flops and I waste the evening")
    page.get_by_role("button", name="Plan it").click()
    page.get_by_role("link", name="A new recipe just for fun").click()
    journal.screen(page, "A new recipe just for fun")
    page.get_by_text("I tried it").click()
    page.get_by_label("What happened?").fill("The dough was too wet. We ate it anyway.")
    page.get_by_label("What did I learn?").fill("A flop is still dinner.")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".kind")).to_have_text("Trying counts, whatever happened.")
    journal.settled(page)

    journal.tab(page, "Progress", "Progress")
    expect(page.locator(".lede")).to_contain_text("You practised in 1 of the last 12 weeks")
    assert "3 things you were proud of (that makes the week)" in journal.text(page)
    assert "failed" not in journal.text(page).lower()

    patient = User.objects.get(email="sam@example.test")
    assert Reflection.objects.get(patient=patient).mood == 4
    assert Experiment.objects.get(patient=patient).status == "tried"

    therapist = APIClient()
    therapist.force_authenticate(invite.therapist)
    brief = therapist.get(f"/api/v1/patients/{patient.id}/brief/").json()
    flat = str(brief)
    assert "Asked for help on the line" in flat
    assert "The dough was too wet. We ate it anyway." in flat


def test_written_offline_it_waits_survives_closing_and_reaches_the_server_once(new_tab, transactional_db, clock):
    patient = PatientFactory(email="ana@example.test", password=journal.PASSWORD, timezone="Europe/London")
    page = new_tab()
    journal.open_app(page, "/journal/sign-in")
    journal.sign_in(page, email=patient.email)
    journal.screen(page, "Today")
    wait_for_worker(page)
    context = page.context

    context.set_offline(True)
    page.reload()
    journal.screen(page, "Today")
    expect(page.locator("#sync-state")).to_contain_text("Offline")
    page.get_by_label("What did I do with effort today?").fill("Went to the shift even though I was tired.")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".state")).to_have_text("Saved on this device, waiting to send.")
    journal.tab(page, "Week", "This week")
    page.get_by_label("Thing 1 I'm proud of").fill("Said no to an extra shift")
    page.get_by_label("Thing 2 I'm proud of").fill("Cooked for myself")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".state")).to_have_text("Saved on this device, waiting to send.")
    page.close()
    assert not Reflection.objects.filter(patient=patient).exists()

    page = new_tab(context)
    journal.open_app(page, "/journal/today")
    journal.screen(page, "Today")
    effort = page.get_by_label("What did I do with effort today?")
    expect(effort).to_have_value("Went to the shift even though I was tired.")
    expect(page.locator("#sync-state")).to_contain_text("2 waiting to send")
    journal.tab(page, "History", "History")
    expect(page.locator(".state-pending")).to_have_count(2)

    context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    journal.settled(page)
    expect(page.locator(".state-pending")).to_have_count(0)

    reflection = Reflection.objects.get(patient=patient)
    assert reflection.effort == "Went to the shift even though I was tired."
    assert reflection.version == 1  # written once: no second PUT changed it
    pride = PrideEntry.objects.get(patient=patient)
    assert pride.items == ["Said no to an extra shift", "Cooked for myself"]
    assert pride.version == 1


def test_the_same_reflection_changed_on_two_devices_is_chosen_by_the_patient(new_tab, transactional_db, clock):
    patient = PatientFactory(email="leo@example.test", password=journal.PASSWORD, timezone="Europe/London")
    ReflectionFactory(patient=patient, effort="First draft of today.", date=NOW.date())
    phone, laptop = new_tab(), new_tab()
    for tab in (phone, laptop):
        journal.open_app(tab, "/journal/sign-in")
        journal.sign_in(tab, email=patient.email)
        journal.screen(tab, "Today")
        expect(tab.get_by_label("What did I do with effort today?")).to_have_value("First draft of today.")

    phone.get_by_label("What did I do with effort today?").fill("Written on the phone.")
    phone.get_by_role("button", name="Save").click()
    expect(phone.locator(".state")).to_have_text("Saved.")

    laptop.get_by_label("What did I do with effort today?").fill("Written on the laptop.")
    laptop.get_by_role("button", name="Save").click()
    conflict = laptop.get_by_role("region", name="This entry changed on another device")
    expect(conflict).to_be_visible()
    expect(conflict.get_by_role("article", name="On this device")).to_contain_text("Written on the laptop.")
    expect(conflict.get_by_role("article", name="Saved elsewhere")).to_contain_text("Written on the phone.")
    journal.check(laptop)
    assert Reflection.objects.get(patient=patient).effort == "Written on the phone."  # nothing overwritten yet

    conflict.get_by_role("button", name="Keep this device's").click()
    expect(laptop.locator(".state")).to_have_text("Saved.")
    reflection = Reflection.objects.get(patient=patient)
    assert reflection.effort == "Written on the laptop."
    assert reflection.version == 3


def test_the_shell_fits_its_budget_and_asks_nothing_of_another_origin(new_tab, transactional_db):
    """Everything the first visit fetches, the service worker's own downloads included, once
    each, measured as the server's compression would send it."""
    page = new_tab()
    bodies: dict[str, bytes] = {}

    def keep(response) -> None:
        if response.ok and "/api/" not in response.url:
            bodies.setdefault(response.url.split("#")[0], response.body())

    page.context.on("response", keep)
    journal.open_app(page)
    journal.screen(page, "Good Enough")
    wait_for_worker(page)
    # What Chromium itself says stands between the page and "Install app": nothing but the test's
    # own browser context, which is incognito (a real phone's browser is not).
    cdp = page.context.new_cdp_session(page)
    errors = {e["errorId"] for e in cdp.send("Page.getInstallabilityErrors")["installabilityErrors"]}
    assert errors <= {"in-incognito"}
    compressed = sum(len(gzip.compress(body)) for body in bodies.values())
    assert any(url.endswith("/static/patient_web/js/main.js") for url in bodies)
    assert any(url.endswith("/static/patient_web/icons/icon-512.png") for url in bodies)
    assert compressed <= BUDGET, f"{compressed} bytes compressed over {len(bodies)} files"


def test_a_new_version_takes_over_without_losing_what_waits_to_be_sent(new_tab, transactional_db, monkeypatch):
    patient = PatientFactory(email="kim@example.test", password=journal.PASSWORD, timezone="Europe/London")
    page = new_tab()
    journal.open_app(page, "/journal/sign-in")
    journal.sign_in(page, email=patient.email)
    journal.screen(page, "Today")
    wait_for_worker(page)

    # The API is out of reach: the write waits in the outbox.
    page.route("**/api/v1/**", lambda route: route.abort())
    page.get_by_label("What did I do with effort today?").fill("Written just before an update.")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".state")).to_have_text("Saved on this device, waiting to send.")

    # A deploy: the server's shell is new, the browser finds a new service worker.
    current = shell_module.shell()
    monkeypatch.setattr(
        patient_web_views,
        "shell",
        lambda: dataclasses.replace(current, version="next", worker_js=current.worker_js + "\n// next\n"),
    )
    page.evaluate("() => navigator.serviceWorker.getRegistration().then((r) => r.update())")
    banner = page.locator("#update")
    expect(banner).to_contain_text("A new version of Good Enough is ready. What you wrote is kept.")
    journal.check(page)
    with page.expect_navigation():
        banner.get_by_role("button", name="Use it now").click()
    journal.screen(page, "Today")
    assert page.evaluate("() => caches.keys()") == ["shell-next"]
    expect(page.get_by_label("What did I do with effort today?")).to_have_value("Written just before an update.")
    expect(page.locator("#sync-state")).to_contain_text("1 waiting to send")

    page.unroute("**/api/v1/**")
    page.evaluate("window.dispatchEvent(new Event('online'))")
    journal.settled(page)
    reflection = Reflection.objects.get(patient=patient)
    assert reflection.effort == "Written just before an update."
    assert reflection.version == 1


def records_on_device(page) -> int:
    return page.evaluate(
        """() => new Promise((resolve) => {
          const opened = indexedDB.open("good-enough");
          opened.onsuccess = () => {
            const all = opened.result.transaction("records").objectStore("records").count();
            all.onsuccess = () => { opened.result.close(); resolve(all.result); };
          };
        })"""
    )


def test_an_entry_deleted_on_another_device_goes_from_this_one_at_the_next_sync(new_tab, transactional_db):
    patient = PatientFactory(email="ida@example.test", password=journal.PASSWORD, timezone="Europe/London")
    kept = ReflectionFactory(patient=patient, effort="Kept on both devices.", now=NOW - dt.timedelta(days=1))
    gone = ReflectionFactory(patient=patient, effort="Deleted on the laptop.", now=NOW)
    page = new_tab()
    journal.signed_in(page, email=patient.email)
    journal.tab(page, "History", "History")
    expect(page.locator(".card")).to_have_count(2)

    record_delete(record=gone, now=NOW)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(page.locator(".card")).to_have_count(1)
    expect(page.locator(".card")).to_contain_text(kept.effort)


def test_signing_out_leaves_nothing_of_the_journal_on_the_device(new_tab, transactional_db):
    first = PatientFactory(email="ola@example.test", password=journal.PASSWORD, timezone="Europe/London")
    second = PatientFactory(email="pat@example.test", password=journal.PASSWORD, timezone="Europe/London")
    ReflectionFactory(patient=first, effort="Only mine to see.", now=NOW)
    page = new_tab()
    journal.open_app(page, "/journal/sign-in")
    journal.sign_in(page, email=first.email, password="not-the-password")
    expect(page.locator(".form-error")).to_have_text(
        "That e-mail and password don't match an account. Check them and try again."
    )
    journal.sign_in(page, email=first.email)
    journal.screen(page, "Today")
    expect(page).to_have_url(re.compile(r"/journal/today$"))
    journal.settled(page)
    assert records_on_device(page) == 1

    page.get_by_role("link", name="Account").click()
    journal.screen(page, "Account")
    page.get_by_role("button", name="Sign out", exact=True).click()
    journal.screen(page, "Good Enough")
    assert records_on_device(page) == 0
    page.reload()
    journal.screen(page, "Good Enough")  # the cookie is gone too: no way back in without the password

    page.get_by_role("link", name="Sign in").click()
    journal.sign_in(page, email=second.email)
    journal.screen(page, "Today")
    journal.settled(page)
    journal.tab(page, "History", "History")
    assert "Only mine to see." not in journal.text(page)


def test_when_the_server_ends_the_sign_in_the_journal_is_hidden_until_the_password_and_kept(new_tab, transactional_db):
    patient = PatientFactory(email="uma@example.test", password=journal.PASSWORD, timezone="Europe/London")
    page = new_tab()
    journal.open_app(page, "/journal/sign-in")
    journal.sign_in(page, email=patient.email)
    journal.screen(page, "Today")
    page.route("**/api/v1/**", lambda route: route.abort())
    page.get_by_label("What did I do with effort today?").fill("Written before the sign-in ended.")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".state")).to_have_text("Saved on this device, waiting to send.")
    page.unroute("**/api/v1/**")

    with transaction.atomic():  # as its callers (sign out everywhere, a password change) hold one
        tokens_revoke_all(user=patient)
    page.goto("/journal/history")
    journal.screen(page, "Sign in")
    expect(page.locator("#status")).to_have_text(
        "Your sign-in has ended. Please sign in again; what you wrote here is kept."
    )
    assert "Written before the sign-in ended." not in page.locator("body").inner_text()
    assert not Reflection.objects.filter(patient=patient).exists()

    journal.sign_in(page, email=patient.email)
    journal.screen(page, "History")  # back where they were
    journal.settled(page)
    assert Reflection.objects.get(patient=patient).effort == "Written before the sign-in ended."


def test_signing_in_and_writing_today_works_with_the_keyboard_alone(new_tab, transactional_db):
    patient = PatientFactory(email="vic@example.test", password=journal.PASSWORD, timezone="Europe/London")
    page = new_tab()
    journal.open_app(page, "/journal/sign-in")
    page.get_by_label("E-mail").focus()
    page.keyboard.type(patient.email)
    page.keyboard.press("Tab")
    page.keyboard.type(journal.PASSWORD)
    page.keyboard.press("Enter")
    journal.screen(page, "Today")

    page.keyboard.press("Tab")  # from the heading the app focused, into the form
    assert page.evaluate("document.activeElement.name") == "effort"
    page.keyboard.type("Typed without a mouse.")
    for _ in range(20):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent") == "Save":
            break
    page.keyboard.press("Enter")
    expect(page.locator(".state")).to_have_text("Saved.")
    assert Reflection.objects.get(patient=patient).effort == "Typed without a mouse."
