"""factory_boy factories for every model a test needs: users, links, commitments, entries, reminders.

Journal records are made through the services, as the app makes them, so each has its
``seq`` from the patient's sync counter, its local day or week, and timestamps from ``now``
(pass ``now=`` to a factory to write at another moment; it defaults to the real clock).
"""

from __future__ import annotations

from datetime import time
from typing import Any

import factory
from django.utils import timezone
from faker import Faker

from accounts.models import CareLink, Role, User
from journal import services
from journal.models import Commitment, Experiment, PrideEntry, Reflection
from reminders import services as reminder_services
from reminders.models import EVERY_DAY, Delivery, Device, Reminder
from safety.risk import risk_in

PASSWORD = "correct-horse-battery-2026"

_fake = Faker()


def calm_sentence(nb_words: int = 6) -> str:
    """A random sentence the risk language screen passes. About one of Faker's sentences in
    400 trips it ("You against moment." reads as a goodbye), raising a flag the test did not
    ask for: the roster then put that patient first, now and then."""
    while risk_in(sentence := _fake.sentence(nb_words=nb_words)) is not None:
        pass
    return sentence


def _calm(nb_words: int = 6) -> factory.LazyFunction:
    return factory.LazyFunction(lambda: calm_sentence(nb_words))


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"person{n}@example.test")
    display_name = factory.Faker("first_name")
    role = Role.PATIENT
    timezone = "Europe/London"
    password = PASSWORD

    @classmethod
    def _create(cls, model_class: type[User], *args: Any, **kwargs: Any) -> User:
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


class _ServiceFactory(factory.Factory):
    """Makes its model through a journal service rather than ``Model.objects.create``."""

    class Meta:
        abstract = True

    patient = factory.SubFactory(PatientFactory)

    @classmethod
    def _create(cls, model_class: type, *args: Any, now: Any = None, **kwargs: Any) -> Any:
        return cls._write(model_class, now=now or timezone.now(), **kwargs)

    @classmethod
    def _build(cls, model_class: type, *args: Any, **kwargs: Any) -> Any:
        kwargs.pop("now", None)
        return model_class(**kwargs)

    @classmethod
    def _write(cls, model_class: type, *, now: Any, **kwargs: Any) -> Any:
        raise NotImplementedError


class CommitmentFactory(_ServiceFactory):
    """The patient's own commitment (``author=`` a linked therapist to have them write it)."""

    class Meta:
        model = Commitment

    kind = Commitment.Kind.REFLECTION_DAILY
    title = _calm(5)

    @classmethod
    def _write(cls, model_class: type, *, now: Any, patient: User, author: User | None = None, **kwargs: Any) -> Any:
        return services.commitment_create(author=author or patient, patient_id=patient.id, now=now, **kwargs)


class _EntryFactory(_ServiceFactory):
    class Meta:
        abstract = True

    @classmethod
    def _write(cls, model_class: type, *, now: Any, patient: User, **kwargs: Any) -> Any:
        return services.entry_create(model=model_class, patient=patient, now=now, **kwargs)


class ReflectionFactory(_EntryFactory):
    class Meta:
        model = Reflection

    effort = _calm()


class PrideEntryFactory(_EntryFactory):
    class Meta:
        model = PrideEntry

    items = factory.List([_calm(4) for _ in range(3)])


class ExperimentFactory(_EntryFactory):
    class Meta:
        model = Experiment

    title = _calm(5)
    status = Experiment.Status.TRIED


class ReminderFactory(_ServiceFactory):
    """A patient's reminder, made through ``reminders.services`` so ``next_fire_at`` is planned."""

    class Meta:
        model = Reminder

    kind = Reminder.Kind.REFLECTION_DAILY
    local_time = time(20, 30)
    weekdays = factory.LazyFunction(lambda: list(EVERY_DAY))

    @classmethod
    def _write(cls, model_class: type, *, now: Any, **kwargs: Any) -> Any:
        return reminder_services.reminder_create(now=now, **kwargs)


class DeviceFactory(factory.Factory):
    class Meta:
        model = Device

    user = factory.SubFactory(PatientFactory)
    platform = Device.Platform.ANDROID
    token = factory.Sequence(lambda n: f"fcm-token-{n:04d}-" + "x" * 140)

    @classmethod
    def _create(cls, model_class: type, *args: Any, now: Any = None, **kwargs: Any) -> Any:
        device, _ = reminder_services.device_register(now=now or timezone.now(), **kwargs)
        return device


class DeliveryFactory(factory.django.DjangoModelFactory):
    """A delivery row as the dispatcher leaves it (it has no service of its own here yet)."""

    class Meta:
        model = Delivery

    reminder = factory.SubFactory(ReminderFactory)
    patient = factory.SelfAttribute("reminder.patient")
    slot_at = factory.LazyFunction(timezone.now)
    local_slot = factory.LazyAttribute(lambda d: d.slot_at.astimezone(d.patient.zone).isoformat())
    status = Delivery.Status.SENT
    channel = "console"
    attempts = 1
    created_at = factory.SelfAttribute("slot_at")
    sent_at = factory.SelfAttribute("slot_at")
