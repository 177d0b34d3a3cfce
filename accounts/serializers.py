from __future__ import annotations

from typing import Any

from django.contrib.auth.models import update_last_login
from django.db import transaction
from rest_framework import serializers
from rest_framework.exceptions import AuthenticationFailed
from rest_framework_simplejwt.serializers import (
    TokenObtainPairSerializer,
    TokenObtainSerializer,
    TokenRefreshSerializer,
)
from rest_framework_simplejwt.settings import api_settings as simplejwt_settings
from rest_framework_simplejwt.token_blacklist.models import OutstandingToken
from rest_framework_simplejwt.tokens import UntypedToken

from accounts import tokens, two_factor
from accounts.models import INVITE_NOTE_MAX_LENGTH, CareLink, Role, User, available_timezones, countries
from core import fields
from core.input import is_text
from core.serializers import KnownFieldsOnly


class TimezoneField(fields.CharField):
    default_error_messages = {"unknown_timezone": "{value} is not an IANA time zone name such as Europe/Paris."}

    def __init__(self, **kwargs: Any) -> None:
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


class CountryField(fields.CharField):
    """A two-letter country code in any case, answered in capitals; null or "" chooses none
    (the time zone's country is used), stored as ""."""

    default_error_messages = {"unknown_country": "No country has that code: two letters, such as GB or ES."}

    def __init__(self, **kwargs):
        kwargs.update(max_length=2, allow_null=True, allow_blank=True, required=False)
        kwargs.setdefault(
            "help_text",
            "ISO 3166-1 alpha-2, for the crisis resources shown; null: the country of `timezone`.",
        )
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        # ASCII first: the long s (U+017F) upper-cases to "S".
        code = value.upper() if value.isascii() else "?"
        if code and code not in countries():
            self.fail("unknown_country")
        return code

    def validate_empty_values(self, data):
        if data is None:
            return True, ""
        return super().validate_empty_values(data)

    def to_representation(self, value):
        return value or None


class UserSerializer(KnownFieldsOnly, fields.ModelSerializer):
    timezone = TimezoneField()
    country = CountryField()
    country_in_effect = fields.CharField(
        read_only=True,
        allow_null=True,
        help_text="`country`, else the country of `timezone`; null when neither names one (UTC). "
        "What `getCrisisResources` is asked with.",
    )

    class Meta:
        model = User
        fields = ["id", "email", "display_name", "role", "timezone", "country", "country_in_effect", "created_at"]
        read_only_fields = ["id", "email", "role", "created_at"]


class RegisterSerializer(KnownFieldsOnly, serializers.Serializer):
    email = fields.EmailField(max_length=254)
    password = fields.CharField(
        write_only=True, max_length=128, trim_whitespace=False, style={"input_type": "password"}
    )
    display_name = fields.CharField(max_length=100)
    role = serializers.ChoiceField(choices=Role.choices)
    timezone = TimezoneField()


def password_field(**kwargs: Any) -> fields.CharField:
    """A password as typed: never trimmed, never echoed, at most Django's 128 characters."""
    return fields.CharField(
        write_only=True, max_length=128, trim_whitespace=False, style={"input_type": "password"}, **kwargs
    )


def current_password_check(request: Any, value: str) -> str:
    if not request.user.check_password(value):
        raise serializers.ValidationError("The password is not right.", code="wrong_password")
    return value


class PasswordSerializer(KnownFieldsOnly, serializers.Serializer):
    password = password_field()

    def validate_password(self, value: str) -> str:
        return current_password_check(self.context["request"], value)


class PasswordChangeSerializer(KnownFieldsOnly, serializers.Serializer):
    #: The field ``accounts.views`` counts as a log-in's password when it is wrong.
    guessed_field = "current_password"

    current_password = password_field(help_text="The password the account has now.")
    new_password = password_field(help_text="The new one; it must pass the server's password validators.")

    def validate_current_password(self, value: str) -> str:
        return current_password_check(self.context["request"], value)


class PasswordResetSerializer(KnownFieldsOnly, serializers.Serializer):
    email = fields.EmailField(max_length=254)


class PasswordResetConfirmSerializer(KnownFieldsOnly, serializers.Serializer):
    uid = fields.CharField(max_length=64, help_text="The `uid` part of the link the e-mail gave.")
    token = fields.CharField(max_length=64, help_text="The `token` part of the link the e-mail gave.")
    new_password = password_field(help_text="The new password; it must pass the server's password validators.")


#: The API's words for each way a second-factor code signs no one in (``code_verify``'s codes).
CODE_REQUIRED = (
    "Two-step sign-in is on for this account: send the six digits your authenticator app shows now, "
    "or a recovery code, as code."
)
CODE_REFUSED = {
    "code_shape": "A code is the six digits your authenticator app shows now, or an eight-letter recovery code.",
    "wrong_code": "That code is not right. Send the newest code from your authenticator app.",
    "used_or_wrong": "That code is not right, or it has been used.",
    "too_fast": "Too many wrong codes just now. Wait a few seconds, then send the newest code.",
}


class TokenSerializer(KnownFieldsOnly, TokenObtainPairSerializer):
    """``{email, password[, code]}`` for ``{access, refresh}``; see accounts.views.TokenView for
    lockout. A therapist who turned on two-step sign-in (in the dashboard) must send ``code`` too:
    a password alone opens the API no more than it opens the dashboard."""

    token_class = tokens.RefreshToken

    code = fields.CharField(
        required=False,
        allow_blank=True,
        allow_null=True,
        max_length=40,
        write_only=True,
        help_text="Once two-step sign-in is on: the six digits the authenticator app shows now, "
        "or one of the recovery codes (each works once).",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # simplejwt's e-mail field has no bound, so any length reached the user lookup (where
        # SQLite's LIKE refuses a 200,000-character pattern): an address is at most 254.
        self.fields[self.username_field] = fields.CharField(max_length=254, write_only=True)

    def validate(self, attrs: dict[str, Any]) -> dict[str, str]:
        # simplejwt's TokenObtainPairSerializer.validate, with the second factor between the
        # password and the tokens: no refresh token is written for a sign-in that is refused.
        TokenObtainSerializer.validate(self, attrs)  # the password: sets self.user or refuses
        user = self.user
        assert isinstance(user, User)  # refused above otherwise
        refused: tuple[str, str] | None = None
        with transaction.atomic():
            tokens.user_lock(user.pk)  # after two-step is turned on, or before it reads the tokens
            if two_factor.is_enrolled(user):
                code = attrs.get("code")
                try:
                    if not code:
                        refused = (CODE_REQUIRED, "code_required")
                    else:
                        two_factor.code_verify(user=user, code=code)
                except two_factor.CodeRefused as error:
                    refused = (CODE_REFUSED[error.code], "wrong_code")
            if refused is None:
                refresh = tokens.RefreshToken.for_user(user)
                if simplejwt_settings.UPDATE_LAST_LOGIN:
                    update_last_login(User, user)
        # Raised after the commit: a wrong code's count on the device must stay.
        if refused is not None:
            raise AuthenticationFailed(*refused)
        return {"refresh": str(refresh), "access": str(refresh.access_token)}


class TokenPairSerializer(serializers.Serializer):
    access = fields.CharField(read_only=True)
    refresh = fields.CharField(read_only=True)


class AccessTokenSerializer(serializers.Serializer):
    client_description = "The web app's answer: the access token only; the refresh token is in the cookie."

    access = fields.CharField(read_only=True)


class NoFieldsSerializer(KnownFieldsOnly, serializers.Serializer):
    """A body of ``{}`` or none: the web app's refresh and log-out read the cookie, and a
    refresh token sent in the body instead is refused (``unknown_field``), never used."""

    client_description = "Empty: send `{}` or no body. The refresh token travels in the cookie."


class LogoutSerializer(KnownFieldsOnly, serializers.Serializer):
    refresh = fields.CharField()


class RefreshSerializer(KnownFieldsOnly, TokenRefreshSerializer):
    """simplejwt's, except that a token of an erased user is a 401 rather than a crash."""

    token_class = tokens.RefreshToken

    def validate(self, attrs):
        # Lock the token's row first: two refreshes racing with one token must not both pass
        # the blacklist check (simplejwt checks, then blacklists, with no lock between).
        with transaction.atomic():
            token = UntypedToken(attrs["refresh"])
            tokens.user_lock(token.get("user_id"))  # the user first, as every token write does
            OutstandingToken.objects.select_for_update().filter(jti=token.get("jti")).first()
            try:
                answer = super().validate(attrs)
            except User.DoesNotExist:
                raise AuthenticationFailed(self.error_messages["no_active_account"], "no_active_account") from None
        # simplejwt made the access token before rotating, from the refresh token it just
        # revoked: made again from the new one, it names the refresh token that still works.
        if "refresh" in answer:
            answer["access"] = str(tokens.RefreshToken(answer["refresh"], verify=False).access_token)  # type: ignore[arg-type]
        return answer


class InviteCreateSerializer(KnownFieldsOnly, serializers.Serializer):
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


class CareLinkAcceptSerializer(KnownFieldsOnly, serializers.Serializer):
    code = fields.CharField(max_length=100)
    share_entries = fields.BooleanField(default=True)


class CareLinkUpdateSerializer(KnownFieldsOnly, serializers.Serializer):
    share_entries = fields.BooleanField()
