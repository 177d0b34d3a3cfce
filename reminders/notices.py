"""Telling therapists that a patient might need their attention now (safety's flags).

A flag is raised inside a journal write (a shared entry that sounds like crisis) or a
patient's request for a check-in; ``safety.signals.flag_raised`` reaches us there, and the
telling waits for that transaction to commit (``transaction.on_commit``), so a write that
rolls back tells no one. Then ``flag_tell``:

1. finds the therapists who may see the flag (an active link; for an entry, one that shares
   entries): none, nothing is claimed, so a later save can still tell;
2. **claims** the flag (``safety.services.flag_notify_claim``: ``notified_at`` set where it
   was null): the second save of the same entry, or a task delivered twice, finds it claimed
   and sends nothing. Once per entry, never again;
3. sends each therapist one message through the reminder channels: e-mail where ``EMAIL_URL``
   is set, else the console log. It holds who and a link, never the patient's words: an inbox
   is not the place for them. A transient failure is tried again for that therapist alone.
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.urls import reverse

from accounts.models import User
from accounts.selectors import therapists_linked
from reminders import channels
from safety.models import Flag
from safety.services import flag_notify_claim

log = logging.getLogger(__name__)

#: How often a notice that failed for a passing reason is tried again, and how long apart.
RETRIES = 5
RETRY_AFTER = timedelta(minutes=2)
FOOTER = "This message holds none of their words; open their page to read what they shared."


def recipients(flag: Flag) -> list[User]:
    """The therapists who may see the flag: every linked one for a check-in, those whose link
    shares entries for an entry (and only while the patient shares it)."""
    if not flag.shared:
        return []
    links = therapists_linked(flag.patient_id, sharing_entries=not flag.is_check_in)
    if flag.is_check_in:  # asked of the therapists linked then, not of one linked since
        links = links.filter(created_at__lte=flag.raised_at)
    return [link.therapist for link in links if link.therapist is not None]


def message(flag: Flag, therapist: User, *, now: datetime) -> channels.Message:
    name = flag.patient.display_name
    what = (
        f"{name} asked you to check in."
        if flag.is_check_in
        else f"Something {name} wrote in an entry they share with you sounds like they may be in crisis."
    )
    page = settings.PUBLIC_URL + reverse("dashboard:patient", kwargs={"patient_id": flag.patient_id})
    return channels.Message(
        delivery_id=f"{flag.id}.{therapist.id}",
        kind="attention",
        title=f"{name} might need your attention now",
        body=f"{what}\n\nTheir page: {page}",
        slot_at=now,
        collapse_key=f"attention-{flag.id}",
    )


def flag_tell(*, flag_id: uuid.UUID, now: datetime) -> list[uuid.UUID]:
    """Tell the flag's therapists, once. Answers the therapists a passing failure kept from it
    (the task tries them again with ``flag_tell_again``)."""
    flag = Flag.objects.filter(id=flag_id).first()
    if flag is None or not recipients(flag):
        return []
    claimed = flag_notify_claim(flag_id=flag_id, now=now)
    if claimed is None:
        return []
    return [therapist.id for therapist in recipients(claimed) if not _send(claimed, therapist, now=now)]


#: How far back the sweep looks for a flag no one was told of.
SWEEP_LOOKS_BACK = timedelta(days=7)


def flags_untold(*, now: datetime) -> list[uuid.UUID]:
    """Open flags a therapist may see and was not told of: their task lost with a broker that
    was down, or no one to tell when raised (a therapist linked, or sharing turned on, since).
    The beat's sweep (``reminders.tell_flags``) tells them; the claim keeps it to once."""
    return list(
        Flag.objects.filter(
            notified_at__isnull=True,
            cleared_at__isnull=True,
            seen_at__isnull=True,
            shared=True,
            raised_at__gte=now - SWEEP_LOOKS_BACK,
        )
        .order_by("raised_at")
        .values_list("id", flat=True)[:100]
    )


def flag_tell_again(*, flag_id: uuid.UUID, therapist_id: uuid.UUID, now: datetime) -> bool:
    """Try one therapist again after a passing failure; True once it went (or cannot go)."""
    flag = Flag.objects.select_related("patient").filter(id=flag_id, notified_at__isnull=False).first()
    if flag is None:
        return True
    therapist = next((t for t in recipients(flag) if t.id == therapist_id), None)
    return therapist is None or _send(flag, therapist, now=now)


def _send(flag: Flag, therapist: User, *, now: datetime) -> bool:
    """Send one notice: True when it went or never can (a permanent refusal), False to retry."""
    notice = message(flag, therapist, now=now)
    try:
        if "email" in channels.configured() and therapist.email:
            channels.email(address=therapist.email, message=notice, footer=FOOTER, what="attention")
        else:
            # Development's channel: ids only, so a log never says who might be in crisis.
            log.info(
                "attention notice %s for therapist %s (patient %s)", notice.delivery_id, therapist.id, flag.patient_id
            )
    except channels.TransientError as error:
        log.warning("attention notice %s not sent yet: %s", notice.delivery_id, error)
        return False
    except channels.PermanentError as error:
        log.error("attention notice %s cannot be sent: %s", notice.delivery_id, error)
    return True
