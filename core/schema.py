"""The schema of ``GET /healthz``, a plain Django view that drf-spectacular does not see:
``health_in_schema`` (a postprocessing hook in settings) adds it to /api/schema/."""

from __future__ import annotations

from typing import Any

from core.health import DISPATCH_LATE_AFTER
from core.openapi import duration

_STATE = {"type": "string", "enum": ["ok", "down"]}
HEALTH_COMPONENT: dict[str, Any] = {
    "type": "object",
    "description": "What is up. The same body with 200 (all up) and 503 (`down` names what is not).",
    "properties": {
        "database": _STATE,
        "broker": _STATE,
        "last_dispatch_at": {
            "type": "string",
            "format": "date-time",
            "nullable": True,
            "description": "The reminder dispatcher's last pass, or null if none is known.",
        },
        "dispatcher": {
            "type": "string",
            "enum": ["ok", "late"],
            "description": f"`late`: no pass for {duration(DISPATCH_LATE_AFTER)} "
            "(reminders wait; the API still serves, so it is not a 503).",
        },
        "down": {"type": "array", "items": {"type": "string", "enum": ["database", "broker"]}},
    },
    "required": ["database", "broker", "last_dispatch_at", "dispatcher"],
}
HEALTH_OPERATION: dict[str, Any] = {
    "operationId": "getHealth",
    "summary": "Is the service up",
    "description": "For load balancers and monitoring: 200 when the database and the broker answer, 503 naming "
    "what does not. No token. Any other method answers 405.",
    "tags": ["health"],
    "security": [],
    "responses": {
        "200": {
            "description": "The database and the broker are up.",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Health"}}},
        },
        "503": {
            "description": "The database or the broker is down; `down` names which.",
            "headers": {
                "Retry-After": {
                    "schema": {"type": "integer"},
                    "required": True,
                    "description": "Seconds to wait before asking again.",
                }
            },
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Health"}}},
        },
    },
}


def health_in_schema(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """``GET /healthz`` and its body (its 503 has its own, with ``Retry-After``)."""
    result["paths"]["/healthz"] = {"get": HEALTH_OPERATION}
    result["components"]["schemas"]["Health"] = HEALTH_COMPONENT
    return result
