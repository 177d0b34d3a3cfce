"""The patient's web app keeps its refresh token in a cookie that page script cannot read.

Issue 17: no long-lived credential readable by page script. The web app holds the access token
(minutes) in memory only; the refresh token (days) lives in an ``HttpOnly`` cookie, so a script
injected into the page (XSS) can use the session while the page is open but cannot carry the
refresh token away. ``SameSite=Strict`` keeps the browser from sending it with any request
another site starts, and its ``Path`` sends it to the web app's three auth calls and nowhere
else. Native apps keep their bearer tokens (accounts/views.py ``TokenView``).
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.http import HttpResponse
from rest_framework_simplejwt.settings import api_settings as jwt_settings

#: The cookie's name, and the path it is sent to: the web app's log-in, refresh and log-out.
REFRESH_COOKIE = "ge_refresh"
REFRESH_COOKIE_PATH = "/api/v1/auth/web/"


def refresh_cookie_lifetime() -> timedelta:
    """As long as the refresh token it holds: a rotated token starts a full lifetime afresh."""
    return jwt_settings.REFRESH_TOKEN_LIFETIME


def refresh_cookie_set(response: HttpResponse, *, token: str) -> None:
    _write(response, token, max_age=int(refresh_cookie_lifetime().total_seconds()))


def refresh_cookie_clear(response: HttpResponse) -> None:
    """The browser forgets the cookie: the same name, path and flags, expired."""
    _write(response, "", max_age=0)


def _write(response: HttpResponse, value: str, *, max_age: int) -> None:
    response.set_cookie(
        REFRESH_COOKIE,
        value,
        max_age=max_age,
        path=REFRESH_COOKIE_PATH,
        # Secure wherever the dashboard's session cookie is (off only with DEBUG, over plain http).
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Strict",
    )
