"""The second factor: enrolling from the dashboard, the code step at sign-in, recovery codes,
and turning it off. Codes are computed from the device's key at a pinned time, as the
therapist's app would."""

from __future__ import annotations

import re
from base64 import b32encode
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from axes.models import AccessAttempt
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.utils.html import escape

from accounts import two_factor
from accounts.models import AuthenticatorApp, RecoveryCodes, User, UserSession
from dashboard.auth_views import PENDING_FOR
from dashboard.forms import APP_CODE_SHAPE, CODE_SHAPE, LOCKED_OUT, THROTTLED, TOO_FAST, USED_OR_WRONG, WRONG_CODE
from seeds import personas
from tests.dashboard.conftest import signed_in
from tests.helpers import totp_code, wrong_totp_code

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 25, 18, 0, 5, tzinfo=UTC)
MAYA = {"email": personas.THERAPIST.email, "password": personas.THERAPIST.password}


def recovery_codes_stored() -> list[str]:
    """Every recovery code not yet used, of anyone (read through the field that decrypts them)."""
    return [code for device in RecoveryCodes.objects.all() for code in device.codes_left()]


def post(client: Client, path: str, data: dict, at: datetime = NOW):
    with time_machine.travel(at, tick=False):
        return client.post(path, data)


def get(client: Client, path: str, at: datetime = NOW):
    with time_machine.travel(at, tick=False):
        return client.get(path)


@pytest.fixture
def enrolled(therapist) -> tuple[AuthenticatorApp, list[str]]:
    """Maya with an authenticator app and her ten recovery codes."""
    device = two_factor.enrolment_start(user=therapist)
    return device, two_factor.enrolment_confirm(device=device)


def password_step(client: Client, at: datetime = NOW, **extra: str):
    return post(client, "/app/sign-in/", {**MAYA, **extra}, at)


def fully_signed_in(device: AuthenticatorApp, at: datetime = NOW) -> Client:
    client = Client()
    assert password_step(client, at)["Location"] == "/app/sign-in/code/"
    assert post(client, "/app/sign-in/code/", {"code": totp_code(device, at)}, at).status_code == 302
    return client


# --- Enrolling ------------------------------------------------------------------------------


def test_the_header_links_to_two_step_sign_in(as_maya):
    page = as_maya.get("/app/").content.decode()
    assert '<a class="two-step-link" href="/app/two-step/">Two-step sign-in</a>' in page


def test_a_new_therapist_is_told_two_step_sign_in_is_off(as_maya):
    page = as_maya.get("/app/two-step/").content.decode()
    assert "<strong>Off.</strong>" in page
    assert 'action="/app/two-step/set-up/"' in page


def test_enrolment_shows_a_qr_code_drawn_here_and_the_key_to_type(as_maya, therapist):
    response = as_maya.post("/app/two-step/set-up/")
    assert response["Location"] == "/app/two-step/confirm/"
    page = as_maya.get("/app/two-step/confirm/")
    body = page.content.decode()
    device = AuthenticatorApp.objects.get(user=therapist)
    assert not device.confirmed
    svg = re.search(r"<svg.*?</svg>", body, re.DOTALL)
    assert svg is not None
    assert "<title>QR code for your authenticator app</title>" in svg.group()
    assert "style" not in svg.group()  # the policy refuses a style attribute
    assert "<img" not in body
    assert "data:" not in body
    assert "http" not in svg.group()
    secret = b32encode(device.bin_key).decode().rstrip("=")
    assert " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)) in body
    assert '<label for="id_code">Code</label>' in body


def test_an_unconfirmed_enrolment_changes_nothing_at_sign_in(as_maya, therapist):
    as_maya.post("/app/two-step/set-up/")
    assert not two_factor.is_enrolled(therapist)
    assert password_step(Client())["Location"] == "/app/"


def test_starting_again_replaces_the_unfinished_device(as_maya, therapist):
    as_maya.post("/app/two-step/set-up/")
    first = AuthenticatorApp.objects.get(user=therapist)
    as_maya.post("/app/two-step/set-up/")
    assert list(AuthenticatorApp.objects.filter(user=therapist)) != [first]
    assert AuthenticatorApp.objects.filter(user=therapist).count() == 1


def test_confirming_with_the_apps_code_turns_it_on_and_shows_ten_recovery_codes_once(as_maya, therapist):
    as_maya.post("/app/two-step/set-up/")
    device = AuthenticatorApp.objects.get(user=therapist)
    response = post(as_maya, "/app/two-step/confirm/", {"code": totp_code(device, NOW)})
    assert response.status_code == 200
    body = response.content.decode()
    shown = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", body)
    assert len(shown) == 10
    assert set(shown) == set(recovery_codes_stored())
    assert "This is the only time they are shown" in body
    assert two_factor.is_enrolled(therapist)
    # This session gave the code, so it stays signed in; no page shows the codes again.
    status = get(as_maya, "/app/two-step/").content.decode()
    assert "<strong>On.</strong>" in status
    assert "<strong>10</strong>" in status
    assert not any(code in status for code in shown)
    assert get(as_maya, "/app/").status_code == 200
    assert get(as_maya, "/app/two-step/confirm/")["Location"] == "/app/two-step/"


def test_a_code_typed_with_spaces_is_read(as_maya, therapist):
    as_maya.post("/app/two-step/set-up/")
    device = AuthenticatorApp.objects.get(user=therapist)
    code = totp_code(device, NOW)
    assert post(as_maya, "/app/two-step/confirm/", {"code": f" {code[:3]} {code[3:]} "}).status_code == 200
    assert two_factor.is_enrolled(therapist)


@pytest.mark.parametrize(
    ("code", "problem"),
    [
        ("", "This field is required."),
        ("12345", APP_CODE_SHAPE),
        ("abcdefgh", APP_CODE_SHAPE),  # a recovery code cannot confirm an app
        ("\uff11\uff12\uff13\uff14\uff15\uff16", APP_CODE_SHAPE),  # full-width digits, which int() would read
        ("+12345", APP_CODE_SHAPE),
        ("12\x003456", "Null characters are not allowed."),
        ("9" * 10_000, "Ensure this value has at most 40 characters (it has 10000)."),
    ],
)
def test_a_malformed_code_at_enrolment_is_a_form_error_and_turns_nothing_on(as_maya, therapist, code, problem):
    as_maya.post("/app/two-step/set-up/")
    response = post(as_maya, "/app/two-step/confirm/", {"code": code})
    assert response.status_code == 400
    assert escape(problem) in response.content.decode()
    assert not two_factor.is_enrolled(therapist)


def test_a_wrong_code_at_enrolment_is_refused_and_turns_nothing_on(as_maya, therapist):
    as_maya.post("/app/two-step/set-up/")
    device = AuthenticatorApp.objects.get(user=therapist)
    response = post(as_maya, "/app/two-step/confirm/", {"code": wrong_totp_code(device, NOW)})
    assert response.status_code == 400
    assert escape(WRONG_CODE) in response.content.decode()
    assert "<svg" in response.content.decode()  # the QR code again, to try once more
    assert not two_factor.is_enrolled(therapist)
    assert recovery_codes_stored() == []


def test_a_body_that_is_not_utf_8_is_a_form_error_not_a_crash(as_maya, therapist):
    as_maya.post("/app/two-step/set-up/")
    with time_machine.travel(NOW, tick=False):
        response = as_maya.post(
            "/app/two-step/confirm/", b"code=%ED%A0%80%FF", content_type="application/x-www-form-urlencoded"
        )
    assert response.status_code == 400
    assert not two_factor.is_enrolled(therapist)


def test_a_patient_cannot_open_the_two_step_pages(chef):
    client = Client()
    client.force_login(chef)
    assert client.get("/app/two-step/")["Location"].startswith("/app/sign-in/")
    assert client.post("/app/two-step/set-up/")["Location"].startswith("/app/sign-in/")
    assert not AuthenticatorApp.objects.exists()


# --- Signing in with the second factor ------------------------------------------------------


def test_sign_in_asks_for_the_code_after_the_password_and_the_half_way_session_opens_nothing(enrolled):
    device, _ = enrolled
    client = Client()
    assert password_step(client)["Location"] == "/app/sign-in/code/"
    page = get(client, "/app/sign-in/code/").content.decode()
    assert "<h1>Your code</h1>" in page
    assert '<label for="id_code">Code</label>' in page
    assert get(client, "/app/")["Location"] == "/app/sign-in/?next=/app/"
    assert get(client, "/app/two-step/").status_code == 302
    response = post(client, "/app/sign-in/code/", {"code": totp_code(device, NOW)})
    assert response["Location"] == "/app/"
    assert get(client, "/app/").status_code == 200


def test_the_code_step_goes_on_to_the_page_asked_for(enrolled, chef, link):
    device, _ = enrolled
    client = Client()
    wanted = f"/app/patients/{chef.id}/"
    password_step(client, next=wanted)
    assert post(client, "/app/sign-in/code/", {"code": totp_code(device, NOW)})["Location"] == wanted


def test_the_code_step_without_the_password_first_goes_to_sign_in(enrolled):
    device, _ = enrolled
    client = Client()
    assert get(client, "/app/sign-in/code/")["Location"] == "/app/sign-in/"
    assert post(client, "/app/sign-in/code/", {"code": totp_code(device, NOW)})["Location"] == "/app/sign-in/"
    assert get(client, "/app/").status_code == 302


def test_a_half_way_sign_in_goes_stale(enrolled):
    device, _ = enrolled
    client = Client()
    password_step(client)
    later = NOW + PENDING_FOR + timedelta(seconds=1)
    assert post(client, "/app/sign-in/code/", {"code": totp_code(device, later)}, later)["Location"] == "/app/sign-in/"
    assert get(client, "/app/", later).status_code == 302


def test_a_wrong_code_is_refused_and_counted_as_a_failed_sign_in(enrolled):
    device, _ = enrolled
    client = Client()
    password_step(client)
    response = post(client, "/app/sign-in/code/", {"code": wrong_totp_code(device, NOW)})
    assert response.status_code == 400
    assert escape(WRONG_CODE) in response.content.decode()
    assert AccessAttempt.objects.get(username=personas.THERAPIST.email).failures_since_start == 1
    assert get(client, "/app/").status_code == 302
    # django-otp holds the device a second after a wrong code, right code or not.
    assert escape(TOO_FAST) in post(client, "/app/sign-in/code/", {"code": totp_code(device, NOW)}).content.decode()
    later = NOW + timedelta(seconds=3)
    assert post(client, "/app/sign-in/code/", {"code": totp_code(device, later)}, later).status_code == 302
    assert not AccessAttempt.objects.exists()  # a full sign-in clears the count, as a right password does


def test_wrong_codes_lock_the_e_mail_out_as_wrong_passwords_do(enrolled):
    device, _ = enrolled
    client = Client()
    password_step(client)
    at = NOW
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        at += timedelta(seconds=40)  # past django-otp's own hold, so each is a real guess
        assert post(client, "/app/sign-in/code/", {"code": wrong_totp_code(device, at)}, at).status_code == 400
    at += timedelta(seconds=40)
    response = post(client, "/app/sign-in/code/", {"code": wrong_totp_code(device, at)}, at)
    assert response.status_code == 429
    assert escape(LOCKED_OUT) in response.content.decode()
    assert '<label for="id_password">Password</label>' in response.content.decode()  # back to the start
    at += timedelta(seconds=40)
    assert post(client, "/app/sign-in/code/", {"code": totp_code(device, at)}, at)["Location"] == "/app/sign-in/"
    assert password_step(client, at).status_code == 429  # the right password does not help either
    assert get(client, "/app/", at).status_code == 302


def test_signing_in_again_does_not_reset_the_count_of_wrong_codes(enrolled):
    device, _ = enrolled
    at = NOW
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client = Client()
        at += timedelta(seconds=40)
        password_step(client, at)
        post(client, "/app/sign-in/code/", {"code": wrong_totp_code(device, at)}, at)
    assert password_step(Client(), at + timedelta(seconds=1)).status_code == 429


def test_a_recovery_code_signs_in_once_only(enrolled):
    _device, codes = enrolled
    client = Client()
    password_step(client)
    response = post(client, "/app/sign-in/code/", {"code": codes[0].upper()})
    assert response["Location"] == "/app/"
    assert get(client, "/app/").status_code == 200
    assert "<strong>9</strong>" in get(client, "/app/two-step/").content.decode()
    again = Client()
    password_step(again)
    response = post(again, "/app/sign-in/code/", {"code": codes[0]})
    assert response.status_code == 400
    assert escape(USED_OR_WRONG) in response.content.decode()
    assert get(again, "/app/").status_code == 302


def test_a_code_that_is_neither_shape_says_what_a_code_is(enrolled):
    client = Client()
    password_step(client)
    response = post(client, "/app/sign-in/code/", {"code": "not-a-code!"})
    assert response.status_code == 400
    assert escape(CODE_SHAPE) in response.content.decode()


def test_a_session_opened_without_the_code_cannot_open_the_roster(enrolled, therapist, chef, link):
    client = Client()
    client.force_login(therapist)  # as the Django admin's log-in would: a password only
    for page in ["/app/", f"/app/patients/{chef.id}/", "/app/two-step/"]:
        assert client.get(page).status_code == 302, page


def test_signing_out_ends_the_verified_session(enrolled):
    device, _ = enrolled
    client = fully_signed_in(device)
    old_key = client.cookies[settings.SESSION_COOKIE_NAME].value
    post(client, "/app/sign-out/", {})
    assert not UserSession.objects.filter(session_key=old_key).exists()
    assert get(client, "/app/").status_code == 302


def test_the_code_step_writes_one_session_only_after_the_code(enrolled):
    device, _ = enrolled
    client = Client()
    password_step(client)
    half_way = client.cookies[settings.SESSION_COOKIE_NAME].value
    post(client, "/app/sign-in/code/", {"code": totp_code(device, NOW)})
    assert client.cookies[settings.SESSION_COOKIE_NAME].value != half_way  # a new key once signed in
    assert UserSession.objects.count() == 1


# --- Turning it off, new recovery codes ------------------------------------------------------


def test_turning_it_off_needs_a_current_code(enrolled, therapist):
    device, _ = enrolled
    at = NOW + timedelta(minutes=1)
    client = fully_signed_in(device)
    response = post(client, "/app/two-step/off/", {"off-code": wrong_totp_code(device, at)}, at)
    assert response.status_code == 400
    assert escape(WRONG_CODE) in response.content.decode()
    assert two_factor.is_enrolled(therapist)
    at += timedelta(seconds=40)
    assert post(client, "/app/two-step/off/", {"off-code": totp_code(device, at)}, at)["Location"] == "/app/two-step/"
    assert not two_factor.is_enrolled(therapist)
    assert recovery_codes_stored() == []
    assert get(client, "/app/", at).status_code == 200  # still signed in
    assert password_step(Client(), at)["Location"] == "/app/"  # and no code asked next time


def test_a_lost_phone_turns_it_off_with_a_recovery_code(enrolled, therapist):
    _, codes = enrolled
    client = Client()
    password_step(client)
    post(client, "/app/sign-in/code/", {"code": codes[0]})
    assert post(client, "/app/two-step/off/", {"off-code": codes[1]}).status_code == 302
    assert not two_factor.is_enrolled(therapist)


def test_new_recovery_codes_replace_the_old_ones(enrolled):
    device, old = enrolled
    at = NOW + timedelta(minutes=1)
    client = fully_signed_in(device)
    response = post(client, "/app/two-step/recovery-codes/", {"recovery-code": totp_code(device, at)}, at)
    new = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", response.content.decode())
    assert len(new) == 10
    assert not set(new) & set(old)
    other = Client()
    password_step(other, at)
    assert post(other, "/app/sign-in/code/", {"code": old[0]}, at).status_code == 400
    assert post(other, "/app/sign-in/code/", {"code": new[0]}, at + timedelta(seconds=3)).status_code == 302


def test_new_recovery_codes_need_a_right_code(enrolled):
    device, old = enrolled
    at = NOW + timedelta(minutes=1)
    client = fully_signed_in(device)
    response = post(client, "/app/two-step/recovery-codes/", {"recovery-code": wrong_totp_code(device, at)}, at)
    assert response.status_code == 400
    assert escape(WRONG_CODE) in response.content.decode()
    assert set(recovery_codes_stored()) == set(old)


@pytest.mark.parametrize(("page", "field"), [("off", "off-code"), ("recovery-codes", "recovery-code")])
def test_wrong_codes_on_the_two_step_pages_count_toward_the_sign_in_lockout(enrolled, therapist, page, field):
    """A session left open on a shared computer must not buy unlimited guesses at the code."""
    device, old = enrolled
    client = fully_signed_in(device)
    at = NOW
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        at += timedelta(seconds=40)  # past django-otp's own hold, so each is a real guess
        assert post(client, f"/app/two-step/{page}/", {field: wrong_totp_code(device, at)}, at).status_code == 400
    at += timedelta(seconds=40)
    fifth = post(client, f"/app/two-step/{page}/", {field: wrong_totp_code(device, at)}, at)
    assert fifth.status_code == 429
    assert escape(LOCKED_OUT) in fifth.content.decode()
    at += timedelta(seconds=40)
    right = post(client, f"/app/two-step/{page}/", {field: totp_code(device, at)}, at)
    assert right.status_code == 429
    assert two_factor.is_enrolled(therapist)
    assert two_factor.recovery_codes_left(therapist) == len(old)
    assert password_step(Client(), at).status_code == 429  # one lock, whichever door
    two_factor.code_verify(user=therapist, code=old[0])  # the old codes still stand (raises if not)


def test_wrong_codes_on_the_two_step_pages_count_with_wrong_passwords(enrolled, therapist):
    device, _ = enrolled
    client = fully_signed_in(device)
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        password_step(Client(), NOW, password="not-the-password")
    at = NOW + timedelta(seconds=40)
    response = post(client, "/app/two-step/off/", {"off-code": wrong_totp_code(device, at)}, at)
    assert response.status_code == 429
    at += timedelta(seconds=40)
    assert post(client, "/app/two-step/off/", {"off-code": totp_code(device, at)}, at).status_code == 429
    assert two_factor.is_enrolled(therapist)


def test_the_two_code_fields_on_the_two_step_page_have_labels_of_their_own(enrolled):
    page = get(fully_signed_in(enrolled[0]), "/app/two-step/").content.decode()
    labels = dict(re.findall(r'<label for="id_(recovery|off)-code">([^<]+)</label>', page))
    assert labels == {"recovery": "Code to make new recovery codes", "off": "Code to turn it off"}


# --- The demo ------------------------------------------------------------------------------


def test_the_demo_therapist_has_no_second_factor_so_the_demo_opens_at_once(capsys):
    call_command("load_demo")
    maya = User.objects.get(email=personas.THERAPIST.email)
    assert not two_factor.is_enrolled(maya)
    assert signed_in(**MAYA).get("/app/").status_code == 200


def test_the_code_step_draws_on_the_same_throttle_as_the_password(enrolled, settings):
    device, _ = enrolled
    settings.AUTH_THROTTLE_RATE = "2/min"
    client = Client()
    password_step(client)
    post(client, "/app/sign-in/code/", {"code": wrong_totp_code(device, NOW)})
    later = NOW + timedelta(seconds=5)  # past django-otp's own hold: only the throttle refuses
    response = post(client, "/app/sign-in/code/", {"code": totp_code(device, later)}, later)
    assert response.status_code == 429
    assert escape(THROTTLED) in response.content.decode()
    assert get(client, "/app/", later).status_code == 302
