"""The refusals of the journal, in the domain's words (``core.errors`` maps them to HTTP)."""

from __future__ import annotations

from core.exceptions import Conflict, DomainError, NotAllowed, NotFound


class SlotTaken(Conflict):
    """The patient already has a living entry for that day or week (one per slot)."""

    def __init__(self, *, attr: str, slot: object, existing_id: object) -> None:
        super().__init__(
            f"There is already an entry for {slot}: {existing_id}.",
            code="already_exists",
            attr=attr,
            existing_id=existing_id,
        )


class IdTaken(Conflict):
    """A client-chosen id that some record already has."""

    def __init__(self, *, existing_id: object) -> None:
        super().__init__("This id is already taken.", code="already_exists", attr="id", existing_id=existing_id)


class RecordNotFound(NotFound):
    """No living record of the patient's with that id (another patient's answers the same)."""


class NotYours(DomainError):
    """A patient naming someone else as the patient of their own commitment."""

    default_detail = "A patient sets only their own commitments."
    default_code = "not_yours"

    def __init__(self) -> None:
        super().__init__(attr="patient")


class PatientRequired(DomainError):
    default_detail = "A therapist says whose commitment this is."
    default_code = "required"

    def __init__(self) -> None:
        super().__init__(attr="patient")


class NotYoursToChange(NotAllowed):
    """A therapist changing a commitment the patient set for themself (they may still see it)."""

    default_detail = "The patient set this commitment for themself; only they can change it."
    default_code = "not_yours_to_change"


class NotLinkable(DomainError):
    """A commitment an entry or a reminder of the patient's may not name (``selectors.linkable_commitments``)."""

    default_detail = "Not one of the patient's commitments."
    default_code = "does_not_exist"

    def __init__(self) -> None:
        super().__init__(attr="commitment")
