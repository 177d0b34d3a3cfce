"""The forms of the sessions pages and of inviting a patient.

They check what a person typed (lengths, a day, text that UTF-8 can hold); the rules of the
domain (a day that has not come, a transcript file that is not UTF-8, too long or with no
turns) stay in care's service and parser, whose own words the view puts beside the field.
Every limit is read from the home the API reads it from, so the two cannot disagree.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile

from accounts.models import INVITE_NOTE_MAX_LENGTH
from care.models import SESSION_NOTES_MAX_LENGTH, TRANSCRIPT_MAX_LENGTH
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
        help_text="One turn a line, “Therapist: …” and “Patient: …”. Practices the patient agreed to become drafts.",
    )
    transcript_file = forms.FileField(
        label="Or a transcript file",
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".txt,text/plain"}),
        help_text="Plain text (UTF-8), as the pasted one.",
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


class DraftForm(forms.Form):
    """What a therapist may change in a draft before confirming it (the API's PATCH allows the same)."""

    title = forms.CharField(label="Title", max_length=COMMITMENT_TITLE_MAX_LENGTH)
    cadence = forms.ChoiceField(label="How often", choices=Commitment.Cadence.choices)
    target_count = forms.IntegerField(
        label="Target",
        min_value=1,
        max_value=TARGET_COUNT_MAX,
        help_text="How many each time: things to be proud of in a week, say.",
    )

    def clean_title(self) -> str:
        return _text(self.cleaned_data["title"])

    def clean_target_count(self) -> int:
        # A form's IntegerField reads "٣" as 3: the API takes ASCII digits only, and so does this.
        raw = str(self.data.get(self.add_prefix("target_count"), "")).strip()
        if not (raw.isascii() and raw.isdigit()):
            raise forms.ValidationError("A whole number, in digits 0 to 9.", code="invalid")
        return int(self.cleaned_data["target_count"])


class InviteForm(forms.Form):
    note = forms.CharField(
        label="Whom is it for? (optional, only you see it)",
        required=False,
        max_length=INVITE_NOTE_MAX_LENGTH,
    )

    def clean_note(self) -> str:
        return _text(self.cleaned_data["note"])
