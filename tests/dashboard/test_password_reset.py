"""The dashboard's "Forgot your password?": the e-mail asked for, the link it sends, the new
password set on the dashboard's own page, and the old sessions ended."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client

from accounts.models import User
from backend.celery import app as celery_app
from dashboard.forms import LINK_NOT_VALID, RESET_THROTTLED
from tests.dashboard.conftest import signed_in, text
from tests.factories import PASSWORD, PatientFactory, TherapistFactory

pytestmark = pytest.mark.django_db

NEW = "a-calmer-practice-2027"
FORGOTTEN = "/app/password/forgotten/"
RESET = "/api/v1/auth/password/reset/"


@pytest.fixture(autouse=True)
def eager():
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = False


def ask(email: str, client: Client | None = None):
    """On the real clock, as the pages that follow it are opened."""
    return (client or Client()).post(FORGOTTEN, {"email": email})


def link_in(message) -> str:
    [link] = re.findall(r"https?://\S+", message.body)
    return link.removeprefix(settings.PUBLIC_URL) + "/"


def test_the_sign_in_page_offers_it():
    page = Client().get("/app/sign-in/")
    assert '<a href="/app/password/forgotten/">Forgot your password?</a>' in page.content.decode()


def test_a_therapist_sets_a_new_password_from_the_link_and_every_old_session_ends():
    ada = TherapistFactory(email="dr.ada@example.test")
    old_session = signed_in(ada.email, PASSWORD)
    answer = ask("dr.ada@example.test")
    assert answer.status_code == 200
    assert "If an account uses dr.ada@example.test, we have sent it a link" in text(answer)
    [message] = mail.outbox
    page = link_in(message)
    assert page.startswith("/app/reset/")

    browser = Client()
    form = browser.get(page)
    assert form.status_code == 200
    assert "Set a new password" in text(form)
    mismatch = browser.post(page, {"new_password": NEW, "again": NEW + "!"})
    assert (mismatch.status_code, "The two passwords differ." in text(mismatch)) == (400, True)
    weak = browser.post(page, {"new_password": "password123", "again": "password123"})
    assert weak.status_code == 400
    assert "This password is too common." in text(weak)

    done = browser.post(page, {"new_password": NEW, "again": NEW})
    assert (done.status_code, done["Location"]) == (302, "/app/sign-in/?password-set=1")
    assert "Your new password is set" in text(browser.get(done["Location"]))
    assert User.objects.get(id=ada.id).check_password(NEW)
    assert old_session.get("/app/").status_code == 302  # signed out
    signed_in(ada.email, NEW)

    used = Client().get(page)
    assert used.status_code == 400
    assert LINK_NOT_VALID in text(used)
    again = Client().post(page, {"new_password": "yet-another-one-2028", "again": "yet-another-one-2028"})
    assert again.status_code == 400
    assert User.objects.get(id=ada.id).check_password(NEW)


def test_an_unknown_address_reads_the_same_and_gets_no_mail():
    TherapistFactory(email="dr.ada@example.test")
    known, unknown = ask("dr.ada@example.test"), ask("dr.nobody@example.test")
    assert text(known).replace("dr.ada@", "X@") == text(unknown).replace("dr.nobody@", "X@")
    assert len(mail.outbox) == 1


def test_a_patients_link_leads_to_their_app_not_the_dashboard():
    PatientFactory(email="river@example.test")
    ask("river@example.test")
    assert link_in(mail.outbox[0]).startswith("/journal/reset/")


def test_a_forged_link_shows_why_and_changes_nothing():
    ada = TherapistFactory()
    for page in ["/app/reset/bm9wZQ/abc-def/", "/app/reset/x/y/", "/app/reset/MTIz/1-2/"]:
        response = Client().post(page, {"new_password": NEW, "again": NEW})
        assert response.status_code == 400
        assert LINK_NOT_VALID in text(response)
    assert User.objects.get(id=ada.id).check_password(PASSWORD)


def test_it_draws_on_the_apis_throttle_for_the_same_email():
    TherapistFactory(email="dr.ada@example.test")
    limit = int(settings.PASSWORD_RESET_THROTTLE_RATE.split("/")[0])
    for n in range(limit):
        api = Client(REMOTE_ADDR=f"10.0.{n}.1")
        assert api.post(RESET, {"email": "dr.ada@example.test"}, content_type="application/json").status_code == 202
    refused = ask("dr.ada@example.test", Client(REMOTE_ADDR="10.9.9.9"))
    assert refused.status_code == 429
    assert RESET_THROTTLED in text(refused)
    assert len(mail.outbox) == limit


def test_a_missing_or_malformed_email_is_a_400_and_sends_nothing():
    for email in ["", "not an address"]:
        assert ask(email).status_code == 400
    assert mail.outbox == []
