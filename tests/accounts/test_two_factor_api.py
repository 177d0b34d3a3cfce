"""The API's log-in once a therapist has turned on two-step sign-in (from the dashboard): the
password alone gets no token, the app's code or a recovery code does, and wrong codes count
towards the same lockout whichever door they were tried at."""

from __future__ import annotations

import importlib
import threading
import time
from base64 import b32encode
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from axes.models import AccessAttempt
from django.apps import apps
from django.conf import settings
from django.db import connection, connections, transaction
from django.test import Client
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.response import Response
from rest_framework.test import APIClient
from rest_framework_simplejwt.token_blacklist.models import OutstandingToken

from accounts import two_factor
from accounts.models import AuthenticatorApp
from seeds import personas
from tests.factories import PASSWORD, TherapistFactory
from tests.helpers import error_codes, needs_concurrent_transactions, totp_code, wrong_totp_code

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 25, 18, 0, 5, tzinfo=UTC)
TOKEN = "/api/v1/auth/token/"
REFRESH = "/api/v1/auth/token/refresh/"
MAYA = {"email": personas.THERAPIST.email, "password": personas.THERAPIST.password}


def log_in(at: datetime = NOW, **body: str):
    with time_machine.travel(at, tick=False):
        return APIClient().post(TOKEN, {**MAYA, **body}, format="json")


@pytest.fixture
def enrolled(therapist) -> tuple[AuthenticatorApp, list[str]]:
    device = two_factor.enrolment_start(user=therapist)
    return device, two_factor.enrolment_confirm(device=device)


def test_the_password_alone_gets_no_token_once_two_step_sign_in_is_on(enrolled, chef, link):
    response = log_in()
    assert response.status_code == 401
    assert error_codes(response) == ["code_required"]
    assert "access" not in response.json()
    assert not OutstandingToken.objects.exists()  # no refresh token written for a refused log-in


def test_the_apps_code_gets_tokens_that_open_the_therapists_patients(enrolled, chef, link):
    device, _ = enrolled
    response = log_in(code=totp_code(device, NOW))
    assert response.status_code == 200, response.json()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {response.json()['access']}")
    with time_machine.travel(NOW, tick=False):
        patients = client.get("/api/v1/patients/")
    assert patients.status_code == 200
    assert [p["display_name"] for p in patients.json()["results"]] == [chef.display_name]


def test_a_code_is_good_for_one_log_in(enrolled):
    device, _ = enrolled
    code = totp_code(device, NOW)
    assert log_in(code=code).status_code == 200
    again = log_in(NOW + timedelta(seconds=2), code=code)
    assert again.status_code == 401
    assert error_codes(again) == ["wrong_code"]


def test_a_recovery_code_logs_in_once(enrolled):
    _device, codes = enrolled
    assert log_in(code=codes[0].upper()).status_code == 200
    used = log_in(NOW + timedelta(seconds=2), code=codes[0])
    assert used.status_code == 401
    assert "used" in used.json()["errors"][0]["detail"]


@pytest.mark.parametrize("code", ["12345", "not a code", "1234567", "٠١٢٣٤٥"])
def test_a_code_of_no_known_shape_is_refused(enrolled, code):
    response = log_in(code=code)
    assert response.status_code == 401
    assert error_codes(response) == ["wrong_code"]


def test_a_code_with_nul_characters_is_a_400_and_no_token(enrolled):
    response = log_in(code="\x00" * 6)
    assert response.status_code == 400
    assert error_codes(response) == ["parse_error"]  # the JSON parser refuses NUL anywhere
    assert not OutstandingToken.objects.exists()


def test_wrong_codes_lock_the_api_out_as_wrong_passwords_do(enrolled):
    device, _ = enrolled
    at = NOW
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        at += timedelta(seconds=40)  # past django-otp's own hold, so each is a real guess
        assert error_codes(log_in(at, code=wrong_totp_code(device, at))) == ["wrong_code"]
    at += timedelta(seconds=40)
    locked = log_in(at, code=wrong_totp_code(device, at))
    assert locked.status_code == 429
    assert error_codes(locked) == ["locked_out"]
    at += timedelta(seconds=40)
    assert log_in(at, code=totp_code(device, at)).status_code == 429  # the right code does not help now


def test_the_password_at_the_api_does_not_reset_the_count_of_wrong_codes_at_the_dashboard(enrolled):
    """The reviewer's way round: four wrong codes in the dashboard, then the right password
    at the API (which used to count as a successful log-in and clear the count), then one
    more wrong code: locked out."""
    device, _ = enrolled
    browser, at = Client(), NOW
    with time_machine.travel(at, tick=False):
        browser.post("/app/sign-in/", MAYA)
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        at += timedelta(seconds=40)
        with time_machine.travel(at, tick=False):
            assert browser.post("/app/sign-in/code/", {"code": wrong_totp_code(device, at)}).status_code == 400
    at += timedelta(seconds=40)
    assert error_codes(log_in(at)) == ["code_required"]
    assert AccessAttempt.objects.get().failures_since_start == settings.AXES_FAILURE_LIMIT - 1
    at += timedelta(seconds=40)
    with time_machine.travel(at, tick=False):
        last = browser.post("/app/sign-in/code/", {"code": wrong_totp_code(device, at)})
    assert last.status_code == 429


def test_without_two_step_sign_in_the_password_is_enough_and_a_code_sent_anyway_is_ignored(therapist, chef):
    assert log_in().status_code == 200
    chefs = {"email": personas.CHEF.email, "password": personas.CHEF.password}
    with time_machine.travel(NOW, tick=False):
        assert APIClient().post(TOKEN, chefs, format="json").status_code == 200
        assert APIClient().post(TOKEN, {**chefs, "code": "123456"}, format="json").status_code == 200


def test_turning_two_step_sign_in_on_ends_the_refresh_tokens_handed_out_on_the_password_alone(therapist):
    before = log_in()
    assert before.status_code == 200
    device = two_factor.enrolment_start(user=therapist)
    two_factor.enrolment_confirm(device=device)
    with time_machine.travel(NOW, tick=False):
        refreshed = APIClient().post(
            "/api/v1/auth/token/refresh/", {"refresh": before.json()["refresh"]}, format="json"
        )
    assert refreshed.status_code == 401
    assert error_codes(refreshed) == ["token_not_valid"]
    after = log_in(NOW + timedelta(seconds=40), code=totp_code(device, NOW + timedelta(seconds=40)))
    with time_machine.travel(NOW + timedelta(seconds=41), tick=False):
        fresh = APIClient().post(REFRESH, {"refresh": after.json()["refresh"]}, format="json")
    assert fresh.status_code == 200  # a log-in with the code holds


def test_a_wrong_code_at_the_api_holds_the_device_as_in_the_dashboard(enrolled):
    """django-otp's pause after a wrong code (1 s, 2 s, 4 s ... per device) is what slows a
    guesser spread over many addresses: a right code sent at once after a wrong one waits."""
    device, _ = enrolled
    assert error_codes(log_in(code=wrong_totp_code(device, NOW))) == ["wrong_code"]
    device.refresh_from_db()
    assert device.throttling_failure_count == 1
    too_soon = log_in(NOW + timedelta(milliseconds=500), code=totp_code(device, NOW))
    assert too_soon.status_code == 401
    assert "Wait a few seconds" in too_soon.json()["errors"][0]["detail"]
    assert log_in(NOW + timedelta(seconds=3), code=totp_code(device, NOW + timedelta(seconds=3))).status_code == 200


@pytest.mark.parametrize("empty", ["", None])
def test_an_empty_code_is_no_code(therapist, enrolled, empty):
    assert error_codes(log_in(code=empty)) == ["code_required"]


@pytest.mark.parametrize("empty", ["", None])
def test_an_empty_code_sent_by_a_client_that_always_sends_it_logs_in_without_two_step(chef, empty):
    with time_machine.travel(NOW, tick=False):
        body = {"email": personas.CHEF.email, "password": personas.CHEF.password, "code": empty}
        assert APIClient().post(TOKEN, body, format="json").status_code == 200


@needs_concurrent_transactions
@pytest.mark.django_db(transaction=True)
def test_a_password_log_in_while_two_step_is_being_turned_on_gets_no_token_that_outlives_it():
    """Turning it on holds the therapist's row from before it reads their tokens until it
    commits; a log-in at that moment waits, then finds two-step on. Without the lock the log-in
    read "not enrolled", issued a token after the blacklisting had read the list, and kept it."""
    therapist = TherapistFactory()
    credentials = {"email": therapist.email, "password": PASSWORD}
    device = two_factor.enrolment_start(user=therapist)
    turning_on, may_commit = threading.Event(), threading.Event()
    answers: list[Response] = []

    def turn_on() -> None:
        try:
            with transaction.atomic():
                two_factor.enrolment_confirm(device=device)  # locks the row, blacklists, confirms
                turning_on.set()
                may_commit.wait(timeout=10)
        finally:
            connections.close_all()

    def log_in_meanwhile() -> None:
        try:
            turning_on.wait(timeout=10)
            answers.append(APIClient().post(TOKEN, credentials, format="json"))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=turn_on), threading.Thread(target=log_in_meanwhile)]
    for thread in threads:
        thread.start()
    turning_on.wait(timeout=10)
    time.sleep(0.5)  # the log-in is now waiting on the row (or, without the lock, done)
    may_commit.set()
    for thread in threads:
        thread.join(timeout=20)
    assert len(answers) == 1
    assert answers[0].status_code == 401, answers[0].content
    assert error_codes(answers[0]) == ["code_required"]


# --- The second factor's secrets at rest ---------------------------------------------------------


def every_stored_value() -> list[str]:
    """Every value of every column of every table, as a copy of the database file shows it."""
    values = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            values += [str(value).lower() for row in cursor.fetchall() for value in row if value is not None]
    return values


def key_spellings(device) -> set[str]:
    """The app's key as hex (django-otp's column) and as base32 (the QR code's, typed by hand)."""
    return {device.bin_key.hex(), b32encode(device.bin_key).decode().rstrip("=").lower()}


def test_neither_the_apps_key_nor_a_recovery_code_is_readable_in_the_database(enrolled):
    device, codes = enrolled
    secrets = key_spellings(device) | set(codes)
    stored = every_stored_value()
    assert not [value for value in stored for secret in secrets if secret in value]


def test_the_apps_key_stays_unreadable_after_a_sign_in_saves_the_device(enrolled):
    device, codes = enrolled
    assert log_in(code=totp_code(device, NOW)).status_code == 200  # saves last_t, drift, throttle
    assert log_in(NOW + timedelta(seconds=40), code=codes[3]).status_code == 200  # spends one
    secrets = key_spellings(device) | set(codes)
    assert not [value for value in every_stored_value() for secret in secrets if secret in value]
    assert two_factor.recovery_codes_left(device.user) == two_factor.RECOVERY_CODE_COUNT - 1


def test_enrolments_from_before_the_secrets_were_encrypted_keep_working(therapist):
    """The data migration moves django-otp's plaintext rows into the encrypted ones."""
    key = "3132333435363738393031323334353637383930"
    TOTPDevice.objects.create(user=therapist, name="Authenticator app", confirmed=True, key=key)
    static = StaticDevice.objects.create(user=therapist, name="Recovery codes", confirmed=True)
    static.token_set.create(token="abcdefgh")
    static.token_set.create(token="ijklmnop")
    migration = importlib.import_module("accounts.migrations.0007_second_factor_secrets_encrypted")
    migration.encrypt_second_factors(apps, None)

    assert not TOTPDevice.objects.exists()
    assert not StaticToken.objects.exists()
    assert not [value for value in every_stored_value() if key in value or "abcdefgh" in value]
    device = two_factor.device_for_code(therapist, "123456")
    assert device is not None
    assert device.bin_key.hex() == key
    assert log_in(code=totp_code(device, NOW)).status_code == 200
    assert log_in(NOW + timedelta(seconds=40), code="abcdefgh").status_code == 200
    assert log_in(NOW + timedelta(seconds=80), code="abcdefgh").status_code == 401
    assert two_factor.recovery_codes_left(therapist) == 1


def test_a_wrong_recovery_code_holds_the_recovery_codes_for_a_second(enrolled):
    """The same pause for recovery codes, whose throttle factor is one second: a right code sent
    at once after a wrong one is refused and not spent; a second and a half on, it logs in."""
    device, codes = enrolled
    assert log_in(code="abcdefgh").status_code == 401
    too_soon = log_in(NOW + timedelta(milliseconds=500), code=codes[0])
    assert too_soon.status_code == 401
    assert "Wait a few seconds" in too_soon.json()["errors"][0]["detail"]
    assert two_factor.recovery_codes_left(device.user) == two_factor.RECOVERY_CODE_COUNT
    assert log_in(NOW + timedelta(milliseconds=1500), code=codes[0]).status_code == 200


def test_the_pause_after_a_wrong_recovery_code_is_as_long_as_the_otp_static_throttle_factor_says(enrolled, settings):
    """django-otp's setting for its static-token devices lengthens the recovery codes' pause too."""
    settings.OTP_STATIC_THROTTLE_FACTOR = 10
    device, codes = enrolled
    assert log_in(code="abcdefgh").status_code == 401
    assert "Wait a few seconds" in log_in(NOW + timedelta(seconds=5), code=codes[0]).json()["errors"][0]["detail"]
    assert two_factor.recovery_codes_left(device.user) == two_factor.RECOVERY_CODE_COUNT
    assert log_in(NOW + timedelta(seconds=11), code=codes[0]).status_code == 200


def test_recovery_codes_held_by_the_pause_refuse_a_right_code_whoever_asks_them(enrolled):
    """The pause is the device's own, as django-otp's devices keep it: a caller that goes straight
    to ``verify_token`` (django-otp's ``match_token`` does) gets no way past it either."""
    device, codes = enrolled
    recovery = two_factor.device_for_code(device.user, codes[0])
    with time_machine.travel(NOW, tick=False):
        assert recovery.verify_token("abcdefgh") is False
        assert recovery.verify_token(codes[0]) is False
    assert two_factor.recovery_codes_left(device.user) == two_factor.RECOVERY_CODE_COUNT
    with time_machine.travel(NOW + timedelta(seconds=2), tick=False):
        assert recovery.verify_token(codes[0]) is True
    assert two_factor.recovery_codes_left(device.user) == two_factor.RECOVERY_CODE_COUNT - 1


# --- The recovery-code path: each rule of code_verify, one test each -----------------------------


def test_a_recovery_code_is_refused_where_recovery_codes_are_not_allowed(enrolled):
    device, codes = enrolled
    with pytest.raises(two_factor.CodeRefused) as refused:
        two_factor.code_verify(user=device.user, code=codes[0], recovery=False)
    assert refused.value.code == "code_shape"
    assert two_factor.recovery_codes_left(device.user) == two_factor.RECOVERY_CODE_COUNT  # not spent
    assert two_factor.device_for_code(device.user, codes[0], recovery=False) is None


def test_a_recovery_code_is_checked_against_the_recovery_codes_only(enrolled):
    device, codes = enrolled
    found = two_factor.device_for_code(device.user, codes[0])
    assert found is not None
    assert found.persistent_id != device.persistent_id
    assert two_factor.code_verify(user=device.user, code=codes[0]).persistent_id == found.persistent_id
    device.refresh_from_db()
    assert device.throttling_failure_count == 0  # the app's device never saw it


def test_an_apps_code_is_not_checked_against_the_recovery_codes(enrolled):
    device, _ = enrolled
    found = two_factor.device_for_code(device.user, "123456")
    assert found is not None
    assert found.persistent_id == device.persistent_id
    with time_machine.travel(NOW, tick=False), pytest.raises(two_factor.CodeRefused) as refused:
        two_factor.code_verify(user=device.user, code=wrong_totp_code(device, NOW))
    assert refused.value.code == "wrong_code"
    codes_device = two_factor.device_for_code(device.user, "abcdefgh")
    assert codes_device is not None
    assert codes_device.throttling_failure_count == 0


def test_a_recovery_code_works_once_and_a_wrong_one_is_used_or_wrong(enrolled):
    device, codes = enrolled
    with time_machine.travel(NOW, tick=False):
        assert two_factor.code_verify(user=device.user, code=f"{codes[1][:4]}-{codes[1][4:].upper()}")
    with time_machine.travel(NOW + timedelta(seconds=10), tick=False), pytest.raises(two_factor.CodeRefused) as again:
        two_factor.code_verify(user=device.user, code=codes[1])
    assert again.value.code == "used_or_wrong"
    assert two_factor.recovery_codes_left(device.user) == two_factor.RECOVERY_CODE_COUNT - 1


def test_once_the_last_recovery_code_is_spent_none_are_left(enrolled):
    device, codes = enrolled
    with time_machine.travel(NOW, tick=False):
        for code in codes:
            assert two_factor.code_verify(user=device.user, code=code)
    assert two_factor.recovery_codes_left(device.user) == 0


def test_recovery_codes_of_an_unconfirmed_enrolment_do_not_exist(therapist):
    two_factor.enrolment_start(user=therapist)  # the QR code shown, no code typed yet
    assert two_factor.device_for_code(therapist, "abcdefgh") is None
    assert two_factor.device_for_code(therapist, "123456") is None
    assert two_factor.recovery_codes_left(therapist) == 0


@pytest.mark.parametrize(
    "code",
    [
        "abcdefg",  # seven letters
        "abcdefghi",  # nine
        "abcdefg1",  # 1, 8, 9 and 0 are not base32: no recovery code has them
        "abcdefg8",
        "12345",
        "1234567",
        "12345a",
    ],
)
def test_a_code_of_neither_shape_is_checked_against_no_device(enrolled, code):
    device, _ = enrolled
    with time_machine.travel(NOW, tick=False), pytest.raises(two_factor.CodeRefused) as refused:
        two_factor.code_verify(user=device.user, code=code)
    assert refused.value.code == "code_shape"
    assert two_factor.device_for_code(device.user, code) is None
    device.refresh_from_db()
    assert device.throttling_failure_count == 0
    assert two_factor.device_for_code(device.user, "abcdefgh").throttling_failure_count == 0
