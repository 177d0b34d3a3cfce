"""Reads of accounts that several views share."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404
from rest_framework.fields import DateTimeField

from accounts.models import CareLink, Invite, User
from accounts.serializers import CareLinkSerializer, UserSerializer


def care_links_of(user: User) -> QuerySet[CareLink]:
    return CareLink.objects.of(user).select_related("therapist", "patient")


def linked_patient(*, therapist: User, patient_id: object) -> User:
    """The patient with this id if the therapist may reach them now; otherwise 404.

    A patient who exists but is not linked answers exactly like one who does not exist, so a
    therapist cannot probe for accounts. Later apps (journal, care) call this for every
    ``?patient=`` and ``/patients/{id}/``.
    """
    try:
        return User.objects.patients_of(therapist).get(id=patient_id)
    except (User.DoesNotExist, ValueError, ValidationError):
        raise Http404("No such patient.") from None


def user_export(user: User) -> dict:
    """The part of a user's export that accounts holds: profile, links, invites."""
    links = care_links_of(user).order_by("created_at")
    invites = Invite.objects.filter(therapist=user).order_by("created_at")

    return {
        "profile": {
            **UserSerializer(user).data,
            "last_login": DateTimeField(allow_null=True).to_representation(user.last_login)
            if user.last_login
            else None,
        },
        "care_links": CareLinkSerializer(links, many=True).data,
        "invites": [
            {
                "id": str(invite.id),
                "note": invite.note or "",
                "created_at": invite.created_at.isoformat(),
                "expires_at": invite.expires_at.isoformat(),
                "used_at": invite.used_at.isoformat() if invite.used_at else None,
            }
            for invite in invites
        ],
    }
