"""Django's SQLite backend, told how many query parameters this SQLite really takes.

Django assumes SQLite's old compile-time limit of 999 parameters, so a bulk insert of 200
access-log rows (6 columns each) becomes two statements on SQLite and one on PostgreSQL.
SQLite since 3.32 allows 32,766 and Python (3.11+) can ask the library; reading the real
limit keeps a page's query count the same on both databases.
"""

from __future__ import annotations

import sqlite3

from django.db.backends.sqlite3 import base, features
from django.utils.functional import cached_property


class DatabaseFeatures(features.DatabaseFeatures):
    @cached_property
    def max_query_params(self) -> int:  # type: ignore[override]  # a property in place of the class constant
        with self.connection.temporary_connection() as cursor:
            return int(cursor.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER))


class DatabaseWrapper(base.DatabaseWrapper):
    features_class = DatabaseFeatures
