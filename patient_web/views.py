"""The patient's app is static files plus three answers: the page, its service worker, and ``/``.

It reads no model and imports no app of ours: everything it knows it asks the public API.
"""

from __future__ import annotations

import json

from csp.decorators import csp_replace
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

from patient_web.shell import shell

# The dashboard's policy (no script at all) plus our own modules and service worker, and the
# API of this origin. Still no inline script or style, no other origin.
APP_POLICY = {
    "script-src": ["'self'"],
    "connect-src": ["'self'"],
    "worker-src": ["'self'"],
    "manifest-src": ["'self'"],
}


@require_safe
@csp_replace(APP_POLICY)
@cache_control(no_cache=True)
def app(request: HttpRequest, path: str = "") -> HttpResponse:
    """Every path under /journal/ is the one page; the app reads the path (a join link too).

    ``no-cache``: the browser asks again each time it is online (the service worker answers
    when it is not), so a new version is seen at once.
    """
    return HttpResponse(shell().page_html)


@require_safe
@cache_control(no_cache=True)
def service_worker(request: HttpRequest) -> HttpResponse:
    """The worker's script with its shell in front: see ``frontend/src/sw/sw.ts``."""
    built = shell()
    listing = {"version": built.version, "page": "/journal/", "files": built.files}
    prelude = f"const SHELL = {json.dumps(listing)};\n"
    return HttpResponse(prelude + built.worker_js, content_type="text/javascript; charset=utf-8")


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    """``/``: two doors, the patient's journal and the therapist's dashboard."""
    return render(request, "patient_web/home.html")
