"""The user's data export: one document with every section, each app contributing its own.

accounts cannot import the apps above it, so each app registers the part of the export it
owns from its ``AppConfig.ready()``; ``GET /api/v1/me/export/`` gathers them all. A section
is API-layer code: it reads through its app's selectors and shows records as that app's
endpoints do.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from rest_framework import serializers

from accounts import selectors
from accounts.models import Invite, User
from accounts.serializers import CareLinkSerializer, UserSerializer


@dataclass(frozen=True)
class Section:
    """One app's part of the export: how to read it, and its shape for the OpenAPI schema."""

    read: Callable[[User], Any]
    shape: serializers.Serializer[Any]


_sections: dict[str, Section] = {}


def register(name: str, section: Section) -> None:
    if name in _sections and _sections[name] != section:
        raise ValueError(f"Export section {name!r} is registered twice.")
    _sections[name] = section


def sections() -> dict[str, Section]:
    return dict(_sections)


class ExportProfileSerializer(UserSerializer):
    last_login = serializers.DateTimeField(allow_null=True, read_only=True)

    class Meta(UserSerializer.Meta):
        fields = [*UserSerializer.Meta.fields, "last_login"]
        read_only_fields = fields


class ExportInviteSerializer(serializers.Serializer[Any]):
    id = serializers.UUIDField(read_only=True)
    note = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField(read_only=True)
    expires_at = serializers.DateTimeField(read_only=True)
    used_at = serializers.DateTimeField(read_only=True, allow_null=True)
    cancelled_at = serializers.DateTimeField(read_only=True, allow_null=True)

    def get_note(self, invite: Invite) -> str:
        return invite.note or ""


class _ExportBase(serializers.Serializer[Any]):
    exported_at = serializers.DateTimeField(read_only=True)
    profile = ExportProfileSerializer(read_only=True)
    care_links = CareLinkSerializer(many=True, read_only=True)
    invites = ExportInviteSerializer(many=True, read_only=True)


@functools.cache
def document_serializer() -> type[serializers.Serializer[Any]]:
    """The document's shape for the schema: accounts' own parts, then each registered section."""
    shapes = {name: section.shape for name, section in _sections.items()}
    return type("ExportDocumentSerializer", (_ExportBase,), shapes)


def document(user: User, *, now: datetime) -> dict[str, Any]:
    """The whole export: what accounts holds, then every registered section."""
    result: dict[str, Any] = _ExportBase(
        {
            "exported_at": now,
            "profile": user,
            "care_links": selectors.care_links_of(user).order_by("created_at"),
            "invites": selectors.invites_of(user).order_by("created_at"),
        },
        context={"viewer": user},
    ).data
    for name, section in _sections.items():
        result[name] = section.read(user)
    return result
