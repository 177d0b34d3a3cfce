"""Reads of accounts that several apps share. They return querysets and models, never HTTP."""

from __future__ import annotations

import uuid

from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from accounts.exceptions import NotLinked
from accounts.models import CareLink, Invite, User


def care_links_of(user: User) -> QuerySet[CareLink]:
    return CareLink.objects.of(user).select_related("therapist", "patient")


def invites_of(therapist: User) -> QuerySet[Invite]:
    return Invite.objects.filter(therapist=therapist)


def linked_patient(*, therapist: User, patient_id: uuid.UUID | str) -> User:
    """The patient with this id if the therapist may reach them now; otherwise ``NotLinked``.

    A patient who exists but is not linked answers exactly like one who does not exist, so a
    therapist cannot probe for accounts. Later apps (journal, care) call this for every
    ``?patient=`` and ``/patients/{id}/``.
    """
    try:
        return User.objects.patients_of(therapist).get(id=patient_id)
    except (User.DoesNotExist, ValueError, ValidationError):
        raise NotLinked() from None
