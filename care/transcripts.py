"""A session transcript read into turns: who spoke, what they said, and on which line.

The format is the one a therapist pastes or uploads (API.md, "Sessions and transcripts"):
``Speaker: text`` turns, an optional ``# Title`` first, and any line without a known speaker
continuing the turn before it. A speaker may carry a name or note in parentheses before the
colon (``Therapist (Maya): text``, ``Client (J., 10:32): text``), as clinic tools write them;
the parenthetical says who, not which side, so it is dropped. Files come from many tools, so the parser forgives what it
can (line endings, a BOM, blank or placeholder turns, notes before the first speaker) and
says what it skipped in ``warnings``; it refuses only what cannot be a transcript at all.

Lines are split on ``\\r\\n``, ``\\r`` and ``\\n`` only, not with ``str.splitlines``, which
also breaks on form feeds and Unicode separators: a line number must be the one an editor
shows, or a warning would point at the wrong place.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from care.models import TRANSCRIPT_MAX_LENGTH
from core.exceptions import DomainError


class Speaker(StrEnum):
    THERAPIST = "therapist"
    PATIENT = "patient"


#: Every spelling of a speaker's label, lower-cased; "counsellor" is the British spelling.
SPEAKER_LABELS = {
    "therapist": Speaker.THERAPIST,
    "counselor": Speaker.THERAPIST,
    "counsellor": Speaker.THERAPIST,
    "patient": Speaker.PATIENT,
    "client": Speaker.PATIENT,
}

_LINE_BREAK = re.compile(r"\r\n|\r|\n")
# A known label, then optionally one parenthetical (which may hold a colon: "(10:32)"), then
# the colon that ends the label. "Nurse (Ann): ..." has no known label and continues a turn.
# Each is matched against a whole line (``fullmatch``), so none needs ``^`` or ``$``.
_TURN = re.compile(r"\s*(" + "|".join(SPEAKER_LABELS) + r")\s*(?:\([^()]*\)\s*)?:(.*)", re.IGNORECASE)
_TITLE = re.compile(r"\s*#+(.*)")
# C0 controls and DEL, except tab, line feed, form feed and carriage return: a file holding
# any of them is binary or corrupt, and reading it as words would only invent turns.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
# A turn that is only a bracketed note ("[Answer not properly formatted or missing]",
# "{inaudible}", "<missing>") or a filler token was never said. Parentheses are not
# placeholders: "(nods)" or "(long pause)" is something that happened in the room.
_PLACEHOLDER = re.compile(r"\[[^\]]*\]|\{[^}]*\}|<[^>]*>|n/?a|\.\.\.|…|-+|—", re.IGNORECASE)


@dataclass(frozen=True)
class Turn:
    speaker: Speaker
    text: str
    line: int


@dataclass(frozen=True)
class TranscriptWarning:
    line: int
    code: str
    detail: str


@dataclass(frozen=True)
class Transcript:
    title: str | None
    turns: tuple[Turn, ...]
    warnings: tuple[TranscriptWarning, ...]


class TranscriptError(DomainError):
    """The upload cannot be taken as a transcript: ``not_text``, ``max_length`` or ``no_turns``."""

    default_detail = "This is not a transcript."
    default_code = "no_turns"

    def __init__(self, detail: str, *, code: str) -> None:
        super().__init__(detail, code=code, attr="transcript")


@dataclass
class _OpenTurn:
    """A turn still collecting its continuation lines."""

    speaker: Speaker
    line: int
    parts: list[str]


def transcript_text(source: str | bytes) -> str:
    """``source`` as a transcript's text: bytes read as UTF-8, with or without a BOM, and a
    leading BOM dropped from text too; ``not_text`` when it is not UTF-8 or holds control
    characters. The one home of this rule: the parser reads through it, and a session stores
    what it answers, whether the transcript was pasted, uploaded or imported from a file."""
    if isinstance(source, bytes):
        try:
            source = source.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise TranscriptError("The transcript is not UTF-8 text.", code="not_text") from None
    source = source.removeprefix("\ufeff")
    if _CONTROL.search(source):
        raise TranscriptError("The transcript holds control characters: it is not plain text.", code="not_text")
    return source


def transcript_check_length(text: str) -> None:
    """A session takes a transcript of at most ``TRANSCRIPT_MAX_LENGTH`` characters, however
    it came (the API's field refuses a longer one before it gets here, with its own words)."""
    if len(text) > TRANSCRIPT_MAX_LENGTH:
        raise TranscriptError(
            f"A transcript may be at most {TRANSCRIPT_MAX_LENGTH:,} characters; this one is {len(text):,}.",
            code="max_length",
        )


def transcript_parse(source: str | bytes) -> Transcript:
    """Read ``source`` into turns, or raise ``TranscriptError`` when nothing usable is in it."""
    lines = _LINE_BREAK.split(transcript_text(source))
    title, start = _title(lines)
    warnings: list[TranscriptWarning] = []
    preamble: list[int] = []
    open_turns: list[_OpenTurn] = []
    for number, line in enumerate(lines[start:], start=start + 1):
        match = _TURN.fullmatch(line)
        if match:
            label, said = match.groups()
            open_turns.append(_OpenTurn(SPEAKER_LABELS[label.lower()], number, [said.strip()]))
        elif open_turns:
            open_turns[-1].parts.append(line.strip())
        elif line.strip():
            preamble.append(number)
    if preamble:
        warnings.append(_preamble_warning(preamble))
    turns = []
    for turn in open_turns:
        text = " ".join(part for part in turn.parts if part)
        problem = _problem(text)
        if problem:
            code, what = problem
            detail = f"Line {turn.line}: the {turn.speaker}'s turn {what} and was skipped."
            warnings.append(TranscriptWarning(turn.line, code, detail))
        else:
            turns.append(Turn(turn.speaker, text, turn.line))
    if not turns:
        raise TranscriptError("The transcript has no turns: no line starts with a speaker and text.", code="no_turns")
    return Transcript(title, tuple(turns), tuple(sorted(warnings, key=lambda warning: warning.line)))


def _title(lines: list[str]) -> tuple[str | None, int]:
    """The title, if the first non-blank line is one, and the index of the first line after it."""
    for index, line in enumerate(lines):
        if line.strip():
            match = _TITLE.fullmatch(line)
            if match:
                return match.group(1).strip() or None, index + 1
            return None, index
    return None, len(lines)


def _preamble_warning(numbers: list[int]) -> TranscriptWarning:
    """One warning for all the text before the first speaker: it is usually one block of notes."""
    first = numbers[0]
    count = f"{len(numbers)} lines of text were" if len(numbers) > 1 else "a line of text was"
    detail = f"Line {first}: {count} found before the first speaker and skipped."
    return TranscriptWarning(first, "no_speaker", detail)


def _problem(text: str) -> tuple[str, str] | None:
    if not text:
        return "empty_turn", "is empty"
    if _PLACEHOLDER.fullmatch(text):
        return "placeholder", "is a placeholder"
    return None
