"""What is deleted is gone from the database's files too, not only from its tables."""

from __future__ import annotations

from django.db import connections


def purge_deleted_rows(*, using: str = "default") -> None:
    """Run after an erasure commits.

    On SQLite (the laptop default) deleted rows live on in the write-ahead log until a
    checkpoint copies it into the database, and in freed pages unless ``secure_delete`` is
    on (settings turn it on): checkpointing with TRUNCATE empties the ``-wal`` file. On
    PostgreSQL, dead rows are reclaimed by (auto)VACUUM and backups expire by their
    retention; the README tells operators what to do.
    """
    connection = connections[using]
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
