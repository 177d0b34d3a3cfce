"""The therapist's second factor: a TOTP app, and recovery codes for the day the phone is lost.

Enrolled from the dashboard (which draws the QR code, ``dashboard.qr``); asked for by every
sign-in once enrolled, the dashboard's and the API's log-in alike (``code_verify``), so that
a password alone opens neither.

django-otp's machinery runs the devices (throttling, the session's verified device); the devices
themselves are ours (``accounts.models``), django-otp's with their secrets encrypted at rest.
This module holds the few rules on top of them, so that the views stay thin. A therapist has at
most one TOTP device (``AuthenticatorApp``) and one recovery-code device (``RecoveryCodes``). A
TOTP device that is not yet confirmed does not count: the therapist is enrolled only once
they have typed a code from their app, so a half-finished enrolment never locks them out.

Codes are told apart by their shape, and each is checked against its own device only: a
six-digit code against the app, an eight-character one against the recovery codes. Trying a
code on every device would count one wrong guess against each device's throttle.
"""

from __future__ import annotations

import re

from django.db import transaction
from django_otp import devices_for_user, user_has_device
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticToken

from accounts import tokens
from accounts.models import AuthenticatorApp, RecoveryCodes, User

RECOVERY_CODE_COUNT = 10
APP_CODE = re.compile(r"\A[0-9]{6}\Z")  # \Z, not $: "123456\n" is not a code
RECOVERY_CODE = re.compile(r"\A[a-z2-7]{8}\Z")  # django-otp's StaticToken.random_token: 5 bytes in base32


def is_enrolled(user: User) -> bool:
    return user_has_device(user, confirmed=True)


def needs_code(user: User) -> bool:
    """An enrolled therapist whose session has not given a code (one opened by the Django
    admin's log-in, say) is not signed in to the dashboard. ``is_verified`` is django-otp's,
    added by its middleware; the device lookup runs only when it says no."""
    verified = getattr(user, "is_verified", None)
    return not (verified is not None and verified()) and is_enrolled(user)


def enrolment_start(*, user: User) -> AuthenticatorApp:
    """A fresh, unconfirmed TOTP device; an earlier unfinished one is dropped, so that only
    the QR code last shown can ever be confirmed."""
    with transaction.atomic():
        AuthenticatorApp.objects.filter(user=user, confirmed=False).delete()
        return AuthenticatorApp.objects.create(user=user, name="Authenticator app", confirmed=False)


def unconfirmed_device(user: User) -> AuthenticatorApp | None:
    return AuthenticatorApp.objects.filter(user=user, confirmed=False).order_by("-pk").first()


def normalised(code: str) -> str:
    """What a person types: spaces and hyphens from grouping, capitals, are not the code."""
    return re.sub(r"[\s-]", "", code).lower()


def verify_is_allowed(device: Device) -> bool:
    """False while django-otp's own throttle holds the device after wrong codes (1 s, 2 s,
    4 s ... after each), which a right code cannot get past either."""
    allowed, _ = device.verify_is_allowed()
    return bool(allowed)


def device_for_code(user: User, code: str, *, recovery: bool = True) -> Device | None:
    """The confirmed device a code of this shape belongs to, locked for the check."""
    if APP_CODE.match(code):
        return AuthenticatorApp.objects.select_for_update().filter(user=user, confirmed=True).first()
    if recovery and RECOVERY_CODE.match(code):
        return RecoveryCodes.objects.select_for_update().filter(user=user, confirmed=True).first()
    return None


def recovery_codes_new(*, user: User) -> list[str]:
    """Ten new recovery codes in place of any old ones, each good for one sign-in. The caller
    shows them once; only their use is checked afterwards."""
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    with transaction.atomic():
        RecoveryCodes.objects.filter(user=user).delete()
        RecoveryCodes.objects.create(user=user, name="Recovery codes", confirmed=True, codes=" ".join(codes))
    return codes


def enrolment_confirm(*, device: AuthenticatorApp) -> list[str]:
    """The app gave a right code: the device counts from now on, with fresh recovery codes.
    Refresh tokens handed out on the password alone stop working: a phone or a stolen token
    must log in again, now with a code."""
    with transaction.atomic():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        tokens.tokens_revoke_all(user=device.user)
        return recovery_codes_new(user=device.user)


def two_factor_off(*, user: User) -> None:
    with transaction.atomic():
        for device in list(devices_for_user(user, confirmed=None)):
            device.delete()


def recovery_codes_left(user: User) -> int:
    device = RecoveryCodes.objects.filter(user=user, confirmed=True).first()
    return len(device.codes_left()) if device else 0


class CodeRefused(Exception):
    """Why a code signs no one in, as a code the caller words for its reader: ``code_shape``
    (neither six digits nor a recovery code), ``wrong_code``, ``used_or_wrong`` (a recovery
    code not among those left) or ``too_fast`` (django-otp's pause after wrong codes)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def code_verify(*, user: User, code: str, recovery: bool = True, device: Device | None = None) -> Device:
    """The device a right code came from, or ``CodeRefused``. Call it in a transaction: the
    device stays locked while its code is checked, so two requests cannot both spend one
    recovery code. A wrong code counts on the device's own throttle; counting it towards the
    log-in lockout is the caller's (it knows the request)."""
    code = normalised(code)
    if not (APP_CODE.match(code) or (recovery and RECOVERY_CODE.match(code))):
        raise CodeRefused("code_shape")
    device = device or device_for_code(user, code, recovery=recovery)
    if device is None:
        raise CodeRefused("wrong_code")
    if not verify_is_allowed(device):
        raise CodeRefused("too_fast")
    if not device.verify_token(code):
        raise CodeRefused("used_or_wrong" if RECOVERY_CODE.match(code) else "wrong_code")
    return device
