from __future__ import annotations

import json
from typing import Any, cast

from django.contrib.auth.signals import user_logged_in
from django.http import HttpResponse
from django.utils import timezone
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from drf_standardized_errors.openapi_validation_errors import extend_validation_errors
from rest_framework import exceptions, generics, mixins, status, viewsets
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer
from rest_framework.views import APIView
from rest_framework_simplejwt.views import TokenObtainPairView, TokenRefreshView

from accounts import export, selectors, services, tokens
from accounts.auth import AUTH_THROTTLES, LockedOut
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
from core.openapi import ErrorResponse401Serializer
from core.versioning import UUID_PATTERN, VersionedObjectMixin


@extend_validation_errors(["email_taken"], field_name="email", methods=["post"])
@extend_validation_errors(
    ["password_too_short", "password_too_common", "password_entirely_numeric", "password_too_similar"],
    field_name="password",
    methods=["post"],
)
class RegisterView(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes = AUTH_THROTTLES
    throttle_scope = "register"

    @extend_schema(request=RegisterSerializer, responses={201: UserSerializer}, tags=["auth"])
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
    throttle_classes = AUTH_THROTTLES
    throttle_scope = "login"

    @extend_schema(responses={200: TokenPairSerializer, 401: ErrorResponse401Serializer}, tags=["auth"])
    def post(self, request: Request, *args, **kwargs) -> Response:
        serializer = cast(TokenSerializer, self.get_serializer(data=request.data))
        try:
            serializer.is_valid(raise_exception=True)
        except exceptions.AuthenticationFailed:
            if getattr(request, "axes_locked_out", False):
                raise LockedOut() from None
            raise
        # simplejwt does not call login(); the signal lets django-axes reset the failure count
        # and Django record last_login.
        user_logged_in.send(sender=User, request=request, user=serializer.user)
        return Response(serializer.validated_data, status=status.HTTP_200_OK)


@extend_schema(tags=["auth"], responses={200: TokenPairSerializer, 401: ErrorResponse401Serializer})
class RefreshView(TokenRefreshView):
    """Trade a refresh token for a new pair; the old refresh token is blacklisted at once."""

    serializer_class = RefreshSerializer


@extend_validation_errors(["token_not_valid"], field_name="refresh", methods=["post"])
class LogoutView(APIView):
    @extend_schema(request=LogoutSerializer, responses={204: None}, tags=["auth"])
    def post(self, request: Request) -> Response:
        serializer = LogoutSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        tokens.refresh_token_revoke(user=signed_in_user(request), token=serializer.validated_data["refresh"])
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_validation_errors(
    ["wrong_password", "required", "blank", "null", "invalid", "max_length"], field_name="password", methods=["delete"]
)
class MeView(generics.RetrieveUpdateAPIView):
    serializer_class = UserSerializer
    http_method_names = ["get", "patch", "delete", "head", "options"]

    def get_object(self) -> User:
        return signed_in_user(self.request)

    def perform_update(self, serializer: BaseSerializer[User]) -> None:
        services.user_update(user=signed_in_user(self.request), now=timezone.now(), **serializer.validated_data)

    @extend_schema(
        request=PasswordSerializer,
        responses={204: None},
        description="Erases the account and everything the user wrote. Asks for the password again.",
    )
    def delete(self, request: Request) -> Response:
        serializer = PasswordSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        services.user_erase(user=signed_in_user(request), now=timezone.now())
        return Response(status=status.HTTP_204_NO_CONTENT)


class ExportView(APIView):
    @extend_schema(
        responses={200: OpenApiResponse(description="Every record of the user as one JSON document.")},
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

    @extend_schema(request=InviteCreateSerializer, responses={201: InviteSerializer}, tags=["care links"])
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
    list=extend_schema(description="The caller's links, as patient or as therapist, newest first."),
    create=extend_schema(
        request=CareLinkAcceptSerializer,
        responses={201: CareLinkSerializer},
        description=(
            "A patient accepts a therapist's invite code. A used, expired or unknown code answers 400 "
            "with the error code `invite_used`, `invite_expired` or `invite_unknown`."
        ),
    ),
    partial_update=extend_schema(request=CareLinkUpdateSerializer, description="The patient changes sharing."),
    destroy=extend_schema(description="Either side ends the link; the therapist loses access at once."),
)
@extend_validation_errors(["link_ended"], field_name="share_entries", actions=["partial_update"])
@extend_validation_errors(
    [problem.value for problem in Invite.Problem] + ["already_linked"], field_name="code", actions=["create"]
)
@extend_schema(tags=["care links"])
class CareLinkViewSet(
    VersionedObjectMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    lookup_value_regex = UUID_PATTERN  # anything but a UUID cannot name an object: 404 before any query
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
