"""Passwords: changed with the current one, reset by e-mail, and signing out everywhere.

Each ends what an old password or a lost phone could still open: the other devices' refresh
tokens and the dashboard's sessions. The reset e-mail is sent by a task; here Celery runs it
in the request (``eager``), and tests/accounts/test_password_reset_worker.py sends it through a
real worker to a real SMTP server.
"""

from __future__ import annotations

import re
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core import mail
from django.db import connections
from django.test import Client
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from rest_framework.test import APIClient

from accounts import services
from accounts.models import User, UserSession
from backend.celery import app as celery_app
from tests.factories import PASSWORD, PatientFactory, TherapistFactory
from tests.helpers import client_for, error_attrs, error_codes, needs_concurrent_transactions

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 25, 18, 0, tzinfo=UTC)
TOKEN = "/api/v1/auth/token/"
REFRESH = "/api/v1/auth/token/refresh/"
CHANGE = "/api/v1/auth/password/change/"
RESET = "/api/v1/auth/password/reset/"
CONFIRM = "/api/v1/auth/password/reset/confirm/"
EVERYWHERE = "/api/v1/auth/logout-everywhere/"
NEW = "a-calmer-kitchen-2027"


@pytest.fixture
def river() -> User:
    return PatientFactory(email="river@example.test", display_name="River")


@pytest.fixture
def eager():
    """Tasks run in the request that enqueues them, so the e-mail is in ``mail.outbox`` at once."""
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = False


class Device:
    """A phone signed in with e-mail and password: its own refresh token, and the access token
    that came with it (which names that refresh token)."""

    def __init__(self, email: str, password: str = PASSWORD, at: datetime = NOW) -> None:
        with time_machine.travel(at, tick=False):
            response = APIClient().post(TOKEN, {"email": email, "password": password}, format="json")
        assert response.status_code == 200, response.json()
        self.access, self.refresh = response.json()["access"], response.json()["refresh"]

    def post(self, path: str, body: dict | None = None, at: datetime = NOW):
        client = APIClient(HTTP_AUTHORIZATION=f"Bearer {self.access}")
        with time_machine.travel(at, tick=False):
            return client.post(path, body if body is not None else {}, format="json")

    def refreshes(self, at: datetime = NOW) -> bool:
        """Trade the refresh token (keeping the new pair): does it still work?"""
        with time_machine.travel(at, tick=False):
            response = APIClient().post(REFRESH, {"refresh": self.refresh}, format="json")
        if response.status_code != 200:
            assert error_codes(response) == ["token_not_valid"]
            return False
        self.access, self.refresh = response.json()["access"], response.json()["refresh"]
        return True


def logs_in(email: str, password: str, at: datetime = NOW) -> bool:
    with time_machine.travel(at, tick=False):
        return APIClient().post(TOKEN, {"email": email, "password": password}, format="json").status_code == 200


def dashboard_of(user: User) -> Client:
    browser = Client()
    browser.force_login(user)
    assert browser.get("/app/").status_code == 200
    return browser


def signed_out(browser: Client) -> bool:
    response = browser.get("/app/")
    return response.status_code == 302 and response["Location"].startswith("/app/sign-in/")


class TestChange:
    def test_the_new_password_works_and_every_other_device_signs_in_again(self, river):
        phone, laptop = Device(river.email), Device(river.email)
        assert phone.refreshes()  # a refreshed access token still names the refresh token that works
        response = phone.post(CHANGE, {"current_password": PASSWORD, "new_password": NEW})
        assert response.status_code == 204
        assert logs_in(river.email, NEW)
        assert not logs_in(river.email, PASSWORD)
        assert not laptop.refreshes()
        assert phone.refreshes()  # the device that changed it stays signed in
        assert phone.refreshes()

    def test_the_web_app_that_changed_it_stays_signed_in_by_its_cookie(self, river):
        app, phone = APIClient(), Device(river.email)
        with time_machine.travel(NOW, tick=False):
            signed_in = app.post("/api/v1/auth/web/token/", {"email": river.email, "password": PASSWORD}, format="json")
            access = app.post("/api/v1/auth/web/token/refresh/", {}, format="json").json()["access"]  # rotated once
            changed = app.post(
                CHANGE,
                {"current_password": PASSWORD, "new_password": NEW},
                format="json",
                HTTP_AUTHORIZATION=f"Bearer {access}",
            )
            again = app.post("/api/v1/auth/web/token/refresh/", {}, format="json")
        assert (signed_in.status_code, changed.status_code, again.status_code) == (200, 204, 200)
        assert not phone.refreshes()

    def test_a_therapists_dashboard_sessions_end_and_other_users_stay_signed_in(self):
        therapist, colleague = TherapistFactory(), TherapistFactory()
        own_browser, colleagues_browser = dashboard_of(therapist), dashboard_of(colleague)
        colleagues_phone = Device(colleague.email)
        assert (
            Device(therapist.email).post(CHANGE, {"current_password": PASSWORD, "new_password": NEW}).status_code == 204
        )
        assert signed_out(own_browser)
        assert not signed_out(colleagues_browser)
        assert colleagues_phone.refreshes()
        assert UserSession.objects.filter(user_id=colleague.id).count() == 1

    def test_a_wrong_current_password_changes_nothing(self, river):
        phone, laptop = Device(river.email), Device(river.email)
        response = phone.post(CHANGE, {"current_password": "not-it-at-all", "new_password": NEW})
        assert (response.status_code, error_attrs(response), error_codes(response)) == (
            400,
            ["current_password"],
            ["wrong_password"],
        )
        assert logs_in(river.email, PASSWORD)
        assert laptop.refreshes()

    @pytest.mark.parametrize(
        ("new", "code"),
        [
            ("short1", "password_too_short"),
            ("password123", "password_too_common"),
            ("90817263544", "password_entirely_numeric"),
            ("river@example.test", "password_too_similar"),
        ],
    )
    def test_a_weak_new_password_is_refused_on_new_password(self, river, new, code):
        laptop = Device(river.email)
        response = Device(river.email).post(CHANGE, {"current_password": PASSWORD, "new_password": new})
        assert response.status_code == 400
        assert code in error_codes(response)
        assert set(error_attrs(response)) == {"new_password"}
        assert logs_in(river.email, PASSWORD)
        assert laptop.refreshes()

    @pytest.mark.parametrize(
        "body",
        [
            {"current_password": PASSWORD},
            {"new_password": NEW},
            {"current_password": PASSWORD, "new_password": NEW, "password": NEW},
            {"current_password": PASSWORD, "new_password": "x" * 129},
        ],
    )
    def test_a_body_that_is_not_a_change_is_a_400(self, river, body):
        assert Device(river.email).post(CHANGE, body).status_code == 400
        assert logs_in(river.email, PASSWORD)

    def test_wrong_current_passwords_count_as_wrong_log_ins_and_then_the_right_one_changes_nothing(self, river):
        phone = Device(river.email)
        at = NOW
        for _ in range(settings.AXES_FAILURE_LIMIT - 1):
            at += timedelta(seconds=1)
            wrong = phone.post(CHANGE, {"current_password": "guess-guess", "new_password": NEW}, at=at)
            assert error_codes(wrong) == ["wrong_password"]
        at += timedelta(seconds=1)
        assert error_codes(phone.post(CHANGE, {"current_password": "guess", "new_password": NEW}, at=at)) == [
            "locked_out"
        ]
        right = phone.post(CHANGE, {"current_password": PASSWORD, "new_password": NEW}, at=at + timedelta(seconds=1))
        assert right.status_code == 429
        assert int(right["Retry-After"]) > 0
        assert User.objects.get(id=river.id).check_password(PASSWORD)

    def test_without_an_access_token_it_is_a_401(self, river):
        response = APIClient().post(CHANGE, {"current_password": PASSWORD, "new_password": NEW}, format="json")
        assert response.status_code == 401
        assert User.objects.get(id=river.id).check_password(PASSWORD)


class TestSignOutEverywhere:
    def test_every_device_and_dashboard_session_of_the_user_ends_and_no_one_elses(self):
        therapist, colleague = TherapistFactory(), TherapistFactory()
        phone, laptop, browser = Device(therapist.email), Device(therapist.email), dashboard_of(therapist)
        colleagues_phone, colleagues_browser = Device(colleague.email), dashboard_of(colleague)
        assert phone.post(EVERYWHERE).status_code == 204
        assert not phone.refreshes()
        assert not laptop.refreshes()
        assert signed_out(browser)
        assert colleagues_phone.refreshes()
        assert not signed_out(colleagues_browser)
        assert logs_in(therapist.email, PASSWORD)  # the password is unchanged: signing in again works

    def test_a_body_with_fields_is_refused_and_ends_nothing(self, river):
        phone = Device(river.email)
        response = phone.post(EVERYWHERE, {"refresh": phone.refresh})
        assert (response.status_code, error_codes(response)) == (400, ["unknown_field"])
        assert phone.refreshes()

    def test_without_an_access_token_it_is_a_401(self):
        assert APIClient().post(EVERYWHERE, {}, format="json").status_code == 401


def reset_link(message: mail.EmailMessage) -> tuple[str, str, str]:
    """The page, ``uid`` and ``token`` of the one link in a reset e-mail."""
    [link] = re.findall(r"https?://\S+", message.body)
    match = re.fullmatch(re.escape(settings.PUBLIC_URL) + r"/(journal/reset|app/reset)/([^/]+)/([^/]+)", link)
    assert match, link
    page, uid, token = match.groups()
    return page, uid, token


def ask_reset(email: str, at: datetime = NOW, **extra):
    with time_machine.travel(at, tick=False):
        return APIClient().post(RESET, {"email": email}, format="json", **extra)


def confirm(uid: str, token: str, new_password: str = NEW, at: datetime = NOW):
    with time_machine.travel(at, tick=False):
        return APIClient().post(CONFIRM, {"uid": uid, "token": token, "new_password": new_password}, format="json")


@pytest.mark.usefixtures("eager")
class TestReset:
    def test_a_patient_gets_a_link_to_their_app_and_sets_a_new_password_once(self, river):
        phone = Device(river.email)
        assert ask_reset("  RIVER@example.TEST ").status_code == 202
        [message] = mail.outbox
        assert message.to == ["river@example.test"]
        assert message.subject == "Set a new password for Good Enough"
        assert "Hello River" in message.body
        page, uid, token = reset_link(message)
        assert page == "journal/reset"
        assert logs_in(river.email, PASSWORD)  # asking changes nothing yet

        assert confirm(uid, token).status_code == 204
        assert logs_in(river.email, NEW)
        assert not logs_in(river.email, PASSWORD)
        assert not phone.refreshes()
        again = confirm(uid, token, "another-new-one-2028")
        assert (again.status_code, error_attrs(again), error_codes(again)) == (400, ["token"], ["invalid_link"])
        assert logs_in(river.email, NEW)

    def test_the_email_says_what_the_link_does_for_how_long_and_what_to_do_if_it_was_not_you(self, river):
        ask_reset(river.email)
        body = mail.outbox[0].body
        assert body.startswith(
            "Hello River,\n\nSomeone, we hope you, asked to set a new password for your Good Enough account. "
            "This link lets you choose one; it works once, within 1 hour:\n\n"
        )
        assert body.endswith(
            "\n\nSetting a new password signs you out everywhere else. If you did not ask, ignore this "
            "e-mail: your password stays as it is.\n"
        )

    def test_the_email_counts_the_links_hours_as_configured(self, river, settings):
        settings.PASSWORD_RESET_TIMEOUT = 2 * 60 * 60
        ask_reset(river.email)
        assert "it works once, within 2 hours:" in mail.outbox[0].body

    def test_the_worker_says_whether_it_sent_a_mail(self, river):
        assert services.password_reset_mail(email=" River@Example.test ") is True
        assert services.password_reset_mail(email="nobody@example.test") is False
        assert len(mail.outbox) == 1

    def test_the_link_opens_the_account_it_was_sent_to_among_others(self, river):
        # Accounts whose ids come before River's: the first a lookup ignoring the link's uid would find.
        others = [PatientFactory(id=uuid.UUID(int=1)), TherapistFactory(id=uuid.UUID(int=2))]
        ask_reset(river.email)
        _, uid, token = reset_link(mail.outbox[0])
        assert confirm(uid, token).status_code == 204
        assert User.objects.get(id=river.id).check_password(NEW)
        assert all(User.objects.get(id=other.id).check_password(PASSWORD) for other in others)

    def test_a_new_password_like_the_accounts_own_email_is_refused(self, river):
        ask_reset(river.email)
        _, uid, token = reset_link(mail.outbox[0])
        similar = confirm(uid, token, "river@example.test")
        assert (error_attrs(similar), error_codes(similar)) == (["new_password"], ["password_too_similar"])

    def test_a_reset_leaves_no_dashboard_session_row_of_the_account(self):
        ada = TherapistFactory()
        dashboard_of(ada)
        ask_reset(ada.email)
        _, uid, token = reset_link(mail.outbox[0])
        assert confirm(uid, token).status_code == 204
        assert not UserSession.objects.filter(user_id=ada.id).exists()

    def test_a_therapists_link_opens_the_dashboard_and_ends_their_dashboard_sessions(self):
        therapist = TherapistFactory(email="dr.ada@example.test")
        browser = dashboard_of(therapist)
        assert ask_reset(therapist.email).status_code == 202
        page, uid, token = reset_link(mail.outbox[0])
        assert page == "app/reset"
        assert not signed_out(browser)
        assert confirm(uid, token).status_code == 204
        assert signed_out(browser)

    def test_an_unknown_email_gets_the_same_answer_and_no_mail(self, river):
        known, unknown = ask_reset(river.email), ask_reset("nobody@example.test")
        assert (known.status_code, known.content) == (unknown.status_code, unknown.content) == (202, b"")
        assert [message.to for message in mail.outbox] == [["river@example.test"]]

    def test_the_link_runs_out_after_an_hour(self, river):
        ask_reset(river.email)
        _, uid, token = reset_link(mail.outbox[0])
        late = confirm(uid, token, at=NOW + timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT + 1))
        assert error_codes(late) == ["invalid_link"]
        assert User.objects.get(id=river.id).check_password(PASSWORD)
        in_time = confirm(uid, token, at=NOW + timedelta(minutes=59))
        assert in_time.status_code == 204, in_time.json()

    def test_signing_in_with_the_old_password_after_asking_voids_the_link(self, river):
        ask_reset(river.email)
        _, uid, token = reset_link(mail.outbox[0])
        assert logs_in(river.email, PASSWORD, at=NOW + timedelta(minutes=1))  # remembered it after all
        assert error_codes(confirm(uid, token, at=NOW + timedelta(minutes=2))) == ["invalid_link"]

    def test_a_link_for_one_account_opens_no_other(self, river, other_patient):
        ask_reset(river.email)
        ask_reset(other_patient.email)
        _, rivers_uid, _ = reset_link(mail.outbox[0])
        _, _, others_token = reset_link(mail.outbox[1])
        assert error_codes(confirm(rivers_uid, others_token)) == ["invalid_link"]
        assert logs_in(river.email, PASSWORD)

    @pytest.mark.parametrize(
        ("uid", "token"),
        [("", "x"), ("not-base64!", "abc-def"), ("bm9wZQ", "abc-def"), ("\\ud800", "abc"), ("MTIz", "1" * 64)],
    )
    def test_a_forged_link_is_refused(self, river, uid, token):
        body = f'{{"uid": "{uid}", "token": "{token}", "new_password": "{NEW}"}}'  # a lone surrogate as sent
        with time_machine.travel(NOW, tick=False):
            response = APIClient().post(CONFIRM, body, content_type="application/json")
        assert response.status_code == 400
        assert User.objects.get(id=river.id).check_password(PASSWORD)

    def test_a_weak_new_password_is_refused_and_the_link_still_works(self, river):
        ask_reset(river.email)
        _, uid, token = reset_link(mail.outbox[0])
        weak = confirm(uid, token, "password123")
        assert (error_attrs(weak), error_codes(weak)) == (["new_password"], ["password_too_common"])
        assert confirm(uid, token).status_code == 204

    def test_a_deactivated_account_gets_no_mail_and_its_link_opens_nothing(self, river):
        ask_reset(river.email)
        _, uid, token = reset_link(mail.outbox[0])
        User.objects.filter(id=river.id).update(is_active=False)
        assert ask_reset(river.email).status_code == 202
        assert len(mail.outbox) == 1
        assert error_codes(confirm(uid, token)) == ["invalid_link"]

    def test_requests_are_throttled_per_email_from_any_address(self, river):
        limit = int(settings.PASSWORD_RESET_THROTTLE_RATE.split("/")[0])
        for n in range(limit):
            assert ask_reset(river.email, REMOTE_ADDR=f"10.0.{n}.1").status_code == 202
        refused = ask_reset(river.email, REMOTE_ADDR="10.9.9.9")
        assert (refused.status_code, error_codes(refused)) == (429, ["throttled"])
        assert int(refused["Retry-After"]) > 0
        assert len(mail.outbox) == limit
        assert ask_reset("nobody@example.test", REMOTE_ADDR="10.9.9.9").status_code == 202  # another address's own
        # An address with no account is counted the same, so the 429 tells nothing.
        for _ in range(limit):
            ask_reset("nobody@example.test", REMOTE_ADDR="10.8.8.8")
        assert ask_reset("nobody@example.test", REMOTE_ADDR="10.7.7.7").status_code == 429

    def test_requests_are_throttled_per_address_whatever_the_email(self, settings):
        settings.PASSWORD_RESET_THROTTLE_RATE = "1000/hour"
        limit = int(settings.AUTH_THROTTLE_RATE.split("/")[0])
        for n in range(limit):
            assert ask_reset(f"someone{n}@example.test").status_code == 202
        assert ask_reset("one-more@example.test").status_code == 429

    @pytest.mark.parametrize(
        "body", [{}, {"email": "not an address"}, {"email": "a@b.test", "extra": 1}, {"email": "x" * 250 + "@b.test"}]
    )
    def test_a_body_that_is_not_an_email_is_a_400_and_sends_nothing(self, body):
        with time_machine.travel(NOW, tick=False):
            assert APIClient().post(RESET, body, format="json").status_code == 400
        assert mail.outbox == []

    def test_a_signed_in_caller_is_treated_as_anyone(self, river, as_other_patient):
        # The token is not read: a reset asks for nothing the caller has.
        with time_machine.travel(NOW, tick=False):
            assert as_other_patient.post(RESET, {"email": river.email}, format="json").status_code == 202
        assert mail.outbox[0].to == [river.email]


def test_the_link_starts_with_the_configured_public_url_not_the_requests_host(settings, river, eager):
    settings.PUBLIC_URL = "https://journal.example.org"
    settings.ALLOWED_HOSTS = ["*"]
    ask_reset(river.email, HTTP_HOST="evil.example.net")
    assert "https://journal.example.org/journal/reset/" in mail.outbox[0].body
    assert "evil.example.net" not in mail.outbox[0].body


def test_a_password_change_made_with_an_old_style_access_token_keeps_no_device(river):
    """An access token minted before they named their refresh token ends every device."""
    phone = Device(river.email)
    response = client_for(river).post(CHANGE, {"current_password": PASSWORD, "new_password": NEW}, format="json")
    assert response.status_code == 204
    assert not phone.refreshes()


@needs_concurrent_transactions
@pytest.mark.django_db(transaction=True)
def test_one_reset_link_used_twice_at_once_sets_one_password(monkeypatch):
    """Both requests check the token before either saves, unless the first holds the account's
    row: then the second reads the new password, under which the link no longer opens anything."""
    river = PatientFactory(email="river@example.test")
    uid, token = urlsafe_base64_encode(force_bytes(river.pk)), default_token_generator.make_token(river)
    checked = services.validate_password

    def slow_check(*args, **kwargs):
        time.sleep(0.3)  # between the token's check and the save: the window a second request needs
        return checked(*args, **kwargs)

    monkeypatch.setattr(services, "validate_password", slow_check)
    barrier = threading.Barrier(2)
    answers: list = []

    def use(password: str) -> None:
        try:
            barrier.wait()
            response = APIClient().post(CONFIRM, {"uid": uid, "token": token, "new_password": password}, format="json")
            answers.append(
                (response.status_code, error_codes(response) if response.status_code >= 400 else [], password)
            )
        finally:
            connections.close_all()

    threads = [threading.Thread(target=use, args=(password,)) for password in (NEW, "another-new-one-2028")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(status for status, _, _ in answers) == [204, 400]
    [(_, _, winner)] = [answer for answer in answers if answer[0] == 204]
    [(_, refusal, loser)] = [answer for answer in answers if answer[0] == 400]
    assert refusal == ["invalid_link"]
    assert logs_in(river.email, winner)
    assert not logs_in(river.email, loser)
