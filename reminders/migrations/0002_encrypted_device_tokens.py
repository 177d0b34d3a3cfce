"""Device tokens encrypted at rest: the column's type stays text; the rows written before are
encrypted here, and decrypted again if the migration is reversed.

The rows are read and written with SQL, not through the model: the field would try to decrypt
the plain tokens it finds (and refuse), and the historical model's save would encrypt twice on
a second run. A value the field can already open is left alone, so a run after an interrupted
one finishes the job.
"""

from django.db import migrations

import core.crypto

BATCH = 500


def _rewrite(apps, schema_editor, change):
    Device = apps.get_model("reminders", "Device")
    field = Device._meta.get_field("token")
    connection = schema_editor.connection
    table = connection.ops.quote_name(Device._meta.db_table)
    last = None
    while True:
        with connection.cursor() as cursor:
            after = "WHERE id > %s " if last is not None else ""
            cursor.execute(
                f"SELECT id, token FROM {table} {after}ORDER BY id LIMIT {BATCH}",  # noqa: S608 (our table name)
                [last] if last is not None else [],
            )
            rows = cursor.fetchall()
            for key, stored in rows:
                new = change(field, stored, connection)
                if new is not None and new != stored:
                    cursor.execute(f"UPDATE {table} SET token = %s WHERE id = %s", [new, key])  # noqa: S608
        if len(rows) < BATCH:
            return
        last = rows[-1][0]


def _readable(field, stored, connection):
    """The plain token, or None if ``stored`` is not one of our ciphertexts."""
    try:
        return field.from_db_value(stored, None, connection)
    except core.crypto.UndecryptableValue:
        return None


def _encrypted(field, stored, connection):
    return None if _readable(field, stored, connection) is not None else field.get_prep_value(stored)


def encrypt_tokens(apps, schema_editor):
    _rewrite(apps, schema_editor, _encrypted)


def decrypt_tokens(apps, schema_editor):
    _rewrite(apps, schema_editor, _readable)


class Migration(migrations.Migration):
    dependencies = [
        ("reminders", "0001_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="device",
            name="token",
            field=core.crypto.EncryptedTextField(),
        ),
        migrations.RunPython(encrypt_tokens, decrypt_tokens),
    ]
