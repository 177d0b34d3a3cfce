"""What every dashboard answer carries, the body it refuses before anyone reads it, and the
pages it answers when a page is not there, fails, or cannot reach the database or Redis.

The Content-Security-Policy itself is django-csp's (``csp.middleware.CSPMiddleware``), set in
``backend/settings.py`` as ``CONTENT_SECURITY_POLICY``, where it says what it allows and why.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from csp.utils import build_policy
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import BadRequest, PermissionDenied, SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers
from django.utils.log import log_response

from core.errors import ServiceUnavailable, is_outage, outage_met
from core.middleware import body_problem

log = logging.getLogger(__name__)

PREFIX = "/app/"


def content_security_policy() -> str:
    """The header django-csp writes from the settings, for tests to compare with."""
    return build_policy()


CONTENT_SECURITY_POLICY = content_security_policy()


class DashboardMiddleware:
    """Under ``/app/``: no caching on any answer (pages, redirects, 404s), since a page names
    a patient and what they wrote; and a body too large for us is refused with our own 413
    page before the CSRF check or a form reads it (Django would answer a bare 400 instead).

    It sits before the session and CSRF middleware, and after django-csp's and the
    X-Frame-Options middleware, so that the 413 carries the policy and ``DENY`` too. Being
    outside everything that reads the database or Redis (the session, the user, axes, the
    views), it is where an outage met in any of them becomes the 503 page
    (``core.errors.outage_note``).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith(PREFIX):
            return self.get_response(request)
        problem = body_problem(request)
        if problem:
            status, _code, detail = problem
            response = render(request, "dashboard/refused.html", {"status": status, "detail": detail}, status=status)
        else:
            response = self.get_response(request)
        if outage_met(request, response):
            response = error_page(request, 503)
        elif settings.DEBUG and response.status_code in {404, 500} and not getattr(response, "dashboard_page", False):
            # Django's debug pages (a 404 the URLs did not resolve, a middleware's error): ours instead.
            response = error_page(request, response.status_code)
        if settings.DEBUG and response.status_code in {404, 500}:
            # django-csp leaves DEBUG's 404 and 500 without the policy, for Django's debug pages
            # and their inline styles; ours need none of that, so they carry it as every page does.
            response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
        add_never_cache_headers(response)
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        """A page that is not there, or that failed, under ``/app/``: the dashboard's own 404 or
        500 page, with ``DEBUG`` on too (``make run``), never Django's debug page with a patient's
        data in its traceback. Refusals Django answers itself (403, 400) are left to it, and so
        is an outage: it goes the way of one met in a middleware, to be answered in ``__call__``."""
        if (
            not request.path.startswith(PREFIX)
            or isinstance(exception, PermissionDenied | BadRequest | SuspiciousOperation)
            or is_outage(exception)
        ):
            return None
        if isinstance(exception, Http404):
            return error_page(request, 404)
        response = error_page(request, 500)
        log_response("Internal Server Error: %s", request.path, response=response, request=request, exception=exception)
        return response


def error_page(request: HttpRequest, status: int) -> HttpResponse:
    """The dashboard's 404, 500 or 503 page, marked as ours. A page that cannot be drawn (the
    failure was the database, which the header's name needs) is a plain one that says the same.
    A 503 says when to try again, in the seconds the API's does."""
    # The header names who is signed in, which the database tells; when that is what broke, the
    # page is drawn for no one rather than plain.
    for context in ({}, {"user": AnonymousUser()}):
        try:
            response = render(request, f"dashboard/{status}.html", context, status=status)
            break
        except Exception:  # an error page must answer whatever broke
            log.info("dashboard: the %d page could not be drawn with %s", status, context or "the user", exc_info=True)
    else:
        response = HttpResponse(_PLAIN[status], status=status)
    if status == 503:
        response["Retry-After"] = str(ServiceUnavailable.wait)
    response.dashboard_page = True  # type: ignore[attr-defined]  # read in DashboardMiddleware.__call__
    return response


_PLAIN = {
    404: '<!doctype html><html lang="en"><title>Not found</title><h1>Not found</h1>'
    '<p><a href="/app/">Back to your patients</a></p></html>',
    500: '<!doctype html><html lang="en"><title>Something went wrong</title><h1>Something went wrong on our side</h1>'
    "<p>Try again in a moment.</p></html>",
    503: '<!doctype html><html lang="en"><title>Can\'t reach our records</title>'
    "<h1>We can't reach our records just now</h1>"
    "<p>Nothing you sent was half-saved: a change is saved whole or not at all. Try again in a moment.</p></html>",
}
