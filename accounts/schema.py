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
from accounts.cookies import REFRESH_COOKIE, REFRESH_COOKIE_PATH, refresh_cookie_lifetime
from accounts.models import INVITE_LIFETIME, Invite
from accounts.serializers import (
    AccessTokenSerializer,
    CareLinkAcceptSerializer,
    CareLinkSerializer,
    CareLinkUpdateSerializer,
    InviteCreateSerializer,
    InviteSerializer,
    LogoutSerializer,
    NoFieldsSerializer,
    PasswordChangeSerializer,
    PasswordResetConfirmSerializer,
    PasswordResetSerializer,
    PasswordSerializer,
    RegisterSerializer,
    TokenPairSerializer,
    UserSerializer,
)
from core.openapi import AutoSchema, ErrorBodySerializer, documented, duration, per, spelled

ACCESS_LIFETIME = duration(jwt_settings.ACCESS_TOKEN_LIFETIME)
#: Failed log-ins per account are counted over this window (``AUTH_ACCOUNT_FAILURE_RATE``).
ACCOUNT_FAILURE_WINDOW = timedelta(seconds=AccountFailureThrottle().window)

#: The codes of Django's password validators (``AUTH_PASSWORD_VALIDATORS``).
_VALIDATORS = ["password_too_short", "password_too_common", "password_entirely_numeric", "password_too_similar"]

register = documented(
    extend_validation_errors(["email_taken"], field_name="email", methods=["post"]),
    extend_validation_errors(_VALIDATORS, field_name="password", methods=["post"]),
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

RESET_LIFETIME = duration(timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT))

logout_everywhere = documented(
    extend_schema_view(
        post=extend_schema(
            operation_id="logoutEverywhere",
            summary="Log out everywhere",
            description="Every refresh token of the user stops working (this device's too) and every dashboard "
            "session ends: each device and browser must sign in again. Send `{}` or no body. Access tokens already "
            f"handed out run until they expire ({ACCESS_LIFETIME}).",
            request=NoFieldsSerializer,
            responses={204: None},
            tags=["auth"],
        )
    ),
)

password_change = documented(
    extend_validation_errors(["wrong_password"], field_name="current_password", methods=["post"]),
    extend_validation_errors(_VALIDATORS, field_name="new_password", methods=["post"]),
    extend_schema_view(
        post=extend_schema(
            operation_id="changePassword",
            summary="Change my password",
            description="Sets a new password; the current one is asked for (`wrong_password`), and the new one must "
            "pass the server's validators. Every other device signs in again: each refresh token but the one this "
            "request's access token came from stops working, and every dashboard session ends. A wrong current "
            "password counts as a failed log-in, toward the same limits: while they hold the caller back (429 "
            "`throttled` or `locked_out`, with `Retry-After`) even the right one changes nothing.",
            request=PasswordChangeSerializer,
            responses={204: None, 429: ErrorBodySerializer},
            tags=["auth"],
        )
    ),
    error_codes={"429": ["throttled", "locked_out"]},
)

password_reset = documented(
    extend_schema_view(
        post=extend_schema(
            operation_id="requestPasswordReset",
            summary="Ask for a password-reset e-mail",
            description="E-mails the account of `email` a link to set a new password: it opens the patient's app or "
            f"the dashboard, works once, and runs out after {RESET_LIFETIME}. The answer is 202 whether or not an "
            "account has that e-mail, and takes as long either way (a worker sends the mail). Throttled per "
            f"address, and per e-mail at {settings.PASSWORD_RESET_THROTTLE_RATE} (429 `throttled`, with "
            "`Retry-After`). Then `confirmPasswordReset` with the link's `uid` and `token`.",
            request=PasswordResetSerializer,
            responses={202: None, 429: ErrorBodySerializer},
            tags=["auth"],
        )
    ),
)

password_reset_confirm = documented(
    extend_validation_errors(["invalid_link"], field_name="token", methods=["post"]),
    extend_validation_errors(_VALIDATORS, field_name="new_password", methods=["post"]),
    extend_schema_view(
        post=extend_schema(
            operation_id="confirmPasswordReset",
            summary="Set a new password from a reset link",
            description="Sets the password of the account a reset link was sent to, from the link's `uid` and "
            "`token`. A link that was used, ran out, was never sent, or whose account signed in since it was sent "
            "answers 400 `invalid_link`. Afterwards the "
            "link, every refresh token and every dashboard session of the account stop working: sign in with the "
            "new password. Throttled per address.",
            request=PasswordResetConfirmSerializer,
            responses={204: None, 429: ErrorBodySerializer},
            tags=["auth"],
        )
    ),
)

# --- the patient's web app: the refresh token in a cookie (accounts/cookies.py) -------------

_COOKIE = (
    f"`{REFRESH_COOKIE}`, `HttpOnly`, `SameSite=Strict`, `Path={REFRESH_COOKIE_PATH}`, "
    f"`Max-Age` {duration(refresh_cookie_lifetime())} in seconds, and `Secure` (off only on a development server)"
)
_WHY = (
    "For the patient's web app (`/journal/`): no long-lived credential is readable by page script, so an "
    "injected script cannot carry the refresh token away. Keep the access token in memory only. Native apps "
    "use the bearer calls (`login`, `refreshToken`, `logout`) instead."
)
_CROSS_SITE = (
    "A request another site's page makes (`Sec-Fetch-Site: cross-site`, or an `Origin` that is not this host) "
    "answers 403 `cross_site` and changes nothing."
)


def _set_cookie(*statuses: int, clears: bool = False) -> OpenApiParameter:
    what = (
        f"Clears the cookie: `{REFRESH_COOKIE}` emptied and expired at once, the same path and flags."
        if clears
        else f"The refresh token, in the cookie: {_COOKIE}."
    )
    return OpenApiParameter(
        "Set-Cookie",
        OpenApiTypes.STR,
        OpenApiParameter.HEADER,
        response=list(statuses),
        required=True,
        description=what,
    )


web_login = documented(
    extend_schema_view(
        post=extend_schema(
            operation_id="webLogin",
            summary="Log in (web app)",
            description=f"{_WHY}\n\nAs `login`, with every one of its rules and the same limits (a lockout "
            "reached at either door holds at both), but the answer holds the access token "
            f"({ACCESS_LIFETIME}) only: the refresh token is set as the cookie {_COOKIE}. The browser sends it "
            "back to `webRefreshToken` and `webLogout` only. A refused log-in sets no cookie. "
            f"Wrong credentials answer 401 `no_active_account`; two-step sign-in 401 `code_required` / "
            f"`wrong_code`; too many tries 429 `throttled` / `locked_out` with `Retry-After`. {_CROSS_SITE}",
            responses={200: AccessTokenSerializer, 401: ErrorBodySerializer},
            parameters=[_set_cookie(200)],
            tags=["auth"],
        )
    ),
    error_codes={
        "401": ["no_active_account", "code_required", "wrong_code"],
        "403": ["cross_site"],
        "429": ["throttled", "locked_out"],
    },
)

web_refresh = documented(
    extend_schema_view(
        post=extend_schema(
            operation_id="webRefreshToken",
            summary="Refresh the access token (web app)",
            description=f"{_WHY}\n\nSend `{{}}` or no body: the refresh token comes from the cookie "
            f"`{REFRESH_COOKIE}` alone (one in the body is a 400 `unknown_field`). Answers a new access token and "
            "sets the cookie to a new refresh token; the one sent stops working at once, as with `refreshToken`. "
            f"Every 401 clears the cookie: no cookie (`refresh_cookie_missing`); one that is malformed, expired, "
            "already used or logged out (`token_not_valid`); one of an erased account (`no_active_account`). "
            f"Then sign in again with `webLogin`. {_CROSS_SITE}",
            request=NoFieldsSerializer,
            responses={200: AccessTokenSerializer, 401: ErrorBodySerializer},
            parameters=[_set_cookie(200), _set_cookie(401, clears=True)],
            tags=["auth"],
        )
    ),
    error_codes={"401": ["refresh_cookie_missing", "token_not_valid", "no_active_account"], "403": ["cross_site"]},
)

web_logout = documented(
    extend_schema_view(
        post=extend_schema(
            operation_id="webLogout",
            summary="Log out (web app)",
            description=f"{_WHY}\n\nSend `{{}}` or no body. Ends the refresh token in the cookie `{REFRESH_COOKIE}` "
            "(it no longer works anywhere) and clears the cookie. Needs no access token: the cookie is the proof, "
            "and the page's access token may have run out while the tab slept. Idempotent: with no cookie, or one "
            "that no longer works, the answer is the same 204. Access tokens already handed out run until they "
            f"expire ({ACCESS_LIFETIME}); drop the one in memory. {_CROSS_SITE}",
            request=NoFieldsSerializer,
            responses={204: None},
            parameters=[_set_cookie(204, clears=True)],
            tags=["auth"],
        )
    ),
    error_codes={"403": ["cross_site"]},
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
            description="Patients: accept a therapist's invite code, which links the two. A used, expired, "
            "cancelled or unknown code answers 400 with `invite_used`, `invite_expired`, `invite_cancelled` or "
            "`invite_unknown`; a second link to the same therapist, `already_linked`.",
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
