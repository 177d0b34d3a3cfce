"""Who might need the therapist's attention now: safety's flags, as a therapist may see them.

A therapist sees a flag through an active link: a check-in request always (asking is the point
of it), an entry's flag only while the patient shares the entry and the link shares entries,
exactly as the entry's words would be shown. A flag whose words were edited away or deleted
(``cleared_at``) is shown to no one. The roster puts a patient with an open flag (not yet marked
seen) first; the patient page and the brief quote the sentence.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from django.db.models import Case, Exists, OuterRef, Q, QuerySet, When

from accounts.models import CareLink, User
from care.access import patient_read
from care.exceptions import FlagNotFound
from care.models import AccessLog
from safety.models import Flag
from safety.services import flag_seen


def _shown(*, share_entries: bool, linked_since: Any) -> Q:
    """The flags a link shows: check-ins asked since it began (one asked of a former therapist,
    or of no one, is not this therapist's), and, while it shares entries, the shared entries'."""
    check_ins = Q(source=Flag.Source.CHECK_IN, raised_at__gte=linked_since)
    if not share_entries:
        return check_ins
    return check_ins | (Q(shared=True) & ~Q(source=Flag.Source.CHECK_IN))


def shown_through(link: CareLink) -> QuerySet[Flag]:
    """The patient's flags the link's therapist may see (open or seen, never cleared)."""
    shown = _shown(share_entries=link.share_entries, linked_since=link.created_at)
    return Flag.objects.filter(shown, patient_id=link.patient_id, cleared_at__isnull=True).select_related("seen_by")


def open_through(link: CareLink) -> list[Flag]:
    """The flags not yet marked seen, newest first."""
    return list(shown_through(link).filter(seen_at__isnull=True).order_by("-raised_at", "-id"))


def attention_now() -> Case:
    """For a query of links: whether the link's patient has an open flag its therapist may see
    (one subquery, whatever the number of links)."""
    open_flags = Flag.objects.filter(patient_id=OuterRef("patient_id"), cleared_at__isnull=True, seen_at__isnull=True)
    since = OuterRef("created_at")
    return Case(
        When(share_entries=True, then=Exists(open_flags.filter(_shown(share_entries=True, linked_since=since)))),
        default=Exists(open_flags.filter(_shown(share_entries=False, linked_since=since))),
    )


def flag_mark_seen(*, therapist: User, patient_id: uuid.UUID, flag_id: uuid.UUID, now: datetime) -> tuple[Flag, int]:
    """The therapist marks a flag seen: the patient's access log says who and when (and the
    entry, for an entry's flag). Marking it again keeps the first "seen". Answers the flag, and
    how many of the patient's flags this therapist may see are still open."""
    with patient_read(therapist=therapist, patient_id=patient_id, what=AccessLog.What.FLAG_SEEN, now=now) as read:
        flag = shown_through(read.link).filter(id=flag_id).first()
        if flag is None:
            raise FlagNotFound()
        if not flag.is_check_in:
            read.entries.append(flag.entry_named())
        flag = flag_seen(flag=flag, by=therapist, now=now)
        return flag, len(open_through(read.link))
