"""The readers of each transcript format a therapist may have: one text in, the pieces said.

A reader does not decide who is a speaker: it marks where a line *could* name one (a label
before a colon, an Otter or Teams header, a caption's voice tag) and keeps what the line would
say if it did not. ``pieces_resolve`` then keeps the labels that behave like speakers (a role,
or a short name that recurs) and folds the others back into the text they interrupt, so a
one-off "Note: ..." inside a turn stays the patient's words.

Every pattern here is matched with ``fullmatch`` against one line or one short token, and every
unbounded repeat is possessive: nothing can backtrack over a long run of one character (see
tests/care/test_long_runs.py). Captions go through webvtt-py and srt, but the cue's source lines
are found here, by walking the file's timing lines in order, since neither library keeps them.
"""

from __future__ import annotations

import html
import io
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field

import srt
import webvtt
from webvtt.errors import MalformedCaptionError, MalformedFileError

#: A label that is a role, lower-cased: English, Spanish and the short forms of clinic notes.
ROLE_WORDS = {
    "therapist": "therapist",
    "counselor": "therapist",
    "counsellor": "therapist",
    "terapeuta": "therapist",
    "t": "therapist",
    "th": "therapist",
    "patient": "patient",
    "client": "patient",
    "paciente": "patient",
    "cliente": "patient",
    "c": "patient",
    "cl": "patient",
    "p": "patient",
}
#: Words a line may start with before a colon that head a note, not a speaker, however often
#: they recur, and the sounds captioners put in brackets.
NOT_SPEAKERS = frozenset(
    {
        "note", "notes", "homework", "plan", "summary", "goal", "goals", "session", "date", "time", "re", "ps",
        "example", "step", "tip", "action", "agenda", "topic", "subject", "reminder", "today", "duration",
        "music", "laughter", "laughs", "applause", "inaudible", "crosstalk", "silence", "pause", "noise",
        "transcript", "recording", "attendees", "participants", "location",
    }
)  # fmt: skip
#: The formats whose every turn is a ``Speaker: text`` line.
LABEL_FORMATS = frozenset({"plain", "named", "tc", "timestamped", "markdown", "chat", "caps", "crlf"})
MAX_NAME_CHARACTERS = 40
MAX_NAME_WORDS = 4
MAX_SPEAKERS = 8

# A clock time as tools print it: "4:05", "00:01:38", "00:01:38.250", "10:02 AM".
_CLOCK = r"\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d{1,3})?(?:[ \t]?[AaPp]\.?[Mm]\.?)?"
# A label line: an optional time ("[00:01:38]", "(01:38)", "10:02 AM -"), optional Markdown
# bold, a name of at most 40 characters starting with a letter, an optional parenthetical
# (which may hold a colon: "Jordan (10:02):"), and the colon; the rest is what was said.
_LABEL = re.compile(
    r"\s*+(?:(?P<stamp>\[" + _CLOCK + r"\]|\(" + _CLOCK + r"\)|" + _CLOCK + r")[ \t]*+(?:[-\u2013\u2014][ \t]*+)?+)?+"
    r"(?P<bold>\*\*)?+(?P<name>[^\W\d_][^:*()\[\]]{0,39}+)(?:\([^()]{0,40}+\)[ \t]*+)?+(?:\*\*)?+:(?:\*\*)?+"
    r"(?P<said>.*+)",
    re.DOTALL,
)
_TIME_TOKEN = re.compile(r"\(?" + r"\d{1,2}:\d{2}(?::\d{2})?" + r"\)?")
_STAMP_WITH_SECONDS = re.compile(r"[\[(]?\d{1,2}:\d{2}:\d{2}.*+", re.DOTALL)
_DIGITS = re.compile(r"\s*+\d++\s*+")


@dataclass
class Piece:
    """What one label, header or cue line says, before anyone has decided it names a speaker.

    ``head`` is the whole labelled line: the text it adds to the turn before it when ``name``
    turns out not to be a speaker. ``said_on_head`` tells whether ``parts[0]`` came from that
    line (a ``Name: text`` label) or the parts all follow it (an Otter header)."""

    name: str | None
    head: str
    line: int
    said_on_head: bool
    parts: list[str] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)
    #: Marked as a speaker beyond doubt (a voice tag, ``>> Name:``, ``[Name]``): need not recur.
    marked: bool = False

    def add(self, text: str, line: int) -> None:
        text = text.strip()
        if text:
            self.parts.append(text)
            self.lines.append(line)


@dataclass
class Reading:
    """A file read by one reader: its format, title, pieces, and the lines before any speaker."""

    format: str
    title: str | None
    pieces: list[Piece]
    preamble: list[int]


@dataclass(frozen=True)
class Said:
    """A piece whose name is a speaker: the unit the parser merges into turns."""

    name: str
    text: str
    line: int
    lines: tuple[int, ...]
    starts: tuple[tuple[int, int], ...] = ()


def name_key(name: str) -> str:
    """The name as compared: case and runs of whitespace do not make two speakers."""
    return " ".join(name.split()).casefold()


def role_of(name: str) -> str | None:
    """``"therapist"`` or ``"patient"`` when the name is a role label, else None."""
    return ROLE_WORDS.get(name_key(name))


def _plausible_name(name: str) -> bool:
    """Short, starting with a capital (or a role in any case), and not a note's heading."""
    if role_of(name):
        return True
    words = name.split()
    return (
        0 < len(words) <= MAX_NAME_WORDS
        and len(name) <= MAX_NAME_CHARACTERS
        and name[0].isupper()
        and name_key(name) not in NOT_SPEAKERS
    )


def _clean_name(raw: str) -> str:
    return " ".join(raw.split())


def label_split(line: str) -> tuple[str, str, str | None] | None:
    """``(name, said, stamp)`` when ``line`` is ``Name: text`` in any of its dresses, else None."""
    if len(line) > 20_000 and ":" not in line[:200]:
        # A label sits in a line's first characters; a long line without a colon there is text.
        return None
    match = _LABEL.fullmatch(line)
    if not match or header_split(line):
        # "Speaker 1  0:12" reads as the label "Speaker 1  0": it is an Otter header.
        return None
    name = _clean_name(match["name"])
    if not name or not _plausible_name(name):
        return None
    said = match["said"]
    if match["bold"] and said.startswith("**"):
        said = said[2:]
    return name, said, match["stamp"]


def _lines_title(lines: list[str]) -> tuple[str | None, int]:
    """The title, if the first non-blank line is ``# Title``, and the index after it."""
    for index, line in enumerate(lines):
        stripped = line.strip()
        if stripped:
            if stripped.startswith("#"):
                return stripped.lstrip("#").strip() or None, index + 1
            return None, index
    return None, len(lines)


def read_labels(lines: list[str]) -> Reading:
    """``Speaker: text`` lines, with or without a time before them or bold around the label:
    plain, caps, T/C, named, timestamped, Markdown and chat logs."""
    title, start = _lines_title(lines)
    pieces: list[Piece] = []
    preamble: list[int] = []
    stamps: Counter[str] = Counter()
    for number, line in enumerate(lines[start:], start=start + 1):
        label = label_split(line)
        if label:
            name, said, stamp = label
            piece = Piece(name, line.strip(), number, said_on_head=True, lines=[number])
            said = said.strip()
            piece.parts.append(said)
            pieces.append(piece)
            stamps[_stamp_kind(stamp, line)] += 1
        elif pieces:
            pieces[-1].add(line, number)
        elif line.strip():
            preamble.append(number)
    return Reading(_labels_format(pieces, stamps, lines), title, pieces, preamble)


def _stamp_kind(stamp: str | None, line: str) -> str:
    if stamp is None:
        # "Jordan (10:02): text" puts the time after the name, as chat apps do.
        head = line.split(":", 1)[0]
        return "chat" if "(" in head and _has_digit(line[: line.find(":") + 4]) else ""
    if stamp.startswith("[") and not _STAMP_WITH_SECONDS.fullmatch(stamp):
        return "chat"
    if stamp[-1:] in "Mm." or "-" in line[: len(stamp) + 4]:
        return "chat"
    return "timestamped"


def _has_digit(text: str) -> bool:
    return any(character.isdigit() for character in text)


def _labels_format(pieces: list[Piece], stamps: Counter[str], lines: list[str]) -> str:
    names = Counter(name_key(piece.name) for piece in pieces if piece.name)
    if not names:
        return "plain"
    kind, count = stamps.most_common(1)[0]
    if kind and count * 2 >= len(pieces):
        return kind
    if sum(1 for piece in pieces if piece.head.startswith("**")) * 2 >= len(pieces):
        return "markdown"
    roles = [name for name in names if name in ROLE_WORDS]
    if not roles:
        return "named"
    if all(len(name) <= 2 for name in roles):
        return "tc"
    written = [piece.name for piece in pieces if piece.name and role_of(piece.name)]
    if written and all(name.isupper() and len(name) > 2 for name in written):
        return "caps"
    return "plain"  # or "crlf": care.transcripts tells, from the text before its line endings were made one


def read_headers(lines: list[str]) -> Reading:
    """Otter, Rev and Teams: ``Name  0:12`` alone on a line, what they said on the lines below."""
    title, start = _lines_title(lines)
    pieces: list[Piece] = []
    preamble: list[int] = []
    wide = 0
    for number, line in enumerate(lines[start:], start=start + 1):
        header = header_split(line)
        if header:
            name, gap = header
            wide += gap >= 3
            pieces.append(Piece(name, line.strip(), number, said_on_head=False))
        elif pieces:
            pieces[-1].add(line, number)
        elif line.strip():
            preamble.append(number)
    otter = any(name_key(piece.name or "").startswith("speaker ") for piece in pieces)
    teams = not otter and pieces and wide * 2 >= len(pieces)
    return Reading("teams" if teams else "otter", title, pieces, preamble)


def header_split(line: str) -> tuple[str, int] | None:
    """``(name, width of the gap before the time)`` when the line is ``Name  0:12``."""
    stripped = line.strip()
    if not stripped or len(stripped) > MAX_NAME_CHARACTERS + 20:
        return None
    cut = max(stripped.rfind(" "), stripped.rfind("\t"))
    if cut <= 0 or not _TIME_TOKEN.fullmatch(stripped[cut + 1 :]):
        return None
    before = stripped[: cut + 1]
    name = _clean_name(before)
    if not name or ":" in name or not name[0].isalpha() or not _plausible_name(name):
        return None
    return name, len(before) - len(before.rstrip())


# Captions.


def _numbered(text: str) -> list[str]:
    return text.split("\n")


def _timing_lines(lines: list[str]) -> Iterator[int]:
    """The index of each cue's timing line, in order, outside NOTE, STYLE and REGION blocks."""
    in_block = False
    skipping = False
    for index, line in enumerate(lines):
        stripped = line.strip()
        if not stripped:
            in_block = skipping = False
            continue
        if not in_block:
            in_block = True
            skipping = stripped.startswith(("NOTE", "STYLE", "REGION"))
        if not skipping and "-->" in line:
            yield index


def strip_tags(text: str) -> str:
    """Cue text without its ``<c>``, ``<i>``, ``<00:00:01.000>`` tags, and entities unescaped.

    By hand, in one pass: webvtt-py's own ``<.*?>`` rereads the rest of a line at every "<"."""
    out: list[str] = []
    position = 0
    while True:
        opening = text.find("<", position)
        if opening < 0:
            out.append(text[position:])
            break
        closing = text.find(">", opening)
        if closing < 0:
            out.append(text[position:])
            break
        out.append(text[position:opening])
        position = closing + 1
    return html.unescape("".join(out))


def _voice(line: str) -> tuple[str, str] | None:
    """``(name, rest)`` for a line starting with a ``<v Name>`` or ``<v.class Name>`` tag."""
    if not line.startswith("<v") or line[2:3] not in {" ", "\t", "."}:
        return None
    closing = line.find(">")
    if closing < 0:
        return None
    inside = line[2:closing]
    cut = len(inside) - len(inside.lstrip()) if not inside.startswith(".") else inside.find(" ")
    if cut < 0:
        return None
    name = _clean_name(inside[cut:])
    return (name, line[closing + 1 :]) if name else None


def cue_speaker(line: str) -> tuple[str, str, bool] | None:
    """The speaker a caption line opens with, what they say, and whether the mark is beyond
    doubt: ``>> Name:`` and ``[Name] text`` are, ``- Name:`` and ``Name: text`` must recur."""
    stripped = line.strip()
    marked = stripped.startswith(">>")
    for mark in (">>", "-", "\u2013"):
        if stripped.startswith(mark):
            stripped = stripped[len(mark) :].lstrip()
            break
    if stripped.startswith("[") and "]" in stripped[: MAX_NAME_CHARACTERS + 2]:
        closing = stripped.find("]")
        name = _clean_name(stripped[1:closing])
        if name and ":" not in name and _plausible_name(name):
            return name, stripped[closing + 1 :].lstrip(" :"), True
        return None
    label = label_split(stripped)
    if label and label[2] is None:
        return label[0], label[1], marked
    return None


def read_vtt(text: str) -> Reading:
    """WebVTT: ``<v Name>`` voice tags (Teams, most tools) or Zoom's ``Name: text`` cues."""
    lines = _numbered(text)
    try:
        captions = webvtt.from_buffer(io.StringIO(text)).captions
    except (MalformedFileError, MalformedCaptionError, ValueError, IndexError, TypeError, AttributeError):
        return Reading("vtt_zoom", None, [], [])
    timings = _timing_lines(lines)
    pieces: list[Piece] = []
    voiced = False
    for caption in captions:
        timing = next(timings, None)
        if timing is None:
            break
        for offset, raw in enumerate(caption.lines):
            number = timing + 2 + offset
            voice = _voice(raw.strip())
            if voice:
                voiced = True
                name, rest = voice
                piece = Piece(name, strip_tags(raw).strip(), number, said_on_head=True, lines=[number], marked=True)
                piece.parts.append(strip_tags(rest).strip())
                pieces.append(piece)
                continue
            _caption_line(pieces, strip_tags(raw), number)
    return Reading("vtt_voice" if voiced else "vtt_zoom", None, pieces, [])


def _caption_line(pieces: list[Piece], plain: str, number: int) -> None:
    """One caption line: a new speaker's piece (``Name: text``, ``[Name] text``, ``>> Name:``),
    or more of the piece before it."""
    speaker = cue_speaker(plain)
    if speaker:
        name, rest, marked = speaker
        piece = Piece(name, plain.strip(), number, said_on_head=True, lines=[number], marked=marked)
        piece.parts.append(rest.strip())
        pieces.append(piece)
    elif pieces:
        pieces[-1].add(plain, number)
    elif plain.strip():
        pieces.append(Piece(None, plain.strip(), number, said_on_head=True, lines=[number]))
        pieces[-1].parts.append(plain.strip())


def read_srt(text: str) -> Reading:
    """SRT captions: the speaker as ``Name: text``, ``[Name] text`` or ``>> Name:``; a cue
    without one continues the speaker before it."""
    lines = _numbered(text)
    try:
        subtitles = list(srt.parse(text))
    except (srt.SRTParseError, ValueError, IndexError, TypeError, AttributeError):
        return Reading("srt", None, [], [])
    timings = _timing_lines(lines)
    pieces: list[Piece] = []
    for subtitle in subtitles:
        timing = next(timings, None)
        if timing is None:
            break
        for offset, raw in enumerate(subtitle.content.split("\n")):
            _caption_line(pieces, strip_tags(raw), timing + 2 + offset)
    return Reading("srt", None, pieces, [])


def is_vtt(lines: list[str]) -> bool:
    first = next((line for line in lines if line.strip()), "")
    return first.lstrip("\ufeff").startswith("WEBVTT")


def is_srt(lines: list[str]) -> bool:
    content = [line for line in lines[:50] if line.strip()]
    return len(content) >= 2 and bool(_DIGITS.fullmatch(content[0])) and "-->" in content[1]


def read(text: str) -> Reading:
    """The reading of whichever format the file is in: captions by their header, else the
    reader that finds more speakers' turns (labels win a tie: they are the common case)."""
    lines = _numbered(text)
    if is_vtt(lines):
        return read_vtt(text)
    if is_srt(lines):
        return read_srt(text)
    labels = read_labels(lines)
    headers = read_headers(lines)
    if len(speakers(headers.pieces)) >= 2 and len(pieces_resolve(headers)[0]) > len(pieces_resolve(labels)[0]):
        return headers
    return labels


def speakers(pieces: list[Piece]) -> dict[str, str]:
    """Each name that is a speaker (by its key) and how it is first written: every role label,
    and the names that recur, most frequent first, at most ``MAX_SPEAKERS`` in all."""
    counts: Counter[str] = Counter()
    written: dict[str, str] = {}
    marked: set[str] = set()
    for piece in pieces:
        if piece.name is None:
            continue
        key = name_key(piece.name)
        counts[key] += 1
        written.setdefault(key, piece.name)
        if piece.marked:
            marked.add(key)
    chosen = {key: written[key] for key in counts if key in ROLE_WORDS}
    for key, count in counts.most_common():
        if len(chosen) >= MAX_SPEAKERS:
            break
        if (count >= 2 or key in marked) and key not in chosen:
            chosen[key] = written[key]
    return chosen


def pieces_resolve(reading: Reading) -> tuple[list[Piece], list[int]]:
    """The pieces whose names are speakers, each holding the lines of the labels that were not;
    and the lines before the first speaker (the reader's preamble and any such label)."""
    chosen = speakers(reading.pieces)
    kept: list[Piece] = []
    preamble = list(reading.preamble)
    for piece in reading.pieces:
        if piece.name is not None and name_key(piece.name) in chosen:
            piece.name = chosen[name_key(piece.name)]
            kept.append(piece)
            continue
        rest = piece.parts[1:] if piece.said_on_head else piece.parts
        rest_lines = piece.lines[1:] if piece.said_on_head else piece.lines
        if kept:
            kept[-1].add(piece.head, piece.line)
            kept[-1].parts.extend(rest)
            kept[-1].lines.extend(rest_lines)
        else:
            preamble.extend([piece.line] if piece.head else [])
            preamble.extend(rest_lines)
    return kept, sorted(set(preamble))
