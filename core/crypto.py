"""Encrypted text that fails loudly.

django-fernet-encrypted-fields returns a stored value that no configured key can decrypt as
if it were plain text: with a wrong or missing key in ``FIELD_ENCRYPTION_KEYS`` an API would
show ciphertext as a patient's words, and a later save would encrypt that ciphertext again.
This field raises instead, naming the field, so a key mistake is an error in the log.
"""

from __future__ import annotations

from typing import Any, TypeVar

from cryptography.fernet import InvalidToken
from django.db.backends.base.base import BaseDatabaseWrapper
from encrypted_fields import fields

# A model field's types: what may be assigned to it, and what reading it gives.
_ST = TypeVar("_ST", contravariant=True)
_GT = TypeVar("_GT", covariant=True)


class UndecryptableValue(RuntimeError):
    pass


class EncryptedTextField(fields.EncryptedTextField[_ST, _GT]):
    def from_db_value(self, value: str | None, expression: Any, connection: BaseDatabaseWrapper) -> str | None:
        if value is None:
            return None
        try:
            return self.f.decrypt(value.encode()).decode()
        except InvalidToken:
            raise UndecryptableValue(
                f"{self.model._meta.label}.{self.name}: no key in FIELD_ENCRYPTION_KEYS opens this value."
            ) from None
