"""``GET /healthz``: is the database reachable, is the broker reachable, is the dispatcher running.

A late dispatcher is reported, not a 503: the API still serves, only reminders wait.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from celery import current_app as celery_app
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.http import require_GET
from kombu import Connection

log = logging.getLogger(__name__)

#: The reminder dispatcher writes its last run here (reminders/), so health can report it.
LAST_DISPATCH_CACHE_KEY = "reminders:last_dispatch_at"


def database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return bool(cursor.fetchone() == (1,))
    except Exception:
        log.exception("healthz: the database is down")
        return False


def broker_ok() -> bool:
    url = celery_app.conf.broker_url
    options = {"socket_connect_timeout": 2, "socket_timeout": 2, "max_retries": 0}
    try:
        with Connection(url, connect_timeout=2, transport_options=options) as broker:
            broker.ensure_connection(max_retries=1, timeout=2)
            return True
    except Exception:
        log.exception("healthz: the broker is down")
        return False


#: No dispatcher pass for this long: reminders are not going out ("dispatcher": "late").
DISPATCH_LATE_AFTER = timedelta(minutes=5)


def last_dispatch_at() -> str | None:
    try:
        value: str | None = cache.get(LAST_DISPATCH_CACHE_KEY)
        return value
    except Exception:
        return None


def dispatcher_state(last: str | None, *, now: datetime) -> str:
    """ "ok" when a dispatcher pass ran in the last five minutes, else "late"."""
    if last is None:
        return "late"
    return "ok" if now - datetime.fromisoformat(last) <= DISPATCH_LATE_AFTER else "late"


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    checks = {"database": database_ok(), "broker": broker_ok()}
    body: dict[str, Any] = {name: "ok" if ok else "down" for name, ok in checks.items()}
    body["last_dispatch_at"] = last_dispatch_at()
    body["dispatcher"] = dispatcher_state(body["last_dispatch_at"], now=timezone.now())
    down = [name for name, ok in checks.items() if not ok]
    if down:
        body["down"] = down
    return JsonResponse(body, status=503 if down else 200)
