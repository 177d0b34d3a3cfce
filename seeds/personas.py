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

#: Two more of the therapist's patients, so the roster has someone who needs a look and
#: someone just starting: a nurse gone quiet three weeks ago, a student linked this week.
NURSE = Persona(
    email="ana@demo.good-enough.test",
    password="one-shift-at-a-time",
    display_name="Ana (nurse)",
    role="patient",
    timezone="Europe/Madrid",
)

STUDENT = Persona(
    email="leo@demo.good-enough.test",
    password="first-draft-is-fine",
    display_name="Leo (student)",
    role="patient",
    timezone="Asia/Seoul",
)

DEMO = (THERAPIST, CHEF, NURSE, STUDENT)
