"""The one way a therapist reads a patient's data: through an active link, and logged.

Every care read (the API's and the dashboard's) opens ``patient_read``: it finds the patient
through ``accounts.selectors.linked_care`` (not linked, or no such patient: ``NotLinked``,
a 404), lets the answer be built, and logs it in the same transaction, with the shared entries
the answer showed (``Read.showed``). If building the answer fails, nothing is logged; if the log
cannot be written, the answer is not given. The patient sees the log at ``/api/v1/me/access-log/``.

The log keeps one row per reader, patient, kind of read and day (the patient's day, in their
zone): a read inserts it, or counts itself into it (``count``, the last time ``at``, the
entries it showed added to the day's). One ``INSERT ... ON CONFLICT DO UPDATE`` does either,
atomically, so two reads at once neither fail on the unique row nor lose a count.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db import connection, transaction
from django.db.models import Field

from accounts.models import CareLink, User
from accounts.selectors import linked_care
from care.models import AccessLog
from journal.kinds import KINDS
from journal.models import Entry

_TYPE_OF = {kind.model: kind.name for kind in KINDS}


def entry_named(entry: Entry) -> dict[str, str]:
    """An entry as the access log names it: its type, its id, and its week (a pride entry) or
    day. Never its words: the log outlives the entry, and says what was read, not what it said."""
    return {"type": _TYPE_OF[type(entry)], "id": str(entry.id), **entry.when()}


@dataclass
class Read:
    """One read of one patient, under way: the active link it goes through (its ``patient``
    loaded), and the shared entries whose words the answer shows, as the log will name them."""

    link: CareLink
    entries: list[dict[str, str]] = field(default_factory=list)

    def showed(self, entries: Iterable[Entry]) -> None:
        """Record entries whose words the answer shows (the log names them once it is written)."""
        self.entries += [entry_named(entry) for entry in entries]


def read_day(*, patient: User, now: datetime) -> date:
    """The day a read is counted on: the patient's, in their zone (the log is theirs)."""
    return now.astimezone(patient.zone).date()


def _prep(name: str, value: Any) -> Any:
    """A value as the database stores this field of the log (a UUID as SQLite's hex text, a
    datetime as its naive UTC text): raw SQL gets what the ORM would have sent."""
    model_field = AccessLog._meta.get_field(name)
    assert isinstance(model_field, Field)  # a column of the log's own, not a relation's far side
    return model_field.get_db_prep_value(value, connection, prepared=False)


#: What a read that finds the day's row already there changes in it: one more, the later
#: time (two reads committing out of order still leave the last one's), the reader's name as
#: they last read.
_COUNTED = {
    "postgresql": "count = {t}.count + 1, at = GREATEST({t}.at, excluded.at), therapist_name = excluded.therapist_name",
    "sqlite": "count = {t}.count + 1, at = MAX({t}.at, excluded.at), therapist_name = excluded.therapist_name",
}

#: And the entries this read showed added to the day's: each once, in the order first shown.
#: In SQL, so that a read is one statement whatever it showed, and no read can slip between
#: reading the day's entries and writing them back.
_ENTRIES_ADDED = {
    "postgresql": """entries = (
        SELECT coalesce(jsonb_agg(entry ORDER BY n), '[]'::jsonb) FROM (
            SELECT entry, min(n) AS n FROM jsonb_array_elements({t}.entries || excluded.entries)
                WITH ORDINALITY AS shown (entry, n)
            GROUP BY entry) AS once)""",
    # SQLite's json_each gives each element as compact text, so equal entries are equal text.
    "sqlite": """entries = (
        SELECT json_group_array(json(entry)) FROM (
            SELECT entry, min(n) AS n FROM (
                SELECT value AS entry, key AS n FROM json_each({t}.entries)
                UNION ALL SELECT value, 1000000 + key FROM json_each(excluded.entries))
            GROUP BY entry ORDER BY n))""",
}


_COLUMNS = "id, patient_id, therapist_id, therapist_name, what, day, count, first_at, at, entries"


def _on_conflict(*, entries: bool) -> str:
    """The upsert's conflict clause: on the unique (patient, reader, kind, day) row."""
    vendor = connection.vendor
    table = AccessLog._meta.db_table
    sets = [_COUNTED[vendor]] + ([_ENTRIES_ADDED[vendor]] if entries else [])
    return "ON CONFLICT (patient_id, therapist_id, what, day) DO UPDATE SET " + ", ".join(sets).format(t=table)


def _read_logged(*, read: Read, therapist: User, what: AccessLog.What, now: datetime) -> None:
    """Count one read into the patient's row for the reader, the kind and the day (inserting
    it on the day's first), with the entries it showed: one statement, whatever was there.

    The upsert waits for (and then locks) a row another read is writing, so two reads at once
    both count and neither fails on the unique row.
    """
    table, columns = AccessLog._meta.db_table, _COLUMNS
    patient = read.link.patient
    # Each entry once, in the order first shown (the entries are dicts: keyed by their JSON).
    shown = list({json.dumps(entry, sort_keys=True): entry for entry in read.entries}.values())
    with connection.cursor() as cursor:
        cursor.execute(
            f"""INSERT INTO {table} ({columns})
                VALUES (%s, %s, %s, %s, %s, %s, 1, %s, %s, %s)
                {_on_conflict(entries=bool(shown))}""",  # noqa: S608 (our table's name, no input)
            [
                _prep("id", uuid.uuid4()),
                _prep("patient", patient.id),
                _prep("therapist", therapist.id),
                therapist.display_name,
                what.value,
                _prep("day", read_day(patient=patient, now=now)),
                _prep("first_at", now),
                _prep("at", now),
                _prep("entries", shown),
            ],
        )


@contextmanager
def patient_read(*, therapist: User, patient_id: uuid.UUID, what: AccessLog.What, now: datetime) -> Iterator[Read]:
    """Yield the read, in a transaction that logs it once the answer is built (with what it
    showed): an answer that fails to build leaves no trace, a log that fails to write no answer."""
    with transaction.atomic():
        read = Read(link=linked_care(therapist=therapist, patient_id=patient_id))
        yield read
        _read_logged(read=read, therapist=therapist, what=what, now=now)


def access_log(*, therapist: User, patients: Iterable[User], what: AccessLog.What, now: datetime) -> None:
    """Count a read of each patient into their day's row, in one statement whatever their
    number (the roster's case). ``patients`` need only their id and zone loaded.

    Callers have already checked the link: this only writes. On PostgreSQL ``INSERT ... SELECT
    FROM unnest(...)`` (``bulk_create`` spent ~50 ms of a 500-patient roster preparing each
    row's values); on SQLite the same from ``json_each`` of one parameter, which no limit on
    the number of parameters can split.
    """
    days = {patient.id: read_day(patient=patient, now=now) for patient in patients}
    if not days:
        return
    table = AccessLog._meta.db_table
    shared = [_prep("therapist", therapist.id), therapist.display_name, what.value, _prep("at", now), _prep("at", now)]
    columns = _COLUMNS
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"""INSERT INTO {table} ({columns})
                    SELECT read.id, read.patient_id, %s, %s, %s, read.day, 1, %s, %s, '[]'::jsonb
                    FROM unnest(%s::uuid[], %s::uuid[], %s::date[]) AS read (id, patient_id, day)
                    {_on_conflict(entries=False)}""",  # noqa: S608 (our table's name, no input)
                [*shared, [uuid.uuid4() for _ in days], list(days), list(days.values())],
            )
            return
        reads = [[_prep("id", uuid.uuid4()), _prep("patient", pid), _prep("day", day)] for pid, day in days.items()]
        # "WHERE true": SQLite's parser needs it between a SELECT and an ON CONFLICT.
        cursor.execute(
            f"""INSERT INTO {table} ({columns})
                SELECT json_extract(read.value, '$[0]'), json_extract(read.value, '$[1]'), %s, %s, %s,
                    json_extract(read.value, '$[2]'), 1, %s, %s, '[]'
                FROM json_each(%s) AS read WHERE true
                {_on_conflict(entries=False)}""",  # noqa: S608 (our table's name, no input)
            [*shared, json.dumps(reads)],
        )
