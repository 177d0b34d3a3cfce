"""Writes of accounts: registration, profile, passwords, erasure, invites and care links.

Every function is keyword-only, takes ``now`` where the clock matters (and stamps rows with
it, not with the wall clock), and refuses with the domain's errors (``core.exceptions``), each
with a ``code`` a client can branch on. Registration also lets through the ``ValidationError``
of Django's own field validators (``full_clean``).
"""

from __future__ import annotations

import uuid
from datetime import datetime

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode

from accounts import selectors, signals, tokens
from accounts.exceptions import EmailTaken, InviteNotFound, ResetLinkNotValid
from accounts.models import (
    INVITE_LIFETIME,
    CareLink,
    Invite,
    Role,
    User,
    hash_invite_code,
    invite_code_normalised,
    validate_password,
)
from accounts.sessions import sessions_end
from core.exceptions import Conflict, DomainError
from core.storage import purge_deleted_rows


def user_register(*, email: str, password: str, display_name: str, role: str, timezone: str, now: datetime) -> User:
    email = User.objects.normalize_email(email.strip())
    if email_in_use(email):
        raise EmailTaken()
    candidate = User(email=email, display_name=display_name)  # what the similarity validator compares
    validate_password(password, user=candidate, field="password")
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
def password_change(*, user: User, new_password: str, keep_refresh: str | None) -> None:
    """The user's new password (the caller checked the current one). Every other device signs
    in again: each refresh token but ``keep_refresh`` (the ``jti`` of the device that changed it)
    stops working, and every dashboard session ends."""
    validate_password(new_password, user=user, field="new_password")
    with transaction.atomic():
        user.set_password(new_password)
        user.save(update_fields=["password"])
        tokens.tokens_revoke_all(user=user, keep=keep_refresh)
        sessions_end(user_id=user.id)


def user_sign_out_everywhere(*, user: User) -> None:
    """Every refresh token of the user stops working and every dashboard session ends, this
    device's too. Access tokens already handed out run out on their own (minutes)."""
    with transaction.atomic():
        tokens.tokens_revoke_all(user=user)
        sessions_end(user_id=user.id)


def password_reset_link(*, user: User) -> str:
    """The one-time link to set a new password: Django's token, which opens nothing once the
    password changed (it hashes the password) or after ``PASSWORD_RESET_TIMEOUT``. A patient's
    opens their app; a therapist's, the dashboard."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    page = "journal/reset" if user.role == Role.PATIENT else "app/reset"
    return f"{settings.PUBLIC_URL}/{page}/{uid}/{token}"


def password_reset_mail(*, email: str) -> bool:
    """E-mail the link to the active account of ``email``, if there is one (the request's
    answer is the same either way: this runs in a worker, so not even its time tells)."""
    user = User.objects.filter(email__iexact=email.strip(), is_active=True).first()
    if user is None:
        return False
    hours = settings.PASSWORD_RESET_TIMEOUT // 3600
    body = (
        f"Hello {user.display_name},\n\n"
        "Someone, we hope you, asked to set a new password for your Good Enough account. "
        f"This link lets you choose one; it works once, within {hours} hour{'s' if hours != 1 else ''}:\n\n"
        f"{password_reset_link(user=user)}\n\n"
        "Setting a new password signs you out everywhere else. If you did not ask, ignore this "
        "e-mail: your password stays as it is.\n"
    )
    EmailMessage("Set a new password for Good Enough", body, to=[user.email]).send()
    return True


def password_reset_user(*, uid: str, token: str, lock: bool = False) -> User | None:
    """The active account a reset link (its ``uid`` and ``token``) still opens, else ``None``."""
    try:
        user_id = uuid.UUID(urlsafe_base64_decode(uid).decode())
    except (ValueError, UnicodeDecodeError):
        return None
    # SQLite locks the whole file, not a row: the lock is pinned on PostgreSQL by
    # test_one_reset_link_used_twice_at_once_sets_one_password, which make mutate (SQLite) skips.
    users = User.objects.select_for_update() if lock else User.objects.all()  # pragma: no mutate
    user = users.filter(pk=user_id, is_active=True).first()
    return user if user is not None and default_token_generator.check_token(user, token) else None


def password_reset_confirm(*, uid: str, token: str, new_password: str) -> User:
    """Set the password a reset link was sent for; then the link, every refresh token and every
    dashboard session of the user stop working."""
    with transaction.atomic():
        # Locked before the token is checked: the same link used twice at once sets one password.
        user = password_reset_user(uid=uid, token=token, lock=True)  # pragma: no mutate (as above)
        if user is None:
            raise ResetLinkNotValid()
        validate_password(new_password, user=user, field="new_password")
        user.set_password(new_password)
        user.save(update_fields=["password"])
        tokens.tokens_revoke_all(user=user)
        sessions_end(user_id=user.id)
    return user


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
    sessions_end(user_id=user.id)
    for model in (AccessAttempt, AccessFailureLog, AccessLog):
        model.objects.filter(username__iexact=user.email).delete()
    user.delete()
    transaction.on_commit(purge_deleted_rows)


def invite_create(*, therapist: User, note: str = "", now: datetime) -> tuple[Invite, str]:
    """A new invite and its code; the code is returned once and only its hash is kept."""
    code = Invite.new_code()
    invite = Invite.objects.create(
        therapist=therapist,
        code_hash=hash_invite_code(invite_code_normalised(code)),
        note=note or None,
        created_at=now,
        expires_at=now + INVITE_LIFETIME,
    )
    return invite, code


@transaction.atomic
def invite_cancel(*, therapist: User, invite_id: uuid.UUID, now: datetime) -> Invite:
    """Take an invite back, so its code no longer joins (``invite_cancelled`` at join).

    Idempotent, as ``care_link_end`` is: a second click, or a retry from a flaky phone, finds
    it cancelled and changes nothing. One already used cannot be taken back here (the patient
    has joined; ending the link is how to part), so that is refused. The row lock keeps a
    cancel and a join at the same moment from both winning."""
    invite = selectors.invites_of(therapist).select_for_update().filter(id=invite_id).first()
    if invite is None:
        raise InviteNotFound
    if invite.used_at is not None:
        raise Conflict(
            "This invite was used already: the patient it was for has joined, so there is nothing to cancel.",
            code=Invite.Problem.USED.value,
        )
    if invite.cancelled_at is None:
        invite.cancelled_at = now
        invite.save(update_fields=["cancelled_at"])
    return invite


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
