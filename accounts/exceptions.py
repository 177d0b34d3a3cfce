"""The refusals of accounts, in the domain's words (``core.errors`` maps them to HTTP)."""

from __future__ import annotations

from core.exceptions import DomainError, NotFound


class NotLinked(NotFound):
    """The therapist has no active link to that patient, or there is no such patient.

    Both answer the same, so a therapist cannot probe for accounts.
    """

    default_detail = "No such patient."


class EmailTaken(DomainError):
    """E-mail addresses are unique ignoring case: one account per person."""

    default_detail = "An account with this e-mail exists."
    default_code = "email_taken"

    def __init__(self) -> None:
        super().__init__(attr="email")


class ResetLinkNotValid(DomainError):
    """A password-reset link that opens nothing: mistyped, used already, run out, or of an
    account that is gone. One answer for all, so the link tells a stranger nothing."""

    default_detail = "This link to set a new password does not work any more. Ask for a new one."
    default_code = "invalid_link"

    def __init__(self) -> None:
        super().__init__(attr="token")


class InviteNotFound(NotFound):
    """Not an invite of this therapist's: another's answers exactly like one that never was."""

    default_detail = "No such invite."
