"""What a therapist reads about their patients: the roster, a patient, their progress, the
entries they share, their sessions. The patient's own access log is read here too.

Every read of one patient goes through ``care.access.patient_read`` (active link, logged);
the roster logs each patient on its page. Functions answer models and dataclasses, never
HTTP: the API and the dashboard show them.
"""

from __future__ import annotations

import base64
import binascii
import json
import unicodedata
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery, TextChoices
from django.db.models.functions import Coalesce

from accounts.exceptions import NotLinked
from accounts.models import CareLink, User
from accounts.selectors import linked_cares
from care.access import access_log, patient_read
from care.attention import attention_now as needs_attention_now
from care.attention import open_through
from care.detection import session_order
from care.exceptions import SessionNotFound
from care.models import AccessLog, Session
from core.exceptions import NotFound
from journal.kinds import KINDS
from journal.models import Commitment, Entry
from journal.selectors import (
    PatientProgress,
    PatientWeeks,
    WeekSummary,
    commitments_visible_to,
    latest,
    living,
    newest_entries,
    practised_kinds,
    progress,
    week_summaries,
)
from safety.models import Flag

#: After this long with no entry (or since the link began, for a new patient), a patient
#: is shown as needing attention. One home for the rule: the roster and the dashboard read it.
NEEDS_ATTENTION_AFTER = timedelta(days=14)
#: The roster's "last four weeks" are the four before this one.
ROSTER_WEEKS = 5
#: The dashboard's charts (a roster row's sparkline, a patient's week chart): this week and
#: the eleven before it. ``week_summaries`` costs the same queries for 12 weeks as for 5.
CHART_WEEKS = 12


def quiet_since(*, last_active_at: datetime | None, linked_since: datetime) -> datetime:
    """Since when a patient has written nothing: their last entry, or the link's start if they
    have not written since it began."""
    return max(last_active_at or linked_since, linked_since)


def needs_attention(*, last_active_at: datetime | None, linked_since: datetime, now: datetime) -> bool:
    """No entry for 14 days. A patient linked less than 14 days ago who has not written yet
    has not been quiet for 14 days."""
    return now - quiet_since(last_active_at=last_active_at, linked_since=linked_since) >= NEEDS_ATTENTION_AFTER


# --- The roster ----------------------------------------------------------------------------


@dataclass(frozen=True)
class RosterRow:
    link: CareLink
    weeks: PatientWeeks  # this week first, then the four before it (or more, as ``roster`` was asked)
    needs_attention: bool
    #: The kinds of practice the patient has now (``Commitment.Kind`` values): what the row counts.
    practices: frozenset[str] = frozenset()

    @property
    def attention_now(self) -> bool:
        """A flag still open: a shared entry that sounds like crisis, or a request for a check-in."""
        return bool(getattr(self.link, "attention_now", False))

    @property
    def patient(self) -> User:
        return self.link.patient

    @property
    def quiet_since(self) -> datetime:
        return quiet_since(last_active_at=self.weeks.last_active_at, linked_since=self.link.created_at)

    @property
    def this_week(self) -> WeekSummary:
        return self.weeks.weeks[0]

    @property
    def drafts_waiting(self) -> int:
        """Practices drafted from this therapist's sessions, still to confirm or drop (0 unless
        the links came from ``roster_index``)."""
        return int(getattr(self.link, "drafts_waiting", 0))

    @property
    def next_session_at(self) -> datetime | None:
        return self.link.next_session_at

    @property
    def shows(self) -> RowShows:
        """What the row counts: a practice the patient has, or one they did anyway in these weeks."""
        shown = self.weeks.weeks[:ROSTER_WEEKS]
        return RowShows(
            reflection=Commitment.Kind.REFLECTION_DAILY in self.practices
            or any(week.reflection_days for week in shown),
            pride=Commitment.Kind.PRIDE_WEEKLY in self.practices or any(week.pride.count for week in shown),
            pride_target=Commitment.Kind.PRIDE_WEEKLY in self.practices,
            experiments=Commitment.Kind.EXPERIMENT in self.practices or any(week.experiments_tried for week in shown),
        )

    @property
    def last_4_weeks(self) -> WeeksBefore:
        """The four weeks before this one, summed."""
        before = self.weeks.weeks[1:ROSTER_WEEKS]
        return WeeksBefore(
            pride_weeks_met=sum(week.pride.met for week in before),
            reflection_days=sum(week.reflection_days for week in before),
            experiments_tried=sum(week.experiments_tried for week in before),
        )


@dataclass(frozen=True)
class RowShows:
    reflection: bool
    pride: bool
    #: "of 3" only for a patient asked to list three: for the others a count is what they did.
    pride_target: bool
    experiments: bool

    @property
    def anything(self) -> bool:
        return self.reflection or self.pride or self.experiments


@dataclass(frozen=True)
class WeeksBefore:
    pride_weeks_met: int
    reflection_days: int
    experiments_tried: int


def roster_links(therapist: User, *, attention_now: bool | None = None) -> QuerySet[CareLink]:
    """The therapist's active links by the patient's name (what the roster pages through), each
    knowing whether its patient might need attention now (``attention_now``); only those who do,
    or only those who do not, when ``attention_now`` says so."""
    # Only what the roster shows of a link and a patient: a user row carries much more (its
    # password hash among it) that 500 rows would parse for nothing.
    links = (
        linked_cares(therapist)
        .only(
            "id",
            "created_at",
            "share_entries",
            "next_session_at",
            "patient__id",
            "patient__display_name",
            "patient__timezone",
        )
        .annotate(patient_name=F("patient__display_name"), attention_now=needs_attention_now())
        .order_by("patient_name", "id")
    )
    # A Q: the annotation is no field the type checker knows.
    return links if attention_now is None else links.filter(Q(attention_now=attention_now))


def roster(
    *, therapist: User, links: Sequence[CareLink], now: datetime, weeks: int = ROSTER_WEEKS, practices: bool = False
) -> list[RosterRow]:
    """One row per link on the page: the same queries for one patient as for two hundred
    (the journal's week summaries, and one insert for the access log).

    ``weeks`` (at least ``ROSTER_WEEKS``) is how far back each row's weeks reach: the API
    shows only this week and the four before, the dashboard's sparkline ``CHART_WEEKS``.
    """
    if weeks < ROSTER_WEEKS:
        raise ValueError(f"a roster row reads at least {ROSTER_WEEKS} weeks")
    patients = [link.patient for link in links]
    summaries = week_summaries(patients=patients, weeks=weeks, now=now)
    # The kinds of practice each patient has, for a page that shows only what they practise: one query more.
    kinds = practised_kinds(patient_ids=[p.id for p in patients]) if practices else {}
    access_log(therapist=therapist, patients=patients, what=AccessLog.What.ROSTER, now=now)
    return [
        RosterRow(
            link=link,
            weeks=summaries[link.patient_id],
            needs_attention=needs_attention(
                last_active_at=summaries[link.patient_id].last_active_at, linked_since=link.created_at, now=now
            ),
            practices=kinds.get(link.patient_id, frozenset()),
        )
        for link in links
    ]


class RosterShow(TextChoices):
    """Which of the caseload the roster lists."""

    ALL = "all", "Everyone"
    NOW = "now", "Might need you now"
    DRAFTS = "drafts", "Drafts to review"
    QUIET = "quiet", "Quiet two weeks or more"
    NO_PRACTICE = "none", "No practice yet"


class RosterSort(TextChoices):
    LOOK = "look", "Who needs a look"
    NAME = "name", "Name"
    LAST_WROTE = "last", "Last wrote"
    NEXT_SESSION = "next", "Next session"


@dataclass(frozen=True)
class RosterQuery:
    """What the therapist asked of their roster: part of a name, which patients, in what
    order, and which page of them."""

    search: str = ""
    show: str = RosterShow.ALL
    sort: str = RosterSort.LOOK
    page: int = 1
    page_size: int = 50


@dataclass(frozen=True)
class _Standing:
    """What the roster sorts and filters a link by, read for the whole caseload at once."""

    link_id: uuid.UUID
    linked_since: datetime
    next_session_at: datetime | None
    last_active_at: datetime | None
    quiet: bool
    attention_now: bool
    drafts_waiting: int
    has_practice: bool
    name: str  # folded for search and sort

    def shown_by(self, show: str) -> bool:
        return _SHOWN_BY[RosterShow(show)](self)


#: Whom each filter lets through (asked of every patient of the caseload, for every filter's count).
_SHOWN_BY: dict[RosterShow, Callable[[_Standing], bool]] = {
    RosterShow.ALL: lambda one: True,
    RosterShow.NOW: lambda one: one.attention_now,
    RosterShow.DRAFTS: lambda one: one.drafts_waiting > 0,
    RosterShow.QUIET: lambda one: one.quiet,
    RosterShow.NO_PRACTICE: lambda one: not one.has_practice,
}


@dataclass(frozen=True)
class RosterPage:
    rows: list[RosterRow]
    query: RosterQuery
    caseload: int  # every active link
    found: int  # those the search and the filter let through
    #: How many of those the search lets through each filter shows (for the filter's labels).
    counts: dict[str, int]
    page: int  # the page shown (the one asked, within 1..pages)
    pages: int


def fold(text: str) -> str:
    """``text`` for matching as a person types it: any case, and accents optional
    ("zoe" finds "Zoë", "jose" finds "José")."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def roster_index(therapist: User, *, now: datetime) -> list[_Standing]:
    """Every active link of the therapist with what the roster sorts and filters by: one query,
    however many patients (each fact a step down an index per patient, never a scan of what
    they wrote), read as plain values (500 model instances cost more than the query). Nothing
    here is logged: it reads no patient's words or weeks, only the facts that order the list;
    the rows shown are read (and logged) by ``roster``."""
    drafts = (
        living(Commitment)
        .filter(
            patient=OuterRef("patient"),
            status=Commitment.Status.PROPOSED,
            session_id__in=Session.objects.filter(therapist=therapist).values("id"),
        )
        .order_by()
        .values("patient")
        .annotate(waiting=Count("pk"))
        .values("waiting")
    )
    practice = living(Commitment).filter(patient=OuterRef("patient"), status=Commitment.Status.ACTIVE)
    newest = newest_entries(patient="patient")
    rows = roster_links(therapist).annotate(
        **newest, drafts_waiting=Coalesce(Subquery(drafts), 0), has_practice=Exists(practice)
    )
    fields = ("id", "created_at", "next_session_at", "patient_name", "attention_now", "drafts_waiting", "has_practice")
    standings = []
    for link_id, created_at, next_session_at, name, attention, waiting, practised, *times in rows.values_list(
        *fields, *newest
    ):
        last = latest(times)
        standings.append(
            _Standing(
                link_id=link_id,
                linked_since=created_at,
                next_session_at=next_session_at,
                last_active_at=last,
                quiet=needs_attention(last_active_at=last, linked_since=created_at, now=now),
                attention_now=bool(attention),
                drafts_waiting=waiting,
                has_practice=bool(practised),
                name=fold(name),
            )
        )
    return standings


_NEVER = datetime.max.replace(tzinfo=UTC)
_SORTS = {
    # Those who might need attention now (a request for a check-in, an entry that sounds like
    # crisis), then those who might like a check-in, then the longest quiet, then by name.
    RosterSort.LOOK: lambda one: (
        not one.attention_now,
        not one.quiet,
        quiet_since(last_active_at=one.last_active_at, linked_since=one.linked_since),
        one.name,
    ),
    RosterSort.NAME: lambda one: (one.name, str(one.link_id)),
    # Who wrote most recently first; those who have not written yet last.
    RosterSort.LAST_WROTE: lambda one: (
        one.last_active_at is None,
        -(one.last_active_at.timestamp() if one.last_active_at else 0),
        one.name,
    ),
    # The soonest first; those with none set last.
    RosterSort.NEXT_SESSION: lambda one: (one.next_session_at or _NEVER, one.name),
}


def roster_page(*, therapist: User, query: RosterQuery, now: datetime, weeks: int = CHART_WEEKS) -> RosterPage:
    """One page of the therapist's roster, searched, filtered and sorted as ``query`` asks.

    The whole caseload's order is read in one query (``roster_index``); only the page's rows
    read their weeks, practices, and write the access log, so the queries are the same for
    one patient as for five hundred and the time follows the page, not the caseload."""
    standings = roster_index(therapist, now=now)
    wanted = fold(query.search.strip())
    searched = [one for one in standings if wanted in one.name]
    counts = {show: sum(one.shown_by(show) for one in searched) for show in RosterShow.values}
    found = sorted((one for one in searched if one.shown_by(query.show)), key=_SORTS[RosterSort(query.sort)])
    pages = max(1, -(-len(found) // query.page_size))
    page = min(max(query.page, 1), pages)
    start = (page - 1) * query.page_size
    shown = found[start : start + query.page_size]
    # The page's links as the rows show them, in the page's order; one query more.
    links = {link.id: link for link in roster_links(therapist).filter(id__in=[one.link_id for one in shown])}
    waiting = {one.link_id: one.drafts_waiting for one in shown}
    for link in links.values():
        link.drafts_waiting = waiting[link.id]  # type: ignore[attr-defined]
    return RosterPage(
        rows=roster(
            therapist=therapist,
            links=[links[one.link_id] for one in shown if one.link_id in links],
            now=now,
            weeks=weeks,
            practices=True,
        ),
        query=query,
        caseload=len(standings),
        found=len(found),
        counts=counts,
        page=page,
        pages=pages,
    )


# --- One patient ---------------------------------------------------------------------------


@dataclass(frozen=True)
class PatientDetail:
    link: CareLink
    last_active_at: datetime | None
    needs_attention: bool
    commitments: list[Commitment]
    weeks: PatientWeeks  # this week first, as many as ``patient_detail`` was asked
    flags: list[Flag]  # open, newest first: what might need the therapist's attention now


def patient_detail(*, therapist: User, patient_id: uuid.UUID, now: datetime, weeks: int) -> PatientDetail:
    """A patient, their commitments and their last ``weeks`` weeks (the dashboard's chart asks
    ``CHART_WEEKS``; the same five journal queries whatever the number)."""
    with patient_read(therapist=therapist, patient_id=patient_id, what=AccessLog.What.PATIENT, now=now) as read:
        link = read.link
        summary = week_summaries(patients=[link.patient], weeks=weeks, now=now)[link.patient_id]
        flags = open_through(link)
        read.entries += [flag.entry_named() for flag in flags if not flag.is_check_in]
        return PatientDetail(
            flags=flags,
            link=link,
            weeks=summary,
            last_active_at=summary.last_active_at,
            needs_attention=needs_attention(
                last_active_at=summary.last_active_at, linked_since=link.created_at, now=now
            ),
            commitments=list(living(Commitment).filter(patient=link.patient).order_by("-created_at", "-seq")),
        )


def patient_progress(*, therapist: User, patient_id: uuid.UUID, weeks: int, now: datetime) -> PatientProgress:
    with patient_read(therapist=therapist, patient_id=patient_id, what=AccessLog.What.PROGRESS, now=now) as read:
        return progress(patient=read.link.patient, weeks=weeks, now=now)


@dataclass(frozen=True)
class SessionDrafts:
    session: Session
    drafts: list[Commitment]  # living, whatever their status now


def patient_sessions(*, therapist: User, patient_id: uuid.UUID, now: datetime) -> QuerySet[Session]:
    """The sessions this therapist recorded with the patient (the caller pages through them
    inside the read's transaction)."""
    with patient_read(therapist=therapist, patient_id=patient_id, what=AccessLog.What.SESSIONS, now=now) as read:
        return sessions_of(therapist=therapist, patient=read.link.patient)


def session_detail(*, therapist: User, session_id: uuid.UUID, now: datetime) -> tuple[Session, list[Commitment]]:
    """One of the therapist's sessions, while its patient is linked to them (else a 404)."""
    session = Session.objects.filter(therapist=therapist, id=session_id).first()
    if session is None:
        raise SessionNotFound()
    try:
        with patient_read(therapist=therapist, patient_id=session.patient_id, what=AccessLog.What.SESSIONS, now=now):
            return session, session_drafts(sessions=[session])[session.id]
    except NotLinked:
        raise SessionNotFound() from None


def session_owned(*, therapist: User, session_id: uuid.UUID, lock: bool = False) -> Session:
    """One of the therapist's sessions, for a change, while its patient is linked to them (else
    ``SessionNotFound``); ``lock`` holds the row for the change. A write's lookup: no access log."""
    sessions = Session.objects.filter(
        id=session_id, therapist=therapist, patient__in=User.objects.patients_of(therapist)
    ).select_related("patient")
    session = (sessions.select_for_update(of=("self",)) if lock else sessions).first()
    if session is None:
        raise SessionNotFound()
    return session


def patient_practice(*, therapist: User, patient_id: uuid.UUID, commitment_id: uuid.UUID) -> Commitment:
    """One living commitment of a patient linked to the therapist, locked for a change (else
    ``NotFound``). Whether the therapist may change it is the journal's rule (``check_changer``)."""
    commitment = (
        commitments_visible_to(user=therapist, patient_id=patient_id)
        .select_for_update(of=("self",))
        .filter(id=commitment_id)
        .first()
    )
    if commitment is None:
        raise NotFound("No such practice.")
    return commitment


def sessions_of(*, therapist: User, patient: User) -> QuerySet[Session]:
    return Session.objects.filter(therapist=therapist, patient=patient)


def session_drafts(*, sessions: Sequence[Session]) -> dict[uuid.UUID, list[Commitment]]:
    """The living commitments each session drafted (whatever their status now), in the order
    they came up in the session (``detection.session_order``). One query."""
    drafts: dict[uuid.UUID, list[Commitment]] = {session.id: [] for session in sessions}
    for commitment in living(Commitment).filter(session_id__in=list(drafts)).order_by("created_at", "seq"):
        assert commitment.session_id is not None  # filtered on it
        drafts[commitment.session_id].append(commitment)
    for found in drafts.values():
        found.sort(key=session_order)
    return drafts


def practices_in_place(*, patient_id: uuid.UUID, drafts: Sequence[Commitment]) -> dict[uuid.UUID, Commitment]:
    """For each of the patient's drafts still to confirm (one session's), the practice they
    already keep (active or paused) of the same kind and title, if any: confirming the draft
    would make it twice (a transcript recorded again, say, or a practice agreed afresh). One
    query; titles are compared in Python, since they are encrypted at rest."""
    waiting = [draft for draft in drafts if draft.status == Commitment.Status.PROPOSED]
    if not waiting:
        return {}
    kept: dict[tuple[str, tuple[str, ...]], Commitment] = {}
    for commitment in (
        living(Commitment)
        .filter(patient_id=patient_id, status__in=[Commitment.Status.ACTIVE, Commitment.Status.PAUSED])
        .order_by("created_at")
    ):
        kept.setdefault((commitment.kind, _same_title(commitment.title)), commitment)
    found = {}
    for draft in waiting:
        if (same := kept.get((draft.kind, _same_title(draft.title)))) is not None:
            found[draft.id] = same
    return found


def _same_title(title: str | None) -> tuple[str, ...]:
    """Its words, whatever their case and the spaces between them."""
    return tuple((title or "").casefold().split())  # pragma: no mutate (None only on a tombstone, never living)


def session_draft(*, therapist: User, session_id: uuid.UUID, commitment_id: uuid.UUID) -> Commitment | None:
    """A living commitment the session drafted, locked for a change; None when it is gone
    (dropped, say, from the API). The session must be the therapist's and its patient linked
    to them now, else ``SessionNotFound``. A write's lookup: it reads nothing to show, so it
    writes no access-log row (the API's confirm does not either)."""
    session_owned(therapist=therapist, session_id=session_id)
    return living(Commitment).select_for_update().filter(id=commitment_id, session_id=session_id).first()


# --- Shared entries --------------------------------------------------------------------------

#: What ``?type=`` names, and the journal model behind each (sync's names for them).
ENTRY_TYPES: dict[str, type[Entry]] = {kind.name: kind.model for kind in KINDS if issubclass(kind.model, Entry)}


class NotACursor(ValueError):
    """A cursor this server did not give out: base64 is no seal, a client can forge one."""


@dataclass(frozen=True)
class Position:
    """Where a page of entries starts: after (``forward``) or before an entry, newest first."""

    created_at: datetime
    id: uuid.UUID
    forward: bool = True

    def encode(self) -> str:
        raw = json.dumps([self.created_at.isoformat(), str(self.id), self.forward])
        # Without base64's padding, which a query string would escape.
        return base64.urlsafe_b64encode(raw.encode()).decode().replace("=", "")

    @classmethod
    def decode(cls, cursor: str) -> Position:
        """``NotACursor`` for anything this server did not give out: every part is checked
        before it reaches a query."""
        try:
            # The padding ``encode`` took off: the decoder ignores any it does not need.
            raw = json.loads(base64.urlsafe_b64decode(cursor + "=="))
        except (binascii.Error, UnicodeDecodeError, json.JSONDecodeError, ValueError) as error:
            raise NotACursor from error
        if not (isinstance(raw, list) and len(raw) == 3):
            raise NotACursor
        at, entry_id, forward = raw
        if not (isinstance(at, str) and isinstance(entry_id, str) and isinstance(forward, bool)):
            raise NotACursor
        try:
            created_at = datetime.fromisoformat(at)
            if created_at.tzinfo is None:
                raise NotACursor  # a naive time
            # In UTC now, as the database compares it: a time at year 1 or 9999 with an offset
            # overflows here, not in the query.
            created_at = created_at.astimezone(UTC)  # pragma: no mutate (CPython converts to any zone via UTC)
            return cls(created_at, uuid.UUID(entry_id), forward)
        except (ValueError, OverflowError) as error:
            raise NotACursor from error


@dataclass(frozen=True)
class EntriesPage:
    entries: list[tuple[str, Entry]]  # (type, entry), newest written first
    next: Position | None
    previous: Position | None
    shared: bool  # False: the link does not share entries now, so there is nothing to show


def shared_entries(
    *,
    therapist: User,
    patient_id: uuid.UUID,
    types: Sequence[str],
    start: date | None,
    end: date | None,
    position: Position | None,
    limit: int,
    now: datetime,
) -> EntriesPage:
    """The patient's entries marked ``shared``, while their link shares entries; newest written
    first, ``start``..``end`` on the day (or week) each is for. One query per type asked."""
    with patient_read(therapist=therapist, patient_id=patient_id, what=AccessLog.What.ENTRIES, now=now) as read:
        link = read.link
        if not link.share_entries:
            return EntriesPage(entries=[], next=None, previous=None, shared=False)
        forward = position is None or position.forward
        found: list[tuple[str, Entry]] = []
        for name in types:
            model = ENTRY_TYPES[name]
            entries = living(model).filter(model.in_days(start, end), patient=link.patient, shared=True)
            if position is not None:
                later = Q(created_at__gt=position.created_at) | Q(created_at=position.created_at, id__gt=position.id)
                earlier = Q(created_at__lt=position.created_at) | Q(created_at=position.created_at, id__lt=position.id)
                entries = entries.filter(earlier if forward else later)
            order = ("-created_at", "-id") if forward else ("created_at", "id")
            entries = entries.select_related("commitment")  # an entry shows its commitment's target
            # One past the page tells whether there is more (a second past it would be read and dropped).
            found += [(name, entry) for entry in entries.order_by(*order)[: limit + 1]]  # pragma: no mutate (see above)
        found.sort(key=lambda pair: (pair[1].created_at, pair[1].id), reverse=forward)
        more = len(found) > limit
        page = found[:limit]
        if not forward:
            page.reverse()
        if not page:
            return EntriesPage(entries=[], next=None, previous=None, shared=True)
        read.showed(entry for _, entry in page)
        first, last = page[0][1], page[-1][1]
        has_next = more if forward else True
        has_previous = position is not None if forward else more
        return EntriesPage(
            entries=page,
            next=Position(last.created_at, last.id) if has_next else None,
            previous=Position(first.created_at, first.id, forward=False) if has_previous else None,
            shared=True,
        )


# --- The patient's own access log ------------------------------------------------------------


def access_log_of(patient: User) -> QuerySet[AccessLog]:
    return AccessLog.objects.filter(patient=patient)
