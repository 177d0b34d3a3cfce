from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.db import connections
from django.test import Client, override_settings
from rest_framework.test import APIClient

from accounts.models import User
from tests.factories import PASSWORD, PatientFactory, TherapistFactory
from tests.helpers import error_attrs, error_codes, needs_concurrent_transactions

REGISTER = "/api/v1/auth/register/"
TOKEN = "/api/v1/auth/token/"
REFRESH = "/api/v1/auth/token/refresh/"
LOGOUT = "/api/v1/auth/logout/"

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 25, 18, 0, tzinfo=UTC)
CHEF_PASSWORD = "a-new-recipe-2026"


def registration(**overrides):
    body = {
        "email": "river@example.test",
        "password": "a-calm-kitchen-2026",
        "display_name": "River",
        "role": "patient",
        "timezone": "Pacific/Auckland",
    }
    body.update(overrides)
    return body


class TestRegister:
    def test_it_creates_the_user_and_never_returns_the_password(self, anon):
        response = anon.post(REGISTER, registration(), format="json")
        assert response.status_code == 201
        body = response.json()
        assert set(body) == {
            "id", "email", "display_name", "role", "timezone", "country", "country_in_effect", "created_at"
        }  # fmt: skip
        assert body["timezone"] == "Pacific/Auckland"
        assert (body["country"], body["country_in_effect"]) == (None, "NZ")  # crisis lines from the zone
        user = User.objects.get(id=body["id"])
        assert user.check_password("a-calm-kitchen-2026")
        assert "password" not in response.content.decode()

    def test_a_therapist_can_register(self, anon):
        response = anon.post(REGISTER, registration(role="therapist"), format="json")
        assert response.status_code == 201
        assert response.json()["role"] == "therapist"

    @pytest.mark.parametrize("missing", ["email", "password", "display_name", "role", "timezone"])
    def test_a_missing_field_is_named_and_nothing_is_written(self, anon, missing):
        body = registration()
        del body[missing]
        response = anon.post(REGISTER, body, format="json")
        assert response.status_code == 400
        assert error_attrs(response) == [missing]
        assert error_codes(response) == ["required"]
        assert not User.objects.exists()

    @pytest.mark.parametrize(
        ("field", "value", "code"),
        [
            ("email", "not-an-email", "invalid"),
            ("email", 42, "invalid"),
            ("role", "admin", "invalid_choice"),
            ("role", ["patient"], "invalid_choice"),
            ("display_name", {"first": "River"}, "invalid"),
            ("timezone", "Mars/Olympus_Mons", "unknown_timezone"),
            ("timezone", "EST5EDT-not-a-zone", "unknown_timezone"),
        ],
    )
    def test_a_wrong_value_is_refused(self, anon, field, value, code):
        response = anon.post(REGISTER, registration(**{field: value}), format="json")
        assert response.status_code == 400
        assert error_attrs(response) == [field]
        assert error_codes(response) == [code]
        assert not User.objects.exists()

    @pytest.mark.parametrize(
        ("password", "code"),
        [
            ("short1", "password_too_short"),
            ("password123", "password_too_common"),
            ("90817263544", "password_entirely_numeric"),
            ("river@example.test", "password_too_similar"),
        ],
    )
    def test_a_weak_password_is_refused(self, anon, password, code):
        response = anon.post(REGISTER, registration(password=password), format="json")
        assert response.status_code == 400
        assert code in error_codes(response)
        assert not User.objects.exists()

    def test_an_existing_email_in_another_case_is_refused(self, anon):
        PatientFactory(email="river@example.test")
        response = anon.post(REGISTER, registration(email="RIVER@Example.TEST"), format="json")
        assert response.status_code == 400
        assert error_codes(response) == ["email_taken"]
        assert User.objects.count() == 1

    def test_malformed_json_is_a_400(self, anon):
        response = anon.generic("POST", REGISTER, '{"email": "river@', content_type="application/json")
        assert response.status_code == 400
        assert error_codes(response) == ["parse_error"]
        assert not User.objects.exists()

    def test_a_form_body_is_refused_as_unsupported(self, anon):
        response = anon.post(REGISTER, registration(), format="multipart")
        assert response.status_code == 415
        assert not User.objects.exists()


class TestToken:
    def test_it_logs_in_with_email_in_any_case(self, anon, chef):
        response = anon.post(TOKEN, {"email": chef.email.upper(), "password": "a-new-recipe-2026"}, format="json")
        assert response.status_code == 200
        assert set(response.json()) == {"access", "refresh"}
        chef.refresh_from_db()
        assert chef.last_login is not None

    def test_the_access_token_opens_the_api(self, anon, chef):
        tokens = anon.post(TOKEN, {"email": chef.email, "password": "a-new-recipe-2026"}, format="json").json()
        anon.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")
        assert anon.get("/api/v1/me/").json()["email"] == chef.email

    @pytest.mark.parametrize(
        "credentials",
        [
            {"email": "sam@demo.good-enough.test", "password": "wrong-password"},
            {"email": "nobody@example.test", "password": "a-new-recipe-2026"},
        ],
    )
    def test_bad_credentials_are_a_401(self, anon, chef, credentials):
        response = anon.post(TOKEN, credentials, format="json")
        assert response.status_code == 401
        assert error_codes(response) == ["no_active_account"]

    def test_missing_fields_are_a_400(self, anon):
        response = anon.post(TOKEN, {}, format="json")
        assert response.status_code == 400
        assert sorted(error_attrs(response)) == ["email", "password"]

    def test_no_token_is_a_401_with_the_error_body(self, anon):
        response = anon.get("/api/v1/me/")
        assert response.status_code == 401
        assert error_codes(response) == ["not_authenticated"]

    def test_a_garbled_token_is_a_401(self, anon):
        anon.credentials(HTTP_AUTHORIZATION="Bearer not.a.jwt")
        assert anon.get("/api/v1/me/").status_code == 401


class TestRefreshAndLogout:
    def login(self, client, user, password=PASSWORD):
        return client.post(TOKEN, {"email": user.email, "password": password}, format="json").json()

    def test_refresh_rotates_and_a_refresh_token_used_twice_is_a_401(self, anon):
        user = PatientFactory()
        first = self.login(anon, user)
        rotated = anon.post(REFRESH, {"refresh": first["refresh"]}, format="json")
        assert rotated.status_code == 200
        assert rotated.json()["refresh"] != first["refresh"]
        reused = anon.post(REFRESH, {"refresh": first["refresh"]}, format="json")
        assert reused.status_code == 401
        assert anon.post(REFRESH, {"refresh": rotated.json()["refresh"]}, format="json").status_code == 200

    def test_logout_kills_the_refresh_token(self, anon):
        user = PatientFactory()
        tokens = self.login(anon, user)
        anon.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")
        assert anon.post(LOGOUT, {"refresh": tokens["refresh"]}, format="json").status_code == 204
        assert anon.post(REFRESH, {"refresh": tokens["refresh"]}, format="json").status_code == 401

    def test_logout_with_someone_elses_refresh_token_changes_nothing(self, anon):
        me, them = PatientFactory(), PatientFactory()
        mine, theirs = self.login(anon, me), self.login(anon, them)
        anon.credentials(HTTP_AUTHORIZATION=f"Bearer {mine['access']}")
        response = anon.post(LOGOUT, {"refresh": theirs["refresh"]}, format="json")
        assert response.status_code == 400
        assert error_attrs(response) == ["refresh"]
        anon.credentials()
        assert anon.post(REFRESH, {"refresh": theirs["refresh"]}, format="json").status_code == 200

    def test_logout_with_garbage_is_a_400(self, anon):
        user = PatientFactory()
        tokens = self.login(anon, user)
        anon.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")
        assert anon.post(LOGOUT, {"refresh": "garbage"}, format="json").status_code == 400
        assert anon.post(LOGOUT, {}, format="json").status_code == 400

    def test_logout_needs_a_signed_in_caller(self, anon):
        user = PatientFactory()
        tokens = self.login(anon, user)
        assert anon.post(LOGOUT, {"refresh": tokens["refresh"]}, format="json").status_code == 401

    def test_a_deleted_users_refresh_token_is_a_401(self, anon):
        user = PatientFactory()
        tokens = self.login(anon, user)
        user.delete()
        assert anon.post(REFRESH, {"refresh": tokens["refresh"]}, format="json").status_code == 401


class TestThrottleAndLockout:
    def test_registration_is_throttled_per_address_with_retry_after(self, anon):
        for n in range(10):
            body = registration(email=f"r{n}@example.test")
            assert anon.post(REGISTER, body, format="json").status_code == 201
        response = anon.post(REGISTER, registration(email="r10@example.test"), format="json")
        assert response.status_code == 429
        assert int(response["Retry-After"]) > 0
        assert error_codes(response) == ["throttled"]
        assert not User.objects.filter(email="r10@example.test").exists()

    def test_registration_is_throttled_per_email_across_addresses(self, anon):
        for n in range(10):
            anon.post(REGISTER, registration(password="short"), format="json", REMOTE_ADDR=f"10.0.0.{n}")
        response = anon.post(REGISTER, registration(), format="json", REMOTE_ADDR="10.9.9.9")
        assert response.status_code == 429
        assert "Retry-After" in response
        assert not User.objects.exists()

    def test_one_address_guessing_is_slowed_with_retry_after(self, anon, chef):
        with time_machine.travel(NOW, tick=False):
            for n in range(10):  # ten accounts, one try each: no lockout, only the address's budget
                anon.post(TOKEN, {"email": f"someone{n}@example.test", "password": "guess"}, format="json")
            response = anon.post(TOKEN, {"email": chef.email, "password": CHEF_PASSWORD}, format="json")
        assert response.status_code == 429
        assert error_codes(response) == ["throttled"]
        assert int(response["Retry-After"]) == 60

    @override_settings(AUTH_THROTTLE_RATE="2/min")
    def test_the_rate_comes_from_the_setting(self, anon):
        for n in range(2):
            anon.post(REGISTER, registration(email=f"s{n}@example.test"), format="json")
        assert anon.post(REGISTER, registration(email="s3@example.test"), format="json").status_code == 429

    def test_repeated_failures_lock_the_address_and_email_even_for_the_right_password(self, anon):
        user = PatientFactory(email="lock@example.test")
        wrong = {"email": "lock@example.test", "password": "wrong"}
        for _ in range(4):
            assert anon.post(TOKEN, wrong, format="json").status_code == 401
        # The fifth failure reaches the limit and is answered as the lockout.
        assert error_codes(anon.post(TOKEN, wrong, format="json")) == ["locked_out"]
        locked = anon.post(TOKEN, {"email": "LOCK@example.test", "password": PASSWORD}, format="json")
        assert locked.status_code == 429
        assert error_codes(locked) == ["locked_out"]
        assert int(locked["Retry-After"]) == 15 * 60
        # Another address is not locked out of the same account.
        elsewhere = anon.post(TOKEN, {"email": user.email, "password": PASSWORD}, format="json", REMOTE_ADDR="10.1.1.1")
        assert elsewhere.status_code == 200

    def test_a_try_during_the_lockout_does_not_lengthen_it(self, anon):
        # The owner who tries again (with the right password) in the 14th minute signs in at
        # the 15th, not 15 minutes after that try: trying again must not restart the cool-off.
        PatientFactory(email="lock@example.test")
        wrong = {"email": "lock@example.test", "password": "wrong"}
        with time_machine.travel(NOW, tick=False):
            for _ in range(5):
                anon.post(TOKEN, wrong, format="json")
        right = {"email": "lock@example.test", "password": PASSWORD}
        with time_machine.travel(NOW + timedelta(minutes=14), tick=False):
            assert anon.post(TOKEN, right, format="json").status_code == 429
            assert anon.post(TOKEN, wrong, format="json").status_code == 429
        with time_machine.travel(NOW + timedelta(minutes=15, seconds=1), tick=False):
            assert anon.post(TOKEN, right, format="json").status_code == 200


def log_in(email: str, password: str, address: str, at: datetime = NOW):
    with time_machine.travel(at, tick=False):
        return APIClient().post(TOKEN, {"email": email, "password": password}, format="json", REMOTE_ADDR=address)


def account_limit() -> int:
    return int(settings.AUTH_ACCOUNT_FAILURE_RATE.split("/")[0])


def guessed_from_many_addresses(email: str, times: int, at: datetime = NOW) -> list[int]:
    """Wrong passwords for one e-mail, each from an address of its own (no address's budget
    or lockout is reached): a botnet's way."""
    return [log_in(email, f"guess-{n}", f"10.{n // 250}.{n % 250}.1", at).status_code for n in range(times)]


class TestGuessingOneAccount:
    """Per address, a short window and django-axes; per account, a slower bound on failures
    that holds back only addresses the account has not signed in from."""

    def test_wrong_passwords_from_three_other_addresses_do_not_lock_the_owner_out(self, chef):
        for minute in range(3):  # and again, minute after minute
            at = NOW + timedelta(minutes=minute)
            for n in range(4):
                for address in ["10.0.0.1", "10.0.0.2", "10.0.0.3"]:
                    log_in(chef.email, f"guess-{minute}-{n}", address, at)
            assert log_in(chef.email, CHEF_PASSWORD, "192.0.2.10", at + timedelta(seconds=30)).status_code == 200

    def test_many_addresses_guessing_one_account_are_bounded_per_account(self, chef):
        limit = account_limit()
        assert guessed_from_many_addresses(chef.email, limit) == [401] * limit
        # The next try from a new address is refused before its password is looked at.
        refused = log_in(chef.email, CHEF_PASSWORD, "203.0.113.50", NOW + timedelta(minutes=1))
        assert refused.status_code == 429
        assert error_codes(refused) == ["throttled"]
        assert int(refused["Retry-After"]) == 59 * 60
        an_hour_on = NOW + timedelta(hours=1, seconds=1)
        assert log_in(chef.email, CHEF_PASSWORD, "203.0.113.50", an_hour_on).status_code == 200

    def test_an_address_the_owner_signed_in_from_is_not_held_back(self, chef):
        assert log_in(chef.email, CHEF_PASSWORD, "198.51.100.7", NOW - timedelta(days=3)).status_code == 200
        guessed_from_many_addresses(chef.email, account_limit() + 5)
        assert log_in(chef.email, CHEF_PASSWORD, "198.51.100.7").status_code == 200
        assert log_in(chef.email, CHEF_PASSWORD, "203.0.113.50").status_code == 429

    def test_the_bound_counts_failures_only(self, chef):
        for n in range(account_limit() + 5):
            address = f"10.1.{n}.1"
            assert log_in(chef.email, CHEF_PASSWORD, address, NOW + timedelta(seconds=n)).status_code == 200
        assert log_in(chef.email, CHEF_PASSWORD, "203.0.113.50").status_code == 200

    def test_the_owner_is_told_once_by_e_mail_without_the_guesses_or_addresses(self, chef):
        limit = account_limit()
        guessed_from_many_addresses(chef.email, limit - 1)
        assert mail.outbox == []
        guessed_from_many_addresses(chef.email, limit + 10)
        assert len(mail.outbox) == 1
        notice = mail.outbox[0]
        assert notice.to == [chef.email]
        assert "sign" in notice.subject.lower()
        assert "guess-" not in notice.body
        assert "10.0." not in notice.body
        # Once a window: the next burst, an hour on, is told again.
        guessed_from_many_addresses(chef.email, limit, NOW + timedelta(hours=1, minutes=1))
        assert len(mail.outbox) == 2

    def test_failures_that_go_on_within_the_window_are_not_told_again(self, chef):
        assert log_in(chef.email, CHEF_PASSWORD, "198.51.100.7", NOW - timedelta(days=1)).status_code == 200
        guessed_from_many_addresses(chef.email, account_limit())
        for minute in [10, 20, 30, 40]:  # the owner's own typos, from home (under django-axes' five)
            assert log_in(chef.email, "typo", "198.51.100.7", NOW + timedelta(minutes=minute)).status_code == 401
        assert len(mail.outbox) == 1

    def test_an_unknown_e_mail_is_bounded_alike_and_nobody_is_told(self, db):
        guessed_from_many_addresses("nobody@example.test", account_limit())
        response = log_in("nobody@example.test", "guess", "203.0.113.50")
        assert response.status_code == 429
        assert error_codes(response) == ["throttled"]
        assert mail.outbox == []

    def test_the_admins_log_in_is_bounded_too(self, db):
        staff = TherapistFactory(is_staff=True, is_superuser=True)
        admin_log_in = {"username": staff.email, "password": PASSWORD}
        with time_machine.travel(NOW - timedelta(days=1), tick=False):
            assert Client(REMOTE_ADDR="198.51.100.7").post("/admin/login/", admin_log_in).status_code == 302
        guessed_from_many_addresses(staff.email, account_limit())
        with time_machine.travel(NOW, tick=False):
            client = Client(REMOTE_ADDR="203.0.113.50")
            response = client.post("/admin/login/", admin_log_in)
            assert response.status_code == 200  # the form again: not signed in
            assert client.get("/admin/").status_code == 302
            assert Client(REMOTE_ADDR="198.51.100.7").post("/admin/login/", admin_log_in).status_code == 302


class TestClientAddress:
    def test_a_forged_forwarded_for_does_not_dodge_the_throttle_without_proxies(self, anon):
        for n in range(10):
            anon.post(REGISTER, registration(email=f"f{n}@example.test"), HTTP_X_FORWARDED_FOR=f"10.0.0.{n}")
        response = anon.post(REGISTER, registration(email="f10@example.test"), HTTP_X_FORWARDED_FOR="10.9.9.9")
        assert response.status_code == 429

    @override_settings(TRUSTED_PROXY_COUNT=1)
    def test_behind_one_proxy_each_client_is_counted_apart(self, anon):
        for n in range(10):
            anon.post(REGISTER, registration(email=f"g{n}@example.test"), HTTP_X_FORWARDED_FOR="203.0.113.1")
        other_client = anon.post(REGISTER, registration(email="g10@example.test"), HTTP_X_FORWARDED_FOR="203.0.113.2")
        assert other_client.status_code == 201
        # A client cannot pose as another by prepending to the header: the proxy appends.
        spoofed = anon.post(
            REGISTER, registration(email="g11@example.test"), HTTP_X_FORWARDED_FOR="198.51.100.7, 203.0.113.1"
        )
        assert spoofed.status_code == 429


@needs_concurrent_transactions
@pytest.mark.django_db(transaction=True)
def test_two_refreshes_racing_with_one_token_let_only_one_through():
    user = PatientFactory()
    refresh = APIClient().post(TOKEN, {"email": user.email, "password": PASSWORD}, format="json").json()["refresh"]
    statuses: list[int] = []
    barrier = threading.Barrier(4)

    def use_it() -> None:
        try:
            barrier.wait()
            statuses.append(APIClient().post(REFRESH, {"refresh": refresh}, format="json").status_code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=use_it) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [200, 401, 401, 401]
