"""Writes of accounts: registration, profile, erasure, invites and care links.

Every function is keyword-only, takes ``now`` where the clock matters (and stamps rows with
it, not with the wall clock), and refuses with the domain's errors (``core.exceptions``), each
with a ``code`` a client can branch on. Registration also lets through the ``ValidationError``
of Django's own field validators (``full_clean``).
"""

from __future__ import annotations

from datetime import datetime

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.auth import password_validation
from django.db import IntegrityError, transaction
from django.db.models import F

from accounts import signals, tokens
from accounts.exceptions import EmailTaken
from accounts.models import INVITE_LIFETIME, CareLink, Invite, Role, User, hash_invite_code
from core.exceptions import DomainError
from core.storage import purge_deleted_rows


def user_register(*, email: str, password: str, display_name: str, role: str, timezone: str, now: datetime) -> User:
    email = User.objects.normalize_email(email.strip())
    if email_in_use(email):
        raise EmailTaken()
    candidate = User(email=email, display_name=display_name)  # what the similarity validator compares
    password_validation.validate_password(password, user=candidate)
    try:
        with transaction.atomic():
            return User.objects.create_user(
                email=email, password=password, display_name=display_name, role=role, timezone=timezone, created_at=now
            )
    except IntegrityError:
        # Two registrations raced past the check above; the unique index decided.
        raise EmailTaken() from None


def email_in_use(email: str) -> bool:
    return User.objects.filter(email__iexact=email).exists()


@transaction.atomic
def user_update(*, user: User, now: datetime, **fields: str) -> User:
    old_zone = user.timezone
    for name, value in fields.items():
        setattr(user, name, value)
    user.full_clean(exclude=["password"])
    user.save(update_fields=list(fields))
    if user.timezone != old_zone:
        signals.timezone_changed.send(sender=User, user=user, old=old_zone, new=user.timezone, now=now)
    return user


@transaction.atomic
def user_erase(*, user: User, now: datetime) -> None:
    """Erase a user and everything they wrote.

    Rows that belong to the user cascade away with it. A therapist's links outlive them as
    ended links with no therapist, so their patients keep their own history (and journals).
    """
    if user.role == Role.THERAPIST:
        CareLink.objects.filter(therapist=user, status=CareLink.Status.ACTIVE).update(
            status=CareLink.Status.ENDED, ended_at=now, version=F("version") + 1
        )
    # Two libraries keep rows about a user that do not cascade: simplejwt's issued tokens
    # (SET_NULL) and django-axes' attempt logs (keyed by e-mail).
    tokens.tokens_forget(user=user)
    for model in (AccessAttempt, AccessFailureLog, AccessLog):
        model.objects.filter(username__iexact=user.email).delete()
    user.delete()
    transaction.on_commit(purge_deleted_rows)


def invite_create(*, therapist: User, note: str = "", now: datetime) -> tuple[Invite, str]:
    """A new invite and its code; the code is returned once and only its hash is kept."""
    code = Invite.new_code()
    invite = Invite.objects.create(
        therapist=therapist,
        code_hash=hash_invite_code(code),
        note=note or None,
        created_at=now,
        expires_at=now + INVITE_LIFETIME,
    )
    return invite, code


@transaction.atomic
def care_link_accept(*, patient: User, code: str, share_entries: bool, now: datetime) -> CareLink:
    # The row lock makes the code single-use even when two devices accept it at once.
    invite = Invite.objects.with_code(code).select_for_update().select_related("therapist").first()
    problem = Invite.Problem.UNKNOWN if invite is None else invite.problem(now=now)
    if problem is not None:
        raise DomainError(problem.label, code=problem.value, attr="code")
    assert invite is not None  # no invite is the UNKNOWN problem, raised above
    if CareLink.objects.active().filter(therapist=invite.therapist, patient=patient).exists():
        raise DomainError("You are already linked to this therapist.", code="already_linked", attr="code")
    invite.used_at = now
    invite.used_by = patient
    invite.save(update_fields=["used_at", "used_by"])
    return CareLink.objects.create(
        therapist=invite.therapist, patient=patient, share_entries=share_entries, created_at=now
    )


def care_link_update(*, link: CareLink, share_entries: bool) -> CareLink:
    """The patient changes sharing. An ended link is frozen: nothing about it changes."""
    if link.status != CareLink.Status.ACTIVE:
        raise DomainError(
            "This link has ended; there is nothing left to share.", code="link_ended", attr="share_entries"
        )
    if link.share_entries != share_entries:
        link.share_entries = share_entries
        link.version += 1
        # Only the fields changed, though the view holds the row locked so saving all would write
        # the same (no test races two writes to one link): nothing a test could tell apart.
        link.save(update_fields=["share_entries", "version"])  # pragma: no mutate (the view locks the row)
    return link


def care_link_end(*, link: CareLink, now: datetime) -> CareLink:
    """End a link; idempotent, so a retried request from a flaky phone is harmless."""
    if link.status == CareLink.Status.ACTIVE:
        link.status = CareLink.Status.ENDED
        link.ended_at = now
        link.patient_name_at_end = link.patient.display_name
        link.version += 1
        link.save(
            update_fields=["status", "ended_at", "patient_name_at_end", "version"]  # pragma: no mutate (as above)
        )
    return link
