"""The dashboard's sessions, encrypted at rest under the data keys.

A session holds what a page flashes to the next ("Dropped “Try a new recipe just for fun”.")
until that page is shown: words drawn from a patient's sessions. Django's database sessions are
signed, not encrypted, so a copy of the database would read them; these are Fernet-encrypted
under ``FIELD_ENCRYPTION_KEYS`` like every other text (``core.crypto``). A session that no
configured key opens (its key dropped after a rotation) reads as empty: its therapist signs in
again, as when a session expires. (``accounts.sessions`` stores these in rows that name their
user; the settings name that engine.)
"""

from __future__ import annotations

from typing import Any

from cryptography.fernet import InvalidToken, MultiFernet
from django.contrib.sessions.backends import db
from django.utils.functional import cached_property

from core.crypto import data_fernet


class SessionStore(db.SessionStore):
    @cached_property
    def fernet(self) -> MultiFernet:
        return data_fernet()

    def encode(self, session_dict: dict[str, Any]) -> str:
        return self.fernet.encrypt(super().encode(session_dict).encode()).decode()

    def decode(self, session_data: bytes | str) -> dict[str, Any]:
        token = session_data.encode() if isinstance(session_data, str) else session_data
        try:
            signed = self.fernet.decrypt(token).decode()
        except InvalidToken:
            return {}
        return super().decode(signed)
