"""Encrypted text under keys of its own, that fails loudly.

django-fernet-encrypted-fields derives its keys from ``SECRET_KEY`` with each salt: rotating a
leaked ``SECRET_KEY`` would make every journal unreadable. This field derives them from the
data keys alone (``FIELD_ENCRYPTION_KEYS``, newest first, the first encrypting), so the two
rotate apart. Text written before that, under the library's keys, still decrypts while
``FIELD_ENCRYPTION_LEGACY_KEYS`` is on; ``manage.py reencrypt`` moves it to the newest key.

The library also returns a stored value that no configured key can decrypt as if it were
plain text: with a wrong or missing key an API would show ciphertext as a patient's words, and
a later save would encrypt that ciphertext again. This field raises instead, naming the field,
so a key mistake is an error in the log.
"""

from __future__ import annotations

import base64
import functools
from typing import Any, TypeVar

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC
from django.conf import settings
from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils.functional import cached_property
from encrypted_fields import fields

# A model field's types: what may be assigned to it, and what reading it gives.
_ST = TypeVar("_ST", contravariant=True)
_GT = TypeVar("_GT", covariant=True)


class UndecryptableValue(RuntimeError):
    pass


#: The salt of our own derivation: a data key yields a different Fernet key here than anywhere else.
DATA_KEY_SALT = b"good-enough field encryption"


@functools.cache
def _derived(secret: str, salt: bytes) -> bytes:
    # The library's derivation (PBKDF2-SHA256, 100,000 rounds), done once per process for each
    # pair rather than once per field: a data key may be a typed passphrase, not random bytes.
    kdf = PBKDF2HMAC(algorithm=hashes.SHA256(), length=32, salt=salt, iterations=100_000)
    return base64.urlsafe_b64encode(kdf.derive(secret.encode()))


def data_keys() -> list[bytes]:
    """The Fernet keys that open stored text, the one that encrypts first: one per data key,
    newest first; then, to decrypt only, those the library derived from ``SECRET_KEY`` and its
    fallbacks with each data key (text written before the data keys stood alone)."""
    keys = [_derived(key, DATA_KEY_SALT) for key in settings.FIELD_ENCRYPTION_KEYS]
    if settings.FIELD_ENCRYPTION_LEGACY_KEYS:
        secrets = [settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS]
        keys += [_derived(secret, key.encode()) for secret in secrets for key in settings.FIELD_ENCRYPTION_KEYS]
    return keys


def data_fernet() -> MultiFernet:
    """The data keys as one Fernet: encrypts with the newest, decrypts with any (``data_keys``)."""
    return MultiFernet([Fernet(key) for key in data_keys()])


class EncryptedTextField(fields.EncryptedTextField[_ST, _GT]):
    @cached_property
    def keys(self) -> list[bytes]:
        return data_keys()

    def from_db_value(self, value: str | None, expression: Any, connection: BaseDatabaseWrapper) -> str | None:
        if value is None:
            return None
        try:
            return self.f.decrypt(value.encode()).decode()
        except InvalidToken:
            raise UndecryptableValue(
                f"{self.model._meta.label}.{self.name}: no key in FIELD_ENCRYPTION_KEYS opens this value."
            ) from None
