"""Our use of simplejwt's token storage, in one place: the refresh token we issue, revoking
it on log-out, and forgetting every token of a user who erases their account.

simplejwt keeps a row for each issued refresh token (``OutstandingToken``) and each revoked
one; neither row cascades with the user (the link is SET_NULL), so erasure must delete them
explicitly. simplejwt also writes the whole token text into that row, where anyone holding a
copy of the database could read a working token and replay it; ours writes none (see
``RefreshToken``).
"""

from __future__ import annotations

import uuid
from typing import Any

from django.db import transaction
from rest_framework_simplejwt import tokens as simplejwt
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from rest_framework_simplejwt.utils import datetime_from_epoch

from accounts.models import User
from core.exceptions import DomainError

#: What an outstanding-token row holds where simplejwt would put the token text.
NO_TOKEN_TEXT = ""


class RefreshToken(simplejwt.RefreshToken):
    """simplejwt's refresh token, except that its row in the outstanding list keeps no token text.

    A token is recognised by its ``jti`` alone: the blacklist check, a refresh and a log-out all
    look it up by ``jti`` and check the signature themselves, so the text was never read back.
    simplejwt writes ``str(token)`` in three places (``for_user``, ``outstand``, ``blacklist``);
    each is overridden here to write the row through one method instead.
    """

    @classmethod
    def for_user(cls, user: Any) -> RefreshToken:
        # The plain token's claims (Token.for_user), without BlacklistMixin's row with the text.
        token = super(simplejwt.BlacklistMixin, cls).for_user(user)
        token.outstand(user=user)
        return token

    def outstand(self, *, user: Any = None) -> OutstandingToken:
        if user is None:
            key = _user_id(self.payload.get(api_settings.USER_ID_CLAIM))
            user = User.objects.filter(pk=key).first() if key else None
        row, _ = OutstandingToken.objects.get_or_create(
            jti=self.payload[api_settings.JTI_CLAIM],
            defaults={
                "user": user,
                "created_at": self.current_time,
                "token": NO_TOKEN_TEXT,
                "expires_at": datetime_from_epoch(self.payload["exp"]),
            },
        )
        return row

    def blacklist(self) -> BlacklistedToken:
        blacklisted, _ = BlacklistedToken.objects.get_or_create(token=self.outstand())
        return blacklisted

    @property
    def access_token(self) -> simplejwt.AccessToken:
        """An access token that names the refresh token it came from (``REFRESH_JTI_CLAIM``), so
        that a password change made with it can end every other device's refresh token and
        keep this one."""
        access = super().access_token
        access[REFRESH_JTI_CLAIM] = self[api_settings.JTI_CLAIM]
        return access


#: The claim of an access token that holds its refresh token's ``jti``.
REFRESH_JTI_CLAIM = "rjti"


def refresh_jti_of(access: object) -> str | None:
    """The ``jti`` of the refresh token an access token came from (``None`` for one minted
    before access tokens said it)."""
    jti = access.get(REFRESH_JTI_CLAIM) if isinstance(access, simplejwt.Token) else None
    return jti if isinstance(jti, str) else None


def _user_id(claim: object) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(claim))
    except ValueError:
        return None


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


def refresh_token_end(*, token: str) -> None:
    """Log out the device that holds ``token`` (the web app's cookie), whose holder is proven by
    the token itself. One that no longer works (expired, revoked, forged, of an erased user)
    has nothing left to end: a log-out is idempotent. It takes a refresh's locks, in the same
    order, so a log-out and a refresh of one token happen one after the other: the refresh
    either finds the token revoked, or rotated it before the log-out came."""
    try:
        claims = simplejwt.UntypedToken(token)  # type: ignore[arg-type]  # as RefreshToken: it takes the encoded string
    except TokenError:
        return
    with transaction.atomic():
        user_lock(claims.get(api_settings.USER_ID_CLAIM))
        row = OutstandingToken.objects.select_for_update().filter(jti=claims.get(api_settings.JTI_CLAIM)).first()
        if row is None or row.user_id is None:
            return  # never issued by us, or its user is erased: nothing works with it
        try:
            refresh = RefreshToken(token)  # type: ignore[arg-type]
        except TokenError:
            return  # already revoked or run out
        refresh.blacklist()


def tokens_forget(*, user: User) -> None:
    """Delete every refresh token issued to the user (their blacklist rows cascade with them)."""
    OutstandingToken.objects.filter(user=user).delete()


def user_lock(user_id: object) -> None:
    """Take the user's row before writing their refresh tokens. A log-in, a refresh and turning
    two-step sign-in on each take it first, so they happen one after another, never across each
    other: turning it on cannot miss a token being issued at the same moment. (Call it inside
    a transaction.) A claim that is not a user id locks nothing; the token check refuses it."""
    key = _user_id(user_id)
    if key is None:
        return
    list(User.objects.select_for_update().filter(pk=key).values_list("pk", flat=True))


def tokens_revoke_all(*, user: User, keep: str | None = None) -> None:
    """Every refresh token the user holds stops working, but the one whose ``jti`` is ``keep``
    (the device that changed the password): each device must log in again (with the second
    factor, when it was just turned on). Access tokens run out on their own (minutes).
    Blacklisted, not deleted: simplejwt refuses a blacklisted token, not a forgotten one."""
    user_lock(user.pk)
    waiting = OutstandingToken.objects.filter(user=user, blacklistedtoken__isnull=True).exclude(jti=keep or "")
    BlacklistedToken.objects.bulk_create([BlacklistedToken(token=token) for token in waiting], ignore_conflicts=True)


def refresh_token_spent(token: str) -> bool:
    """A refresh token we signed, still in date, that was already traded (or logged out)."""
    try:
        # Signature and expiry, not the blacklist; simplejwt annotates a Token, it takes the encoded string.
        jti = simplejwt.UntypedToken(token).get("jti")  # type: ignore[arg-type]
    except TokenError:
        return False
    return BlacklistedToken.objects.filter(token__jti=jti).exists()
