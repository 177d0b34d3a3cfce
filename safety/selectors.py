"""Reads of safety: what a patient is shown when things are very hard."""

from __future__ import annotations

from typing import Any

from accounts.models import User
from safety.resources import current
from safety.services import shares_with_a_therapist


def crisis_answer(country: str | None) -> dict[str, Any]:
    """The crisis resources for a country, as ``getCrisisResources`` answers them."""
    resources = current()
    number, services = resources.for_country(country)
    return {
        "country": country,
        "not_watched": resources.not_watched,
        "emergency": {"statement": resources.emergency, "number": number},
        "services": services,
    }


def safety_block(*, patient: User, entry_shared: bool) -> dict[str, Any]:
    """What a write that sounds like crisis answers beside the entry: help for the patient's
    country, and whether a therapist will read it (so the app can say so, not let them guess)."""
    return {
        "entry_shared": entry_shared,
        "shared_with_therapist": entry_shared and shares_with_a_therapist(patient),
        "resources": crisis_answer(patient.country_in_effect),
    }
