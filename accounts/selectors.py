"""Reads of accounts that several apps share. They return querysets and models, never HTTP."""

from __future__ import annotations

import uuid
from datetime import datetime

from django.db.models import QuerySet

from accounts.exceptions import InviteNotFound, NotLinked
from accounts.models import CareLink, Invite, InviteQuerySet, User


def care_links_of(user: User) -> QuerySet[CareLink]:
    return CareLink.objects.of(user).select_related("therapist", "patient")


def invites_of(therapist: User) -> InviteQuerySet:
    return Invite.objects.filter(therapist=therapist)


def invites_open(*, therapist: User, now: datetime) -> QuerySet[Invite]:
    """The therapist's invites a patient could still join with, newest first: what they may
    want to take back, or remember whom they gave to."""
    return invites_of(therapist).joinable(now=now).order_by("-created_at", "id")


def invite_of(*, therapist: User, invite_id: uuid.UUID) -> Invite:
    """One of the therapist's own invites, whatever became of it; another therapist's is
    ``InviteNotFound``, exactly as one that does not exist."""
    try:
        return invites_of(therapist).get(id=invite_id)
    except Invite.DoesNotExist:
        raise InviteNotFound from None


def linked_cares(therapist: User) -> QuerySet[CareLink]:
    """The therapist's active links with their patients loaded: the roster's rows, in one query."""
    return CareLink.objects.door(therapist).select_related("patient")


def therapists_linked(patient_id: uuid.UUID, *, sharing_entries: bool = False) -> QuerySet[CareLink]:
    """The patient's active links to a therapist, the therapist loaded: who a request of theirs
    reaches, and (``sharing_entries``) who may read what they share. The patient's side of
    ``door``: one home for "does this patient have someone to ask?"."""
    links = CareLink.objects.active().filter(patient_id=patient_id, therapist__isnull=False)
    return (links.filter(share_entries=True) if sharing_entries else links).select_related("therapist")


def linked_care(*, therapist: User, patient_id: uuid.UUID | str) -> CareLink:
    """The active link from this therapist to this patient, the patient loaded with it; else
    ``NotLinked``. A patient who exists but is not linked answers exactly like one who does not
    exist, so a therapist cannot probe for accounts. For reads that also need what the link
    allows (``share_entries``)."""
    try:
        return linked_cares(therapist).get(patient_id=uuid.UUID(str(patient_id)))
    except (CareLink.DoesNotExist, ValueError):
        raise NotLinked() from None


def linked_patient(*, therapist: User, patient_id: uuid.UUID | str) -> User:
    """The patient with this id if the therapist may reach them now; otherwise ``NotLinked``,
    as ``linked_care``. Later apps (journal, care) call this for every ``?patient=``."""
    return linked_care(therapist=therapist, patient_id=patient_id).patient
