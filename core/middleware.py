"""Middleware for every answer under ``/api/``: things no view may forget."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.middleware.gzip import GZipMiddleware
from django.urls import get_urlconf, is_valid_path
from django.utils.cache import add_never_cache_headers

from core.errors import error_response, outage_met, service_unavailable
from core.input import ascii_digits
from core.parsers import RequestTooLarge

Handler = Callable[[HttpRequest], HttpResponse]


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def body_problem(request: HttpRequest) -> tuple[int, str, str] | None:
    """What is wrong with the body a request announces, before anyone reads it: a chunked
    body (411), a Content-Length that is not a number (400) or one over
    ``DATA_UPLOAD_MAX_MEMORY_SIZE`` (413), as (status, code, detail); ``None`` when nothing is.

    The one home of the rule: the API answers it in its JSON body, the dashboard as a page.
    """
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    if "chunked" in request.META.get("HTTP_TRANSFER_ENCODING", "").lower():
        # Django reads no body without a length: the write would silently be empty.
        return 411, "length_required", "Send the body with a Content-Length."
    announced = request.META.get("CONTENT_LENGTH") or "0"
    if len(announced) > 15 or not ascii_digits(announced):  # int() refuses 4,300+ digits
        return 400, "invalid_content_length", "Content-Length is not a whole number."
    if limit is not None and int(announced) > limit:
        return 413, RequestTooLarge.default_code, str(RequestTooLarge.default_detail)
    return None


class RequestLimitsMiddleware:
    """Refuse an announced body over ``DATA_UPLOAD_MAX_MEMORY_SIZE`` with 413, before
    sign-in, throttles or lockouts read it (first in ``MIDDLEWARE``)."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if _is_api(request) and (problem := body_problem(request)):
            return error_response(*problem)
        return self.get_response(request)


def slash_missing(request: HttpRequest) -> HttpResponse | None:
    """A 404 naming the right path for an API path that lacks only its final slash.

    Django's ``APPEND_SLASH`` would redirect it, and a client following the redirect sends a
    write's body nowhere (under ``DEBUG`` Django raises instead). A 308 would keep the body,
    but every such write would then cross the network twice and the client's bug would never
    show; every path in the schema ends with a slash, so a generated client never meets this.
    The API answers each method alike; pages outside ``/api/`` keep Django's redirect.
    """
    path = request.path_info
    if not _is_api(request) or path.endswith("/"):
        return None
    urlconf = getattr(request, "urlconf", None) or get_urlconf()
    if is_valid_path(path, urlconf) or not is_valid_path(f"{path}/", urlconf):
        return None
    return error_response(404, "not_found", f"No such path. API paths end with a slash: {request.path}/")


_GENERIC = {
    400: ("bad_request", "The request could not be read."),
    404: ("not_found", "Not found."),
    405: ("method_not_allowed", "This method is not allowed here."),
    500: ("error", "Server error."),
}
_OTHER = ("error", "The request could not be answered.")


def _is_json(response: HttpResponse) -> bool:
    return response.get("Content-Type", "").startswith("application/json")


def _public(request: HttpRequest, response: HttpResponse) -> bool:
    """A view's own ``Cache-Control: public`` (what anyone may read, the same for everyone: the
    crisis resources) keeps it, unless the request carried a cookie or the answer sets one: a
    shared cache must never keep a browser's session with it."""
    directives = {part.split("=")[0].strip().lower() for part in response.get("Cache-Control", "").split(",")}
    return response.status_code == 200 and "public" in directives and not response.cookies and not request.COOKIES


class ApiResponseMiddleware:
    """Every API answer is ``Cache-Control: no-store`` (it holds health data or tokens), but for
    the public few that say so; and an outage met outside DRF's handler (a session saved in a
    middleware, a view that is not DRF's) is a 503 with ``Retry-After`` rather than a 500, as
    DRF's is (``core.errors.outage_note``): a phone then retries instead of giving up."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = slash_missing(request) or self.get_response(request)
        if _is_api(request) and outage_met(request, response):
            response = service_unavailable()
        elif _is_api(request) and response.status_code >= 400 and not _is_json(response):
            # Django's own pages (a URL no route matches, a Host not allowed, a crash; with
            # DEBUG on, its debug pages): one place turns them all into the contract's body.
            response = error_response(response.status_code, *_GENERIC.get(response.status_code, _OTHER))
        if (_is_api(request) and not _public(request, response)) or request.headers.get("Authorization"):
            add_never_cache_headers(response)
        return response


class HtmlGZipMiddleware(GZipMiddleware):
    """Django's GZipMiddleware, with its BREACH mitigation (random bytes in each answer's gzip
    header, so a secret on the page cannot be guessed from the compressed length), for HTML only:
    the dashboard's and the patient app's pages, which a roster of hundreds makes large. The
    API's JSON is left as it is, since compressing it would turn its strong ETags weak and
    ``If-Match`` compares them strongly; static files come compressed from whitenoise."""

    def process_response(self, request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
        if not response.get("Content-Type", "").startswith("text/html"):
            return response
        return super().process_response(request, response)
