"""The kinds of risk language the detector names (safety/risk.py)."""

from __future__ import annotations

from enum import StrEnum


class Kind(StrEnum):
    SUICIDAL = "suicidal"
    SELF_HARM = "self_harm"
    PLAN = "plan"
    GOODBYE = "goodbye"
    UNSAFE = "unsafe"
