"""What the schema says of reminders' views: each view's decorator, applied in views.py.

The prose's numbers and defaults come from the constants that hold them, so the schema
cannot promise a limit or a default the server no longer keeps.
"""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from drf_standardized_errors.openapi_validation_errors import extend_validation_errors

from core.openapi import ErrorBodySerializer, documented, duration
from reminders.models import DEFAULT_CHANNELS, LATEST_SEND, MAX_DEVICES
from reminders.serializers import (
    DeviceSerializer,
    ReminderCreateSerializer,
    ReminderSerializer,
    ReminderSettingsSerializer,
    ReminderUpdateSerializer,
    WebPushKeySerializer,
)

SCHEDULE_WRITES = ["create", "partial_update"]

reminders = documented(
    extend_schema_view(
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
    ),
    extend_validation_errors(["invalid_time"], field_name="local_time", actions=SCHEDULE_WRITES),
    extend_validation_errors(["item_invalid", "item_repeated"], field_name="weekdays", actions=SCHEDULE_WRITES),
    extend_validation_errors(
        ["invalid", "does_not_exist", "incorrect_type", "null"], field_name="commitment", actions=SCHEDULE_WRITES
    ),
    extend_schema(tags=["reminders"]),
)

IF_MATCH = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description='The `ETag` of the version the client read, e.g. `"3"` (`"0"` for defaults never saved). If '
    "the settings changed since, the write answers 412 and changes nothing. Without it the write goes through.",
)

reminder_settings = documented(
    extend_validation_errors(
        ["invalid_time", "quiet_hours_incomplete", "quiet_hours_empty"], field_name="quiet_end", methods=["put"]
    ),
    extend_validation_errors(["invalid_time", "quiet_hours_incomplete"], field_name="quiet_start", methods=["put"]),
    extend_validation_errors(["item_invalid", "item_repeated"], field_name="channels", methods=["put"]),
    extend_schema_view(
        get=extend_schema(
            operation_id="getReminderSettings",
            summary="Get my reminder settings",
            description="Quiet hours, a pause and the channels reminders go to. A patient who never saved "
            f"any gets the defaults ({', '.join(DEFAULT_CHANNELS)}, nothing quiet, not paused) at `version` 0.",
            tags=["reminders"],
        ),
        put=extend_schema(
            operation_id="replaceReminderSettings",
            summary="Save my reminder settings",
            description="Replaces the settings whole: a field left out takes its default. Quiet hours "
            "(`quiet_start`, `quiet_end`, local HH:MM; 22:00 to 07:00 spans midnight) come both or neither "
            "(`quiet_hours_incomplete`) and may not start and end at the same minute (`quiet_hours_empty`). "
            "While `paused_until` (a local day, inclusive) lasts, nothing is sent.",
            parameters=[IF_MATCH],
            responses={200: ReminderSettingsSerializer, 412: ErrorBodySerializer},
            tags=["reminders"],
        ),
    ),
)

devices = documented(
    extend_schema_view(
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
    ),
    extend_validation_errors(
        ["invalid_subscription", "push_service_not_allowed"], field_name="token", actions=["create"]
    ),
    extend_schema(tags=["reminders"]),
)

web_push_key = documented(
    extend_schema_view(
        get=extend_schema(
            operation_id="getWebPushKey",
            summary="The key to subscribe a browser to Web Push",
            description="What a web app needs to subscribe for push reminders: the server's VAPID public key "
            "(null when Web Push is not configured here, so the app offers no push). Subscribe with it, then "
            "register the subscription with `registerDevice` as a `web` device.",
            responses={200: WebPushKeySerializer},
            tags=["reminders"],
        )
    ),
)

deliveries = documented(
    extend_schema_view(
        get=extend_schema(
            operation_id="listDeliveries",
            summary="What my reminders did",
            description="One row per slot a reminder reached, newest slot first: `sent`, or why not "
            "(`skipped_done`: already practised; `skipped_paused`; `skipped_quiet`: in quiet hours; `missed`: "
            f"the server was down for over {duration(LATEST_SEND, spell=True)}; `failed` after retries). "
            "`pending` while being sent. `status` narrows to one.",
            tags=["reminders"],
        )
    ),
)
