from __future__ import annotations

import json
from typing import Any, cast

from axes.handlers.proxy import AxesProxyHandler
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.http import HttpResponse
from django.utils import timezone
from django_filters import rest_framework as filters
from rest_framework import exceptions, generics, serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer
from rest_framework.views import APIView
from rest_framework_simplejwt.exceptions import InvalidToken, TokenError
from rest_framework_simplejwt.views import TokenObtainPairView, TokenRefreshView

from accounts import export, schema, selectors, services, tokens
from accounts.auth import (
    LOGIN_SCOPE,
    LOGIN_THROTTLES,
    PASSWORD_RESET_SCOPE,
    PASSWORD_RESET_THROTTLES,
    REGISTER_THROTTLES,
    AuthAddressThrottle,
    LockedOut,
    login_try_refused,
)
from accounts.cookies import REFRESH_COOKIE, refresh_cookie_clear, refresh_cookie_set
from accounts.models import CareLink, User
from accounts.permissions import IsPatient, IsTherapist, SameOriginOnly, signed_in_user
from accounts.serializers import (
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
    RefreshSerializer,
    RegisterSerializer,
    TokenSerializer,
    UserSerializer,
)
from accounts.tasks import password_reset_mail
from core import filters as core_filters
from core.versioning import VersionedModelViewSet


@schema.register
class RegisterView(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes = REGISTER_THROTTLES
    throttle_scope = "register"

    def post(self, request: Request) -> Response:
        serializer = RegisterSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = services.user_register(now=timezone.now(), **serializer.validated_data)
        return Response(UserSerializer(user).data, status=status.HTTP_201_CREATED)


@schema.login
class TokenView(TokenObtainPairView):
    """Log in with e-mail and password.

    django-axes refuses an address+e-mail after repeated failures; that refusal leaves as a
    429 with ``Retry-After`` (code ``locked_out``), like the throttle, not as a bad password.
    """

    serializer_class = TokenSerializer
    throttle_classes = LOGIN_THROTTLES
    throttle_scope = LOGIN_SCOPE

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


@schema.refresh
class RefreshView(TokenRefreshView):
    """Trade a refresh token for a new pair; the old refresh token is blacklisted at once."""

    serializer_class = RefreshSerializer


@schema.logout
class LogoutView(APIView):
    def post(self, request: Request) -> Response:
        serializer = LogoutSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        tokens.refresh_token_revoke(user=signed_in_user(request), token=serializer.validated_data["refresh"])
        return Response(status=status.HTTP_204_NO_CONTENT)


class RefreshCookieMissing(exceptions.AuthenticationFailed):
    default_detail = "No refresh cookie came with this request: sign in again."
    default_code = "refresh_cookie_missing"


@schema.web_login
class WebTokenView(TokenView):
    """The bearer log-in, every rule of it (throttles, lockout, second factor), with the refresh
    token moved from the body into the HttpOnly cookie (accounts/cookies.py)."""

    permission_classes = [SameOriginOnly]  # type: ignore[assignment]  # simplejwt's stub types it as empty

    def post(self, request: Request, *args, **kwargs) -> Response:
        response = super().post(request, *args, **kwargs)
        refresh_cookie_set(response, token=response.data.pop("refresh"))
        return response


@schema.web_refresh
class WebRefreshView(RefreshView):
    """The bearer refresh (rotation, blacklisting, its locks), reading the token from the cookie;
    a 401 also clears the cookie, which no longer works, except for a token already traded."""

    permission_classes = [SameOriginOnly]  # type: ignore[assignment]  # as WebTokenView's

    def post(self, request: Request, *args, **kwargs) -> Response:
        NoFieldsSerializer(data=request.data).is_valid(raise_exception=True)
        token = request.COOKIES.get(REFRESH_COOKIE)
        if not token:
            raise RefreshCookieMissing()
        serializer = self.get_serializer(data={"refresh": token})
        try:
            serializer.is_valid(raise_exception=True)
        except TokenError as error:
            # A genuine token already traded is most likely a twin request (two tabs waking at
            # once) whose sibling has just set the next cookie: refuse it, but clear nothing.
            self.keep_cookie = tokens.refresh_token_spent(token)
            raise InvalidToken(error.args[0]) from error
        tokens_issued = serializer.validated_data
        response = Response({"access": tokens_issued["access"]}, status=status.HTTP_200_OK)
        refresh_cookie_set(response, token=tokens_issued["refresh"])
        return response

    keep_cookie = False

    def handle_exception(self, exc: Exception) -> Response:
        response = super().handle_exception(exc)
        if response.status_code == status.HTTP_401_UNAUTHORIZED and not self.keep_cookie:
            refresh_cookie_clear(response)
        return response


@schema.web_logout
class WebLogoutView(APIView):
    """Ends the cookie's refresh token. The cookie is the proof, so no access token is asked
    for (it may have run out while the tab slept); with no cookie, or one that no longer
    works, there is nothing to end and the answer is the same."""

    authentication_classes: list = []
    permission_classes = [SameOriginOnly]

    def post(self, request: Request) -> Response:
        NoFieldsSerializer(data=request.data).is_valid(raise_exception=True)
        if token := request.COOKIES.get(REFRESH_COOKIE):
            tokens.refresh_token_end(token=token)
        response = Response(status=status.HTTP_204_NO_CONTENT)
        refresh_cookie_clear(response)
        return response


@schema.me
class MeView(generics.RetrieveUpdateAPIView):
    serializer_class = UserSerializer
    http_method_names = ["get", "patch", "delete", "head", "options"]

    def get_object(self) -> User:
        return signed_in_user(self.request)

    def perform_update(self, serializer: BaseSerializer[User]) -> None:
        services.user_update(user=signed_in_user(self.request), now=timezone.now(), **serializer.validated_data)

    def delete(self, request: Request) -> Response:
        password_tried(request, PasswordSerializer, field="password")
        services.user_erase(user=signed_in_user(request), now=timezone.now())
        return Response(status=status.HTTP_204_NO_CONTENT)


def password_tried(
    request: Request, serializer_class: type[serializers.Serializer], *, field: str
) -> serializers.Serializer:
    """Validate a body that asks for the account's password again in ``field`` (to erase the
    account, to change the password). That password is guessed as a log-in's is (with a stolen
    token, say): a wrong one counts as a failed log-in, toward the same limits, and while they
    hold this caller back even the right one is refused."""
    user = signed_in_user(request)
    credentials = {"email": user.email}
    refused = login_try_refused(request, email=user.email, now=timezone.now())
    if refused is not None:
        raise exceptions.Throttled(wait=refused.wait)
    if AxesProxyHandler.is_locked(request, credentials):
        raise LockedOut()
    serializer = serializer_class(data=request.data, context={"request": request})
    if not serializer.is_valid():
        if any(error.code == "wrong_password" for error in serializer.errors.get(field, [])):
            # A failed log-in for django-axes and for the account's bound alike.
            user_login_failed.send(sender=__name__, credentials=credentials, request=request)
            if getattr(request, "axes_locked_out", False):
                raise LockedOut()
        raise exceptions.ValidationError(serializer.errors)
    return serializer


@schema.password_change
class PasswordChangeView(APIView):
    def post(self, request: Request) -> Response:
        serializer = password_tried(request, PasswordChangeSerializer, field="current_password")
        services.password_change(
            user=signed_in_user(request),
            new_password=serializer.validated_data["new_password"],
            keep_refresh=tokens.refresh_jti_of(request.auth),
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


@schema.password_reset
class PasswordResetView(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes = PASSWORD_RESET_THROTTLES
    throttle_scope = PASSWORD_RESET_SCOPE

    def post(self, request: Request) -> Response:
        serializer = PasswordResetSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        # Whatever the address: the worker looks it up (accounts/tasks.py says why).
        password_reset_mail.delay(serializer.validated_data["email"])
        return Response(status=status.HTTP_202_ACCEPTED)


@schema.password_reset_confirm
class PasswordResetConfirmView(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes = [AuthAddressThrottle]
    throttle_scope = "password_reset_confirm"

    def post(self, request: Request) -> Response:
        serializer = PasswordResetConfirmSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.password_reset_confirm(**serializer.validated_data)
        return Response(status=status.HTTP_204_NO_CONTENT)


@schema.logout_everywhere
class LogoutEverywhereView(APIView):
    def post(self, request: Request) -> Response:
        serializer = NoFieldsSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.user_sign_out_everywhere(user=signed_in_user(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


@schema.export_account
class ExportView(APIView):
    def get(self, request: Request) -> HttpResponse:
        now = timezone.now()
        document = export.document(signed_in_user(request), now=now)
        response = HttpResponse(
            json.dumps(document, indent=2, default=str), content_type="application/json; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="good-enough-export-{now:%Y%m%d}.json"'
        return response


@schema.invite
class InviteView(APIView):
    permission_classes = [IsTherapist]

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


@schema.care_links
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
