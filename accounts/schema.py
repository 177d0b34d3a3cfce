"""What the schema says of accounts' views: each view's decorator, applied in views.py.

The prose's numbers come from the constants and settings that hold them, so the schema
cannot promise a lifetime or a limit the server no longer keeps.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from drf_standardized_errors.openapi_validation_errors import extend_validation_errors
from rest_framework_simplejwt.settings import api_settings as jwt_settings

from accounts import export
from accounts.auth import AccountFailureThrottle
from accounts.models import INVITE_LIFETIME, Invite
from accounts.serializers import (
    CareLinkAcceptSerializer,
    CareLinkSerializer,
    CareLinkUpdateSerializer,
    InviteCreateSerializer,
    InviteSerializer,
    LogoutSerializer,
    PasswordSerializer,
    RegisterSerializer,
    TokenPairSerializer,
    UserSerializer,
)
from core.openapi import AutoSchema, ErrorBodySerializer, documented, duration, per, spelled

ACCESS_LIFETIME = duration(jwt_settings.ACCESS_TOKEN_LIFETIME)
#: Failed log-ins per account are counted over this window (``AUTH_ACCOUNT_FAILURE_RATE``).
ACCOUNT_FAILURE_WINDOW = timedelta(seconds=AccountFailureThrottle().window)

register = documented(
    extend_validation_errors(["email_taken"], field_name="email", methods=["post"]),
    extend_validation_errors(
        ["password_too_short", "password_too_common", "password_entirely_numeric", "password_too_similar"],
        field_name="password",
        methods=["post"],
    ),
    extend_schema_view(
        post=extend_schema(
            operation_id="register",
            summary="Create an account",
            description="Creates a patient or therapist account and answers with the user (never the password). "
            "The e-mail is unique ignoring case (`email_taken`); the password must pass the server's validators. "
            "Then log in with `login`. Throttled per address and per e-mail.",
            request=RegisterSerializer,
            responses={201: UserSerializer},
            tags=["auth"],
        )
    ),
)

login = documented(
    extend_schema_view(
        post=extend_schema(
            operation_id="login",
            summary="Log in",
            description=f"Trades e-mail and password for an access token ({ACCESS_LIFETIME}) and a refresh token "
            f"({duration(jwt_settings.REFRESH_TOKEN_LIFETIME)}). Wrong credentials answer 401 `no_active_account`. "
            "Throttled without letting a stranger lock the owner out: each address has a short window of tries "
            f"(429 `throttled`); {spelled(settings.AXES_FAILURE_LIMIT)} failures lock that address out for that "
            "e-mail for a while (429 `locked_out`); and an account's failures from all addresses together are "
            f"bounded per {per(ACCOUNT_FAILURE_WINDOW)}, past which only addresses that have signed in to it before "
            "may try (429 `throttled`) and the owner is told by e-mail. Each 429 carries `Retry-After`. A therapist "
            "who turned on two-step sign-in (in the dashboard) sends `code` as well: without it the right "
            "password answers 401 `code_required`; a wrong or used code answers 401 `wrong_code` and "
            "counts towards the lockout.",
            responses={200: TokenPairSerializer, 401: ErrorBodySerializer},
            tags=["auth"],
        )
    ),
    error_codes={"401": ["no_active_account", "code_required", "wrong_code"], "429": ["throttled", "locked_out"]},
)

refresh = documented(
    extend_schema_view(
        post=extend_schema(
            operation_id="refreshToken",
            summary="Refresh the tokens",
            description="Trades a refresh token for a new access and refresh token. The refresh token sent "
            "stops working at once: a second use answers 401 `token_not_valid`, so keep the new one.",
            tags=["auth"],
            responses={200: TokenPairSerializer, 401: ErrorBodySerializer},
        )
    ),
    error_codes={"401": ["token_not_valid", "no_active_account"]},
)

logout = documented(
    extend_validation_errors(["token_not_valid"], field_name="refresh", methods=["post"]),
    extend_schema_view(
        post=extend_schema(
            operation_id="logout",
            summary="Log out",
            description="Ends the session of this refresh token: it no longer works. Access tokens already "
            f"handed out run until they expire ({ACCESS_LIFETIME}); forget them on the device.",
            request=LogoutSerializer,
            responses={204: None},
            tags=["auth"],
        )
    ),
)

me = documented(
    extend_validation_errors(
        ["wrong_password", "required", "blank", "null", "invalid", "max_length"],
        field_name="password",
        methods=["delete"],
    ),
    extend_schema_view(
        get=extend_schema(
            operation_id="getMe",
            summary="Who am I",
            description="The signed-in user's profile.",
        ),
        patch=extend_schema(
            operation_id="updateMe",
            summary="Change my profile",
            description="Changes the display name or the time zone. A new zone moves the user's local days "
            "and weeks from now on, and re-plans their reminders.",
        ),
        delete=extend_schema(
            operation_id="eraseAccount",
            summary="Erase my account",
            description="Erases the account and everything the user wrote, at once and for good; asks for the "
            "password again (`wrong_password`). A wrong password counts as a failed log-in, toward the same "
            "limits: while they hold the caller back (429 `throttled` or `locked_out`, with `Retry-After`) even "
            "the right password erases nothing. A therapist's erasure ends their links and leaves their "
            "patients' journals whole. Fetch `exportAccount` first to keep a copy.",
            request=PasswordSerializer,
            responses={204: None, 429: ErrorBodySerializer},
        ),
    ),
    extend_schema(tags=["me"]),
    error_codes={"429": ["throttled", "locked_out"]},  # the erasure's, as a log-in's
    delete_takes_body=True,
)


class ExportSchema(AutoSchema):
    def get_response_serializers(self) -> Any:
        # Sections register when their apps are ready, after this module is imported.
        return {200: export.document_serializer()}


export_account = documented(
    extend_schema_view(
        get=extend_schema(
            operation_id="exportAccount",
            summary="Download all my data",
            description="Every record of the user as one JSON document, sent as a file download "
            "(`Content-Disposition: attachment`): profile, care links, invites, commitments and every "
            "kind of entry, and each further section the server keeps about the user.",
            parameters=[
                OpenApiParameter(
                    "Content-Disposition",
                    OpenApiTypes.STR,
                    OpenApiParameter.HEADER,
                    response=[200],
                    required=True,
                    description='`attachment; filename="good-enough-export-YYYYMMDD.json"`',
                )
            ],
            tags=["me"],
        )
    ),
    schema=ExportSchema(),
)

invite = documented(
    extend_schema_view(
        post=extend_schema(
            operation_id="createInvite",
            summary="Invite a patient",
            description=f"Therapists: a single-use code, valid {duration(INVITE_LIFETIME)}, for a patient to link "
            "with `acceptInvite`. The code is shown only in this answer.",
            request=InviteCreateSerializer,
            responses={201: InviteSerializer},
            tags=["care-links"],
        )
    ),
)

care_links = documented(
    extend_schema_view(
        list=extend_schema(
            operation_id="listCareLinks",
            summary="List my care links",
            description="The caller's links, as patient or as therapist, newest first; ended ones too "
            "(filter with `status`).",
        ),
        retrieve=extend_schema(
            operation_id="getCareLink", summary="Get a care link", description="One of the caller's links."
        ),
        create=extend_schema(
            operation_id="acceptInvite",
            summary="Link to a therapist",
            request=CareLinkAcceptSerializer,
            responses={201: CareLinkSerializer},
            description="Patients: accept a therapist's invite code, which links the two. A used, expired or "
            "unknown code answers 400 with `invite_used`, `invite_expired` or `invite_unknown`; a second "
            "link to the same therapist, `already_linked`.",
        ),
        partial_update=extend_schema(
            operation_id="updateCareLink",
            summary="Change what the therapist sees",
            request=CareLinkUpdateSerializer,
            description="Patients: `share_entries: false` hides every entry from the therapist at once; "
            "`true` shows those marked `shared` again.",
        ),
        destroy=extend_schema(
            operation_id="endCareLink",
            summary="End a care link",
            description="Either side ends the link (`status: ended`); the therapist loses access at once. "
            "Ending an ended link changes nothing.",
        ),
    ),
    extend_validation_errors(["link_ended"], field_name="share_entries", actions=["partial_update"]),
    extend_validation_errors(
        [problem.value for problem in Invite.Problem] + ["already_linked"], field_name="code", actions=["create"]
    ),
    extend_schema(tags=["care-links"]),
)
