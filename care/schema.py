"""What the schema says of the therapist's workspace: each view's decorator, applied in views.py.

The prose's numbers come from the constants that hold them, so the schema cannot promise a
period or a limit the server no longer keeps.
"""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from drf_standardized_errors.openapi_validation_errors import extend_validation_errors
from rest_framework.renderers import JSONRenderer

from care.brief import LONGEST_LOOK_BACK, QUOTED_REFLECTIONS
from care.renderers import MarkdownRenderer
from care.selectors import NEEDS_ATTENTION_AFTER, ROSTER_WEEKS
from care.serializers import (
    ATTENTION_NOW_CHOICES,
    DEFAULT_LOOK_BACK_WEEKS,
    BriefQuerySerializer,
    BriefSerializer,
    EntriesQuerySerializer,
    FlagSerializer,
    NextSessionAnswerSerializer,
    NextSessionSerializer,
    PatientSerializer,
    RosterQuerySerializer,
    SessionCreateSerializer,
    SessionSerializer,
    SessionsQuerySerializer,
    SessionUpdateSerializer,
    SharedEntriesPageSerializer,
)
from care.services import NEXT_SESSION_MAX_AHEAD
from core.input import IDEMPOTENCY_KEY, IDEMPOTENCY_KEY_MAX_LENGTH
from core.openapi import DATE_PATTERN, WEEK_PATTERN, documented, duration, spelled
from core.pagination import CursorPagination
from journal.schema import range_parameters
from journal.serializers import ProgressQuerySerializer, ProgressReportSerializer

PATIENT_ID = OpenApiParameter("patient_id", OpenApiTypes.UUID, OpenApiParameter.PATH, description="The patient's id.")
FLAG_ID = OpenApiParameter("flag_id", OpenApiTypes.UUID, OpenApiParameter.PATH, description="The flag's id.")
#: The weeks a roster row shows before this one.
_WEEKS_BEFORE = spelled(ROSTER_WEEKS - 1)

roster = documented(
    extend_schema_view(
        get=extend_schema(
            operation_id="listPatients",
            summary=f"My patients, this week and the last {_WEEKS_BEFORE}",
            description=f"The patients linked to you, by name: `attention_now` for those who asked for a check-in "
            f"or shared words that sound like crisis (`?attention_now=true` lists only them: ask it first, and show "
            f"them first); this week so far (in each patient's zone), the "
            f"{_WEEKS_BEFORE} weeks before it, when they last wrote, and `needs_attention` after "
            f"{duration(NEEDS_ATTENTION_AFTER)} with no entry. The same number of queries for one patient as for "
            f"{CursorPagination.max_page_size} (a full page). Each patient's access log records the read.",
            parameters=[
                OpenApiParameter(
                    "attention_now",
                    OpenApiTypes.STR,
                    enum=[value for value, _ in ATTENTION_NOW_CHOICES],
                    description=str(RosterQuerySerializer().fields["attention_now"].help_text),
                    extensions={"x-enum-name": "RosterAttentionNow"},
                )
            ],
            tags=["care"],
        )
    ),
    extend_validation_errors(["invalid_choice"], field_name="attention_now"),
)

patient = documented(
    extend_schema_view(
        get=extend_schema(
            operation_id="getPatient",
            summary="A patient, with their commitments",
            description="A patient linked to you: profile, link, last activity and every commitment (`proposed` "
            "drafts included). 404 for anyone not linked to you now.",
            parameters=[PATIENT_ID],
            responses={200: PatientSerializer},
            tags=["care"],
        )
    ),
)

flag_seen = documented(
    extend_schema_view(
        post=extend_schema(
            operation_id="markFlagSeen",
            summary="Mark a flag seen",
            description="The flag stops putting the patient first, and shows who saw it and when; the patient's "
            "access log records it. Marking it again keeps the first. 404 for a flag you cannot see (another "
            "patient's, an entry no longer shared, words since edited away).",
            parameters=[PATIENT_ID, FLAG_ID],
            request=None,
            responses={200: FlagSerializer},
            tags=["care"],
        )
    ),
)

patient_progress = documented(
    extend_validation_errors(["invalid", "min_value", "max_value"], field_name="weeks"),
    extend_schema_view(
        get=extend_schema(
            operation_id="getPatientProgress",
            summary="A patient's practice, week by week",
            description="As `getProgress`, for a patient linked to you: it counts every entry, shared or not "
            "(no text is shown).",
            parameters=[PATIENT_ID, ProgressQuerySerializer],
            responses={200: ProgressReportSerializer},
            tags=["care"],
        )
    ),
)

patient_entries = documented(
    extend_validation_errors(["invalid_choice"], field_name="type"),
    extend_validation_errors(["invalid"], field_name="from"),
    extend_validation_errors(["invalid"], field_name="to"),
    extend_validation_errors(["invalid"], field_name="page_size"),
    extend_validation_errors(["invalid_cursor"], field_name="cursor"),
    extend_schema_view(
        get=extend_schema(
            operation_id="listPatientEntries",
            summary="The entries a patient shares with me",
            description="Only entries the patient marked `shared`, and only while their link shares entries "
            "(`shared: false` and an empty list otherwise); a patient who unshares takes them out at once. Newest "
            "written first; `type` (repeatable) narrows the kinds, `from` and `to` (dates or ISO weeks) the days "
            "they are for.",
            parameters=[
                PATIENT_ID,
                EntriesQuerySerializer,
                *range_parameters(pattern=f"{DATE_PATTERN}|{WEEK_PATTERN}", slot="a date or ISO week"),
            ],
            responses={200: SharedEntriesPageSerializer},
            tags=["care"],
        )
    ),
)

patient_brief = documented(
    extend_validation_errors(["invalid", "future_date", "too_far_back"], field_name="since"),
    extend_schema_view(
        get=extend_schema(
            operation_id="getPatientBrief",
            summary="The pre-session brief",
            description="What a linked patient practised since your last session with them (or `since`, at "
            f"most {duration(LONGEST_LOOK_BACK)} back; without either, the last "
            f"{spelled(DEFAULT_LOOK_BACK_WEEKS)} weeks): each active commitment with what was done against it, "
            "reflection days and mood trend, the newest shared reflections quoted (at most "
            f"{spelled(QUOTED_REFLECTIONS)}), pride weeks (items only where shared), experiments and what happened "
            "(text only where shared), those still planned for a day to come, the quiet stretches, and the last "
            "twelve weeks' chart numbers. Days are the patient's (`zone_offset`); with a next session set "
            "(`setNextSession`) the brief says it is for that session. "
            "`?format=md` (or `Accept: text/markdown`) gives the same brief as Markdown.",
            parameters=[
                PATIENT_ID,
                BriefQuerySerializer,
                # DRF's own ``?format=`` (URL_FORMAT_OVERRIDE): a generated client may not let its
                # caller set ``Accept``, so the choice is a parameter it can type.
                OpenApiParameter(
                    "format",
                    OpenApiTypes.STR,
                    enum=[JSONRenderer.format, MarkdownRenderer.format],
                    description="`md`: the brief as Markdown (`text/markdown`), as `Accept: text/markdown` gives; "
                    "an error is JSON all the same. Without it: JSON.",
                    extensions={"x-enum-name": "BriefFormat"},
                ),
            ],
            responses={
                (200, "application/json"): BriefSerializer,
                (200, "text/markdown"): OpenApiResponse(OpenApiTypes.STR, description="The brief as Markdown."),
            },
            tags=["care"],
        )
    ),
)

_NEXT_SESSION_CODES = ["invalid", "naive", "overflow", "next_session_in_past", "next_session_too_far"]

next_session = documented(
    extend_validation_errors(_NEXT_SESSION_CODES, field_name="at", methods=["put"]),
    extend_schema_view(
        put=extend_schema(
            operation_id="setNextSession",
            summary="Set when you meet a patient next",
            description="When you meet a linked patient next: after now and at most "
            f"{duration(NEXT_SESSION_MAX_AHEAD)} ahead (`next_session_in_past`, `next_session_too_far`), with its "
            "UTC offset (`naive` without one). The pre-session brief says it is for that session. Setting it "
            "again replaces it. 404 for anyone not linked to you now.",
            parameters=[PATIENT_ID],
            request=NextSessionSerializer,
            responses={200: NextSessionAnswerSerializer},
            tags=["care"],
        ),
        delete=extend_schema(
            operation_id="clearNextSession",
            summary="Clear the next session",
            description="No session planned with this patient. Clearing it again changes nothing.",
            parameters=[PATIENT_ID],
            responses={204: None},
            tags=["care"],
        ),
    ),
)

sessions = documented(
    extend_validation_errors(["required", "invalid"], field_name="patient", methods=["get"]),
    # What session_record refuses, beside what the serializer's fields declare themselves.
    extend_validation_errors(["future_date"], field_name="held_on", methods=["post"]),
    extend_validation_errors(["not_text", "no_turns"], field_name="transcript", methods=["post"]),
    extend_validation_errors(
        ["unknown_speaker", "invalid_role", "invalid_roles"], field_name="speaker_roles", methods=["post"]
    ),
    extend_validation_errors(["invalid"], field_name="Idempotency-Key", methods=["post"]),
    extend_schema_view(
        get=extend_schema(
            operation_id="listSessions",
            summary="My sessions with a patient",
            description="The sessions you recorded with a linked patient, newest first, each with the commitments "
            "its transcript drafted (as they are now).",
            parameters=[SessionsQuerySerializer],
            responses={200: SessionSerializer(many=True)},
            tags=["care"],
        ),
        post=extend_schema(
            operation_id="createSession",
            summary="Record a session",
            description="Record a session with a linked patient. With a `transcript`, each practice you proposed "
            "and the patient agreed to becomes a `proposed` commitment (confirm it with `confirmCommitment`), its "
            "evidence the two turns quoted; lines the parser skipped are in `warnings`. A transcript that is not "
            "text or has no turns is a 400 and nothing is recorded. Where it names people, `speaker_roles` says "
            "who is the therapist (left out, the speaker who proposes and asks is). The same transcript recorded "
            "again for the patient is a 409 `already_recorded` naming the earlier session. With an "
            "`Idempotency-Key`, a retry of the same request answers the session it recorded (with "
            "`Idempotent-Replayed: true`), and the key with another request is a 409 `idempotency_key_reused`.",
            parameters=[
                OpenApiParameter(
                    "Idempotency-Key",
                    OpenApiTypes.STR,
                    OpenApiParameter.HEADER,
                    required=False,
                    description=f"Visible ASCII characters, at most {IDEMPOTENCY_KEY_MAX_LENGTH} (a UUID, say), new "
                    "for each new session.",
                    pattern=IDEMPOTENCY_KEY.pattern,
                )
            ],
            request=SessionCreateSerializer,
            responses={201: SessionSerializer},
            tags=["care"],
        ),
    ),
    # ``?patient=`` (list) or ``patient`` (record) naming a patient not linked to you: 404.
    may_not_find={"get", "post"},
    may_conflict=True,
    error_codes={"409": ["already_recorded", "idempotency_key_reused"]},
)

_SESSION_ID = OpenApiParameter("id", OpenApiTypes.UUID, OpenApiParameter.PATH)

session = documented(
    extend_validation_errors(["future_date"], field_name="held_on", methods=["patch"]),
    extend_schema_view(
        get=extend_schema(
            operation_id="getSession",
            summary="A session",
            description="One of your sessions, while its patient is linked to you.",
            parameters=[_SESSION_ID],
            responses={200: SessionSerializer},
            tags=["care"],
        ),
        patch=extend_schema(
            operation_id="updateSession",
            summary="Change a session's day or notes",
            description="The transcript and what it drafted stay as recorded.",
            parameters=[_SESSION_ID],
            request=SessionUpdateSerializer,
            responses={200: SessionSerializer},
            tags=["care"],
        ),
        delete=extend_schema(
            operation_id="deleteSession",
            summary="Delete a session",
            description="The session and the drafts still waiting on it go; practices confirmed from it stay.",
            parameters=[_SESSION_ID],
            responses={204: None},
            tags=["care"],
        ),
    ),
)

access_log = documented(
    extend_schema_view(
        get=extend_schema(
            operation_id="listAccessLog",
            summary="Who read my records",
            description="Every read of your records by a therapist (roster, profile and commitments, progress, "
            "shared entries, brief, sessions), newest first (by the last read). Repeated reads of one kind by one "
            "therapist on one of your days are one row, with how many there were and the first and last time. "
            "Kept while your account lives, including after a link ends.",
            tags=["me"],
        )
    ),
)
