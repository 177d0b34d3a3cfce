"""Fixtures of the reminder tests: real local servers and settings with every channel off."""

from __future__ import annotations

import os
import signal
from collections.abc import Callable, Iterator

import pytest
from celery.exceptions import SoftTimeLimitExceeded

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


@pytest.fixture
def soft_time_limit() -> Iterator[Callable[[], None]]:
    """Celery's soft time limit as its prefork pool delivers it: SIGUSR1, whose handler raises
    ``SoftTimeLimitExceeded`` in the task's own thread. Answers the function that sends the
    signal, for a channel to call mid-send."""

    def out_of_time(*_: object) -> None:
        raise SoftTimeLimitExceeded()

    previous = signal.signal(signal.SIGUSR1, out_of_time)
    yield lambda: os.kill(os.getpid(), signal.SIGUSR1)
    signal.signal(signal.SIGUSR1, previous)
