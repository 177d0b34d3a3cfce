"""A session transcript read into turns: who spoke, what they said, and on which lines.

The formats are the ones therapists have (API.md, "Sessions and transcripts"): ``Speaker: text``
turns in their many dresses (role labels in any case and in Spanish, ``T:``/``C:``, names,
times before the label, Markdown bold, chat logs), WebVTT and SRT captions, Otter, Rev and
Teams exports, and Word files; ``care/formats.py`` holds a reader for each. A speaker may
carry a name or note in parentheses before the colon (``Therapist (Maya): text``, ``Client
(J., 10:32): text``); the parenthetical says who, not which side, so it is dropped.

Who is who: a role label says it. Named speakers (``Dr. Lee``, ``Speaker 1``) get a proposal,
the therapist being the one who asks and proposes most, which the therapist confirms or
corrects with ``speaker_roles``. One person's talk split over several cues or paragraphs is
one turn.

Files come from many tools, so the parser forgives what it can (line endings, a BOM, blank or
placeholder turns, notes before the first speaker) and says what it skipped in ``warnings``;
it refuses only what cannot be a transcript at all.

Lines are split on ``\\r\\n``, ``\\r`` and ``\\n`` only, not with ``str.splitlines``, which
also breaks on form feeds and Unicode separators: a line number must be the one an editor
shows, or a warning would point at the wrong place. A Word file's line is its paragraph.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

import docx
from docx.opc.exceptions import PackageNotFoundError

from care import formats
from care.models import TRANSCRIPT_MAX_LENGTH
from core.exceptions import DomainError


class Speaker(StrEnum):
    THERAPIST = "therapist"
    PATIENT = "patient"


#: Every spelling of a role label, lower-cased: "counsellor" is the British spelling, the
#: Spanish ones are what bilingual clinics write, the short ones are clinic notes' ``T:``/``C:``.
SPEAKER_LABELS = {label: Speaker(role) for label, role in formats.ROLE_WORDS.items()}

_LINE_BREAK = re.compile(r"\r\n|\r|\n")
# C0 controls and DEL, except tab, line feed, form feed and carriage return: a file holding
# any of them is binary or corrupt, and reading it as words would only invent turns.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
# A turn that is only a bracketed note ("[Answer not properly formatted or missing]",
# "{inaudible}", "<missing>") or a filler token was never said. Parentheses are not
# placeholders: "(nods)" or "(long pause)" is something that happened in the room.
_PLACEHOLDER = re.compile(r"\[[^\]]*\]|\{[^}]*\}|<[^>]*>|n/?a|\.\.\.|…|-+|—", re.IGNORECASE)

#: A Word file is a zip; its text lives in word/document.xml. Bigger than this once
#: inflated, it is not a session's transcript but a zip bomb (a real hour-long session is
#: well under 1 MB of XML); the whole archive, images included, gets a looser cap.
DOCX_DOCUMENT_MAX_BYTES = 8 * 1024 * 1024
DOCX_ARCHIVE_MAX_BYTES = 32 * 1024 * 1024
DOCX_MAX_MEMBERS = 500
_ZIP_MAGIC = b"PK\x03\x04"

NO_TURNS = (
    "The transcript has no turns: no line starts with a speaker and text. Accepted: lines like "
    "“Therapist: …” or “Dr. Lee: …”, WebVTT or SRT captions with speakers, Otter, Teams or Zoom "
    "exports, chat logs, and Word (.docx) files."
)

# Words by which a therapist proposes or asks something of the patient: the person saying
# them most is proposed as the therapist when the file only names its speakers.
_PROPOSING = (
    "could you", "would you", "what if", "how about", "i'd like you to", "i would like you to",
    "between now and next time", "before we meet", "homework", "this week", "would it be okay",
    "let's try", "i wonder if", "are you willing", "would you be willing", "how did", "what would",
    "how does that", "tell me more",
)  # fmt: skip
_THERAPIST_TITLES = ("dr.", "dr ", "therapist", "counselor", "counsellor", "terapeuta")


@dataclass(frozen=True)
class Turn:
    speaker: Speaker
    text: str
    #: The first source line of the turn (its label's line, or its first line of text).
    line: int
    #: The speaker as the file names them: "Dr. Lee", "Speaker 1", "Therapist".
    name: str = ""
    #: Every source line its text came from.
    lines: tuple[int, ...] = ()
    #: Where each source line's words start in ``text``: (offset, line), in order. A sentence
    #: quoted from a long turn (a Zoom speaker's cues run together) is given its own line.
    starts: tuple[tuple[int, int], ...] = ()

    def line_at(self, offset: int) -> int:
        """The source line holding the character at ``offset`` of ``text``."""
        line = self.line
        for start, number in self.starts:
            if start > offset:
                break
            line = number
        return line


@dataclass(frozen=True)
class TranscriptWarning:
    line: int
    code: str
    detail: str


@dataclass(frozen=True)
class SpeakerSeen:
    """A speaker as the who-is-who step shows them: their name, turns and role."""

    name: str
    turns: int
    role: Speaker


@dataclass(frozen=True)
class Transcript:
    title: str | None
    turns: tuple[Turn, ...]
    warnings: tuple[TranscriptWarning, ...]
    #: Each speaker's name, as first written, and the role used for them.
    speaker_roles: dict[str, Speaker]
    #: True when a role was guessed for at least one named speaker rather than given.
    roles_proposed: bool = False
    #: The detected format: one of docs/drafts-corpus.md's ``format`` values.
    format: str = "plain"


class TranscriptError(DomainError):
    """The upload cannot be taken as a transcript: ``not_text``, ``max_length``, ``no_turns``,
    or, for the roles a therapist gave (``attr`` then ``speaker_roles``), ``unknown_speaker``,
    ``invalid_role`` or ``invalid_roles``."""

    default_detail = "This is not a transcript."
    default_code = "no_turns"

    def __init__(self, detail: str, *, code: str, attr: str = "transcript") -> None:
        super().__init__(detail, code=code, attr=attr)


def transcript_text(source: str | bytes) -> str:
    """``source`` as a transcript's text: bytes read as UTF-8, with or without a BOM, or as a
    Word file when they are a zip, and a leading BOM dropped from text too; ``not_text`` when
    it is none of these or holds control characters. The one home of this rule: the parser
    reads through it, and a session stores what it answers, whether the transcript was
    pasted, uploaded or imported from a file."""
    if isinstance(source, bytes):
        if source.startswith(_ZIP_MAGIC):
            source = _docx_text(source)
        else:
            try:
                source = source.decode("utf-8-sig")
            except UnicodeDecodeError:
                raise TranscriptError("The transcript is not UTF-8 text.", code="not_text") from None
    source = source.removeprefix("\ufeff")
    if _CONTROL.search(source):
        raise TranscriptError("The transcript holds control characters: it is not plain text.", code="not_text")
    return source


def _docx_text(data: bytes) -> str:
    """A Word file's paragraphs, one a line, so a line number is a paragraph number."""
    not_word = TranscriptError("The file is a zip archive but not a readable Word (.docx) file.", code="not_text")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
            document = next((m for m in members if m.filename == "word/document.xml"), None)
            if document is None:
                raise not_word
            # The sizes are the archive's own claims; zipfile stops inflating a member at its
            # claimed size, so a lying one is cut short (and fails its CRC), never bigger.
            if (
                len(members) > DOCX_MAX_MEMBERS
                or document.file_size > DOCX_DOCUMENT_MAX_BYTES
                or sum(member.file_size for member in members) > DOCX_ARCHIVE_MAX_BYTES
            ):
                raise TranscriptError(
                    "The Word file is too large once unpacked to be a session's transcript.", code="not_text"
                )
        paragraphs = docx.Document(io.BytesIO(data)).paragraphs
        return "\n".join(" ".join(_LINE_BREAK.split(paragraph.text)) for paragraph in paragraphs)
    except TranscriptError:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, PackageNotFoundError, KeyError, ValueError, OSError,
            EOFError, NotImplementedError, RuntimeError, AttributeError, TypeError):  # fmt: skip
        # A corrupt archive or XML fails inside python-docx in many ways (lxml's XMLSyntaxError
        # is a ValueError); each means the same to the therapist.
        raise not_word from None


def transcript_check_length(text: str) -> None:
    """A session takes a transcript of at most ``TRANSCRIPT_MAX_LENGTH`` characters, however
    it came (the API's field refuses a longer one before it gets here, with its own words)."""
    if len(text) > TRANSCRIPT_MAX_LENGTH:
        raise TranscriptError(
            f"A transcript may be at most {TRANSCRIPT_MAX_LENGTH:,} characters; this one is {len(text):,}.",
            code="max_length",
        )


def transcript_lines(text: str) -> list[str]:
    """The transcript's lines as an editor numbers them (line ``n`` is ``[n - 1]``)."""
    return _LINE_BREAK.split(text)


def transcript_parse(source: str | bytes, *, speaker_roles: Mapping[str, str] | None = None) -> Transcript:
    """Read ``source`` into turns, or raise ``TranscriptError`` when nothing usable is in it.

    ``speaker_roles`` maps speakers' names as written (any case) to ``"therapist"`` or
    ``"patient"``; the speakers it leaves out keep their label's role or the proposal."""
    is_docx = isinstance(source, bytes) and source.startswith(_ZIP_MAGIC)
    raw = transcript_text(source)
    text = "\n".join(_LINE_BREAK.split(raw))
    reading = formats.read(text)
    pieces, preamble = formats.pieces_resolve(reading)
    warnings: list[TranscriptWarning] = []
    if preamble:
        warnings.append(_preamble_warning(preamble))

    names = _speaker_names(pieces)
    if not names or (len(names) == 1 and not formats.role_of(next(iter(names.values())))):
        # One named speaker is a monologue or a misread file: there is no one to propose to.
        raise TranscriptError(NO_TURNS, code="no_turns")
    roles, proposed = _roles(names, pieces, speaker_roles or {})

    said: list[formats.Said] = []
    for piece in pieces:
        assert piece.name is not None
        content = " ".join(part for part in piece.parts if part)
        role = roles[formats.name_key(piece.name)]
        problem = _problem(content)
        if problem:
            code, what = problem
            detail = f"Line {piece.line}: the {role}'s turn {what} and was skipped."
            warnings.append(TranscriptWarning(piece.line, code, detail))
        else:
            first = piece.line if piece.said_on_head else piece.lines[0]
            said.append(formats.Said(piece.name, content, first, tuple(piece.lines), _starts(piece)))
    turns = _merged(said, roles, relabelled=reading.format in formats.LABEL_FORMATS)
    if not turns:
        raise TranscriptError(NO_TURNS, code="no_turns")
    return Transcript(
        title=reading.title,
        turns=tuple(turns),
        warnings=tuple(sorted(warnings, key=lambda warning: warning.line)),
        speaker_roles={name: roles[key] for key, name in names.items()},
        roles_proposed=proposed,
        format="docx" if is_docx else _format(reading.format, raw),
    )


def transcript_speakers(source: str | bytes) -> list[SpeakerSeen]:
    """Each speaker with their turn count and the role proposed: the who-is-who step."""
    transcript = transcript_parse(source)
    counts: dict[str, int] = dict.fromkeys(transcript.speaker_roles, 0)
    keys = {formats.name_key(name): name for name in counts}
    for turn in transcript.turns:
        counts[keys[formats.name_key(turn.name)]] += 1
    return [SpeakerSeen(name, counts[name], role) for name, role in transcript.speaker_roles.items()]


def _speaker_names(pieces: list[formats.Piece]) -> dict[str, str]:
    """Each speaker's key and their name as first written, in order of first appearance."""
    names: dict[str, str] = {}
    for piece in pieces:
        assert piece.name is not None
        names.setdefault(formats.name_key(piece.name), piece.name)
    return names


def _roles(
    names: dict[str, str], pieces: list[formats.Piece], given: Mapping[str, str]
) -> tuple[dict[str, Speaker], bool]:
    """The role of each speaker (by key): given, else its label's, else the proposal."""
    chosen: dict[str, Speaker] = {}
    for written, role in given.items():
        key = formats.name_key(written)
        if key not in names:
            known = ", ".join(f"“{name}”" for name in names.values())
            raise TranscriptError(
                f"“{written}” does not speak in this transcript; its speakers are {known}.",
                code="unknown_speaker",
                attr="speaker_roles",
            )
        try:
            chosen[key] = Speaker(str(role).strip().lower())
        except ValueError:
            raise TranscriptError(
                f"“{role}” is not a role: each speaker is either “therapist” or “patient”.",
                code="invalid_role",
                attr="speaker_roles",
            ) from None
    for key, name in names.items():
        label = formats.role_of(name)
        if key not in chosen and label:
            chosen[key] = Speaker(label)
    unknown = [key for key in names if key not in chosen]
    if unknown and Speaker.THERAPIST in chosen.values():
        chosen.update(dict.fromkeys(unknown, Speaker.PATIENT))
    elif unknown:
        scores = _therapist_scores(unknown, names, pieces)
        therapist = max(unknown, key=lambda key: scores[key])
        for key in unknown:
            chosen[key] = Speaker.THERAPIST if key == therapist else Speaker.PATIENT
    if given and len(names) > 1 and set(chosen.values()) != set(Speaker):
        # Roles the therapist gave that leave no one proposing, or no one to propose to, would
        # draft nothing and say nothing of why.
        raise TranscriptError(
            "One speaker must be the therapist and at least one other the patient.",
            code="invalid_roles",
            attr="speaker_roles",
        )
    return chosen, bool(unknown)


def _therapist_scores(keys: list[str], names: dict[str, str], pieces: list[formats.Piece]) -> dict[str, float]:
    """How much each speaker talks like the therapist: questions asked, practices proposed, a
    title in their name, and (weakly) opening the session."""
    scores = dict.fromkeys(keys, 0.0)
    first = formats.name_key(pieces[0].name or "")
    if first in scores:
        scores[first] += 0.5
    for key in keys:
        name = names[key].casefold()
        if any(title in name + " " for title in _THERAPIST_TITLES):
            scores[key] += 10
    for piece in pieces:
        key = formats.name_key(piece.name or "")
        if key not in scores:
            continue
        said = " ".join(piece.parts).casefold()
        scores[key] += min(said.count("?"), 3)
        scores[key] += 2 * sum(1 for phrase in _PROPOSING if phrase in said)
    return scores


def _merged(said: list[formats.Said], roles: dict[str, Speaker], *, relabelled: bool) -> list[Turn]:
    """One turn for each run of pieces by the same speaker: Zoom and Otter cut one person's
    talk into cues and paragraphs, chat apps into messages, and a proposal must meet the
    answer that follows it. Where a file writes ``Therapist:`` twice in a row (``relabelled``)
    the writer chose two turns, and a skipped answer between them stays a gap: "Could you try
    it?" then "Or not." is not a question the patient's next words agree to."""
    turns: list[Turn] = []
    for piece in said:
        key = formats.name_key(piece.name)
        explicit = relabelled and formats.role_of(piece.name) is not None
        if turns and not explicit and formats.name_key(turns[-1].name) == key:
            last = turns[-1]
            shift = len(last.text) + 1
            starts = last.starts + tuple((offset + shift, line) for offset, line in piece.starts)
            text = f"{last.text} {piece.text}"
            turns[-1] = Turn(last.speaker, text, last.line, last.name, last.lines + piece.lines, starts)
        else:
            turns.append(Turn(roles[key], piece.text, piece.line, piece.name, piece.lines, piece.starts))
    return turns


def _format(read: str, raw: str) -> str:
    """The format read, with plain turns saved with Windows line endings told apart: the line
    endings are made one before the readers see the text."""
    return "crlf" if read == "plain" and "\r\n" in raw[:10_000] else read


def _starts(piece: formats.Piece) -> tuple[tuple[int, int], ...]:
    """Where each of the piece's lines starts in its text, the parts joined by one space."""
    starts, offset = [], 0
    for part, line in zip(piece.parts, piece.lines, strict=False):
        if part:
            starts.append((offset, line))
            offset += len(part) + 1
    return tuple(starts)


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
