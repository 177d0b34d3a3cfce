"""The demo's people, shared by ``manage.py load_demo`` and the test suite's personas.

The patient is the chef of session T44 (shared/seeds/T44.txt): stuck between perfectionism
and procrastination, trying three small practices between sessions.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Persona:
    email: str
    password: str
    display_name: str
    role: str
    timezone: str


THERAPIST = Persona(
    email="maya@demo.good-enough.test",
    password="listen-kindly-2026",
    display_name="Dr. Maya Okafor",
    role="therapist",
    timezone="America/Chicago",
)

CHEF = Persona(
    email="sam@demo.good-enough.test",
    password="a-new-recipe-2026",
    display_name="Sam (chef)",
    role="patient",
    timezone="America/Chicago",
)

DEMO = (THERAPIST, CHEF)
