from __future__ import annotations

from typing import Any

from django.db import transaction
from rest_framework import serializers
from rest_framework.exceptions import AuthenticationFailed
from rest_framework_simplejwt.serializers import TokenObtainPairSerializer, TokenRefreshSerializer
from rest_framework_simplejwt.token_blacklist.models import OutstandingToken
from rest_framework_simplejwt.tokens import UntypedToken

from accounts.models import INVITE_NOTE_MAX_LENGTH, CareLink, Role, User, available_timezones
from core import fields
from core.input import is_text


class TimezoneField(fields.CharField):
    default_error_messages = {"unknown_timezone": "{value} is not an IANA time zone name such as Europe/Paris."}

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("help_text", "An IANA time zone name, e.g. Europe/London or America/New_York.")
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if value not in available_timezones():
            # Echo the value only when it is short, printable text: never what cannot be encoded.
            if len(value) <= 64 and is_text(value) and value.isprintable():
                self.fail("unknown_timezone", value=value)
            self.fail("unknown_timezone", value="This")
        return value


class UserSerializer(fields.ModelSerializer):
    timezone = TimezoneField()

    class Meta:
        model = User
        fields = ["id", "email", "display_name", "role", "timezone", "created_at"]
        read_only_fields = ["id", "email", "role", "created_at"]


class RegisterSerializer(serializers.Serializer):
    email = fields.EmailField(max_length=254)
    password = fields.CharField(
        write_only=True, max_length=128, trim_whitespace=False, style={"input_type": "password"}
    )
    display_name = fields.CharField(max_length=100)
    role = serializers.ChoiceField(choices=Role.choices)
    timezone = TimezoneField()


class PasswordSerializer(serializers.Serializer):
    password = fields.CharField(
        write_only=True, max_length=128, trim_whitespace=False, style={"input_type": "password"}
    )

    def validate_password(self, value: str) -> str:
        if not self.context["request"].user.check_password(value):
            raise serializers.ValidationError("The password is not right.", code="wrong_password")
        return value


class TokenSerializer(TokenObtainPairSerializer):
    """``{email, password}`` for ``{access, refresh}``; see accounts.views.TokenView for lockout."""


class TokenPairSerializer(serializers.Serializer):
    access = fields.CharField(read_only=True)
    refresh = fields.CharField(read_only=True)


class LogoutSerializer(serializers.Serializer):
    refresh = fields.CharField()


class RefreshSerializer(TokenRefreshSerializer):
    """simplejwt's, except that a token of an erased user is a 401 rather than a crash."""

    def validate(self, attrs):
        # Lock the token's row first: two refreshes racing with one token must not both pass
        # the blacklist check (simplejwt checks, then blacklists, with no lock between).
        with transaction.atomic():
            jti = UntypedToken(attrs["refresh"]).get("jti")
            OutstandingToken.objects.select_for_update().filter(jti=jti).first()
            try:
                return super().validate(attrs)
            except User.DoesNotExist:
                raise AuthenticationFailed(self.error_messages["no_active_account"], "no_active_account") from None


class InviteCreateSerializer(serializers.Serializer):
    note = fields.CharField(
        max_length=INVITE_NOTE_MAX_LENGTH,
        required=False,
        allow_blank=True,
        help_text="For the therapist: whom the code is for.",
    )


class InviteSerializer(serializers.Serializer):
    code = fields.CharField(read_only=True, help_text="Shown once; hand it to the patient.")
    expires_at = serializers.DateTimeField(read_only=True)


class PersonSerializer(serializers.Serializer):
    id = serializers.UUIDField(read_only=True)
    display_name = fields.CharField(read_only=True)


class CareLinkSerializer(fields.ModelSerializer):
    therapist = PersonSerializer(
        read_only=True, allow_null=True, help_text="null once the therapist has erased their account."
    )
    patient = PersonSerializer(read_only=True)

    class Meta:
        model = CareLink
        fields = ["id", "therapist", "patient", "status", "share_entries", "created_at", "ended_at", "version"]
        read_only_fields = ["id", "therapist", "patient", "status", "created_at", "ended_at", "version"]

    def to_representation(self, instance: CareLink) -> dict[str, Any]:
        data = super().to_representation(instance)
        # ``viewer`` is the user reading (views and the export put it in the context).
        viewer = self.context.get("viewer")
        data["patient"]["display_name"] = instance.patient_name_for(viewer.id if viewer else None)
        return data


class CareLinkAcceptSerializer(serializers.Serializer):
    code = fields.CharField(max_length=100)
    share_entries = fields.BooleanField(default=True)


class CareLinkUpdateSerializer(serializers.Serializer):
    share_entries = fields.BooleanField()
