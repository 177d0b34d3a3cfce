from __future__ import annotations

import json
from typing import Any, cast

from axes.handlers.proxy import AxesProxyHandler
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.http import HttpResponse
from django.utils import timezone
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from drf_standardized_errors.openapi_validation_errors import extend_validation_errors
from rest_framework import exceptions, generics, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer
from rest_framework.views import APIView
from rest_framework_simplejwt.views import TokenObtainPairView, TokenRefreshView

from accounts import export, selectors, services, tokens
from accounts.auth import LOGIN_SCOPE, LOGIN_THROTTLES, REGISTER_THROTTLES, LockedOut, login_try_refused
from accounts.models import CareLink, Invite, User
from accounts.permissions import IsPatient, IsTherapist, signed_in_user
from accounts.serializers import (
    CareLinkAcceptSerializer,
    CareLinkSerializer,
    CareLinkUpdateSerializer,
    InviteCreateSerializer,
    InviteSerializer,
    LogoutSerializer,
    PasswordSerializer,
    RefreshSerializer,
    RegisterSerializer,
    TokenPairSerializer,
    TokenSerializer,
    UserSerializer,
)
from core import filters as core_filters
from core.openapi import AutoSchema, ErrorBodySerializer
from core.versioning import VersionedModelViewSet


@extend_validation_errors(["email_taken"], field_name="email", methods=["post"])
@extend_validation_errors(
    ["password_too_short", "password_too_common", "password_entirely_numeric", "password_too_similar"],
    field_name="password",
    methods=["post"],
)
class RegisterView(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes = REGISTER_THROTTLES
    throttle_scope = "register"

    @extend_schema(
        operation_id="register",
        summary="Create an account",
        description="Creates a patient or therapist account and answers with the user (never the password). "
        "The e-mail is unique ignoring case (`email_taken`); the password must pass the server's validators. "
        "Then log in with `login`. Throttled per address and per e-mail.",
        request=RegisterSerializer,
        responses={201: UserSerializer},
        tags=["auth"],
    )
    def post(self, request: Request) -> Response:
        serializer = RegisterSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = services.user_register(now=timezone.now(), **serializer.validated_data)
        return Response(UserSerializer(user).data, status=status.HTTP_201_CREATED)


class TokenView(TokenObtainPairView):
    """Log in with e-mail and password.

    django-axes refuses an address+e-mail after repeated failures; that refusal leaves as a
    429 with ``Retry-After`` (code ``locked_out``), like the throttle, not as a bad password.
    """

    serializer_class = TokenSerializer
    throttle_classes = LOGIN_THROTTLES
    throttle_scope = LOGIN_SCOPE
    error_codes = {"401": ["no_active_account", "code_required", "wrong_code"], "429": ["throttled", "locked_out"]}

    @extend_schema(
        operation_id="login",
        summary="Log in",
        description="Trades e-mail and password for an access token (15 minutes) and a refresh token "
        "(30 days). Wrong credentials answer 401 `no_active_account`. Throttled without letting a stranger "
        "lock the owner out: each address has a short window of tries (429 `throttled`); five failures lock "
        "that address out for that e-mail for a while (429 `locked_out`); and an account's failures from all "
        "addresses together are bounded per hour, past which only addresses that have signed in to it before "
        "may try (429 `throttled`) and the owner is told by e-mail. Each 429 carries `Retry-After`. A therapist who "
        "turned on two-step sign-in (in the dashboard) sends `code` as well: without it the right "
        "password answers 401 `code_required`; a wrong or used code answers 401 `wrong_code` and "
        "counts towards the lockout.",
        responses={200: TokenPairSerializer, 401: ErrorBodySerializer},
        tags=["auth"],
    )
    def post(self, request: Request, *args, **kwargs) -> Response:
        serializer = cast(TokenSerializer, self.get_serializer(data=request.data))
        try:
            serializer.is_valid(raise_exception=True)
        except exceptions.AuthenticationFailed as refused:
            if refused.get_codes() == "wrong_code":
                # A wrong second-factor code counts as a failed log-in, as in the dashboard:
                # five lock the address and e-mail out, whichever door they were tried at.
                credentials = {"email": serializer.initial_data.get("email")}
                user_login_failed.send(sender=__name__, credentials=credentials, request=request)
            if getattr(request, "axes_locked_out", False):
                raise LockedOut() from None
            raise
        # simplejwt does not call login(); the signal lets django-axes reset the failure count
        # and Django record last_login.
        user_logged_in.send(sender=User, request=request, user=serializer.user)
        return Response(serializer.validated_data, status=status.HTTP_200_OK)


@extend_schema_view(
    post=extend_schema(
        operation_id="refreshToken",
        summary="Refresh the tokens",
        description="Trades a refresh token for a new access and refresh token. The refresh token sent "
        "stops working at once: a second use answers 401 `token_not_valid`, so keep the new one.",
        tags=["auth"],
        responses={200: TokenPairSerializer, 401: ErrorBodySerializer},
    )
)
class RefreshView(TokenRefreshView):
    """Trade a refresh token for a new pair; the old refresh token is blacklisted at once."""

    serializer_class = RefreshSerializer
    error_codes = {"401": ["token_not_valid", "no_active_account"]}


@extend_validation_errors(["token_not_valid"], field_name="refresh", methods=["post"])
class LogoutView(APIView):
    @extend_schema(
        operation_id="logout",
        summary="Log out",
        description="Ends the session of this refresh token: it no longer works. Access tokens already "
        "handed out run until they expire (15 minutes); forget them on the device.",
        request=LogoutSerializer,
        responses={204: None},
        tags=["auth"],
    )
    def post(self, request: Request) -> Response:
        serializer = LogoutSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        tokens.refresh_token_revoke(user=signed_in_user(request), token=serializer.validated_data["refresh"])
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_validation_errors(
    ["wrong_password", "required", "blank", "null", "invalid", "max_length"], field_name="password", methods=["delete"]
)
@extend_schema_view(
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
)
@extend_schema(tags=["me"])
class MeView(generics.RetrieveUpdateAPIView):
    serializer_class = UserSerializer
    error_codes = {"429": ["throttled", "locked_out"]}  # the erasure's, as a log-in's
    http_method_names = ["get", "patch", "delete", "head", "options"]
    delete_takes_body = True

    def get_object(self) -> User:
        return signed_in_user(self.request)

    def perform_update(self, serializer: BaseSerializer[User]) -> None:
        services.user_update(user=signed_in_user(self.request), now=timezone.now(), **serializer.validated_data)

    @extend_schema(
        operation_id="eraseAccount",
        summary="Erase my account",
        description="Erases the account and everything the user wrote, at once and for good; asks for the "
        "password again (`wrong_password`). A wrong password counts as a failed log-in, toward the same "
        "limits: while they hold the caller back (429 `throttled` or `locked_out`, with `Retry-After`) even "
        "the right password erases nothing. A therapist's erasure ends their links and leaves their "
        "patients' journals whole. Fetch `exportAccount` first to keep a copy.",
        request=PasswordSerializer,
        responses={204: None, 429: ErrorBodySerializer},
    )
    def delete(self, request: Request) -> Response:
        user = signed_in_user(request)
        credentials = {"email": user.email}
        # The erasure's password is guessed as a log-in's is (with a stolen token, say): it is
        # refused, right or wrong, while the log-in limits hold this caller back.
        refused = login_try_refused(request, email=user.email, now=timezone.now())
        if refused is not None:
            raise exceptions.Throttled(wait=refused.wait)
        if AxesProxyHandler.is_locked(request, credentials):
            raise LockedOut()
        serializer = PasswordSerializer(data=request.data, context={"request": request})
        if not serializer.is_valid():
            if any(error.code == "wrong_password" for error in serializer.errors.get("password", [])):
                # A failed log-in for django-axes and for the account's bound alike.
                user_login_failed.send(sender=__name__, credentials=credentials, request=request)
                if getattr(request, "axes_locked_out", False):
                    raise LockedOut()
            raise exceptions.ValidationError(serializer.errors)
        services.user_erase(user=user, now=timezone.now())
        return Response(status=status.HTTP_204_NO_CONTENT)


class ExportSchema(AutoSchema):
    def get_response_serializers(self) -> Any:
        # Sections register when their apps are ready, after this module is imported.
        return {200: export.document_serializer()}


class ExportView(APIView):
    schema = ExportSchema()

    @extend_schema(
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
    def get(self, request: Request) -> HttpResponse:
        now = timezone.now()
        document = export.document(signed_in_user(request), now=now)
        response = HttpResponse(
            json.dumps(document, indent=2, default=str), content_type="application/json; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="good-enough-export-{now:%Y%m%d}.json"'
        return response


class InviteView(APIView):
    permission_classes = [IsTherapist]

    @extend_schema(
        operation_id="createInvite",
        summary="Invite a patient",
        description="Therapists: a single-use code, valid 7 days, for a patient to link with `acceptInvite`. "
        "The code is shown only in this answer.",
        request=InviteCreateSerializer,
        responses={201: InviteSerializer},
        tags=["care-links"],
    )
    def post(self, request: Request) -> Response:
        serializer = InviteCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        invite, code = services.invite_create(
            therapist=signed_in_user(request), note=serializer.validated_data.get("note", ""), now=timezone.now()
        )
        return Response(InviteSerializer({"code": code, "expires_at": invite.expires_at}).data, status=201)


class CareLinkFilter(core_filters.FilterSet):
    status = filters.ChoiceFilter(choices=CareLink.Status.choices)

    class Meta:
        model = CareLink
        fields = ["status"]


@extend_schema_view(
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
)
@extend_validation_errors(["link_ended"], field_name="share_entries", actions=["partial_update"])
@extend_validation_errors(
    [problem.value for problem in Invite.Problem] + ["already_linked"], field_name="code", actions=["create"]
)
@extend_schema(tags=["care-links"])
class CareLinkViewSet(VersionedModelViewSet):
    queryset = CareLink.objects.none()  # the model, for the schema; get_queryset() is what runs
    serializer_class = CareLinkSerializer
    filterset_class = CareLinkFilter
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_serializer_context(self) -> dict[str, Any]:
        user = self.request.user  # a schema generator's request has nobody signed in
        return {**super().get_serializer_context(), "viewer": user if user.is_authenticated else None}

    def get_queryset(self):
        return selectors.care_links_of(signed_in_user(self.request))

    def get_permissions(self):
        if self.action in {"create", "partial_update"}:
            return [IsPatient()]
        return super().get_permissions()

    def create(self, request: Request, *args, **kwargs) -> Response:
        serializer = CareLinkAcceptSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        link = services.care_link_accept(
            patient=signed_in_user(request), now=timezone.now(), **serializer.validated_data
        )
        return Response(self.get_serializer(link).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args, **kwargs) -> Response:
        link = self.get_object()
        serializer = CareLinkUpdateSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        if serializer.validated_data:  # a PATCH that names nothing changes nothing
            link = services.care_link_update(link=link, **serializer.validated_data)
        return Response(self.get_serializer(link).data)

    def perform_destroy(self, instance: CareLink) -> None:
        services.care_link_end(link=instance, now=timezone.now())
