"""Throttles and lockout for the endpoints that take a password or a second-factor code.

Three limits, none of which a stranger can turn against the owner:

- per address, a short window on every try (``AUTH_THROTTLE_RATE``), whatever the e-mail;
- per address and e-mail, django-axes' lockout after five failures (``AXES_*`` settings);
- per account, a slower bound on failures from all addresses together
  (``AUTH_ACCOUNT_FAILURE_RATE``), which holds back only addresses that have not signed in
  to the account before (nor browsers that carry the dashboard's known-device cookie for
  it), and tells the owner by e-mail.

Every door that takes a password or a code counts toward the same three: the API's log-in,
the dashboard's sign-in and code step, the dashboard's two-step pages, and the erasure.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from smtplib import SMTPException
from types import SimpleNamespace
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.core.mail import EmailMessage
from django.http import HttpResponse
from django.utils import timezone
from django.utils.crypto import salted_hmac
from rest_framework import exceptions, status
from rest_framework.throttling import SimpleRateThrottle

from accounts.models import User

logger = logging.getLogger(__name__)


def client_address(request: Any) -> str | None:
    """The caller's address, for throttles and lockouts alike.

    Behind ``TRUSTED_PROXY_COUNT`` proxies, the address is the one the outermost trusted proxy
    saw, read from the right of ``X-Forwarded-For``: entries further left are whatever the
    client chose to send, and trusting them would let anyone dodge a lockout.
    """
    meta = request.META
    proxies = settings.TRUSTED_PROXY_COUNT
    forwarded = [part.strip() for part in meta.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if proxies and forwarded:
        return forwarded[-min(proxies, len(forwarded))]
    return meta.get("REMOTE_ADDR")


def axes_username(request: Any, credentials: dict | None) -> str | None:
    """django-axes keys failures by address and e-mail; e-mail ignoring case, as logins do."""
    email = (credentials or {}).get("email") or (credentials or {}).get("username")
    return email.strip().lower() if isinstance(email, str) else None


def _hashed(*parts: str) -> str:
    # Hashed so that the cache and the known-device cookie hold no list of e-mail addresses, nor
    # of where each signs in; keyed (HMAC with SECRET_KEY), so that a list of addresses cannot be
    # hashed and matched against them. Rotating SECRET_KEY forgets known devices and addresses.
    return salted_hmac("good-enough.accounts.auth", "\0".join(parts), algorithm="sha256").hexdigest()


def _normal_email(email: object) -> str | None:
    return email.strip().lower() if isinstance(email, str) and email.strip() else None


class _AuthThrottle(SimpleRateThrottle):
    """Login and registration attempts, counted per view at ``AUTH_THROTTLE_RATE``.

    The rate is read at request time, not import time, so ``AUTH_THROTTLE_RATE`` and test
    overrides of it take effect without re-importing DRF's settings.
    """

    def __init__(self) -> None:  # SimpleRateThrottle's __init__ reads a class-level rate.
        self.rate = settings.AUTH_THROTTLE_RATE
        self.num_requests, self.duration = self.parse_rate(self.rate)

    def ident_for(self, request: Any) -> str | None:
        raise NotImplementedError

    def get_cache_key(self, request: Any, view: Any) -> str | None:
        ident = self.ident_for(request)
        if ident is None:
            return None
        return f"throttle_{view.throttle_scope}_{type(self).__name__}_{ident}"


class AuthAddressThrottle(_AuthThrottle):
    def ident_for(self, request: Any) -> str | None:
        return client_address(request)


class AuthEmailThrottle(_AuthThrottle):
    def ident_for(self, request: Any) -> str | None:
        data = request.data
        email = _normal_email(data.get("email") if isinstance(data, dict) else None)
        return _hashed(email) if email else None


#: How long an address that signed in to an account stays one the account's bound lets through.
KNOWN_ADDRESS_FOR = timedelta(days=60)


def address_known_mark(*, email: str, address: str | None) -> None:
    """Remember that ``address`` signed in to the account of ``email`` (a full sign-in, with
    the code where two-step sign-in is on): the per-account bound does not hold it back."""
    normal = _normal_email(email)
    if normal and address:
        cache.set(f"auth_known_{_hashed(normal, address)}", True, int(KNOWN_ADDRESS_FOR.total_seconds()))


def address_is_known(*, email: str, address: str | None) -> bool:
    normal = _normal_email(email)
    return bool(normal and address and cache.get(f"auth_known_{_hashed(normal, address)}"))


#: The dashboard's mark of a browser that has signed in to an account, for when its address
#: changes (a laptop on another network): signed, holding only a hash of the e-mail.
KNOWN_DEVICE_COOKIE = "known_device"
_KNOWN_DEVICE_SALT = "accounts.auth.known-device"


def known_device_mark(response: HttpResponse, *, email: str) -> None:
    """Mark the browser that has just signed in to ``email``'s account (the full sign-in)."""
    normal = _normal_email(email)
    if normal:
        response.set_cookie(
            KNOWN_DEVICE_COOKIE,
            signing.get_cookie_signer(salt=_KNOWN_DEVICE_SALT).sign(_hashed(normal)),
            max_age=int(KNOWN_ADDRESS_FOR.total_seconds()),
            secure=settings.SESSION_COOKIE_SECURE,
            httponly=True,
            samesite="Lax",
        )


def device_is_known(cookies: dict[str, str], *, email: str) -> bool:
    normal, value = _normal_email(email), cookies.get(KNOWN_DEVICE_COOKIE)
    if not normal or not value:
        return False
    # Signed and read with the cookie signer directly: the stand-ins the throttles see carry
    # the cookies but not HttpRequest.get_signed_cookie.
    signer = signing.get_cookie_signer(salt=_KNOWN_DEVICE_SALT)
    try:
        return signer.unsign(value, max_age=KNOWN_ADDRESS_FOR) == _hashed(normal)
    except signing.BadSignature:
        return False


class AccountFailureThrottle(SimpleRateThrottle):
    """Failed log-ins per account, from all addresses together, at ``AUTH_ACCOUNT_FAILURE_RATE``.

    Unlike the address's throttle it counts failures only (``account_failure_record``, from
    the ``user_login_failed`` signal), so the owner's own sign-ins never spend it; and when it
    is spent it holds back only the addresses that have not signed in to the account before.
    However many strangers guess, from however many addresses, the owner still signs in from
    where they usually do; the guessers share one small budget an hour. An e-mail that belongs
    to no account is bounded alike, so the answer does not tell whether it does.
    """

    def __init__(self) -> None:  # as _AuthThrottle: the rate is read at request time
        self.rate = settings.AUTH_ACCOUNT_FAILURE_RATE
        self.num_requests, self.duration = self.parse_rate(self.rate)
        # The same numbers, never None: backend/env.py refuses a setting that is not a rate.
        self.limit, self.window = int(self.num_requests or 0), int(self.duration or 0)

    @staticmethod
    def key_for(email: str) -> str:
        return f"auth_failures_{_hashed(email)}"

    def history_at(self, key: str, now: float) -> list[float]:
        """The failures still in the window, newest first (as DRF keeps a throttle's history)."""
        return [moment for moment in self.cache.get(key, []) if moment > now - self.window]

    def get_cache_key(self, request: Any, view: Any) -> str | None:
        data = request.data
        email = _normal_email(data.get("email") if isinstance(data, dict) else None)
        return self.key_for(email) if email else None

    def allow_request(self, request: Any, view: Any) -> bool:
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        email = request.data["email"]
        if address_is_known(email=email, address=client_address(request)) or device_is_known(
            getattr(request, "COOKIES", {}), email=email
        ):
            return True
        self.now = self.timer()
        self.history = self.history_at(self.key, self.now)
        return len(self.history) < self.limit


class PasswordResetEmailThrottle(AuthEmailThrottle):
    """Reset e-mails asked for one address, from anywhere, at ``PASSWORD_RESET_THROTTLE_RATE``:
    nobody may fill someone's inbox with them. It counts addresses with no account too, so its
    429 tells nothing about which have one."""

    def __init__(self) -> None:
        self.rate = settings.PASSWORD_RESET_THROTTLE_RATE
        self.num_requests, self.duration = self.parse_rate(self.rate)


#: Registration locks nobody out, so it is simply throttled per address and per e-mail.
REGISTER_THROTTLES = [AuthAddressThrottle, AuthEmailThrottle]
#: A reset request: the address's short window, and the e-mail's slow one.
PASSWORD_RESET_THROTTLES = [AuthAddressThrottle, PasswordResetEmailThrottle]
#: The API's reset view's scope; the dashboard's page counts under it too.
PASSWORD_RESET_SCOPE = "password_reset"
#: A log-in: the address's short window (all its tries, whatever the e-mail), and the
#: account's bound on failures. There is no short window per e-mail alone: that one let
#: anyone lock the owner out by guessing ten times a minute from anywhere.
LOGIN_THROTTLES = [AuthAddressThrottle, AccountFailureThrottle]

#: The API's login view's scope: a page that takes a password or a sign-in code counts its
#: tries under it, so that the API and the dashboard draw on one budget per address and account.
LOGIN_SCOPE = "login"


@dataclass(frozen=True)
class Refused:
    """A try refused before its password or code was looked at: wait ``wait`` seconds;
    ``account`` when it is the account's bound (not the address's window) that refused."""

    wait: float
    account: bool


def login_try_refused(request: Any, *, email: str | None, now: datetime) -> Refused | None:
    """Count one try outside DRF's log-in view (the dashboard's sign-in and code step, the
    two-step pages, the erasure's password) against the API login's throttles: the same rates
    and the same cache keys, so that moving from one door to another buys an attacker no
    extra guesses.

    Like DRF's ``check_throttles``, every throttle counts the try even when another refuses.
    Returns ``None`` when the try may go ahead.
    """
    return _refused(request, email=email, now=now, scope=LOGIN_SCOPE, throttles=LOGIN_THROTTLES)


def password_reset_refused(request: Any, *, email: str | None, now: datetime) -> Refused | None:
    """Count one reset request outside DRF's view (the dashboard's "Forgot your password?"
    page) against the API's reset throttles, with the same rates and cache keys."""
    return _refused(request, email=email, now=now, scope=PASSWORD_RESET_SCOPE, throttles=PASSWORD_RESET_THROTTLES)


def _refused(
    request: Any, *, email: str | None, now: datetime, scope: str, throttles: Sequence[type[SimpleRateThrottle]]
) -> Refused | None:
    # What the throttles read of a DRF request and view, and no more.
    stand_in: Any = SimpleNamespace(META=request.META, COOKIES=request.COOKIES, data={"email": email})
    view: Any = SimpleNamespace(throttle_scope=scope)
    refusals = []
    for throttle_class in throttles:
        throttle = throttle_class()
        throttle.timer = now.timestamp  # DRF's injectable clock
        if not throttle.allow_request(stand_in, view):
            refusals.append(Refused(wait=throttle.wait() or 0.0, account=throttle_class is AccountFailureThrottle))
    return max(refusals, key=lambda refused: refused.wait) if refusals else None


class AccountBoundBackend:
    """In ``AUTHENTICATION_BACKENDS`` after django-axes: the account's bound at every door that
    calls ``authenticate``, the Django admin's log-in among them. The API's and the
    dashboard's doors ask ``login_try_refused`` first, to answer with a wait; this is the
    floor under any door that does not. It signs nobody in, and has no ``get_user`` so that
    Django never picks it as a session's backend (``force_login`` takes the first that has one)."""

    def authenticate(self, request: Any, username: str | None = None, **credentials: Any) -> None:
        email = axes_username(request, {"username": username, **credentials})
        if request is None or email is None:
            return
        throttle = AccountFailureThrottle()
        stand_in: Any = SimpleNamespace(META=request.META, COOKIES=request.COOKIES, data={"email": email})
        if not throttle.allow_request(stand_in, None):
            # ``authenticate`` stops at PermissionDenied and sends ``user_login_failed``; the
            # mark keeps this try, whose password was never looked at, out of the count.
            request.account_bound_refused = True
            raise PermissionDenied("Too many failed log-ins for this account.")


def account_failure_record(*, email: str, now: datetime) -> None:
    """One failed log-in (a wrong password or code, at any door) for the account of ``email``.

    When the failures reach the account's bound, its owner is told by e-mail, once a window.
    """
    normal = _normal_email(email)
    if normal is None:
        return
    throttle = AccountFailureThrottle()
    key = throttle.key_for(normal)
    # Only the newest ``limit`` matter for the bound: an address the bound lets
    # through cannot grow the list without end.
    history = [now.timestamp(), *throttle.history_at(key, now.timestamp())][: throttle.limit]
    cache.set(key, history, throttle.window)
    if len(history) < throttle.limit:
        return
    # Once a window: the moment of the last notice is kept and compared (the clock is ``now``,
    # not the cache's expiry). Two failures at the same instant may both send one; no more.
    told_key = f"auth_failures_told_{_hashed(normal)}"
    told = cache.get(told_key)
    if told is not None and told > now.timestamp() - throttle.window:
        return
    cache.set(told_key, now.timestamp(), throttle.window)
    _owner_tell(email=normal, failures=len(history), window=throttle.window)


_WINDOWS = {1: "second", 60: "minute", 3600: "hour", 86400: "day"}


def _owner_tell(*, email: str, failures: int, window: int) -> None:
    """The owner learns of a burst of failed log-ins: how many, and that where they usually
    sign in is not affected. No addresses (they say little and are personal data) and nothing
    that was tried."""
    user = User.objects.filter(email__iexact=email, is_active=True).first()
    if user is None:
        return
    period = _WINDOWS[window]
    body = (
        f"Hello {user.display_name},\n\n"
        f"In the last {period} there were {failures} failed attempts to sign in to your Good Enough "
        "account, with a wrong password or code.\n\n"
        "To keep your account safe, places you have not signed in from before must now wait before "
        "trying again. Where you usually sign in, you can sign in as always.\n\n"
        "If this was you, there is nothing to do. If it was not, every one of these attempts failed; "
        "a long password you use nowhere else keeps it that way.\n\n"
        f"We write at most once a {period} about this.\n"
    )
    try:
        EmailMessage("Failed sign-ins to your Good Enough account", body, to=[user.email]).send()
    except (OSError, SMTPException):
        # The refusal does not wait on the mail: a mail server that is down must not turn a
        # wrong password into a 500. The bound holds either way.
        logger.warning("Could not tell an account's owner of failed log-ins.", exc_info=True)


def on_log_in_failed(sender: Any, credentials: dict, request: Any = None, **kwargs: Any) -> None:
    """``user_login_failed``: Django's ``authenticate`` sends it for a wrong password, and our
    doors for a wrong code or a wrong erasure password; each counts toward the account's bound."""
    email = axes_username(request, credentials)
    if email and not getattr(request, "account_bound_refused", False):
        account_failure_record(email=email, now=timezone.now())


def on_logged_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    """``user_logged_in``: where the owner signs in is let through the account's bound."""
    if request is not None:
        address_known_mark(email=user.email, address=client_address(request))


class LockedOut(exceptions.Throttled):
    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    default_detail = "Too many failed log-ins for this e-mail from this address."
    default_code = "locked_out"

    def __init__(self) -> None:
        super().__init__(
            wait=settings.AXES_COOLOFF_TIME.total_seconds(), detail=self.default_detail, code=self.default_code
        )
