"""The schema of ``GET /healthz`` and ``GET /healthz/reminders``, plain Django views that
drf-spectacular does not see: ``health_in_schema`` (a postprocessing hook in settings) adds
them to /api/schema/."""

from __future__ import annotations

from typing import Any

from core.health import DISPATCH_EVERY, DISPATCH_LATE_AFTER, DISPATCH_MARGIN, WORKER_PING_TIMEOUT
from core.openapi import duration

_STATE = {"type": "string", "enum": ["ok", "down"]}
_LAST_DISPATCH_AT = {
    "type": "string",
    "format": "date-time",
    "nullable": True,
    "description": "When the reminder dispatcher's last pass ended, or null if none is known.",
}
_LATE = (
    f"`late`: no pass for {duration(DISPATCH_LATE_AFTER)} (beat runs one every {duration(DISPATCH_EVERY)}; "
    f"{duration(DISPATCH_MARGIN)} are its margin)"
)
HEALTH_COMPONENT: dict[str, Any] = {
    "type": "object",
    "description": "What is up. The same body with 200 (all up) and 503 (`down` names what is not).",
    "properties": {
        "database": _STATE,
        "broker": _STATE,
        "last_dispatch_at": _LAST_DISPATCH_AT,
        "dispatcher": {
            "type": "string",
            "enum": ["ok", "late"],
            "description": f"{_LATE}. Reminders wait, but the API still serves, so it is not a 503 here; "
            "`/healthz/reminders` answers 503 for it.",
        },
        "down": {"type": "array", "items": {"type": "string", "enum": ["database", "broker"]}},
    },
    "required": ["database", "broker", "last_dispatch_at", "dispatcher"],
}
REMINDERS_HEALTH_COMPONENT: dict[str, Any] = {
    "type": "object",
    "description": "Whether reminders are going out. The same body with 200 (all well) and 503 (`down` names "
    "what is wrong).",
    "properties": {
        "database": _STATE,
        "broker": _STATE,
        "last_dispatch_at": _LAST_DISPATCH_AT,
        "dispatcher": {"type": "string", "enum": ["ok", "late"], "description": f"{_LATE}."},
        "workers": {
            "type": "integer",
            "minimum": 0,
            "description": "How many Celery workers answered a ping within "
            f"{duration(WORKER_PING_TIMEOUT)}; with the broker down, none can be asked.",
        },
        "down": {
            "type": "array",
            "items": {"type": "string", "enum": ["database", "broker", "dispatcher", "workers"]},
            "description": "`dispatcher` when it is late, `workers` when none answered.",
        },
    },
    "required": ["database", "broker", "last_dispatch_at", "dispatcher", "workers"],
}
_RETRY_AFTER = {
    "Retry-After": {
        "schema": {"type": "integer"},
        "required": True,
        "description": "Seconds to wait before asking again.",
    }
}


def _operation(operation_id: str, summary: str, description: str, component: str, ok: str, down: str) -> dict[str, Any]:
    body = {"application/json": {"schema": {"$ref": f"#/components/schemas/{component}"}}}
    return {
        "operationId": operation_id,
        "summary": summary,
        "description": f"{description} No token. Any other method answers 405.",
        "tags": ["health"],
        "security": [],
        "responses": {
            "200": {"description": ok, "content": body},
            "503": {"description": down, "headers": _RETRY_AFTER, "content": body},
        },
    }


HEALTH_OPERATION = _operation(
    "getHealth",
    "Can the service serve",
    "For load balancers: 200 while the database and the broker answer, 503 naming what does not. Cheap (no "
    "worker is asked): poll it as often as needed. A late dispatcher is reported, not a 503.",
    "Health",
    "The database and the broker are up.",
    "The database or the broker is down; `down` names which.",
)
REMINDERS_HEALTH_OPERATION = _operation(
    "getRemindersHealth",
    "Are reminders going out",
    "For alerting: 200 when a dispatcher pass ran recently and at least one Celery worker answers a ping, 503 "
    f"naming what is wrong otherwise. It waits {duration(WORKER_PING_TIMEOUT)} for the workers' answers: "
    "poll it once a minute, not from a load balancer.",
    "RemindersHealth",
    "A dispatcher pass ran recently and at least one worker answered.",
    "Reminders are not going out; `down` names why (the database, the broker, a late dispatcher, no worker).",
)


def health_in_schema(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """``GET /healthz`` and ``GET /healthz/reminders`` and their bodies (their 503s have their
    own, with ``Retry-After``)."""
    result["paths"]["/healthz"] = {"get": HEALTH_OPERATION}
    result["paths"]["/healthz/reminders"] = {"get": REMINDERS_HEALTH_OPERATION}
    result["components"]["schemas"]["Health"] = HEALTH_COMPONENT
    result["components"]["schemas"]["RemindersHealth"] = REMINDERS_HEALTH_COMPONENT
    return result
