"""The app's shell: the files the service worker keeps, and their version.

Every file tsc emitted under ``static/patient_web/`` (modules, stylesheet, icons, manifest) and
the page itself. The version is a hash of all of them, so that any change to any one makes a
new ``/journal/sw.js`` and browsers install the new shell; unchanged files give the same
version on every server, so a deploy of the same build never makes phones re-download it.
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string
from django.templatetags.static import static

STATIC = Path(__file__).resolve().parent / "static"
WORKER = Path(__file__).resolve().parent / "worker" / "sw.js"
PAGE = "/journal/"


@dataclass(frozen=True)
class Shell:
    version: str
    files: tuple[str, ...]
    page_html: str
    worker_js: str


def _build() -> Shell:
    digest = hashlib.sha256()
    files = [PAGE]
    modules = sorted(
        static(path.relative_to(STATIC).as_posix()) for path in (STATIC / "patient_web" / "js").rglob("*.js")
    )
    # Every module preloaded from the page: on a slow network one round trip, not one per import level.
    page_html = render_to_string("patient_web/shell.html", {"modules": modules})
    digest.update(page_html.encode())
    for path in sorted((STATIC / "patient_web").rglob("*")):
        if path.is_file():
            relative = path.relative_to(STATIC).as_posix()
            files.append(static(relative))
            digest.update(relative.encode() + b"\0" + path.read_bytes())
    worker_js = WORKER.read_text()
    digest.update(worker_js.encode())
    return Shell(version=digest.hexdigest()[:16], files=tuple(files), page_html=page_html, worker_js=worker_js)


@functools.lru_cache(maxsize=1)
def _cached() -> Shell:
    return _build()


def shell() -> Shell:
    """Built once per process; in DEBUG on every call, so a rebuilt app is picked up at once."""
    return _build() if settings.DEBUG else _cached()
