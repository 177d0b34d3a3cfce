"""Throttles and lockout for the endpoints that take a password."""

from __future__ import annotations

import hashlib
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


class LockedOut(exceptions.Throttled):
    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    default_detail = "Too many failed log-ins for this e-mail from this address."
    default_code = "locked_out"

    def __init__(self) -> None:
        super().__init__(
            wait=settings.AXES_COOLOFF_TIME.total_seconds(), detail=self.default_detail, code=self.default_code
        )
