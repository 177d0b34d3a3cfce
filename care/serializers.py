"""How the therapist's workspace shows what care's selectors read, and what it takes in."""

from __future__ import annotations

import json
from typing import Any

from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema_field
from rest_framework import serializers
from rest_framework.fields import empty

from accounts.serializers import PersonSerializer
from care.brief import DEFAULT_LOOK_BACK, QUIET_STRETCH_DAYS, QUOTED_REFLECTIONS, Brief
from care.models import SESSION_NOTES_MAX_LENGTH, TRANSCRIPT_MAX_LENGTH, AccessLog
from care.selectors import ENTRY_TYPES, NEEDS_ATTENTION_AFTER, ROSTER_WEEKS, RosterRow, WeeksBefore
from core import fields
from core.input import is_text
from core.openapi import duration, spelled
from core.serializers import KnownFieldsOnly
from journal.kinds import KINDS
from journal.serializers import CommitmentSerializer, ProgressWeekSerializer, WeekField
from safety.models import RISK_KIND_CHOICES, Flag

#: Importable for drf-spectacular's ENUM_NAME_OVERRIDES: the kinds ``?type=`` names.
ENTRY_TYPE_CHOICES = [(name, name) for name in ENTRY_TYPES]
#: A brief's default period in whole weeks, as the schema's prose says it: its days back, and today.
DEFAULT_LOOK_BACK_WEEKS = (DEFAULT_LOOK_BACK.days + 1) // 7


class LastFourWeeksSerializer(serializers.Serializer[WeeksBefore]):
    pride_weeks_met = serializers.IntegerField()
    reflection_days = serializers.IntegerField()


NEXT_SESSION_HELP = "When you meet next, as you set it (`setNextSession`); null when none is set."


class RosterPatientSerializer(serializers.Serializer[RosterRow]):
    id = serializers.UUIDField(source="patient.id")
    display_name = serializers.CharField(source="patient.display_name")
    timezone = serializers.CharField(source="patient.timezone")
    linked_since = serializers.DateTimeField(source="link.created_at")
    share_entries = serializers.BooleanField(source="link.share_entries")
    last_active_at = serializers.DateTimeField(source="weeks.last_active_at", allow_null=True)
    this_week = ProgressWeekSerializer(help_text="This week so far, in the patient's zone.")
    last_4_weeks = LastFourWeeksSerializer(help_text=f"The {spelled(ROSTER_WEEKS - 1)} weeks before this one.")
    needs_attention = serializers.BooleanField(
        help_text=f"No entry for {duration(NEEDS_ATTENTION_AFTER)} (or since the link began)."
    )
    attention_now = serializers.BooleanField(
        help_text="The patient asked for a check-in, or wrote in an entry they share words that sound like crisis, "
        "and no one has marked it seen: they might need your attention now (`getPatient` says what)."
    )
    next_session_at = serializers.DateTimeField(
        source="link.next_session_at", allow_null=True, help_text=NEXT_SESSION_HELP
    )


class FlagSerializer(serializers.Serializer[Any]):
    """Something that might need the therapist's attention now, in the patient's own words where
    there are any."""

    id = serializers.UUIDField()
    # A field named as DRF's own Field.source attribute (the metaclass takes it out of the class).
    source = serializers.ChoiceField(  # type: ignore[assignment]
        choices=Flag.Source.choices, help_text="`check_in`: the patient asked, with no words; else the entry's type."
    )
    kind = serializers.ChoiceField(
        source="risk_kind",
        choices=RISK_KIND_CHOICES,
        allow_null=True,
        help_text="What the words sound like; null for a check-in.",
    )
    sentence = serializers.CharField(
        allow_null=True, help_text="The patient's sentence, as written; null for a check-in."
    )
    entry = serializers.SerializerMethodField(
        help_text="The entry: its type, id, and `date` or `week`; null for a check-in."
    )
    raised_at = serializers.DateTimeField()
    seen_at = serializers.DateTimeField(allow_null=True)
    seen_by = serializers.SerializerMethodField(
        help_text="You, when you marked it seen; null when another of the patient's therapists did (or no one "
        "yet): one therapist's name is not another's to read."
    )

    @extend_schema_field({"type": "object", "nullable": True, "additionalProperties": {"type": "string"}})
    def get_entry(self, flag: Flag) -> dict[str, str] | None:
        return None if flag.is_check_in else flag.entry_named()

    @extend_schema_field(PersonSerializer(allow_null=True))
    def get_seen_by(self, flag: Flag) -> dict[str, Any] | None:
        if flag.seen_by is None or flag.seen_by_id != self.context.get("reader_id"):
            return None
        return PersonSerializer(flag.seen_by).data


class PatientSerializer(serializers.Serializer[Any]):
    id = serializers.UUIDField(source="link.patient.id")
    display_name = serializers.CharField(source="link.patient.display_name")
    timezone = serializers.CharField(source="link.patient.timezone")
    linked_since = serializers.DateTimeField(source="link.created_at")
    share_entries = serializers.BooleanField(source="link.share_entries")
    next_session_at = serializers.DateTimeField(
        source="link.next_session_at", allow_null=True, help_text=NEXT_SESSION_HELP
    )
    last_active_at = serializers.DateTimeField(allow_null=True)
    needs_attention = serializers.BooleanField()
    commitments = CommitmentSerializer(many=True, help_text="Every commitment, whatever its status; newest first.")
    flags = FlagSerializer(
        many=True,
        help_text="What might need your attention now, newest first: a request for a check-in, or an entry the "
        "patient shares whose words sound like crisis. Each stays until you mark it seen.",
    )


def _entry_serializer(name: str) -> type[serializers.Serializer[Any]]:
    kind = next(kind for kind in KINDS if kind.name == name)
    return type(
        f"Shared{kind.name.title().replace('_', '')}Serializer",
        (serializers.Serializer,),
        {
            "type": serializers.ChoiceField(choices=[name]),
            "id": serializers.UUIDField(),
            "data": kind.serializer(help_text="The entry as the patient's own endpoint shows it."),
        },
    )


SharedEntry = PolymorphicProxySerializer(
    component_name="SharedEntry",
    serializers={name: _entry_serializer(name) for name in ENTRY_TYPES},
    resource_type_field_name="type",
    many=True,
)


class SharedEntriesPageSerializer(serializers.Serializer[Any]):
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    next_cursor = serializers.CharField(
        allow_null=True, help_text="Send it as `?cursor=` for the next page; null when there is none."
    )
    previous_cursor = serializers.CharField(
        allow_null=True, help_text="Send it as `?cursor=` for the previous page; null when there is none."
    )
    types = serializers.ListField(
        child=serializers.ChoiceField(choices=ENTRY_TYPE_CHOICES), help_text="The kinds of entry this list holds."
    )
    shared = serializers.BooleanField(
        help_text="false while the patient's link does not share entries: the list is then empty."
    )
    results = SharedEntry


class EntriesQuerySerializer(serializers.Serializer[Any]):
    type = serializers.MultipleChoiceField(choices=ENTRY_TYPE_CHOICES, required=False, help_text="Repeatable.")
    cursor = fields.CharField(required=False, max_length=500)
    page_size = fields.QueryIntegerField(min_value=1, max_value=200, default=50)


class WarningSerializer(serializers.Serializer[Any]):
    line = serializers.IntegerField(help_text="1-based line of the transcript.")
    code = serializers.CharField(
        help_text="empty_turn, placeholder, no_speaker (lines skipped); repeated_practice, too_many_drafts "
        "(agreements that made no second draft)."
    )
    detail = serializers.CharField()


#: The roles a transcript's speaker may have (``care.transcripts.Speaker``).
SPEAKER_ROLES = ("therapist", "patient")
SPEAKER_NAME_MAX_LENGTH = 100
SPEAKERS_MAX = 20


@extend_schema_field(
    {
        "type": "object",
        "additionalProperties": {"type": "string", "enum": list(SPEAKER_ROLES)},
        "maxProperties": SPEAKERS_MAX,
        "description": "Who is who where the transcript names people: each speaker as the transcript names them, "
        "`therapist` or `patient`. Speakers left out get the proposed role.",
        "example": {"Dr. Lee": "therapist", "Jordan": "patient"},
    }
)
class SpeakerRolesField(serializers.DictField):
    default_error_messages = {"too_many": f"At most {SPEAKERS_MAX} speakers."}

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(child=serializers.ChoiceField(choices=SPEAKER_ROLES), **kwargs)

    def to_internal_value(self, data: Any) -> dict[str, str]:
        roles = super().to_internal_value(data)
        if len(roles) > SPEAKERS_MAX:
            self.fail("too_many")
        for name in roles:
            if not name.strip() or len(name) > SPEAKER_NAME_MAX_LENGTH or not is_text(name):
                raise serializers.ValidationError(
                    f"A speaker's name is 1 to {SPEAKER_NAME_MAX_LENGTH} characters of text.", code="invalid"
                )
        return roles


class SessionSerializer(serializers.Serializer[Any]):
    id = serializers.UUIDField(source="session.id")
    patient = serializers.UUIDField(source="session.patient_id")
    held_on = serializers.DateField(source="session.held_on")
    title = serializers.SerializerMethodField(help_text='The transcript\'s `# Title` line, or "".')
    notes = serializers.SerializerMethodField()
    turns = serializers.IntegerField(source="session.turns", help_text="Turns read from the transcript.")
    draft_commitments = CommitmentSerializer(
        source="drafts",
        many=True,
        help_text="The commitments the transcript drafted (`proposed` until confirmed), as they are now.",
    )
    warnings = WarningSerializer(many=True, source="session.warnings", help_text="Lines skipped, and why.")
    speaker_roles = serializers.SerializerMethodField(
        help_text="Who was who in the transcript, each speaker as it names them: as you gave it, or as proposed "
        "(the speaker who proposes and asks is the therapist). Empty with no transcript."
    )
    created_at = serializers.DateTimeField(source="session.created_at")

    def get_title(self, recorded: Any) -> str:
        return recorded.session.title or ""

    @extend_schema_field({"type": "object", "additionalProperties": {"type": "string", "enum": list(SPEAKER_ROLES)}})
    def get_speaker_roles(self, recorded: Any) -> dict[str, str]:
        return json.loads(recorded.session.speaker_roles) if recorded.session.speaker_roles else {}

    def get_notes(self, recorded: Any) -> str:
        return recorded.session.notes or ""


class SessionCreateSerializer(KnownFieldsOnly, serializers.Serializer[Any]):
    patient = fields.UUIDField(help_text="A patient linked to you.")
    held_on = fields.DateField(required=False, help_text="Today (in your zone) when left out; not in the future.")
    notes = fields.CharField(
        max_length=SESSION_NOTES_MAX_LENGTH, required=False, allow_blank=True, trim_whitespace=False
    )
    transcript = fields.CharField(
        max_length=TRANSCRIPT_MAX_LENGTH,
        required=False,
        allow_blank=True,
        trim_whitespace=False,
        help_text="The transcript as a tool exported it: `Speaker: text` turns (roles or names), WebVTT, SRT, "
        "Otter, Teams or Zoom exports, chat logs. Agreed practices become `proposed` commitments.",
    )
    speaker_roles = SpeakerRolesField(required=False)


class SessionUpdateSerializer(KnownFieldsOnly, serializers.Serializer[Any]):
    held_on = fields.DateField(required=False, help_text="Not in the future.")
    notes = fields.CharField(
        max_length=SESSION_NOTES_MAX_LENGTH, required=False, allow_blank=True, trim_whitespace=False
    )


#: Importable for drf-spectacular's ENUM_NAME_OVERRIDES: ``?attention_now=``'s values.
ATTENTION_NOW_CHOICES = [("true", "true"), ("false", "false")]


class StrictQueryChoiceField(serializers.ChoiceField):
    """A query parameter sent empty is refused as any other value not among the choices (DRF
    would read ``?attention_now=`` as absent, which the schema's enum does not allow)."""

    def get_value(self, dictionary: Any) -> Any:
        return dictionary.get(self.field_name, empty)


class RosterQuerySerializer(serializers.Serializer[Any]):
    attention_now = StrictQueryChoiceField(
        choices=ATTENTION_NOW_CHOICES,
        required=False,
        help_text="`true`: only those who might need your attention now (a client shows them first); `false`: "
        "only the others.",
    )


class SessionsQuerySerializer(serializers.Serializer[Any]):
    patient = fields.UUIDField(help_text="A patient linked to you.")


class NextSessionSerializer(KnownFieldsOnly, serializers.Serializer[Any]):
    at = fields.AwareDateTimeField(
        help_text="When you meet next: after now, at most a year ahead, with its UTC offset."
    )


class NextSessionAnswerSerializer(serializers.Serializer[Any]):
    next_session_at = serializers.DateTimeField(help_text="When you meet next, in UTC.")


class BriefQuerySerializer(serializers.Serializer[Any]):
    since = fields.DateField(
        required=False, help_text="First day (the patient's local day) to cover; by default the last session's."
    )


class PeriodSerializer(serializers.Serializer[Any]):
    since = serializers.DateField()
    until = serializers.DateField(help_text="Today, in the patient's zone.")
    days = serializers.IntegerField()
    since_reason = serializers.ChoiceField(
        choices=["asked", "last_session", "default"],
        help_text="`asked`: ?since=; `last_session`: the last session you held; `default`: "
        f"{spelled(DEFAULT_LOOK_BACK_WEEKS)} weeks back, or the link's start if later.",
    )


class PractisedSerializer(serializers.Serializer[Any]):
    commitment = CommitmentSerializer()
    done = serializers.IntegerField(
        help_text="Reflection days, pride weeks written, experiments tried, or entries naming it (custom)."
    )
    met = serializers.IntegerField(help_text="Of those, the days or weeks that reached the target.")
    periods = serializers.IntegerField(help_text="Days or weeks it ran within the period (1 for once, 0 for custom).")
    unit = serializers.ChoiceField(
        choices=["day", "week", "time", "entry"],
        help_text="What `done` counts: days, weeks, times tried (experiments) or entries naming it (custom).",
    )


class MoodWeekSerializer(serializers.Serializer[tuple[str, float]]):
    week = serializers.SerializerMethodField()
    average = serializers.SerializerMethodField()

    def get_week(self, pair: tuple[str, float]) -> str:
        return pair[0]

    def get_average(self, pair: tuple[str, float]) -> float:
        return pair[1]


class MoodSerializer(serializers.Serializer[Any]):
    average = serializers.FloatField(allow_null=True)
    trend = serializers.ChoiceField(
        choices=["up", "down", "steady"], allow_null=True, help_text="null with fewer than two weeks of moods."
    )
    by_week = MoodWeekSerializer(many=True)


class ReflectionsBriefSerializer(serializers.Serializer[Brief]):
    days = serializers.SerializerMethodField()
    dates = serializers.ListField(child=serializers.DateField(), source="reflection_dates")
    mood = MoodSerializer()

    def get_days(self, brief: Brief) -> int:
        return len(brief.reflection_dates)


class PrideWeekBriefSerializer(serializers.Serializer[Any]):
    week = WeekField(read_only=True)
    count = serializers.IntegerField()
    target = serializers.IntegerField()
    met = serializers.BooleanField()
    shared = serializers.BooleanField(help_text="false: the patient keeps this week's items to themself.")
    items = serializers.ListField(child=serializers.CharField(), help_text="Empty when not shared.")
    note = serializers.CharField()


class ExperimentBriefSerializer(serializers.Serializer[Any]):
    id = serializers.UUIDField(source="experiment.id")
    status = serializers.CharField(source="experiment.status")
    planned_for = serializers.DateField(source="experiment.planned_for", allow_null=True)
    shared = serializers.BooleanField()
    title = serializers.SerializerMethodField(help_text='"" when not shared (so are the texts below).')
    worry = serializers.SerializerMethodField()
    outcome = serializers.SerializerMethodField()
    learned = serializers.SerializerMethodField()

    def _text(self, seen: Any, name: str) -> str:
        return (getattr(seen.experiment, name) or "") if seen.shared else ""

    def get_title(self, seen: Any) -> str:
        return self._text(seen, "title")

    def get_worry(self, seen: Any) -> str:
        return self._text(seen, "worry")

    def get_outcome(self, seen: Any) -> str:
        return self._text(seen, "outcome")

    def get_learned(self, seen: Any) -> str:
        return self._text(seen, "learned")


class QuietStretchSerializer(serializers.Serializer[Any]):
    start = serializers.DateField()
    end = serializers.DateField()
    days = serializers.IntegerField()


class QuotedReflectionSerializer(serializers.Serializer[Any]):
    id = serializers.UUIDField()
    date = serializers.DateField(help_text="The patient's day it is for.")
    effort = serializers.SerializerMethodField(help_text="What they noticed, as they wrote it.")
    kind_words = serializers.SerializerMethodField()
    mood = serializers.IntegerField(allow_null=True)

    def get_effort(self, reflection: Any) -> str:
        return reflection.effort or ""

    def get_kind_words(self, reflection: Any) -> str:
        return reflection.kind_words or ""


class BriefSerializer(serializers.Serializer[Brief]):
    patient = PersonSerializer()
    generated_at = serializers.DateTimeField()
    period = PeriodSerializer()
    last_session_on = serializers.DateField(allow_null=True)
    next_session_at = serializers.DateTimeField(
        allow_null=True, help_text="The session this brief is for, when you set one; the period still ends today."
    )
    zone_offset = serializers.CharField(
        help_text='The patient\'s offset from UTC now ("UTC-6", "UTC+5:30"): the days above are theirs.'
    )
    entries_shared = serializers.BooleanField(help_text="false: the link does not share entries; no text is quoted.")
    flags = FlagSerializer(
        many=True,
        help_text="What might need your attention: flags raised in the period, and any still open, newest first.",
    )
    commitments = PractisedSerializer(many=True, help_text="Active and paused commitments, oldest first.")
    reflections = ReflectionsBriefSerializer(source="*")
    pride_weeks = PrideWeekBriefSerializer(many=True, help_text="Weeks with a pride entry, oldest first.")
    experiments = ExperimentBriefSerializer(many=True)
    planned_ahead = ExperimentBriefSerializer(
        many=True, help_text="Experiments still planned for a day after today, whenever written; by that day."
    )
    quoted_reflections = QuotedReflectionSerializer(
        many=True,
        source="reflections_quoted",
        help_text=f"The period's newest shared reflections, at most {spelled(QUOTED_REFLECTIONS)}, newest first; "
        "empty while the link does not share entries.",
    )
    experiments_tried = serializers.IntegerField()
    weeks = ProgressWeekSerializer(
        many=True,
        source="weeks.weeks",
        help_text="The last twelve weeks (the chart's numbers), newest first, each in the patient's zone; whatever "
        "the period.",
    )
    active_days = serializers.IntegerField(help_text="Days of the period with any entry.")
    quiet_stretches = QuietStretchSerializer(
        many=True, help_text=f"{spelled(QUIET_STRETCH_DAYS).capitalize()} days or more in a row with no entry."
    )


class ReaderSerializer(serializers.Serializer[AccessLog]):
    id = serializers.UUIDField(source="therapist_id", allow_null=True, help_text="null once they erased their account.")
    display_name = serializers.CharField(source="therapist_name", help_text="Their name when they read.")


class EntryReadSerializer(serializers.Serializer[dict[str, str]]):
    type = serializers.ChoiceField(choices=ENTRY_TYPE_CHOICES)
    id = serializers.UUIDField(help_text="The entry's id (it may since have been deleted).")
    date = serializers.DateField(required=False, help_text="A reflection's or an experiment's day.")
    week = WeekField(required=False, help_text="A pride entry's week.")


class AccessLogSerializer(serializers.ModelSerializer[AccessLog]):
    therapist = ReaderSerializer(source="*")
    day = serializers.DateField(help_text="The day of these reads, in your time zone when they were made.")
    count = serializers.IntegerField(min_value=1, help_text="How many times this therapist read this that day.")
    first_at = serializers.DateTimeField(help_text="The day's first read of this.")
    at = serializers.DateTimeField(help_text="The day's last read of this.")
    entries = EntryReadSerializer(
        many=True,
        read_only=True,
        help_text="The shared entries whose words the day's reads showed (a page of shared entries, or those a "
        "brief quotes), each once, by its type, id and day or week; empty when no read showed an entry's words.",
    )

    class Meta:
        model = AccessLog
        fields = ["id", "therapist", "what", "day", "count", "first_at", "at", "entries"]
