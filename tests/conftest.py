"""Factories, personas and clients shared by the whole suite.

The personas are the demo's people (seeds/personas.py) plus the strangers every privacy
test needs: another patient, and a therapist with no link to anyone.
"""

from __future__ import annotations

from collections.abc import Iterator

import factory
import pytest
from django.core.cache import cache
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import AccessToken

from accounts.models import CareLink, Role, User
from seeds import personas
from seeds.demo import persona_user

PASSWORD = "correct-horse-battery-2026"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"person{n}@example.test")
    display_name = factory.Faker("first_name")
    role = Role.PATIENT
    timezone = "Europe/London"
    password = PASSWORD

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return model_class.objects.create_user(*args, **kwargs)


class PatientFactory(UserFactory):
    role = Role.PATIENT


class TherapistFactory(UserFactory):
    role = Role.THERAPIST
    display_name = factory.Faker("name")


class CareLinkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CareLink

    therapist = factory.SubFactory(TherapistFactory)
    patient = factory.SubFactory(PatientFactory)


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
    return CareLink.objects.create(therapist=therapist, patient=chef)


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


class UserClient(APIClient):
    """An API client signed in as one user with a real JWT, minted per request.

    Minting at request time keeps tokens valid under time_machine: a token minted today
    would not yet be valid in a test that travels back to last week.
    """

    def __init__(self, user: User, **kwargs):
        super().__init__(**kwargs)
        self.user = user

    def request(self, **kwargs):
        kwargs.setdefault("HTTP_AUTHORIZATION", f"Bearer {AccessToken.for_user(self.user)}")
        return super().request(**kwargs)


def client_for(user: User) -> APIClient:
    return UserClient(user)


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


def error_codes(response) -> list[str]:
    """The ``code`` of every error in a drf-standardized-errors body."""
    body = response.json()
    assert set(body) == {"type", "errors"}, body
    return [error["code"] for error in body["errors"]]


def error_attrs(response) -> list[str | None]:
    return [error["attr"] for error in response.json()["errors"]]
