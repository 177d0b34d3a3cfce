"""Kept so that migrations written before the field moved to ``core.crypto`` still import."""

from core.crypto import EncryptedTextField, UndecryptableValue

__all__ = ["EncryptedTextField", "UndecryptableValue"]
