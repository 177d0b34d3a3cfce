"""Re-encrypt every encrypted field of every model under the newest key.

After putting a new key first in ``FIELD_ENCRYPTION_KEYS`` (old ones after it), run this;
once it reports nothing left under an old key, the old keys can be removed. It covers every
encrypted column: journals, invite notes, the second factor's TOTP keys and recovery codes,
and text still under the keys derived from ``SECRET_KEY`` before the data keys stood alone
(after which ``FIELD_ENCRYPTION_LEGACY_KEYS`` can be turned off; see core/crypto.py).

It works on the stored tokens (Fernet's ``rotate``), not through the model fields: the
library returns an undecryptable value as if it were plain text, and saving that through
the field would encrypt a ciphertext. A token no key can open is reported, never rewritten.
"""

from __future__ import annotations

from typing import Any, cast

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.db.models import Field, Model
from encrypted_fields.fields import EncryptedFieldMixin

BATCH = 500


class Command(BaseCommand):
    help = "Re-encrypt all encrypted text under the newest key of FIELD_ENCRYPTION_KEYS."

    def handle(self, *args: Any, **options: Any) -> None:
        rotated = unreadable = 0
        for model in apps.get_models():
            fields = [field for field in model._meta.concrete_fields if isinstance(field, EncryptedFieldMixin)]
            for field in fields:
                # The library's mixin and django-stubs' Field disagree on signatures: mypy cannot narrow to both.
                crypto = MultiFernet([Fernet(key) for key in cast(EncryptedFieldMixin, field).keys])
                done, bad = self.rotate_column(model, field, crypto)
                rotated += done
                unreadable += bad
        self.stdout.write(f"Re-encrypted {rotated} values under the newest key; {unreadable} could not be read.")
        if unreadable:
            raise CommandError(
                "Some values could not be decrypted with any configured key; they were left as they are."
            )

    def rotate_column(self, model: type[Model], field: Field[Any, Any], crypto: MultiFernet) -> tuple[int, int]:
        # Concrete fields, the primary key among them, always have a column.
        assert field.column is not None
        assert model._meta.pk.column is not None
        table = connection.ops.quote_name(model._meta.db_table)
        column = connection.ops.quote_name(field.column)
        pk = connection.ops.quote_name(model._meta.pk.column)
        done = bad = 0
        last = None
        while True:
            with transaction.atomic(), connection.cursor() as cursor:
                where = f"WHERE {column} IS NOT NULL" + (f" AND {pk} > %s" if last is not None else "")
                cursor.execute(
                    f"SELECT {pk}, {column} FROM {table} {where} ORDER BY {pk} LIMIT {BATCH}",  # noqa: S608
                    [last] if last is not None else [],
                )
                rows = cursor.fetchall()
                for key, token in rows:
                    try:
                        new = crypto.rotate(token.encode()).decode()
                    except InvalidToken:
                        bad += 1
                        self.stderr.write(f"{model._meta.label}.{field.name} {key}: no configured key opens it")
                        continue
                    # Only if nobody changed it since it was read: a concurrent edit is already under
                    # the newest key, and a concurrent delete must not get its text back.
                    cursor.execute(
                        f"UPDATE {table} SET {column} = %s WHERE {pk} = %s AND {column} = %s",  # noqa: S608
                        [new, key, token],
                    )
                    done += cursor.rowcount
            if len(rows) < BATCH:
                return done, bad
            last = rows[-1][0]
