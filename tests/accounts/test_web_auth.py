"""The patient's web app signs in through its own door: the access token in the answer (kept in
memory by the page), the refresh token in an HttpOnly, SameSite=Strict cookie scoped to the
web door's path, which page script cannot read and so an XSS cannot steal. The log-in rules
(throttles, lockout, the second factor) are the bearer door's, with the same counters."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.conf import settings
from rest_framework.test import APIClient
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken

from accounts import two_factor
from seeds import personas
from tests.factories import PASSWORD, PatientFactory
from tests.helpers import error_attrs, error_codes, totp_code

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 25, 18, 0, 5, tzinfo=UTC)
WEB_TOKEN = "/api/v1/auth/web/token/"
WEB_REFRESH = "/api/v1/auth/web/token/refresh/"
WEB_LOGOUT = "/api/v1/auth/web/logout/"
TOKEN = "/api/v1/auth/token/"
COOKIE = "ge_refresh"
COOKIE_PATH = "/api/v1/auth/web/"
REFRESH_SECONDS = int(settings.SIMPLE_JWT["REFRESH_TOKEN_LIFETIME"].total_seconds())


@pytest.fixture
def river():
    return PatientFactory(email="river@example.test")


def web_log_in(client: APIClient, email: str = "river@example.test", password: str = PASSWORD, **extra):
    return client.post(WEB_TOKEN, {"email": email, "password": password, **extra.pop("body", {})}, **extra)


def cookie_of(response) -> str:
    return response.cookies[COOKIE].value


def assert_cleared(response) -> None:
    morsel = response.cookies[COOKIE]
    assert morsel.value == ""
    assert morsel["max-age"] == 0
    assert morsel["path"] == COOKIE_PATH


def assert_nothing_set(response) -> None:
    assert COOKIE not in response.cookies


class TestLogIn:
    def test_it_answers_the_access_token_only_and_sets_the_refresh_cookie(self, river):
        response = web_log_in(APIClient())
        assert response.status_code == 200
        assert set(response.json()) == {"access"}
        morsel = response.cookies[COOKIE]
        assert morsel["httponly"] is True
        assert morsel["samesite"] == "Strict"
        assert morsel["path"] == COOKIE_PATH
        assert morsel["max-age"] == REFRESH_SECONDS
        assert morsel.value not in response.content.decode()
        assert "no-store" in response["Cache-Control"]
        assert OutstandingToken.objects.filter(user=river).count() == 1

    @pytest.mark.parametrize("secure", [True, False])
    def test_the_cookie_is_secure_when_session_cookies_are(self, river, settings, secure):
        settings.SESSION_COOKIE_SECURE = secure  # off with DEBUG (make run), on in production
        assert bool(web_log_in(APIClient()).cookies[COOKIE]["secure"]) is secure

    def test_the_access_token_opens_the_api(self, river):
        access = web_log_in(APIClient()).json()["access"]
        reader = APIClient()
        reader.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
        me = reader.get("/api/v1/me/")
        assert me.status_code == 200
        assert me.json()["email"] == river.email

    def test_a_wrong_password_is_a_401_and_sets_no_cookie(self, river):
        response = web_log_in(APIClient(), password="wrong-password")
        assert response.status_code == 401
        assert error_codes(response) == ["no_active_account"]
        assert_nothing_set(response)
        assert not OutstandingToken.objects.exists()

    def test_a_missing_field_is_a_400_naming_it(self, river):
        response = APIClient().post(WEB_TOKEN, {"email": river.email})
        assert response.status_code == 400
        assert error_attrs(response) == ["password"]
        assert_nothing_set(response)

    def test_a_form_body_is_refused_as_unsupported(self, river):
        response = APIClient().post(WEB_TOKEN, {"email": river.email, "password": PASSWORD}, format="multipart")
        assert response.status_code == 415
        assert_nothing_set(response)


def test_the_cookie_path_holds_the_three_web_calls_and_no_other():
    for path in (WEB_TOKEN, WEB_REFRESH, WEB_LOGOUT):
        assert path.startswith(COOKIE_PATH)
    for path in (TOKEN, "/api/v1/auth/token/refresh/", "/api/v1/auth/logout/", "/api/v1/me/"):
        assert not path.startswith(COOKIE_PATH)


class TestTwoStep:
    @pytest.fixture
    def enrolled(self, therapist):
        device = two_factor.enrolment_start(user=therapist)
        two_factor.enrolment_confirm(device=device)
        return device

    def log_in(self, **body):
        maya = {"email": personas.THERAPIST.email, "password": personas.THERAPIST.password}
        with time_machine.travel(NOW, tick=False):
            return APIClient().post(WEB_TOKEN, {**maya, **body})

    def test_the_password_alone_is_a_401_code_required_and_sets_no_cookie(self, enrolled):
        response = self.log_in()
        assert response.status_code == 401
        assert error_codes(response) == ["code_required"]
        assert_nothing_set(response)
        assert not OutstandingToken.objects.exists()

    def test_a_wrong_code_is_a_401_wrong_code(self, enrolled):
        response = self.log_in(code="000000" if totp_code(enrolled, NOW) != "000000" else "111111")
        assert response.status_code == 401
        assert error_codes(response) == ["wrong_code"]
        assert_nothing_set(response)

    def test_the_apps_code_signs_in_with_the_cookie(self, enrolled):
        response = self.log_in(code=totp_code(enrolled, NOW))
        assert response.status_code == 200
        assert set(response.json()) == {"access"}
        assert cookie_of(response)


class TestRefresh:
    def test_it_answers_a_new_access_token_and_rotates_the_cookie(self, river):
        client = APIClient()
        first = cookie_of(web_log_in(client))
        response = client.post(WEB_REFRESH)
        assert response.status_code == 200
        assert set(response.json()) == {"access"}
        assert "no-store" in response["Cache-Control"]
        morsel = response.cookies[COOKIE]
        assert morsel.value not in {"", first}
        assert morsel["httponly"] is True
        assert morsel["samesite"] == "Strict"
        assert morsel["path"] == COOKIE_PATH
        assert morsel["max-age"] == REFRESH_SECONDS
        reader = APIClient()
        reader.credentials(HTTP_AUTHORIZATION=f"Bearer {response.json()['access']}")
        assert reader.get("/api/v1/me/").json()["email"] == river.email

    def test_an_empty_object_body_is_fine(self, river):
        client = APIClient()
        web_log_in(client)
        assert client.post(WEB_REFRESH, {}).status_code == 200

    def test_the_old_cookie_replayed_is_a_401_that_leaves_the_new_cookie_alone(self, river):
        """Two tabs waking together send the same cookie: one rotates it, the other is refused.
        The refusal must not clear the cookie the first answer has just set, or the browser,
        taking the answers in the order they arrive, is signed out by its own twin request."""
        client = APIClient()
        first = cookie_of(web_log_in(client))
        second = cookie_of(client.post(WEB_REFRESH))
        client.cookies[COOKIE] = first
        replayed = client.post(WEB_REFRESH)
        assert replayed.status_code == 401
        assert error_codes(replayed) == ["token_not_valid"]
        assert COOKIE not in replayed.cookies
        # The rotated one still works: a replay ends only the replayed token.
        client.cookies[COOKIE] = second
        assert client.post(WEB_REFRESH).status_code == 200

    def test_no_cookie_is_a_401_refresh_cookie_missing(self, river):
        response = APIClient().post(WEB_REFRESH)
        assert response.status_code == 401
        assert error_codes(response) == ["refresh_cookie_missing"]
        assert_cleared(response)

    @pytest.mark.parametrize("value", ["garbage", "a.b.c", "ey" * 300])
    def test_a_malformed_cookie_is_a_401_and_clears_it(self, river, value):
        client = APIClient()
        client.cookies[COOKIE] = value
        response = client.post(WEB_REFRESH)
        assert response.status_code == 401
        assert error_codes(response) == ["token_not_valid"]
        assert_cleared(response)

    def test_an_expired_cookie_is_a_401_and_clears_it(self, river):
        client = APIClient()
        with time_machine.travel(NOW, tick=False):
            web_log_in(client)
        with time_machine.travel(NOW + settings.SIMPLE_JWT["REFRESH_TOKEN_LIFETIME"] + timedelta(seconds=1)):
            response = client.post(WEB_REFRESH)
        assert response.status_code == 401
        assert error_codes(response) == ["token_not_valid"]
        assert_cleared(response)

    def test_a_bearer_refresh_token_in_the_body_is_refused_and_not_used(self, river):
        bearer = APIClient().post(TOKEN, {"email": river.email, "password": PASSWORD}).json()
        response = APIClient().post(WEB_REFRESH, {"refresh": bearer["refresh"]})
        assert response.status_code == 400
        assert error_codes(response) == ["unknown_field"]
        assert not BlacklistedToken.objects.exists()

    def test_the_token_of_an_erased_user_is_a_401(self, river):
        client = APIClient()
        web_log_in(client)
        river.delete()
        response = client.post(WEB_REFRESH)
        assert response.status_code == 401
        assert error_codes(response) == ["no_active_account"]
        assert_cleared(response)


class TestLogOut:
    def test_it_revokes_the_cookies_token_and_clears_it(self, river):
        client = APIClient()
        token = cookie_of(web_log_in(client))
        response = client.post(WEB_LOGOUT)
        assert response.status_code == 204
        assert "no-store" in response["Cache-Control"]
        assert_cleared(response)
        client.cookies[COOKIE] = token
        refused = client.post(WEB_REFRESH)
        assert refused.status_code == 401
        assert error_codes(refused) == ["token_not_valid"]

    def test_it_needs_no_access_token(self, river):
        # The page's access token may have run out while the tab slept: the cookie is the proof.
        client = APIClient()
        with time_machine.travel(NOW, tick=False):
            web_log_in(client)
        with time_machine.travel(NOW + timedelta(hours=3), tick=False):
            assert client.post(WEB_LOGOUT).status_code == 204
        assert BlacklistedToken.objects.filter(token__user=river).count() == 1

    def test_it_ends_only_this_device(self, river):
        phone = APIClient().post(TOKEN, {"email": river.email, "password": PASSWORD}).json()
        client = APIClient()
        web_log_in(client)
        assert client.post(WEB_LOGOUT).status_code == 204
        assert APIClient().post("/api/v1/auth/token/refresh/", {"refresh": phone["refresh"]}).status_code == 200

    @pytest.mark.parametrize("cookie", [None, "garbage", ""])
    def test_without_a_working_cookie_it_still_answers_204_and_clears(self, river, cookie):
        client = APIClient()
        if cookie is not None:
            client.cookies[COOKIE] = cookie
        response = client.post(WEB_LOGOUT)
        assert response.status_code == 204
        assert_cleared(response)

    def test_twice_is_fine(self, river):
        client = APIClient()
        token = cookie_of(web_log_in(client))
        assert client.post(WEB_LOGOUT).status_code == 204
        client.cookies[COOKIE] = token
        again = client.post(WEB_LOGOUT)
        assert again.status_code == 204
        assert_cleared(again)
        assert BlacklistedToken.objects.count() == 1

    def test_a_body_with_fields_is_a_400_and_revokes_nothing(self, river):
        client = APIClient()
        web_log_in(client)
        response = client.post(WEB_LOGOUT, {"refresh": "x"})
        assert response.status_code == 400
        assert error_codes(response) == ["unknown_field"]
        assert not BlacklistedToken.objects.exists()


class TestLimits:
    """One budget and one lockout for both doors: moving to the web door buys no guesses."""

    def test_a_lockout_reached_at_the_bearer_door_holds_at_the_web_door(self, river):
        client = APIClient()
        for _ in range(settings.AXES_FAILURE_LIMIT - 1):
            assert client.post(TOKEN, {"email": river.email, "password": "wrong"}).status_code == 401
        fifth = web_log_in(client, password="wrong")
        assert fifth.status_code == 429
        assert error_codes(fifth) == ["locked_out"]
        locked = web_log_in(client)
        assert locked.status_code == 429
        assert error_codes(locked) == ["locked_out"]
        assert int(locked["Retry-After"]) == int(settings.AXES_COOLOFF_TIME.total_seconds())
        assert_nothing_set(locked)
        assert client.post(TOKEN, {"email": river.email, "password": PASSWORD}).status_code == 429

    def test_a_lockout_reached_at_the_web_door_holds_at_the_bearer_door(self, river):
        client = APIClient()
        for _ in range(settings.AXES_FAILURE_LIMIT):
            web_log_in(client, password="wrong")
        locked = client.post(TOKEN, {"email": river.email, "password": PASSWORD})
        assert locked.status_code == 429
        assert error_codes(locked) == ["locked_out"]

    def test_one_address_shares_one_budget_across_both_doors(self, river):
        client = APIClient()
        with time_machine.travel(NOW, tick=False):
            for n in range(5):
                client.post(TOKEN, {"email": f"someone{n}@example.test", "password": "guess"})
                web_log_in(client, email=f"else{n}@example.test", password="guess")
            response = web_log_in(client)
        assert response.status_code == 429
        assert error_codes(response) == ["throttled"]
        assert "Retry-After" in response
        assert_nothing_set(response)


class TestCrossSite:
    ORIGIN_ELSEWHERE = {"HTTP_ORIGIN": "https://evil.example"}
    FETCHED_CROSS_SITE = {"HTTP_SEC_FETCH_SITE": "cross-site"}

    @pytest.mark.parametrize("headers", [ORIGIN_ELSEWHERE, FETCHED_CROSS_SITE, {"HTTP_ORIGIN": "null"}])
    def test_a_cross_site_log_in_is_refused_and_sets_nothing(self, river, headers):
        response = web_log_in(APIClient(), **headers)
        assert response.status_code == 403
        assert error_codes(response) == ["cross_site"]
        assert_nothing_set(response)
        assert not OutstandingToken.objects.exists()

    @pytest.mark.parametrize("headers", [ORIGIN_ELSEWHERE, FETCHED_CROSS_SITE])
    def test_a_cross_site_refresh_is_refused_and_rotates_nothing(self, river, headers):
        client = APIClient()
        token = cookie_of(web_log_in(client))
        response = client.post(WEB_REFRESH, **headers)
        assert response.status_code == 403
        assert error_codes(response) == ["cross_site"]
        assert_nothing_set(response)
        assert not BlacklistedToken.objects.exists()
        client.cookies[COOKIE] = token
        assert client.post(WEB_REFRESH).status_code == 200

    @pytest.mark.parametrize("headers", [ORIGIN_ELSEWHERE, FETCHED_CROSS_SITE])
    def test_a_cross_site_log_out_is_refused_and_revokes_nothing(self, river, headers):
        client = APIClient()
        web_log_in(client)
        response = client.post(WEB_LOGOUT, **headers)
        assert response.status_code == 403
        assert error_codes(response) == ["cross_site"]
        assert_nothing_set(response)
        assert not BlacklistedToken.objects.exists()

    def test_a_cross_site_try_spends_no_log_in_budget(self, river):
        client = APIClient()
        with time_machine.travel(NOW, tick=False):
            for _ in range(20):
                web_log_in(client, password="wrong", **self.ORIGIN_ELSEWHERE)
            assert web_log_in(client).status_code == 200

    @pytest.mark.parametrize(
        "headers",
        [
            {"HTTP_ORIGIN": "http://testserver", "HTTP_SEC_FETCH_SITE": "same-origin"},
            {"HTTP_ORIGIN": "http://testserver"},
            {"HTTP_SEC_FETCH_SITE": "same-origin"},
            {"HTTP_SEC_FETCH_SITE": "none"},
        ],
    )
    def test_a_same_origin_request_goes_through(self, river, headers):
        client = APIClient()
        assert web_log_in(client, **headers).status_code == 200
        assert client.post(WEB_REFRESH, **headers).status_code == 200
        assert client.post(WEB_LOGOUT, **headers).status_code == 204

    def test_the_bearer_doors_ignore_origin(self, river):
        # Native apps and other API clients keep working as before.
        response = APIClient().post(TOKEN, {"email": river.email, "password": PASSWORD}, **self.ORIGIN_ELSEWHERE)
        assert response.status_code == 200


@pytest.mark.parametrize("door", [TOKEN, WEB_TOKEN])
def test_an_email_longer_than_any_address_is_a_400_at_either_door(db, door):
    """200,000 characters once reached the user lookup, where SQLite's LIKE gave up ("pattern
    too complex") and the log-in answered 503: bad input, told as an outage."""
    response = APIClient().post(door, {"email": "a" * 200_000 + "@x.test", "password": "."}, format="json")
    assert response.status_code == 400
    assert error_attrs(response) == ["email"]
    assert error_codes(response) == ["max_length"]
