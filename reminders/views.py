from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django_filters import rest_framework as filters
from rest_framework import generics, mixins, serializers, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import IsPatient, signed_in_user
from core import filters as core_filters
from core.pagination import CursorPagination
from core.versioning import UUID_PATTERN, VersionedModelViewSet, VersionedObjectMixin, if_match
from reminders import channels, schema, selectors, services
from reminders.models import Delivery, Device, Reminder, ReminderSettings
from reminders.serializers import (
    DeliverySerializer,
    DeviceSerializer,
    ReminderCreateSerializer,
    ReminderSerializer,
    ReminderSettingsSerializer,
    ReminderUpdateSerializer,
    WebPushKeySerializer,
)


@schema.reminders
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


@schema.reminder_settings
class ReminderSettingsView(VersionedObjectMixin, generics.GenericAPIView[Any]):
    """One object per patient, at a fixed address: the defaults until the patient saves their own."""

    permission_classes = [IsPatient]
    serializer_class = ReminderSettingsSerializer
    pagination_class = None

    def get_object(self) -> ReminderSettings:
        # DRF's OPTIONS asks for the object too; the If-Match check is the service's (it may create).
        return selectors.settings_of(patient=signed_in_user(self.request))

    def get(self, request: Request) -> Response:
        return Response(ReminderSettingsSerializer(self.get_object()).data)

    def put(self, request: Request) -> Response:
        serializer = ReminderSettingsSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        saved = services.settings_put(
            patient=signed_in_user(request), now=timezone.now(), if_match=if_match(request), **serializer.validated_data
        )
        return Response(ReminderSettingsSerializer(saved).data)


@schema.devices
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


@schema.deliveries
class DeliveryListView(generics.ListAPIView[Delivery]):
    permission_classes = [IsPatient]
    serializer_class = DeliverySerializer
    filterset_class = DeliveryFilter
    pagination_class = NewestSlotFirst
    queryset = Delivery.objects.none()

    def get_queryset(self) -> QuerySet[Delivery]:
        return selectors.deliveries_of(patient=signed_in_user(self.request))


@schema.web_push_key
class WebPushKeyView(APIView):
    def get(self, request: Request) -> Response:
        return Response(WebPushKeySerializer({"public_key": channels.vapid_public_key()}).data)
