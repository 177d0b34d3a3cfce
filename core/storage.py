"""What is deleted is gone from the database's files too, not only from its tables."""

from __future__ import annotations

import logging

from django.db import connections

log = logging.getLogger(__name__)


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
            busy, _, _ = cursor.fetchone()
        if busy:
            # Another connection was reading: the log is truncated at the next checkpoint instead.
            log.warning("An erasure's WAL checkpoint was blocked by a reader; the log is emptied later.")
