"""Headers every dashboard answer carries.

The policy is strict: our own stylesheet only, no script at all, no framing, forms post
only to us. It is set here rather than through django-csp so that this slice adds no
dependency; issue 11 names django-csp, which can take its place later.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers

PREFIX = "/app/"

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "img-src 'self' data:",
        "style-src 'self'",
        "script-src 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
        "base-uri 'none'",
    ]
)


class ContentSecurityPolicyMiddleware:
    """On every answer under ``/app/`` (pages, redirects, 404s): the policy, and no caching,
    since a page names a patient and what they wrote."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.path.startswith(PREFIX):
            response["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
            add_never_cache_headers(response)
        return response
