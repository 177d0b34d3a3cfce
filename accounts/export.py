"""The user's data export: one document with every section, each app contributing its own.

accounts cannot import the apps above it, so each app registers the part of the export it
owns from its ``AppConfig.ready()``; ``GET /api/v1/me/export/`` gathers them all. A section
is API-layer code: it reads through its app's selectors and shows records as that app's
endpoints do.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from rest_framework.fields import DateTimeField

from accounts import selectors
from accounts.models import User
from accounts.serializers import CareLinkSerializer, UserSerializer

Section = Callable[[User], Any]

_sections: dict[str, Section] = {}


def register(name: str, section: Section) -> None:
    if name in _sections and _sections[name] is not section:
        raise ValueError(f"Export section {name!r} is registered twice.")
    _sections[name] = section


def sections() -> dict[str, Section]:
    return dict(_sections)


def document(user: User, *, now: datetime) -> dict[str, Any]:
    """The whole export: what accounts holds, then every registered section."""
    moment = DateTimeField(allow_null=True)
    result: dict[str, Any] = {
        "exported_at": moment.to_representation(now),
        "profile": {**UserSerializer(user).data, "last_login": moment.to_representation(user.last_login)},  # type: ignore[arg-type]  # DRF's DateTimeField shows None as None
        "care_links": CareLinkSerializer(
            selectors.care_links_of(user).order_by("created_at"), many=True, context={"viewer": user}
        ).data,
        "invites": [
            {
                "id": str(invite.id),
                "note": invite.note or "",
                "created_at": moment.to_representation(invite.created_at),
                "expires_at": moment.to_representation(invite.expires_at),
                "used_at": moment.to_representation(invite.used_at),  # type: ignore[arg-type]  # DRF's DateTimeField shows None as None
            }
            for invite in selectors.invites_of(user).order_by("created_at")
        ],
    }
    for name, section in _sections.items():
        result[name] = section(user)
    return result
