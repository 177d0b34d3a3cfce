"""What the domain says when it refuses: errors in its own words, with no HTTP in sight.

Services, selectors and the rules models check raise these, and only these: one ``except
DomainError`` is enough for any caller (the dashboard, management commands, Celery tasks).
Django's ``ValidationError`` is left to Django's own field validators (``full_clean``), which
``core.errors`` maps too.
``core.errors`` maps each kind to an HTTP status once, for every app: ``NotFound`` is a
404, ``NotAllowed`` a 403, ``Conflict`` a 409, ``StaleVersion`` a 412, any other
``DomainError`` a 400.
"""

from __future__ import annotations


class DomainError(Exception):
    """A rule said no. ``code`` is what a client branches on; ``attr`` names the field, if one."""

    default_detail = "This is not allowed."
    default_code = "invalid"

    def __init__(self, detail: str | None = None, *, code: str | None = None, attr: str | None = None) -> None:
        self.detail = detail or self.default_detail
        self.code = code or self.default_code
        self.attr = attr
        super().__init__(self.detail)


class NotFound(DomainError):
    """It does not exist, or it is not the caller's to reach: the two are never told apart."""

    default_detail = "Not found."
    default_code = "not_found"


class NotAllowed(DomainError):
    """The caller may see it, but not do this to it."""

    default_detail = "You may not do this."
    default_code = "permission_denied"


class Conflict(DomainError):
    """It would clash with something that exists; ``existing_id`` names that thing."""

    default_detail = "This conflicts with something that already exists."
    default_code = "already_exists"

    def __init__(
        self, detail: str | None = None, *, code: str | None = None, attr: str | None = None, existing_id: object = None
    ) -> None:
        super().__init__(detail, code=code, attr=attr)
        self.existing_id = None if existing_id is None else str(existing_id)


class StaleVersion(DomainError):
    """The caller changed an object from a version that is no longer the current one."""

    default_detail = "This object changed since you read it; fetch it again and retry."
    default_code = "precondition_failed"
