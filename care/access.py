"""The one way a therapist reads a patient's data: through an active link, and logged.

Every care read (the API's and the dashboard's) opens ``patient_read``: it finds the patient
through ``accounts.selectors.linked_care`` (not linked, or no such patient: ``NotLinked``,
a 404), lets the answer be built, and writes the access-log row in the same transaction, with
the shared entries the answer showed (``Read.showed``). If building the answer fails, no row is
written; if the row cannot be written, the answer is not given. The patient sees the rows at
``/api/v1/me/access-log/``.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime

from django.db import connection, transaction

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


@contextmanager
def patient_read(*, therapist: User, patient_id: uuid.UUID, what: AccessLog.What, now: datetime) -> Iterator[Read]:
    """Yield the read, in a transaction that logs it once the answer is built (with what it
    showed): an answer that fails to build leaves no row, a row that fails to write no answer."""
    with transaction.atomic():
        read = Read(link=linked_care(therapist=therapist, patient_id=patient_id))
        yield read
        AccessLog.objects.create(
            patient_id=read.link.patient_id,
            therapist=therapist,
            therapist_name=therapist.display_name,
            what=what,
            at=now,
            entries=read.entries,
        )


def access_log(*, therapist: User, patient_ids: Iterable[uuid.UUID], what: AccessLog.What, now: datetime) -> None:
    """One row per patient read, in one statement whatever their number (the roster's case).

    Callers have already checked the link: this only writes. On PostgreSQL one ``INSERT ...
    SELECT FROM unnest(ids)``: ``bulk_create`` spent ~50 ms of a 500-patient roster preparing
    each row's values; elsewhere ``bulk_create``.
    """
    ids = list(patient_ids)
    if not ids:
        return
    if connection.vendor != "postgresql":
        AccessLog.objects.bulk_create(
            AccessLog(patient_id=pid, therapist=therapist, therapist_name=therapist.display_name, what=what, at=now)
            for pid in ids
        )
        return
    with connection.cursor() as cursor:
        cursor.execute(
            f"""INSERT INTO {AccessLog._meta.db_table} (id, patient_id, therapist_id, therapist_name, what, at, entries)
                SELECT read.id, read.patient_id, %s, %s, %s, %s, '[]'::jsonb
                FROM unnest(%s::uuid[], %s::uuid[]) AS read (id, patient_id)""",  # noqa: S608
            [therapist.id, therapist.display_name, what.value, now, [uuid.uuid4() for _ in ids], ids],
        )
