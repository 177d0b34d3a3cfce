"""The sessions on a patient's page: the newest few, each with the drafts still to review.

Apart from the views so that the patient page (``dashboard.views``) and the sessions pages
(``dashboard.sessions``, which imports the views' guards) can both use it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from accounts.models import User
from care import selectors
from care.models import Session
from journal.models import Commitment

#: The sessions a patient page lists; weekly sessions make this most of a half-year.
RECENT_SESSIONS = 20


@dataclass(frozen=True)
class SessionLine:
    session: Session
    drafts_to_review: int  # drafts still proposed: the therapist has something to do there


@dataclass(frozen=True)
class RecentSessions:
    lines: list[SessionLine]
    more: bool  # older sessions exist beyond ``RECENT_SESSIONS``


def recent_sessions(*, therapist: User, patient_id: uuid.UUID, now: datetime) -> RecentSessions:
    """Newest held first, read through care (the patient's access log shows "sessions"); two
    queries whatever the number of sessions and drafts. Call it inside the page's transaction."""
    found = list(
        selectors.patient_sessions(therapist=therapist, patient_id=patient_id, now=now)
        .defer("transcript", "notes", "warnings")  # a list shows none of them; a transcript is long
        .order_by("-held_on", "-created_at")[: RECENT_SESSIONS + 1]
    )
    shown = found[:RECENT_SESSIONS]
    drafts = selectors.session_drafts(sessions=shown)
    return RecentSessions(
        lines=[
            SessionLine(
                session=session,
                drafts_to_review=sum(d.status == Commitment.Status.PROPOSED for d in drafts[session.id]),
            )
            for session in shown
        ],
        more=len(found) > RECENT_SESSIONS,
    )
