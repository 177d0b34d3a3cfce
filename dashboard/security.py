"""What every dashboard answer carries, and the body it refuses before anyone reads it.

The Content-Security-Policy itself is django-csp's (``csp.middleware.CSPMiddleware``), set in
``backend/settings.py`` as ``CONTENT_SECURITY_POLICY``, where it says what it allows and why.
"""

from __future__ import annotations

from collections.abc import Callable

from csp.utils import build_policy
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers

from core.middleware import body_problem

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
    X-Frame-Options middleware, so that the 413 carries the policy and ``DENY`` too.
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
        add_never_cache_headers(response)
        return response
