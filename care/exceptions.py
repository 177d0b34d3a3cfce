"""The refusals of care, in the domain's words (``core.errors`` maps them to HTTP)."""

from __future__ import annotations

from core.exceptions import NotFound


class SessionNotFound(NotFound):
    """No session of this therapist's with that id, or its patient is no longer linked."""

    default_detail = "No such session."


class FlagNotFound(NotFound):
    """No flag of this patient's that this therapist may see (another's, cleared, unshared)."""

    default_detail = "No such flag."
