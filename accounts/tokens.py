"""Our use of simplejwt's token storage, in one place: revoking a refresh token on log-out,
and forgetting every token of a user who erases their account.

simplejwt keeps each issued refresh token (``OutstandingToken``, with the whole token text)
and each revoked one; neither row cascades with the user (the link is SET_NULL), so
erasure must delete them explicitly or a copy of the database would keep working tokens.
"""

from __future__ import annotations

import uuid

from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from rest_framework_simplejwt.tokens import RefreshToken

from accounts.models import User
from core.exceptions import DomainError


class TokenNotValid(DomainError):
    default_detail = "This is not a refresh token of yours that still works."
    default_code = "token_not_valid"

    def __init__(self) -> None:
        super().__init__(attr="refresh")


def refresh_token_revoke(*, user: User, token: str) -> None:
    """Log out one device: its refresh token stops working. Only the user's own token."""
    try:
        refresh = RefreshToken(token)  # type: ignore[arg-type]  # simplejwt annotates a Token; it takes the encoded string
    except TokenError:
        raise TokenNotValid() from None
    if str(refresh.get("user_id")) != str(user.id):
        raise TokenNotValid()
    refresh.blacklist()


def tokens_forget(*, user: User) -> None:
    """Delete every refresh token issued to the user (their blacklist rows cascade with them)."""
    OutstandingToken.objects.filter(user=user).delete()


def user_lock(user_id: object) -> None:
    """Take the user's row before writing their refresh tokens. A log-in, a refresh and turning
    two-step sign-in on each take it first, so they happen one after another, never across each
    other: turning it on cannot miss a token being issued at the same moment. (Call it inside
    a transaction.) A claim that is not a user id locks nothing; the token check refuses it."""
    try:
        key = uuid.UUID(str(user_id))
    except ValueError:
        return
    list(User.objects.select_for_update().filter(pk=key).values_list("pk", flat=True))


def tokens_revoke_all(*, user: User) -> None:
    """Every refresh token the user holds stops working: each device must log in again (with
    the second factor, when it was just turned on). Access tokens run out on their own
    (minutes). Blacklisted, not deleted: simplejwt refuses a blacklisted token, not a
    forgotten one."""
    user_lock(user.pk)
    waiting = OutstandingToken.objects.filter(user=user, blacklistedtoken__isnull=True)
    BlacklistedToken.objects.bulk_create([BlacklistedToken(token=token) for token in waiting], ignore_conflicts=True)
