"""Throttles and lockout for the endpoints that take a password."""

from __future__ import annotations

import hashlib
from datetime import datetime
from types import SimpleNamespace
from typing import Any

from django.conf import settings
from rest_framework import exceptions, status
from rest_framework.throttling import SimpleRateThrottle


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
        email = data.get("email") if isinstance(data, dict) else None
        if not isinstance(email, str) or not email.strip():
            return None
        # Hashed so that the cache does not hold a list of e-mail addresses.
        return hashlib.sha256(email.strip().lower().encode()).hexdigest()


AUTH_THROTTLES = [AuthAddressThrottle, AuthEmailThrottle]

#: The API's login view's scope: a page that takes a password or a sign-in code counts its
#: tries under it, so that the API and the dashboard draw on one budget per address and e-mail.
LOGIN_SCOPE = "login"


def login_throttle_wait(request: Any, *, email: str | None, now: datetime) -> float | None:
    """Count one log-in try outside DRF (the dashboard's sign-in and its code step) against
    the API login's throttles: the same rates and the same cache keys, so that moving from
    the API to the web page buys an attacker no extra guesses.

    Like DRF's ``check_throttles``, every throttle counts the try even when another refuses.
    Returns how many seconds to wait when refused, ``None`` when the try may go ahead.
    """
    # What the throttles read of a DRF request and view, and no more.
    stand_in: Any = SimpleNamespace(META=request.META, data={"email": email})
    view: Any = SimpleNamespace(throttle_scope=LOGIN_SCOPE)
    waits = []
    for throttle_class in AUTH_THROTTLES:
        throttle = throttle_class()
        throttle.timer = now.timestamp  # DRF's injectable clock
        if not throttle.allow_request(stand_in, view):
            waits.append(throttle.wait() or 0.0)
    return max(waits) if waits else None


class LockedOut(exceptions.Throttled):
    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    default_detail = "Too many failed log-ins for this e-mail from this address."
    default_code = "locked_out"

    def __init__(self) -> None:
        super().__init__(
            wait=settings.AXES_COOLOFF_TIME.total_seconds(), detail=self.default_detail, code=self.default_code
        )
