"""Reads of accounts that several apps share. They return querysets and models, never HTTP."""

from __future__ import annotations

import uuid

from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from accounts.exceptions import NotLinked
from accounts.models import CareLink, Invite, Role, User


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


def linked_care(*, therapist: User, patient_id: uuid.UUID) -> CareLink:
    """The active link from this therapist to this patient, the patient loaded with it; else
    ``NotLinked``, exactly as ``linked_patient``. For reads that also need what the link
    allows (``share_entries``)."""
    try:
        return (
            CareLink.objects.active()
            .select_related("patient")
            .get(therapist=therapist, patient_id=patient_id, patient__role=Role.PATIENT)
        )
    except (CareLink.DoesNotExist, ValueError, ValidationError):
        raise NotLinked() from None


def linked_cares(therapist: User) -> QuerySet[CareLink]:
    """The therapist's active links with their patients: the roster's rows, in one query."""
    if not therapist.is_therapist:
        return CareLink.objects.none()
    return CareLink.objects.active().filter(therapist=therapist, patient__role=Role.PATIENT).select_related("patient")
