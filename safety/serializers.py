from __future__ import annotations

from typing import Any

from rest_framework import serializers

from accounts.models import zone_country
from accounts.serializers import NoFieldsSerializer, TimezoneField
from core import fields
from safety.resources import COUNTRY_CODE


class CrisisQuerySerializer(serializers.Serializer[Any]):
    # From a query string DRF reads an empty optional value as absent: ?country= is no country.
    country = fields.CharField(required=False, max_length=2)
    timezone = TimezoneField(
        required=False,
        help_text="An IANA zone (a signed-out app sends the device's): without `country`, its country is used.",
    )

    def validate_country(self, value: str) -> str:
        # ASCII first: the long s (U+017F) upper-cases to "S", and "u" + long s is no way to write US.
        code = value.upper() if value.isascii() else ""
        if not COUNTRY_CODE.fullmatch(code):
            raise serializers.ValidationError("A two-letter country code, such as US.", code="invalid_country")
        return code

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        """The country asked for, else the zone's (None for a zone in no country, such as UTC)."""
        zone = attrs.pop("timezone", None)
        if attrs.get("country") is None and zone is not None:
            attrs["country"] = zone_country(zone)
        return attrs


class ServiceSerializer(serializers.Serializer[Any]):
    name = serializers.CharField()
    phone = serializers.CharField(allow_null=True, help_text="What to dial; null when it takes no calls.")
    text = serializers.CharField(
        allow_null=True, help_text='How to text it ("Text HOME to 741741", or a number); null when it takes no texts.'
    )
    web = serializers.URLField(allow_null=True, help_text="Its page (chat, e-mail and more); null when it has none.")
    hours = serializers.CharField(help_text="When it answers, in its own words.")
    languages = serializers.ListField(child=serializers.CharField(), help_text="BCP 47 tags, such as en or es.")
    # A field named as DRF's own Field.source attribute (the metaclass takes it out of the class).
    source = serializers.URLField(help_text="The page this entry was taken from.")  # type: ignore[assignment]
    checked = serializers.DateField(help_text="The day it was last checked against its source.")


class EmergencySerializer(serializers.Serializer[Any]):
    statement = serializers.CharField(help_text="What to do in an emergency, whatever the country.")
    number = serializers.CharField(
        allow_null=True, help_text="The country's emergency number; null without a country, or for one not listed."
    )


class CrisisResourcesSerializer(serializers.Serializer[Any]):
    country = serializers.CharField(allow_null=True, help_text="The country asked for, in capitals; null when none.")
    not_watched = serializers.CharField(
        help_text="That the journal is not watched in real time and is not an emergency service."
    )
    emergency = EmergencySerializer()
    services = ServiceSerializer(
        many=True, help_text="The country's crisis services, as the operator's file lists them; empty for none."
    )


class SafetySerializer(serializers.Serializer[Any]):
    """Beside an entry whose words sound like crisis: help, at once, for any client to show."""

    entry_shared = serializers.BooleanField(
        help_text="Whether the patient marked the entry shared (false: it is private, whoever is linked)."
    )
    shared_with_therapist = serializers.BooleanField(
        help_text="Whether a therapist may read this entry (it is shared, and a link shares entries): "
        "so the app can say plainly whether anyone will see it."
    )
    resources = CrisisResourcesSerializer(help_text="As `getCrisisResources` answers for the patient's country.")


class CheckInRequestSerializer(NoFieldsSerializer):
    """A check-in carries no words: a body with any field (a note, a message) is refused, so no
    client can believe it sent something the therapist will read."""

    client_description = "Empty: send `{}` or no body. A check-in carries no words."


class CheckInSerializer(serializers.Serializer[Any]):
    id = serializers.UUIDField(read_only=True)
    requested_at = serializers.DateTimeField(source="raised_at", read_only=True)
    seen_at = serializers.DateTimeField(
        read_only=True, allow_null=True, help_text="When a therapist marked it seen; null until then."
    )
    reaches_therapist = serializers.BooleanField(
        read_only=True, help_text="Whether the patient has a therapist linked to ask: false with none."
    )
