"""Fixtures shared by the whole suite: personas, signed-in clients, and a clean slate.

The personas are the demo's people (seeds/personas.py) plus the strangers every privacy
test needs: another patient, and a therapist with no link to anyone. Factories live in
tests/factories.py and API helpers in tests/helpers.py; tests import those, never this file.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core.cache import cache
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from rest_framework.test import APIClient

from accounts.models import CareLink, User
from backend import env
from seeds import personas
from seeds.demo import persona_user
from tests.factories import CareLinkFactory, PatientFactory, TherapistFactory
from tests.helpers import client_for
from tests.reminders.servers import MailRecorder, smtp_recorder


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings) -> None:
    # PBKDF2 at full strength costs ~0.3 s a login; the suite checks behaviour, not hashing.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _static_files_from_the_apps(settings) -> None:
    # Production serves collected, hashed files (tests/backend/test_settings.py runs
    # collectstatic); the suite serves admin and Swagger UI assets straight from the apps.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    # Throttle counters live in the cache; one test's attempts must not throttle the next.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def chef(db) -> User:
    """The patient of T44."""
    return persona_user(personas.CHEF)[0]


@pytest.fixture
def therapist(db) -> User:
    return persona_user(personas.THERAPIST)[0]


@pytest.fixture
def link(chef: User, therapist: User) -> CareLink:
    return CareLinkFactory(therapist=therapist, patient=chef)


@pytest.fixture
def other_patient(db) -> User:
    return PatientFactory(email="charlie@example.test", display_name="Charlie", timezone="Asia/Tokyo")


@pytest.fixture
def stranger_therapist(db) -> User:
    """A therapist linked to nobody: must never see the chef."""
    return TherapistFactory(email="dr.stranger@example.test", display_name="Dr. Stranger")


@pytest.fixture
def anon() -> APIClient:
    return APIClient()


@pytest.fixture
def as_chef(chef: User) -> APIClient:
    return client_for(chef)


@pytest.fixture
def as_therapist(therapist: User) -> APIClient:
    return client_for(therapist)


@pytest.fixture
def as_other_patient(other_patient: User) -> APIClient:
    return client_for(other_patient)


@pytest.fixture
def as_stranger(stranger_therapist: User) -> APIClient:
    return client_for(stranger_therapist)


@pytest.fixture
def smtp(settings) -> Iterator[MailRecorder]:
    """A real SMTP server on a local port, configured as ``EMAIL_URL``: what it received."""
    with smtp_recorder() as (mailbox, port):
        url = f"smtp://127.0.0.1:{port}"
        settings.EMAIL_URL = url
        for name, value in env.parse_email_url("EMAIL_URL", url).as_django().items():
            setattr(settings, name, value)
        yield mailbox


@pytest.fixture
def back_at_the_end() -> Iterator[None]:
    """After a migration's test moved the database back (``tests.helpers.migrate_to``): every
    app at its latest again, for the tests after it."""
    yield
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
