"""Fixtures of the reminder tests: real local servers and settings with every channel off."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.reminders.servers import HTTPRecorder, http_recorder


@pytest.fixture
def server() -> Iterator[HTTPRecorder]:
    with http_recorder() as recorder:
        yield recorder


@pytest.fixture
def nothing_configured(settings):
    settings.FCM_SERVICE_ACCOUNT = None
    settings.REMINDER_CHANNEL_PUSH_URL = None
    settings.REMINDER_WEBHOOK_URL = None
    settings.REMINDER_WEBHOOK_SECRET = None
    settings.WEBPUSH_VAPID_PRIVATE_KEY = None
    settings.WEBPUSH_VAPID_SUBJECT = None
    settings.EMAIL_URL = None
    return settings
