"""The forms of the sessions pages and of inviting a patient.

They check what a person typed (lengths, a day, text that UTF-8 can hold); the rules of the
domain (a day that has not come, a transcript file that is not UTF-8, too long or with no
turns) stay in care's service and parser, whose own words the view puts beside the field.
Every limit is read from the home the API reads it from, so the two cannot disagree.
"""

from __future__ import annotations

from datetime import time
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile

from accounts.models import INVITE_NOTE_MAX_LENGTH
from care.models import SESSION_NOTES_MAX_LENGTH, TRANSCRIPT_MAX_LENGTH
from core.fields import LOCAL_TIME
from core.input import is_text
from dashboard.forms import DayField
from journal.models import COMMITMENT_TITLE_MAX_LENGTH, TARGET_COUNT_MAX, Commitment

#: The largest file taken: a transcript at its longest in characters, each at UTF-8's widest.
#: A file under it may still hold too many characters: care's service counts them once it is read.
TRANSCRIPT_MAX_BYTES = 4 * TRANSCRIPT_MAX_LENGTH

NOT_TEXT = "This holds characters that are not text. Paste it again from the original."
BOTH = "Paste the transcript or upload a file, not both."


def _text(value: str) -> str:
    """Refuse a lone surrogate (which a browser never sends, but a script may) or a NUL."""
    if value and not is_text(value):
        raise forms.ValidationError(NOT_TEXT, code="not_text")
    return value


class SessionForm(forms.Form):
    held_on = DayField(
        label="Held on", required=False, help_text="Today when left empty; not a day that has not come yet."
    )
    notes = forms.CharField(
        label="Notes",
        required=False,
        strip=False,
        max_length=SESSION_NOTES_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    transcript = forms.CharField(
        label="Transcript, pasted",
        required=False,
        strip=False,
        max_length=TRANSCRIPT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text="As your transcription tool exported it: “Therapist: …” or “Dr. Lee: …” turns, captions, "
        "Otter, Teams or Zoom. Practices the patient agreed to become drafts.",
    )
    transcript_file = forms.FileField(
        label="Or a transcript file",
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".txt,.vtt,.srt,.md,.docx,text/plain,text/vtt"}),
        help_text="Text (UTF-8), WebVTT or SRT captions, or a Word (.docx) file.",
    )

    def clean_notes(self) -> str:
        return _text(self.cleaned_data["notes"])

    def clean_transcript(self) -> str:
        return _text(self.cleaned_data["transcript"])

    def clean_transcript_file(self) -> bytes | None:
        upload: UploadedFile[bytes] | None = self.cleaned_data["transcript_file"]
        if upload is None:
            return None
        if upload.size is not None and upload.size > TRANSCRIPT_MAX_BYTES:
            raise forms.ValidationError(
                f"A transcript file may be at most {TRANSCRIPT_MAX_BYTES // 1000:,} kB.", code="too_large"
            )
        # Decoded, measured and parsed by care's service (``care.transcripts``), as an imported
        # file is; the page shows its words beside this field.
        raw: bytes = upload.read(TRANSCRIPT_MAX_BYTES + 1)
        return raw

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("transcript") and data.get("transcript_file") is not None:
            self.add_error("transcript_file", forms.ValidationError(BOTH, code="both"))
        return data

    def transcript_given(self) -> tuple[str, str | bytes | None]:
        """Which field the transcript came from (for its errors) and the transcript itself.

        An empty paste box is no transcript: the session is recorded without drafts."""
        upload = self.cleaned_data.get("transcript_file")
        if upload is not None:
            return "transcript_file", upload
        return "transcript", self.cleaned_data.get("transcript") or None


WEEKDAY_CHOICES = [(1, "Mon"), (2, "Tue"), (3, "Wed"), (4, "Thu"), (5, "Fri"), (6, "Sat"), (7, "Sun")]


class TimeField(forms.TimeField):
    """``HH:MM`` on the patient's clock, as the API's ``LocalTimeField`` takes it (one rule)."""

    widget = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    default_error_messages = {"invalid": "A time as HH:MM, 24-hour."}

    def to_python(self, value: Any) -> time | None:
        if value in self.empty_values:
            return None
        if not isinstance(value, str) or not LOCAL_TIME.fullmatch(value.strip()):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return time.fromisoformat(value.strip())


class PracticeForm(forms.Form):
    """A practice as a therapist sets it: added by hand, a draft edited before confirming, an
    active one changed. The same fields and rules as the API's commitment (``journal``); what the
    domain refuses (a planned day for what is not an experiment) is shown beside its field."""

    kind = forms.ChoiceField(label="Kind", choices=Commitment.Kind.choices)
    title = forms.CharField(
        label="Title", max_length=COMMITMENT_TITLE_MAX_LENGTH, help_text="In the session's words: what they will do."
    )
    details = forms.CharField(
        label="Details (optional)", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    cadence = forms.ChoiceField(label="How often", choices=Commitment.Cadence.choices)
    target_count = forms.IntegerField(
        label="Target",
        min_value=1,
        max_value=TARGET_COUNT_MAX,
        initial=1,
        help_text="How many each time: things to be proud of in a week, say.",
    )
    weekdays = forms.TypedMultipleChoiceField(
        label="On these days (optional)",
        required=False,
        coerce=int,
        choices=WEEKDAY_CHOICES,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "days"}),
        help_text="None ticked: every day of its cadence.",
    )
    remind_at = TimeField(
        label="Reminder time (optional)", required=False, help_text="On the patient's clock; its usual time if empty."
    )
    planned_for = DayField(
        label="Planned day (an experiment)", required=False, help_text="Its reminder nudges that day."
    )

    def __init__(self, *args: Any, kind_fixed: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if kind_fixed:
            del self.fields["kind"]  # an active practice keeps its kind (the API's rule too)

    def clean_title(self) -> str:
        return _text(self.cleaned_data["title"])

    def clean_details(self) -> str:
        return _text(self.cleaned_data["details"])

    def clean_target_count(self) -> int:
        # A form's IntegerField reads "٣" as 3: the API takes ASCII digits only, and so does this.
        raw = str(self.data.get(self.add_prefix("target_count"), "")).strip()
        if not (raw.isascii() and raw.isdigit()):
            raise forms.ValidationError("A whole number, in digits 0 to 9.", code="invalid")
        return int(self.cleaned_data["target_count"])

    @staticmethod
    def initial_of(commitment: Commitment) -> dict[str, Any]:
        return {name: getattr(commitment, name) for name in PRACTICE_FIELDS}


#: What ``PracticeForm`` sets on a commitment.
PRACTICE_FIELDS = ("kind", "title", "details", "cadence", "target_count", "weekdays", "remind_at", "planned_for")


class QuoteForm(forms.Form):
    """Session lines to quote as a practice's evidence, when it is added by hand."""

    session = forms.TypedChoiceField(label="From the session (optional)", required=False, coerce=str, choices=[])
    first_line = forms.IntegerField(label="From line", required=False, min_value=1)
    last_line = forms.IntegerField(label="To line", required=False, min_value=1)

    def __init__(self, *args: Any, sessions: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["session"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "None"), *sessions]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, last = data.get("first_line"), data.get("last_line")
        if data.get("session") and first is None:
            self.add_error("first_line", forms.ValidationError("Which line to quote from.", code="required"))
        if first is not None and last is not None and last < first:
            self.add_error("last_line", forms.ValidationError("The last line comes after the first.", code="invalid"))
        if (first is not None or last is not None) and not data.get("session"):
            self.add_error("session", forms.ValidationError("Which session the lines are from.", code="required"))
        return data


class SpeakerRolesForm(forms.Form):
    """Who is who, where the transcript names people: one choice per speaker, the parser's
    proposal ticked. ``speakers`` is ``[(name, proposed role, turns)]``, as the parser reads them
    from the transcript in the paste box; each field is named by the speaker's place (``speaker_0``):
    the same transcript read again gives the same speakers in the same order."""

    ROLES = [("therapist", "Therapist (you)"), ("patient", "Patient")]

    def __init__(self, *args: Any, speakers: list[tuple[str, str, int]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.speakers = speakers
        for index, (name, role, turns) in enumerate(speakers):
            self.fields[f"speaker_{index}"] = forms.ChoiceField(
                label=name,
                choices=self.ROLES,
                initial=role,
                widget=forms.RadioSelect,
                help_text=f"{turns} turn{'s' if turns != 1 else ''}",
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        chosen = [data.get(f"speaker_{index}") for index in range(len(self.speakers))]
        if "therapist" not in chosen:
            raise forms.ValidationError("Say which speaker is you, the therapist.", code="no_therapist")
        if "patient" not in chosen:
            raise forms.ValidationError("Say which speaker is the patient.", code="no_patient")
        return data

    def cleaned_roles(self) -> dict[str, str]:
        return {name: self.cleaned_data[f"speaker_{index}"] for index, (name, _, _) in enumerate(self.speakers)}


class SessionEditForm(forms.Form):
    held_on = DayField(label="Held on", help_text="Not a day that has not come yet.")
    notes = forms.CharField(
        label="Notes",
        required=False,
        strip=False,
        max_length=SESSION_NOTES_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def clean_notes(self) -> str:
        return _text(self.cleaned_data["notes"])


class InviteForm(forms.Form):
    note = forms.CharField(
        label="Whom is it for? (optional, only you see it)",
        required=False,
        max_length=INVITE_NOTE_MAX_LENGTH,
    )

    def clean_note(self) -> str:
        return _text(self.cleaned_data["note"])
