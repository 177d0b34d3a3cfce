"""Health, read two ways: ``GET /healthz`` for a load balancer, ``GET /healthz/reminders`` for an alert.

``/healthz`` answers whether this web process can serve: 200 while the database and the broker
answer, else 503 with ``Retry-After``. It is cheap (two round trips and one row read, no worker
asked), so a load balancer may poll it every few seconds. A late dispatcher is reported in its
body but is no 503 there: the API still serves, only reminders wait, and taking every web
process out of rotation would not bring one reminder back.

``/healthz/reminders`` answers whether reminders are going out, for the alert that wakes
someone: 200 when a dispatcher pass ran within ``DISPATCH_LATE_AFTER`` and at least one Celery
worker answers a ping, else 503 with ``down`` naming what is wrong. It waits
``WORKER_PING_TIMEOUT`` for the workers' answers, so it is for a monitor polling each minute.

Both are plain Django views (no token, no content negotiation, nothing a load balancer could get
wrong), so their schema is written in core/schema.py and added by ``core.schema.health_in_schema``.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import wraps
from typing import Any

from celery import current_app as celery_app
from django.db import DatabaseError, connection
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from kombu import Connection

from core.errors import ServiceUnavailable
from core.models import Heartbeat

log = logging.getLogger(__name__)

#: The reminder dispatcher's row in ``Heartbeat``: reminders/dispatcher.py records each pass
#: under this name (core names it, as core may not import reminders).
DISPATCHER = "reminders.dispatcher"

#: How often beat runs a dispatcher pass (``CELERY_BEAT_SCHEDULE`` in backend/settings.py: at
#: the top of every minute).
DISPATCH_EVERY = timedelta(minutes=1)
#: What a pass on time may add to that: beat's own lateness, a worker busy when the pass was
#: due, and the pass itself (its heartbeat is written at its end; a full pass of ``PASS_LIMIT``
#: reminders takes seconds).
DISPATCH_MARGIN = timedelta(seconds=30)
#: No pass for this long: one pass was missed, so reminders are not going out ("late"). One
#: minute plus the margin, so that an alert comes within two minutes of a stop, not five.
DISPATCH_LATE_AFTER = DISPATCH_EVERY + DISPATCH_MARGIN

#: How long the reminders check waits for workers to answer its ping. A live worker answers from
#: its main process's event loop within milliseconds, even while its pool is busy sending; the
#: rest leaves room for a loaded host. Every check waits this long (it counts all that answer).
WORKER_PING_TIMEOUT = timedelta(seconds=1)

#: Seconds a caller should wait before asking again after a 503, as the API's own 503 says.
RETRY_AFTER = ServiceUnavailable.wait

#: Seconds to reach the broker before calling it down: a load balancer's check must not hang.
BROKER_TIMEOUT = 2


def database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return bool(cursor.fetchone() == (1,))
    except Exception:
        log.exception("healthz: the database is down")
        return False


def _broker() -> Connection:
    """A connection to the broker that gives up after ``BROKER_TIMEOUT`` instead of retrying."""
    options = {"socket_connect_timeout": BROKER_TIMEOUT, "socket_timeout": BROKER_TIMEOUT, "max_retries": 0}
    return Connection(celery_app.conf.broker_url, connect_timeout=BROKER_TIMEOUT, transport_options=options)


def broker_ok() -> bool:
    try:
        with _broker() as broker:
            broker.ensure_connection(max_retries=1, timeout=BROKER_TIMEOUT)
            return True
    except Exception:
        log.exception("healthz: the broker is down")
        return False


def last_dispatch_at() -> datetime | None:
    """When the dispatcher's last pass ended, or None if none is recorded or it cannot be read."""
    try:
        return Heartbeat.objects.filter(name=DISPATCHER).values_list("at", flat=True).first()
    except DatabaseError:
        return None  # the database is down: database_ok has said so


def dispatcher_state(last: datetime | None, *, now: datetime) -> str:
    """ "ok" when a dispatcher pass ended within ``DISPATCH_LATE_AFTER`` of ``now``, else "late"."""
    return "ok" if last is not None and now - last <= DISPATCH_LATE_AFTER else "late"


#: A ping's count is reused this long by the process that asked. The check needs no token, and
#: each ping makes every worker answer and holds a web worker for ``WORKER_PING_TIMEOUT``:
#: asked every second, the web process still pings once in ten. An alert reading it every
#: minute sees a worker's death at most this much later.
WORKER_PING_REUSE = 10.0


class _Pings:
    """The last ping's count and when it was taken, shared by the process's threads (one asks,
    the others wait for its answer rather than ping too)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.last: tuple[float, int] | None = None

    def count(self) -> int:
        with self.lock:
            if self.last is None or time.monotonic() - self.last[0] >= WORKER_PING_REUSE:
                self.last = (time.monotonic(), _ping())
            return self.last[1]

    def forget(self) -> None:
        with self.lock:
            self.last = None


_pings = _Pings()


def workers_answering() -> int:
    """How many Celery workers answered a ping within ``WORKER_PING_TIMEOUT`` (0 if none can be
    asked), at most ``WORKER_PING_REUSE`` seconds ago."""
    return _pings.count()


def _ping() -> int:
    """Remote control is on in every worker, ``--without-gossip --without-mingle`` too (those turn
    off the workers' talk among themselves, not their answers to a broadcast)."""
    try:
        with _broker() as broker:
            return len(celery_app.control.ping(timeout=WORKER_PING_TIMEOUT.total_seconds(), connection=broker))
    except Exception:
        log.exception("healthz: the workers could not be asked")
        return 0


def _status(*, now: datetime) -> tuple[dict[str, Any], list[str]]:
    """The body both checks share, and the names of what is down (the database, the broker)."""
    checks = {"database": database_ok(), "broker": broker_ok()}
    body: dict[str, Any] = {name: "ok" if ok else "down" for name, ok in checks.items()}
    last = last_dispatch_at() if checks["database"] else None
    body["last_dispatch_at"] = last.isoformat() if last else None
    body["dispatcher"] = dispatcher_state(last, now=now)
    return body, [name for name, ok in checks.items() if not ok]


def reminders_status(*, now: datetime) -> tuple[dict[str, Any], list[str]]:
    """``/healthz/reminders``' body at ``now`` and what is down: the database, the broker, the
    dispatcher (late), the workers (none answered)."""
    body, down = _status(now=now)
    # With the broker down no worker can be asked, nor receive a send: nobody answers.
    body["workers"] = workers_answering() if body["broker"] == "ok" else 0
    if body["dispatcher"] == "late":
        down.append("dispatcher")
    if not body["workers"]:
        down.append("workers")
    return body, down


def _answer(body: dict[str, Any], down: list[str]) -> JsonResponse:
    if down:
        body["down"] = down
    response = JsonResponse(body, status=503 if down else 200)
    if down:
        response["Retry-After"] = str(RETRY_AFTER)
    return response


View = Callable[[HttpRequest], JsonResponse]


def _get_only(view: View) -> View:
    """GET and HEAD only; any other method is a 405 in the API's error body, as every other 405
    (Django's ``require_GET`` sends an empty HTML page)."""

    # It changes nothing, whatever the method: exempt, so that a POST is answered 405 (what the
    # path does not do), not a CSRF 403 page in HTML.
    @csrf_exempt
    @wraps(view)
    def checked(request: HttpRequest) -> JsonResponse:
        if request.method in {"GET", "HEAD"}:
            return view(request)
        detail = f'Method "{request.method}" not allowed.'
        refused = JsonResponse(
            {"type": "client_error", "errors": [{"code": "method_not_allowed", "detail": detail, "attr": None}]},
            status=405,
        )
        refused["Allow"] = "GET, HEAD"
        return refused

    return checked


@_get_only
def healthz(request: HttpRequest) -> JsonResponse:
    """The load balancer's check: 503 only when this process cannot serve."""
    return _answer(*_status(now=timezone.now()))


@_get_only
def reminders_health(request: HttpRequest) -> JsonResponse:
    """The alert's check: 503 also when reminders are not going out (a late dispatcher, no worker)."""
    return _answer(*reminders_status(now=timezone.now()))
