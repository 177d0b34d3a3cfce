"""The refusals of accounts, in the domain's words (``core.errors`` maps them to HTTP)."""

from __future__ import annotations

from core.exceptions import NotFound


class NotLinked(NotFound):
    """The therapist has no active link to that patient, or there is no such patient.

    Both answer the same, so a therapist cannot probe for accounts.
    """

    default_detail = "No such patient."
