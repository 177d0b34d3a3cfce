"""Loads the demo: idempotent, so every ``make run`` may call it and nothing is made twice."""

from __future__ import annotations

from datetime import datetime, time, timedelta, tzinfo

from django.db import transaction

from accounts.models import CareLink, User
from journal.models import Commitment
from reminders.plans import reminders_replan
from seeds import journal, personas


def persona_user(persona: personas.Persona) -> tuple[User, bool]:
    user = User.objects.filter(email__iexact=persona.email).first()
    if user is not None:
        return user, False
    user = User.objects.create_user(
        email=persona.email,
        password=persona.password,
        display_name=persona.display_name,
        role=persona.role,
        timezone=persona.timezone,
    )
    return user, True


@transaction.atomic
def load(*, now: datetime) -> dict[str, int]:
    """Create what is missing of the demo; answer how many rows of each kind it created."""
    created = {"users": 0, "care_links": 0}
    therapist, made = persona_user(personas.THERAPIST)
    created["users"] += made
    chef, made = persona_user(personas.CHEF)
    created["users"] += made
    if not CareLink.objects.active().filter(therapist=therapist, patient=chef).exists():
        # Linked a week before session T44 (held four weeks ago): the link comes first. They meet
        # again next week, at ten in the therapist's morning.
        CareLink.objects.create(
            therapist=therapist,
            patient=chef,
            share_entries=True,
            created_at=now - timedelta(days=35),
            next_session_at=next_session(now, therapist.zone),
        )
        created["care_links"] += 1
    if not Commitment.objects.filter(patient=chef).exists():
        _add(created, journal.load(patient=chef, therapist=therapist, now=now))
        # The weeks of history were written with their own clocks, and the commitments' default
        # reminders planned from weeks ago: plan them from now, or the first pass logs "missed".
        reminders_replan(user=chef, now=now)
    for persona, linked_days_ago, write in (
        (personas.NURSE, 60, journal.load_quiet),
        (personas.STUDENT, 5, journal.load_new),
    ):
        patient, made = persona_user(persona)
        created["users"] += made
        if made:
            CareLink.objects.create(
                therapist=therapist,
                patient=patient,
                share_entries=True,
                created_at=now - timedelta(days=linked_days_ago),
            )
            created["care_links"] += 1
            _add(created, write(patient=patient, now=now))
    return created


def next_session(now: datetime, zone: tzinfo) -> datetime:
    """Ten o'clock, six days after ``now``'s day, in ``zone``."""
    day = now.astimezone(zone).date() + timedelta(days=6)
    return datetime.combine(day, time(10), zone)


def _add(counts: dict[str, int], more: dict[str, int]) -> None:
    for name, count in more.items():
        counts[name] = counts.get(name, 0) + count
