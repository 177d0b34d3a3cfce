"""The dashboard's session engine: ``core.sessions``' encrypted database sessions, in rows that
name their user (``UserSession``), so that one query ends every session of a user: signing out
everywhere, a password changed or reset, an erasure. This is Django's documented way to extend
the database engine ("Extending database-backed session engines").
"""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib.auth import SESSION_KEY

from accounts.models import UserSession
from core import sessions


class SessionStore(sessions.SessionStore):
    @classmethod
    def get_model_class(cls) -> type[UserSession]:
        return UserSession

    def create_model_instance(self, data: dict[str, Any]) -> UserSession:
        row = super().create_model_instance(data)
        assert isinstance(row, UserSession)  # of get_model_class()
        try:
            row.user_id = uuid.UUID(str(data[SESSION_KEY]))
        except (KeyError, ValueError):
            row.user_id = None  # not signed in (yet): a session half-way through two-step sign-in
        return row


def sessions_end(*, user_id: uuid.UUID) -> int:
    """End every dashboard session of the user: their next request finds no session and is sent
    to sign in. Answers how many ended."""
    ended, _ = UserSession.objects.filter(user_id=user_id).delete()
    return ended
