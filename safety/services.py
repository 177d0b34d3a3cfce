"""Writes of safety: screening what a patient wrote, a patient's request for a check-in, and a
therapist's "seen".

``entry_screen`` runs inside the journal's write, under the patient's sync-counter lock, so two
devices saving one entry at once cannot both raise its flag. Every function takes ``now``.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime

from django.db import transaction

from accounts.models import User
from accounts.selectors import therapists_linked
from safety import signals
from safety.models import Flag
from safety.risk import Risk, risk_in


def screen(words: Iterable[str | None]) -> Risk | None:
    """The first of an entry's texts that sounds like crisis, in the order given."""
    for text in words:
        if text and (risk := risk_in(text)) is not None:
            return risk
    return None


def shares_with_a_therapist(patient: User) -> bool:
    """Whether any therapist may read the patient's shared entries (an active link that shares)."""
    return therapists_linked(patient.id, sharing_entries=True).exists()


@transaction.atomic
def entry_screen(
    *,
    patient_id: uuid.UUID,
    source: Flag.Source,
    entry_id: uuid.UUID,
    when: dict[str, str],
    words: Iterable[str | None],
    shared: bool,
    now: datetime,
) -> Risk | None:
    """Keep the entry's flag in step with what it now says; answer the risk, or None.

    A new risky sentence raises the flag again (a therapist's "seen" was of other words); the
    same sentence saved again changes nothing but whether it is shared; words that no longer
    say it clear the flag and forget the sentence. A deleted entry has no words (``words`` is
    empty): its flag clears.
    """
    risk = screen(words)
    flag = Flag.objects.select_for_update().filter(source=source, entry_id=entry_id).first()
    if risk is None:
        if flag is not None and (flag.cleared_at is None or flag.shared != shared):
            flag.cleared_at = flag.cleared_at or now
            flag.sentence = None
            flag.shared = shared
            flag.save(update_fields=["cleared_at", "sentence", "shared"])
        return None
    if flag is None:
        flag = Flag(patient_id=patient_id, source=source, entry_id=entry_id)
    elif flag.cleared_at is None and flag.sentence == risk.sentence:
        if (flag.shared, flag.kind, flag.entry_when) != (shared, risk.kind, when):
            flag.shared, flag.kind, flag.entry_when = shared, risk.kind, when
            flag.save(update_fields=["shared", "kind", "entry_when"])
        _tell(flag, now=now)
        return risk
    flag.kind, flag.sentence, flag.shared, flag.entry_when = risk.kind, risk.sentence, shared, when
    flag.raised_at, flag.cleared_at, flag.seen_at, flag.seen_by = now, None, None, None
    flag.save()
    _tell(flag, now=now)
    return risk


@transaction.atomic
def check_in_request(*, patient: User, now: datetime) -> tuple[Flag, bool]:
    """The patient asks their therapist to check in: ``(flag, created)``. While one request is
    open (not yet seen) asking again answers it rather than making a second. With no therapist
    linked no one is asked: the request is kept cleared (the patient is told so), and a therapist
    linked later never sees it."""
    User.objects.select_for_update().filter(pk=patient.pk).first()  # one request at a time per patient
    linked = therapists_linked(patient.id).exists()
    open_request = Flag.objects.filter(
        patient=patient, source=Flag.Source.CHECK_IN, seen_at__isnull=True, cleared_at__isnull=True
    ).first()
    if open_request is not None:
        _tell(open_request, now=now)  # told already, or (its telling lost) told now
        return open_request, False
    flag = Flag.objects.create(
        patient=patient, source=Flag.Source.CHECK_IN, raised_at=now, cleared_at=None if linked else now
    )
    if linked:
        _tell(flag, now=now)
    return flag, True


def _tell(flag: Flag, *, now: datetime) -> None:
    if flag.shared and flag.notified_at is None and flag.cleared_at is None:
        signals.flag_raised.send(sender=Flag, flag=flag, now=now)


def flag_notify_claim(*, flag_id: uuid.UUID, now: datetime) -> Flag | None:
    """Claim the telling of a flag: the flag if this caller is the one to tell the therapists,
    None if it was told already, or is no longer open. Once claimed it is never claimed again."""
    claimed = Flag.objects.filter(id=flag_id, notified_at__isnull=True, cleared_at__isnull=True).update(notified_at=now)
    return Flag.objects.select_related("patient").get(id=flag_id) if claimed else None


def flag_seen(*, flag: Flag, by: User, now: datetime) -> Flag:
    """The therapist has seen it. Idempotent: the first "seen" is the one kept."""
    Flag.objects.filter(id=flag.id, seen_at__isnull=True).update(seen_at=now, seen_by=by)
    flag.refresh_from_db(fields=["seen_at", "seen_by"])
    return flag
