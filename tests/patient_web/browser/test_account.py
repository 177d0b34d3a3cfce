"""My account in the patient's app, in a real browser: a new password, a forgotten one reset by
e-mail (read from a real SMTP server), my data downloaded, signing out everywhere, and erasure.

The reset e-mail is sent by a Celery task; here it runs in the request (``task_always_eager``),
so the live server's request hands the mail to the SMTP server before it answers.
"""

from __future__ import annotations

import email
import json
import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import expect
from rest_framework.test import APIClient

from accounts.models import User
from backend.celery import app as celery_app
from tests.factories import PASSWORD, PatientFactory
from tests.patient_web.browser import journal
from tests.patient_web.browser.test_screens import shoot

pytestmark = pytest.mark.browser

NEW = "a-calmer-kitchen-2027"


@pytest.fixture
def river(transactional_db, clock) -> User:
    return PatientFactory(email="river@example.test", display_name="River", timezone="Europe/London")


@pytest.fixture
def eager() -> Iterator[None]:
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = False


def bearer_refresh(email_address: str, password: str = PASSWORD) -> str:
    """Another device: a native app's refresh token, from a log-in made now."""
    response = APIClient().post("/api/v1/auth/token/", {"email": email_address, "password": password}, format="json")
    assert response.status_code == 200
    return response.json()["refresh"]


def refreshes(token: str) -> int:
    return APIClient().post("/api/v1/auth/token/refresh/", {"refresh": token}, format="json").status_code


def logs_in(email_address: str, password: str) -> bool:
    response = APIClient().post("/api/v1/auth/token/", {"email": email_address, "password": password}, format="json")
    return response.status_code == 200


def to_account(page) -> None:
    page.get_by_role("link", name="Account").click()
    journal.screen(page, "Account")


def test_a_new_password_keeps_this_app_signed_in_and_signs_out_every_other_device(new_tab, river, screenshots_dir):
    phone = bearer_refresh(river.email)
    page = new_tab()
    journal.signed_in(page, email=river.email, password=PASSWORD)
    to_account(page)
    shoot(page, screenshots_dir, "account")
    form = page.locator("form.password")
    form.get_by_label("Current password").fill("not-my-password")
    form.get_by_label("New password").fill(NEW)
    form.get_by_role("button", name="Change password").click()
    expect(form.get_by_text("That is not your current password.")).to_be_visible()
    journal.check(page)
    assert refreshes(phone) == 200  # nothing changed
    phone = bearer_refresh(river.email)

    form.get_by_label("Current password").fill(PASSWORD)
    form.get_by_role("button", name="Change password").click()
    expect(page.locator("#status")).to_have_text("Password changed. Your other devices are signed out.")
    assert refreshes(phone) == 401
    assert logs_in(river.email, NEW)
    assert not logs_in(river.email, PASSWORD)
    page.reload()  # this app trades its cookie again: still signed in
    journal.screen(page, "Account")
    journal.tab(page, "Week", "This week")


def test_a_forgotten_password_is_reset_from_the_emails_link_once(
    new_tab, river, smtp, eager, live_server, settings, screenshots_dir
):
    settings.PUBLIC_URL = live_server.url
    page = new_tab()
    journal.open_app(page, "/journal/sign-in")
    page.get_by_role("link", name="Forgot your password?").click()
    journal.screen(page, "Forgot your password?")
    shoot(page, screenshots_dir, "forgot")
    page.get_by_label("E-mail").fill(river.email)
    page.get_by_role("button", name="Send me a link").click()
    expect(page.get_by_role("status").filter(has_text="If an account uses river@example.test")).to_be_visible()
    journal.check(page)

    [envelope] = smtp.messages
    assert envelope.rcpt_tos == [river.email]
    body = email.message_from_bytes(envelope.original_content).get_payload()
    [link] = re.findall(re.escape(live_server.url) + r"/journal/reset/\S+", body)
    page.goto(link)
    journal.screen(page, "Set a new password")
    assert page.url == f"{live_server.url}/journal/reset"  # the token left the address bar
    shoot(page, screenshots_dir, "reset")
    page.get_by_label("New password").fill("password123")
    page.get_by_role("button", name="Set my new password").click()
    expect(page.get_by_text("This password is too common.")).to_be_visible()
    page.get_by_label("New password").fill(NEW)
    page.get_by_role("button", name="Set my new password").click()
    journal.screen(page, "Sign in")
    expect(page.get_by_role("status").filter(has_text="Your new password is set")).to_be_visible()
    journal.sign_in(page, email=river.email, password=NEW)
    journal.screen(page, "Today")
    assert not logs_in(river.email, PASSWORD)

    again = new_tab()
    again.goto(link)
    journal.screen(again, "Set a new password")
    again.get_by_label("New password").fill("yet-another-one-2028")
    again.get_by_role("button", name="Set my new password").click()
    expect(again.get_by_text("This link doesn't work any more")).to_be_visible()
    assert logs_in(river.email, NEW)


def test_my_data_downloads_as_the_apis_export(new_tab, river):
    page = new_tab()
    journal.signed_in(page, email=river.email, password=PASSWORD)
    to_account(page)
    with page.expect_download() as download:
        page.get_by_role("button", name="Download my data").click()
    saved = download.value
    assert re.fullmatch(r"good-enough-export-\d{8}\.json", saved.suggested_filename)
    document = json.loads(open(saved.path()).read())  # noqa: SIM115
    assert document["profile"]["email"] == river.email


def test_signing_out_everywhere_ends_this_app_and_every_other_device(new_tab, river):
    phone = bearer_refresh(river.email)
    page = new_tab()
    journal.signed_in(page, email=river.email, password=PASSWORD)
    to_account(page)
    page.get_by_role("button", name="Sign out everywhere").click()
    journal.screen(page, "Good Enough")
    assert refreshes(phone) == 401
    page.goto("/journal/today")
    journal.screen(page, "Good Enough")  # the cookie opens nothing now


def test_erasing_my_account_says_what_goes_asks_the_password_and_erases_it(new_tab, river, screenshots_dir):
    page = new_tab()
    journal.signed_in(page, email=river.email, password=PASSWORD)
    to_account(page)
    page.get_by_role("link", name="Erase my account").click()
    journal.screen(page, "Erase my account")
    expect(page.locator("main")).to_contain_text("It cannot be undone.")
    shoot(page, screenshots_dir, "erase")
    page.get_by_label("Your password, to confirm").fill("not-my-password")
    page.get_by_role("button", name="Erase my account for good").click()
    expect(page.get_by_text("That is not your password. Nothing was erased.")).to_be_visible()
    assert User.objects.filter(id=river.id).exists()

    page.get_by_label("Your password, to confirm").fill(PASSWORD)
    page.get_by_role("button", name="Erase my account for good").click()
    journal.screen(page, "Good Enough")
    assert not User.objects.filter(id=river.id).exists()
    assert not logs_in(river.email, PASSWORD)
