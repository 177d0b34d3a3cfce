from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from drf_standardized_errors.openapi_validation_errors import extend_validation_errors
from rest_framework import generics, mixins, serializers, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.permissions import IsPatient, signed_in_user
from core import filters as core_filters
from core.openapi import ErrorBodySerializer
from core.pagination import CursorPagination
from core.versioning import UUID_PATTERN, VersionedModelViewSet, VersionedObjectMixin, if_match
from reminders import selectors, services
from reminders.models import MAX_DEVICES, Delivery, Device, Reminder, ReminderSettings
from reminders.serializers import (
    DeliverySerializer,
    DeviceSerializer,
    ReminderCreateSerializer,
    ReminderSerializer,
    ReminderSettingsSerializer,
    ReminderUpdateSerializer,
)

SCHEDULE_WRITES = ["create", "partial_update"]


@extend_schema_view(
    list=extend_schema(
        operation_id="listReminders",
        summary="List my reminders",
        description="The patient's reminders, newest first, the ones the server made for planned "
        "experiments included. `next_fire_at` is when each fires next, in UTC.",
    ),
    create=extend_schema(
        operation_id="createReminder",
        summary="Set up a reminder",
        description="A gentle nudge at `local_time` (HH:MM on the patient's own clock, in their zone) on "
        "each of `weekdays` (ISO, 1 = Monday). `kind` is `reflection_daily`, `pride_weekly` or `custom`; "
        "`commitment`, if given, is one of the patient's own. The answer's `next_fire_at` is the first "
        "time it fires, in UTC.",
        request=ReminderCreateSerializer,
        responses={201: ReminderSerializer},
    ),
    retrieve=extend_schema(
        operation_id="getReminder", summary="Get a reminder", description="One of the patient's reminders."
    ),
    partial_update=extend_schema(
        operation_id="updateReminder",
        summary="Change a reminder",
        description="Changes the time, the days, the commitment, or switches it off (`enabled: false`) "
        "and on. A new time, new days or switching it on plans `next_fire_at` again from now. The kind "
        "stays what it was made as.",
        request=ReminderUpdateSerializer,
        responses={200: ReminderSerializer},
    ),
    destroy=extend_schema(
        operation_id="deleteReminder",
        summary="Delete a reminder",
        description="Deletes the reminder and its delivery history; nothing more is sent for it.",
    ),
)
@extend_validation_errors(["invalid_time"], field_name="local_time", actions=SCHEDULE_WRITES)
@extend_validation_errors(["item_invalid", "item_repeated"], field_name="weekdays", actions=SCHEDULE_WRITES)
@extend_validation_errors(
    ["invalid", "does_not_exist", "incorrect_type", "null"], field_name="commitment", actions=SCHEDULE_WRITES
)
@extend_schema(tags=["reminders"])
class ReminderViewSet(VersionedModelViewSet):
    permission_classes = [IsPatient]
    queryset = Reminder.objects.none()
    serializer_class = ReminderSerializer
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self) -> QuerySet[Reminder]:
        return selectors.reminders_of(patient=signed_in_user(self.request))

    def get_serializer_class(self) -> type[serializers.BaseSerializer[Any]]:
        if self.action == "create":
            return ReminderCreateSerializer
        if self.action == "partial_update":
            return ReminderUpdateSerializer
        return ReminderSerializer

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        reminder = services.reminder_create(
            patient=signed_in_user(request), now=timezone.now(), **serializer.validated_data
        )
        return Response(ReminderSerializer(reminder).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        reminder = self.get_object()  # 404 for another patient's id; 412 on a stale If-Match
        serializer = self.get_serializer(reminder, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        if serializer.validated_data:  # a PATCH that names nothing changes nothing
            reminder.patient = signed_in_user(request)  # the same row: its zone without a query
            reminder = services.reminder_update(reminder=reminder, now=timezone.now(), **serializer.validated_data)
        return Response(ReminderSerializer(reminder).data)

    def perform_destroy(self, instance: Reminder) -> None:
        services.reminder_delete(reminder=instance)


IF_MATCH = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description='The `ETag` of the version the client read, e.g. `"3"` (`"0"` for defaults never saved). If '
    "the settings changed since, the write answers 412 and changes nothing. Without it the write goes through.",
)


@extend_validation_errors(
    ["invalid_time", "quiet_hours_incomplete", "quiet_hours_empty"], field_name="quiet_end", methods=["put"]
)
@extend_validation_errors(["invalid_time", "quiet_hours_incomplete"], field_name="quiet_start", methods=["put"])
@extend_validation_errors(["item_invalid", "item_repeated"], field_name="channels", methods=["put"])
class ReminderSettingsView(VersionedObjectMixin, generics.GenericAPIView[Any]):
    """One object per patient, at a fixed address: the defaults until the patient saves their own."""

    permission_classes = [IsPatient]
    serializer_class = ReminderSettingsSerializer
    pagination_class = None

    def get_object(self) -> ReminderSettings:
        # DRF's OPTIONS asks for the object too; the If-Match check is the service's (it may create).
        return selectors.settings_of(patient=signed_in_user(self.request))

    @extend_schema(
        operation_id="getReminderSettings",
        summary="Get my reminder settings",
        description="Quiet hours, a pause and the channels reminders go to. A patient who never saved "
        "any gets the defaults (push, nothing quiet, not paused) at `version` 0.",
        tags=["reminders"],
    )
    def get(self, request: Request) -> Response:
        return Response(ReminderSettingsSerializer(self.get_object()).data)

    @extend_schema(
        operation_id="replaceReminderSettings",
        summary="Save my reminder settings",
        description="Replaces the settings whole: a field left out takes its default. Quiet hours "
        "(`quiet_start`, `quiet_end`, local HH:MM; 22:00 to 07:00 spans midnight) come both or neither "
        "(`quiet_hours_incomplete`) and may not start and end at the same minute (`quiet_hours_empty`). "
        "While `paused_until` (a local day, inclusive) lasts, nothing is sent.",
        parameters=[IF_MATCH],
        responses={200: ReminderSettingsSerializer, 412: ErrorBodySerializer},
        tags=["reminders"],
    )
    def put(self, request: Request) -> Response:
        serializer = ReminderSettingsSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        saved = services.settings_put(
            patient=signed_in_user(request), now=timezone.now(), if_match=if_match(request), **serializer.validated_data
        )
        return Response(ReminderSettingsSerializer(saved).data)


@extend_schema_view(
    list=extend_schema(
        operation_id="listDevices",
        summary="List my devices",
        description="The devices registered for the caller's push reminders, newest first. `active` turns "
        "false when the push service says the app was uninstalled; registering again turns it back on. "
        "Tokens are never sent back.",
    ),
    create=extend_schema(
        operation_id="registerDevice",
        summary="Register a device for push",
        description="Call at every app start and whenever the push token changes. The same token again is "
        "the same device (200, active again); a new one is 201. A token last registered while someone "
        "else was signed in on the device moves to the caller, and the other person's reminders stop "
        "going there. For `web`, `token` is the Push API subscription as JSON (`invalid_subscription` "
        "otherwise), whose endpoint must be on a known push service's host (`push_service_not_allowed` "
        "otherwise: Firebase, Mozilla, Apple or Windows push, or the hosts the operator lists). "
        f"A user holds at most {MAX_DEVICES} devices: a new one beyond that replaces the one "
        "the push service called unregistered, else the one registered longest ago.",
        responses={200: DeviceSerializer, 201: DeviceSerializer},
    ),
    destroy=extend_schema(
        operation_id="deleteDevice",
        summary="Forget a device",
        description="Stops push reminders to this device, e.g. when the user signs out of the app there.",
    ),
)
@extend_validation_errors(["invalid_subscription", "push_service_not_allowed"], field_name="token", actions=["create"])
@extend_schema(tags=["reminders"])
class DeviceViewSet(mixins.ListModelMixin, mixins.CreateModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet):
    lookup_value_regex = UUID_PATTERN
    queryset = Device.objects.none()
    serializer_class = DeviceSerializer

    def get_queryset(self) -> QuerySet[Device]:
        return selectors.devices_of(user=signed_in_user(self.request))

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        device, created = services.device_register(
            user=signed_in_user(request), now=timezone.now(), **serializer.validated_data
        )
        return Response(DeviceSerializer(device).data, status=201 if created else 200)

    def perform_destroy(self, instance: Device) -> None:
        services.device_delete(device=instance)


class DeliveryFilter(core_filters.FilterSet):
    status = filters.ChoiceFilter(choices=Delivery.Status.choices)

    class Meta:
        model = Delivery
        fields = ["status"]


class NewestSlotFirst(CursorPagination):
    ordering = ("-slot_at", "-id")


@extend_schema_view(
    get=extend_schema(
        operation_id="listDeliveries",
        summary="What my reminders did",
        description="One row per slot a reminder reached, newest slot first: `sent`, or why not "
        "(`skipped_done`: already practised; `skipped_paused`; `skipped_quiet`: in quiet hours; `missed`: "
        "the server was down for over two hours; `failed` after retries). `pending` while being sent. "
        "`status` narrows to one.",
        tags=["reminders"],
    )
)
class DeliveryListView(generics.ListAPIView[Delivery]):
    permission_classes = [IsPatient]
    serializer_class = DeliverySerializer
    filterset_class = DeliveryFilter
    pagination_class = NewestSlotFirst
    queryset = Delivery.objects.none()

    def get_queryset(self) -> QuerySet[Delivery]:
        return selectors.deliveries_of(patient=signed_in_user(self.request))
