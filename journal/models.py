"""What the patient agreed to practise, and what they wrote.

Every record carries ``seq``: its place in the patient's sync sequence, taken from the
patient's ``SyncCounter`` row while that row is locked in the writing transaction. Writers
for one patient therefore commit in ``seq`` order, and a client that syncs "everything after
seq N" can never miss a change that committed while it was reading.

Each record answers its own one-row questions (which day or week it is for, whether a pride
entry met its target) and fills in what the server decides (``settle``); services do the
rest. ``created_at`` and ``updated_at`` come from the ``now`` a service was given, never
from the wall clock, so a test or a replayed import stamps what it means.

Free text is encrypted at rest (django-fernet-encrypted-fields, keys from
``FIELD_ENCRYPTION_KEYS``). The library stores an empty string as NULL, so text fields are
nullable and the API shows NULL as "".
"""

from __future__ import annotations

import datetime as dt  # in Reflection and Experiment, ``date`` names their date field
import json
import uuid
from collections.abc import Collection
from datetime import date, timedelta
from typing import Any, ClassVar, Self, cast

from django.conf import settings
from django.db import models
from django.db.models import Q

from core.crypto import EncryptedTextField
from core.exceptions import DomainError
from journal.dates import iso_week, week_monday
from journal.exceptions import NotYoursToChange
from safety.risk import Risk

DEFAULT_KIND_WORDS = "You're doing your best, and that's enough."
#: Things to be proud of that meet a week when no commitment says otherwise (session T44).
DEFAULT_PRIDE_TARGET = 3
#: What a commitment's title and target may be, for the API and the dashboard alike.
COMMITMENT_TITLE_MAX_LENGTH = 200
TARGET_COUNT_MAX = 100
#: A reflection's mood, lowest to highest: the database, the API (its checks, messages and
#: schema) and every page that draws or words a mood read these.
MOOD_MIN, MOOD_MAX = 1, 5
#: How many things a pride entry holds, and how long each may be, for the database and the API alike.
PRIDE_ITEMS_MIN, PRIDE_ITEMS_MAX = 1, 10
PRIDE_ITEM_MAX_LENGTH = 500


def own_pride_target(*, kind: str | None, target_count: int | None, deleted_at: object) -> int | None:
    """The target an entry's own commitment sets: only a pride commitment sets one, and not
    once the patient deleted it (a reflection commitment's target of 1 is not a pride target)."""
    return target_count if kind == "pride_weekly" and deleted_at is None else None


def pride_target(*, own: int | None, active: int | None) -> int:
    """How many pride items meet a week: the entry's own commitment's target, else the
    patient's active pride commitment's, else three. The one home of this rule."""
    return own or active or DEFAULT_PRIDE_TARGET


class EncryptedListField(EncryptedTextField[list[str] | None, list[str] | None]):
    """A list of strings, stored as one encrypted JSON document.

    It encrypts and decrypts by itself rather than through the text field's chain, which
    would turn the list into its Python repr on the way in.
    """

    def get_prep_value(self, value: Any) -> str | None:
        if value is None:
            return None
        return self.f.encrypt(json.dumps(list(value)).encode()).decode()

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> list[str] | None:  # type: ignore[override]  # decrypts as the text field, then parses: a list, not str
        text = super().from_db_value(value, expression, connection)  # pragma: no mutate (it reads only value)
        return None if text is None else cast("list[str]", json.loads(text))  # pragma: no mutate (cast: types only)

    def to_python(self, value: Any) -> list[str] | None:
        if value is None or isinstance(value, list):
            return value
        return cast("list[str]", json.loads(value))  # pragma: no mutate (cast: types only)


class SyncCounter(models.Model):
    """The last sync sequence number given out for one patient; locked by every write."""

    patient = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    last_seq = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"sync counter of {self.patient_id} at {self.last_seq}"


class JournalRecord(models.Model):
    #: The field that allows one living record per patient (a day, a week), if any.
    slot_field: ClassVar[str | None] = None
    #: Every concrete kind has Django's default manager (an abstract model has none to declare).
    objects: ClassVar[models.Manager[Self]]

    id = models.UUIDField(primary_key=True, default=uuid.uuid4)
    patient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    seq = models.PositiveBigIntegerField()
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True


class Commitment(JournalRecord):
    class Kind(models.TextChoices):
        REFLECTION_DAILY = "reflection_daily", "A few minutes a day noticing effort"
        PRIDE_WEEKLY = "pride_weekly", "Three things I'm proud of each week"
        EXPERIMENT = "experiment", "One small imperfect action"
        CUSTOM = "custom", "Something else"

    class Cadence(models.TextChoices):
        DAILY = "daily", "Daily"
        WEEKLY = "weekly", "Weekly"
        ONCE = "once", "Once"

    class Status(models.TextChoices):
        PROPOSED = "proposed", "Proposed"
        ACTIVE = "active", "Active"
        PAUSED = "paused", "Paused"
        DONE = "done", "Done"
        DROPPED = "dropped", "Dropped"

    # The session lives in care/, above journal: kept as a bare id, not a foreign key.
    session_id = models.UUIDField(null=True, blank=True)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    title = EncryptedTextField(null=True)  # null only on a tombstone
    details = EncryptedTextField(null=True, blank=True)
    cadence = models.CharField(max_length=10, choices=Cadence.choices)
    target_count = models.PositiveSmallIntegerField(default=1)
    starts_on = models.DateField(null=True, blank=True)
    ends_on = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    evidence = EncryptedTextField(null=True, blank=True)
    #: ISO weekdays (1 = Monday) when the practice is only on some days ("Tuesdays and Fridays");
    #: empty for every day of its cadence. Its reminder fires on these days.
    weekdays = models.JSONField(default=list, blank=True)
    #: The time of day agreed for it: its reminder's time, on the patient's wall clock.
    remind_at = models.TimeField(null=True, blank=True)
    #: An experiment's planned day: its reminder nudges that day.
    planned_for = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        indexes = [models.Index(fields=["patient", "seq"], name="commitment_patient_seq")]
        constraints = [
            models.CheckConstraint(condition=Q(target_count__gte=1), name="commitment_target_positive"),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(starts_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="commitment_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} commitment {self.id}"

    def fill_defaults(self, *, given: Collection[str]) -> None:
        """A kind's usual cadence and target where the author (who set ``given``) gave none.

        A custom commitment has no usual cadence: its author must say how often.
        """
        if not self.cadence:
            if self.kind not in _DEFAULT_CADENCE:
                raise DomainError("Say how often.", code="required", attr="cadence")
            self.cadence = _DEFAULT_CADENCE[self.kind]
        if "target_count" not in given or not self.target_count:
            self.target_count = DEFAULT_PRIDE_TARGET if self.kind == self.Kind.PRIDE_WEEKLY else 1

    def check_changer(self, user_id: uuid.UUID) -> None:
        """A patient may change any of their commitments; a linked therapist only those a
        therapist created (session drafts included). Who is linked is the selectors' door."""
        if user_id != self.patient_id and self.created_by_id == self.patient_id:
            raise NotYoursToChange()

    def check_dates(self) -> None:
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise DomainError("It ends before it starts.", code="ends_before_start", attr="ends_on")

    @property
    def schedule(self) -> tuple[tuple[int, ...], dt.time | None, dt.date | None]:
        """What its reminder follows: days, time, planned day."""
        return tuple(self.weekdays or ()), self.remind_at, self.planned_for

    def check_schedule(self) -> None:
        """A planned day is an experiment's; days are for a practice that recurs."""
        if self.planned_for is not None and self.kind != self.Kind.EXPERIMENT:
            raise DomainError("Only an experiment has a planned day.", code="invalid_schedule", attr="planned_for")
        if self.weekdays and self.cadence == self.Cadence.ONCE:
            raise DomainError(
                "Something done once has no days of the week; give it a planned day.",
                code="invalid_schedule",
                attr="weekdays",
            )

    def check_start(self) -> None:
        """A commitment starts proposed (a draft from a session) or active."""
        if self.status not in (self.Status.PROPOSED, self.Status.ACTIVE):
            raise DomainError("A commitment starts proposed or active.", code="invalid_status", attr="status")

    def check_transition(self, new_status: str) -> None:
        """Refuse a status that may not follow the current one (done and dropped are endings)."""
        if new_status != self.status and new_status not in _TRANSITIONS[self.status]:
            raise DomainError(
                f"A {self.status} commitment cannot become {new_status}.", code="invalid_transition", attr="status"
            )


_DEFAULT_CADENCE: dict[str, str] = {
    Commitment.Kind.REFLECTION_DAILY: Commitment.Cadence.DAILY,
    Commitment.Kind.PRIDE_WEEKLY: Commitment.Cadence.WEEKLY,
    Commitment.Kind.EXPERIMENT: Commitment.Cadence.ONCE,
}
#: The kinds whose author must give a cadence (``fill_defaults``); the schema says so too.
KINDS_WITHOUT_USUAL_CADENCE = sorted(set(Commitment.Kind.values) - set(_DEFAULT_CADENCE))
#: Which status may follow which. done and dropped are endings: a new start is a new commitment.
_TRANSITIONS: dict[str, set[str]] = {
    Commitment.Status.PROPOSED: {Commitment.Status.ACTIVE, Commitment.Status.DROPPED},
    Commitment.Status.ACTIVE: {Commitment.Status.PAUSED, Commitment.Status.DONE, Commitment.Status.DROPPED},
    Commitment.Status.PAUSED: {Commitment.Status.ACTIVE, Commitment.Status.DONE, Commitment.Status.DROPPED},
    Commitment.Status.DONE: set(),
    Commitment.Status.DROPPED: set(),
}


class Entry(JournalRecord):
    shared = models.BooleanField(default=True)
    commitment = models.ForeignKey(Commitment, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    #: Set by the write that saved it (not stored): whether its words sound like crisis.
    risk: Risk | None = None

    class Meta:
        abstract = True

    def written(self) -> list[str | None]:
        """The patient's own words in it, in the order they are read for risk."""
        raise NotImplementedError

    def when(self) -> dict[str, str]:
        """The day it is for (``{"date": "2026-12-02"}``), or the week (a pride entry's
        ``{"week": "2026-W49"}``): how the access log and a flag name it, beside its id."""
        raise NotImplementedError

    def settle(self, *, today: date, changed: Collection[str], created: bool) -> None:
        """Fill in what the server decides, and refuse a day or week that has not come.

        ``today`` is the patient's local day now; ``changed`` the fields the writer set. Only
        a slot the writer names is checked against today: a patient who flew west keeps
        editing yesterday's entry, even where it is not yet that day.
        """

    @classmethod
    def in_days(cls, start: date | None, end: date | None) -> Q:
        """The entries whose own day (a pride entry: its week) falls in ``start``..``end``
        (inclusive; ``None`` leaves that side open)."""
        return _bounded("date", start, end)


class Reflection(Entry):
    """A few minutes noticing effort, on one local day."""

    date = models.DateField()
    effort = EncryptedTextField(null=True)  # null only on a tombstone
    kind_words = EncryptedTextField(null=True, blank=True)
    mood = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["patient", "seq"], name="reflection_patient_seq"),
            models.Index(fields=["patient", "date"], name="reflection_patient_date"),
            models.Index(
                fields=["patient", "-updated_at"],
                condition=Q(deleted_at__isnull=True),
                name="reflection_patient_latest",  # journal.selectors.last_activity
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["patient", "date"], condition=Q(deleted_at__isnull=True), name="reflection_one_per_day"
            ),
            models.CheckConstraint(
                condition=Q(mood__isnull=True) | Q(mood__gte=MOOD_MIN, mood__lte=MOOD_MAX),
                name="reflection_mood_1_to_5",
            ),
        ]

    slot_field = "date"

    def __str__(self) -> str:
        return f"reflection {self.date}"

    def written(self) -> list[str | None]:
        return [self.effort, self.kind_words]

    def when(self) -> dict[str, str]:
        return {"date": self.date.isoformat()}

    def settle(self, *, today: dt.date, changed: Collection[str], created: bool) -> None:
        if created and self.date is None:
            self.date = today
        if created and "kind_words" not in changed:
            self.kind_words = DEFAULT_KIND_WORDS
        if (created or "date" in changed) and self.date > today:
            raise DomainError("That day has not come yet.", code="future_date", attr="date")


class PrideEntry(Entry):
    """Things the patient is proud of, for one ISO week (``YYYY-Www``)."""

    week = models.CharField(max_length=8)
    items = EncryptedListField(null=True)  # null only on a tombstone
    # How many items, in the clear: progress counts them without decrypting anything.
    item_count = models.PositiveSmallIntegerField()
    note = EncryptedTextField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "pride entries"
        indexes = [
            models.Index(fields=["patient", "seq"], name="pride_patient_seq"),
            models.Index(fields=["patient", "week"], name="pride_patient_week"),
            models.Index(
                fields=["patient", "-updated_at"],
                condition=Q(deleted_at__isnull=True),
                name="pride_patient_latest",  # journal.selectors.last_activity
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["patient", "week"], condition=Q(deleted_at__isnull=True), name="pride_one_per_week"
            ),
            models.CheckConstraint(
                condition=Q(item_count__gte=PRIDE_ITEMS_MIN, item_count__lte=PRIDE_ITEMS_MAX),
                name="pride_1_to_10_items",
            ),
        ]

    slot_field = "week"

    def __str__(self) -> str:
        return f"pride {self.week}"

    def written(self) -> list[str | None]:
        return [*(self.items or []), self.note]

    def when(self) -> dict[str, str]:
        return {"week": self.week}

    @classmethod
    def in_days(cls, start: date | None, end: date | None) -> Q:
        return _bounded("week", start and iso_week(start), end and iso_week(end))  # YYYY-Www sorts as text

    def settle(self, *, today: date, changed: Collection[str], created: bool) -> None:
        this_week = iso_week(today)
        if created and not self.week:
            self.week = this_week
        if (created or "week" in changed) and self.week > this_week:
            raise DomainError("That week has not come yet.", code="future_week", attr="week")
        # Kept in the clear so progress counts items without decrypting them.
        self.item_count = len(self.items or ())

    def target(self, *, active_target: int | None) -> int:
        """Items that meet this week; ``active_target`` is the patient's active pride
        commitment's target (``journal.selectors.active_pride_targets``)."""
        commitment = self.commitment
        own = (
            None
            if commitment is None
            else own_pride_target(
                kind=commitment.kind, target_count=commitment.target_count, deleted_at=commitment.deleted_at
            )
        )
        return pride_target(own=own, active=active_target)

    def met(self, *, active_target: int | None) -> bool:
        return self.item_count >= self.target(active_target=active_target)


class Experiment(Entry):
    """One small imperfect action. Trying counts, whatever happened."""

    class Status(models.TextChoices):
        PLANNED = "planned", "Planned"
        TRIED = "tried", "Tried"
        SKIPPED = "skipped", "Skipped"

    title = EncryptedTextField(null=True)  # null only on a tombstone
    planned_for = models.DateField(null=True, blank=True)
    # The local day it was written; with planned_for, places it in a week for progress.
    date = models.DateField()
    worry = EncryptedTextField(null=True, blank=True)
    outcome = EncryptedTextField(null=True, blank=True)
    learned = EncryptedTextField(null=True, blank=True)
    kind_words = EncryptedTextField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PLANNED)

    class Meta:
        indexes = [
            models.Index(fields=["patient", "seq"], name="experiment_patient_seq"),
            models.Index(fields=["patient", "date"], name="experiment_patient_date"),
            models.Index(
                fields=["patient", "-updated_at"],
                condition=Q(deleted_at__isnull=True),
                name="experiment_patient_latest",  # journal.selectors.last_activity
            ),
        ]

    def __str__(self) -> str:
        return f"experiment {self.id}"

    def written(self) -> list[str | None]:
        return [self.title, self.worry, self.outcome, self.learned, self.kind_words]

    def when(self) -> dict[str, str]:
        return {"date": self.date.isoformat()}

    @staticmethod
    def day_counted(*, planned_for: dt.date | None, written_on: dt.date) -> dt.date:
        """The day an experiment counts on: the day it was planned for, else the day it was
        written. The one home of this rule; progress, reminders and care's brief read it
        through this, ``counts_on``, ``week_of`` or (in a query) ``in_days`` and ``in_week``."""
        return planned_for or written_on

    @property
    def counts_on(self) -> dt.date:
        return self.day_counted(planned_for=self.planned_for, written_on=self.date)

    @classmethod
    def week_of(cls, *, planned_for: dt.date | None, written_on: dt.date) -> str:
        """The ISO week an experiment counts in: the week of ``day_counted``."""
        return iso_week(cls.day_counted(planned_for=planned_for, written_on=written_on))

    @classmethod
    def in_week(cls, week: str) -> Q:
        """``week_of`` as a filter: the experiments that count in ``week``."""
        monday = week_monday(week)
        return cls.in_days(monday, monday + timedelta(days=6))

    @property
    def settled(self) -> bool:
        """Tried, skipped or deleted: nothing is left to nudge the patient towards. The one home
        of this rule; reminders stop an experiment's nudges, and do not send them, by it."""
        return self.deleted_at is not None or self.status != self.Status.PLANNED

    @classmethod
    def in_days(cls, start: dt.date | None, end: dt.date | None) -> Q:
        """``day_counted`` as a filter: the day it was planned for, else the day it was written,
        in ``start``..``end`` (inclusive; ``None`` leaves that side open)."""
        if start is None and end is None:
            return Q()  # an empty Q on one side of | would narrow to the unplanned ones
        return _bounded("planned_for", start, end) | Q(_bounded("date", start, end), planned_for__isnull=True)

    def settle(self, *, today: dt.date, changed: Collection[str], created: bool) -> None:
        if created:
            self.date = today


def _bounded(field: str, start: object, end: object) -> Q:
    bounds = {f"{field}__gte": start, f"{field}__lte": end}
    return Q(**{lookup: value for lookup, value in bounds.items() if value is not None})


# Importable names for drf-spectacular's ENUM_NAME_OVERRIDES (it cannot reach nested classes).
COMMITMENT_KIND_CHOICES = Commitment.Kind.choices
COMMITMENT_STATUS_CHOICES = Commitment.Status.choices
EXPERIMENT_STATUS_CHOICES = Experiment.Status.choices
