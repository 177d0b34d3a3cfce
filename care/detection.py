"""Draft commitments drawn from a transcript: what the therapist proposed and the patient took up.

A draft needs two things, on two consecutive turns:

1. A therapist turn with a sentence that holds both a proposal phrase and a practice phrase
   (``care.vocabulary``). One sentence, not the whole turn: a therapist often praises a
   practice in one sentence ("Keeping a journal can be powerful") and asks something else in
   the next, and only the sentence that asks is the proposal. A practice phrase after a
   negation in its clause ("stop telling yourself...") does not count: the therapist asks
   for less of it. That sentence is the draft's ``details``; its cadence and number words
   set ``cadence`` and ``target_count``.
2. The very next turn is the patient's, and it agrees. The patient's last agreeing or
   declining phrase decides, because people hedge before they say yes ("I won't promise
   I'll be good at it, but I'll try") and back out after a polite start ("Okay, but not
   this week"), and doubt after a yes takes it back ("Okay. I don't know if that's me"). A
   turn with neither phrase agrees to nothing. If the next turn is the
   therapist's again (the patient's answer was a skipped placeholder), nothing is drafted:
   we cannot know what the patient said.

Each therapist turn makes at most one draft, from its first proposing sentence. These are
drafts: the therapist confirms or drops each one, so the rules prefer missing a commitment
to inventing one.
"""

from __future__ import annotations

import bisect
import functools
import itertools
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Generic, TypeVar

from care.transcripts import Speaker, Transcript, TranscriptWarning, Turn
from care.vocabulary import VOCABULARY, CadenceWords, Practice
from journal.models import Commitment

T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)

TITLE_MAX = 80

# Curly quotes become straight ones one character for one, so a match's span in the
# translated text is its span in the text as said. (``str.lower`` is avoided for the same
# reason: a few letters grow when lower-cased; matching ignores case instead.)
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'"})
# A sentence ends at a run of end marks (closing quotes or brackets may follow) before a space or
# the end. The run is taken whole, from its first mark, and never given back: "....x" must fail
# once, not once for each dot with each shorter run tried (that was quadratic, 8.5 s for 20,000 dots).
_SENTENCE_END = re.compile(r"(?<![.!?…])[.!?…]++[\"'\u201d\u2019)\]]*+(?=\s|\Z)")
# Where a clause ends inside a sentence, for negations: punctuation only (see
# ``Vocabulary.negations``). A hyphen counts only between spaces, so "less-than-perfect" is one word.
_CLAUSE_BREAK = re.compile(r"[,;:()\u2013\u2014]|\s-\s")
# Between the two ends of a range: "two or three", "two to three", "2-3" (or an en dash).
_RANGE_JOIN = r"(?:\s+(?:or|to)\s+|\s*[-\u2013]\s*)"
# How a title says a target: the first word the table gives for it ("three", not "thrice").
_NUMBER_WORDS = {number: word for word, number in reversed(VOCABULARY.numbers.items()) if " " not in word}

#: A draft's evidence: the two turns, each with its line in the transcript.
EVIDENCE = "Therapist (line {proposal.line}): {proposal.text}\nPatient (line {answer.line}): {answer.text}"
_EVIDENCE_LINE = re.compile(r"\(line ([0-9]+)\)")


def evidence_line(evidence: str) -> int | None:
    """The transcript line a draft's evidence starts at (its proposal), or None for evidence
    not written by the detector (a commitment edited by hand, say)."""
    found = _EVIDENCE_LINE.search(evidence)
    return int(found.group(1)) if found else None


def session_order(commitment: Commitment) -> tuple[datetime, float]:
    """Where a commitment comes among others: by when it was written and, for a session's drafts
    (all written at one instant), by the line of the transcript that proposed it. Not by
    ``seq``, which a confirm or an edit moves on: a practice would jump to the end the moment it
    was acted on. A commitment with no line quoted comes after those with one."""
    line = evidence_line(commitment.evidence) if commitment.evidence else None
    return commitment.created_at, math.inf if line is None else line


@dataclass(frozen=True)
class Draft:
    kind: str
    cadence: str
    target_count: int
    title: str
    details: str
    evidence: str
    line: int  # where the therapist's proposal starts
    #: ISO weekdays (1 = Monday) when the practice is only on some days; () for every day of its cadence.
    weekdays: tuple[int, ...] = ()
    #: An experiment's planned day: a day named in the session, the first such day after it.
    planned_for: date | None = None
    #: A time of day agreed for it ("at eight, before the kids wake"): its reminder's time.
    remind_at: time | None = None


@dataclass(frozen=True)
class PhraseHit(Generic[T_co]):
    """Where a phrase was found, and what the vocabulary says it means."""

    start: int
    end: int
    meaning: T_co

    def overlaps(self, other: PhraseHit[object]) -> bool:
        return self.start < other.end and other.start < self.end


def drafts_detect(transcript: Transcript, *, held_on: date | None = None) -> list[Draft]:
    """The practices the patient agreed to, in the order they were proposed; ``held_on`` (the
    session's day) places a day named in it ("on Thursday") in the calendar."""
    drafts = []
    for proposal, answer in itertools.pairwise(transcript.turns):
        if proposal.speaker is not Speaker.THERAPIST or answer.speaker is not Speaker.PATIENT:
            continue
        draft = _draft(proposal, answer)
        if draft is not None:
            drafts.append(draft)
    return drafts


#: The longest sentence read for a proposal. Nobody proposes a practice in 2,000 characters
#: without a full stop, and each practice found in a sentence looks back through its clause:
#: a bound here keeps a pasted wall of text from costing seconds.
MAX_SENTENCE = 2_000
#: The most drafts one session makes: a session agrees on a handful of practices, and a
#: transcript that yields more is most likely the same words pasted over and over.
MAX_DRAFTS = 20


def drafts_distinct(drafts: list[Draft]) -> tuple[list[Draft], list[TranscriptWarning]]:
    """One draft per practice, at most ``MAX_DRAFTS``; the rest reported as warnings.

    A practice agreed twice (a therapist recapping at the end of a session) is the same
    practice: the first proposal's draft stands, with its evidence.
    """
    kept: list[Draft] = []
    warnings = []
    first: dict[tuple[str, str, int, str], Draft] = {}
    for draft in drafts:
        key = (draft.kind, draft.cadence, draft.target_count, draft.title)  # two experiments differ by title
        same = first.get(key)
        if same is not None:
            warnings.append(
                TranscriptWarning(
                    line=draft.line,
                    code="repeated_practice",
                    detail=f"Line {draft.line}: the practice agreed at line {same.line} again; one draft is kept.",
                )
            )
        elif len(kept) == MAX_DRAFTS:
            warnings.append(
                TranscriptWarning(
                    line=draft.line,
                    code="too_many_drafts",
                    detail=f"Line {draft.line}: a session drafts at most {MAX_DRAFTS} practices; this one was not.",
                )
            )
        else:
            first[key] = draft
            kept.append(draft)
    return kept, warnings


def phrase_spans(text: str, phrases: Iterable[tuple[str, T]]) -> list[PhraseHit[T]]:
    """Where the phrases occur in ``text``, each labelled with its meaning, in text order.

    Where found phrases overlap, the longest is kept: "I'm not sure" is a hesitation, not the
    "sure" inside it.
    """
    plain = text.translate(_APOSTROPHES)
    found = [
        PhraseHit(match.start(), match.end(), meaning)
        for phrase, meaning in phrases
        for match in _pattern(phrase).finditer(plain)
    ]
    # Longest first; a hit is kept unless it overlaps one already kept. The kept hits never
    # overlap, so only the neighbours by start need a look: n log n, not n squared (a
    # 200,000-character turn of "yes, yes, ..." has tens of thousands of hits).
    kept: list[PhraseHit[T]] = []
    starts: list[int] = []
    for hit in sorted(found, key=lambda hit: (hit.start - hit.end, hit.start)):
        at = bisect.bisect_right(starts, hit.start)
        if (at > 0 and kept[at - 1].overlaps(hit)) or (at < len(kept) and kept[at].overlaps(hit)):
            continue
        starts.insert(at, hit.start)
        kept.insert(at, hit)
    return kept


@functools.cache
def _pattern(phrase: str) -> re.Pattern[str]:
    """A phrase as a case-blind regex bounded by non-word characters; an apostrophe counts
    as part of a word, so "I can" never matches inside "I can't".

    The check before the phrase comes after its first character (``y(?<![\\w']y)es``, not
    ``(?<![\\w'])yes``): a pattern that opens with a character lets the engine skip ahead to
    where that character is, instead of testing the look-behind at every position. Same
    matches, a fifth of the time: an answer of 200,000 characters is read by ninety phrases.
    """
    plain = " ".join(phrase.translate(_APOSTROPHES).split())
    first = re.escape(plain[0])
    rest = r"\s+".join(re.escape(word) for word in plain[1:].split(" "))
    return re.compile(rf"{first}(?<![\w']{first}){rest}(?![\w'])", re.IGNORECASE)


def _draft(proposal: Turn, answer: Turn) -> Draft | None:
    for sentence in _sentences(proposal.text):
        if len(sentence) > MAX_SENTENCE or not _proposes(sentence):
            continue
        practice = _first_practice(sentence)
        if practice is not None:
            if not _agrees(answer.text):
                return None
            return _draft_from(sentence, practice, proposal, answer)
    return None


def _proposes(sentence: str) -> bool:
    """A proposal phrase not hidden by a longer ``not_proposals`` one ("can you tell me")."""
    return _says(sentence, VOCABULARY.proposals, unless=VOCABULARY.not_proposals)


def _says(text: str, phrases: Iterable[str], *, unless: Iterable[str]) -> bool:
    """Whether one of ``phrases`` is in ``text`` and not inside a longer ``unless`` phrase."""
    hits = phrase_spans(text, [*((phrase, True) for phrase in phrases), *((phrase, False) for phrase in unless)])
    return any(hit.meaning for hit in hits)


def _first_practice(sentence: str) -> PhraseHit[Practice] | None:
    """The first practice in the sentence that no negation before it, in its clause, takes
    back: "could you try to stop telling yourself..." asks for less of the practice, not for it.

    Negations and clause breaks are found once per sentence, and each practice looks them up:
    a sentence thick with practices costs a few passes over it, not one per practice.
    """
    negation_phrases = [*((p, True) for p in VOCABULARY.negations), *((p, False) for p in VOCABULARY.not_negations)]
    negations = [(hit.start, hit.end) for hit in phrase_spans(sentence, negation_phrases) if hit.meaning]
    breaks = [match.end() for match in _CLAUSE_BREAK.finditer(sentence)]
    for practice in phrase_spans(sentence, _practice_phrases()):
        before = bisect.bisect_right(breaks, practice.start)
        clause_start = breaks[before - 1] if before else 0
        at = bisect.bisect_left(negations, (clause_start, 0))
        while at < len(negations) and negations[at][0] < practice.start and negations[at][1] > practice.start:
            at += 1  # a negation overlapping the practice is not before it
        if not (at < len(negations) and negations[at][0] < practice.start):
            return practice
    return None


def _draft_from(sentence: str, practice: PhraseHit[Practice], proposal: Turn, answer: Turn) -> Draft:
    cadence = _cadence(sentence, practice.meaning)
    count = _count(sentence, practice, cadence)
    # The model owns each kind's usual cadence and target: asking it keeps one home for them.
    commitment = Commitment(kind=practice.meaning.kind, cadence=cadence.words.cadence if cadence else "")
    commitment.target_count = count or 0
    commitment.fill_defaults(given={"target_count"} if count else set())
    return Draft(
        kind=practice.meaning.kind.value,
        cadence=str(commitment.cadence),
        target_count=commitment.target_count,
        title=_title(practice, cadence, sentence, commitment),
        details=sentence,
        evidence=EVIDENCE.format(proposal=proposal, answer=answer),
        line=proposal.line,
    )


def _sentences(text: str) -> list[str]:
    sentences, start = [], 0
    for end in _SENTENCE_END.finditer(text):
        sentences.append(text[start : end.end()].strip())
        start = end.end()
    sentences.append(text[start:].strip())
    return [sentence for sentence in sentences if sentence]


def _agrees(answer: str) -> bool:
    """The last agreeing or declining phrase decides; an aside ("it won't be perfect") only
    hides the stance word inside it."""
    found = phrase_spans(
        answer,
        [
            *((phrase, True) for phrase in VOCABULARY.agreements),
            *((phrase, False) for phrase in VOCABULARY.declines),
            *((phrase, None) for phrase in VOCABULARY.asides),
        ],
    )
    stances = [hit.meaning for hit in found if hit.meaning is not None]
    return bool(stances) and stances[-1]


@dataclass(frozen=True)
class SaidCadence:
    """A cadence as the therapist said it: where, and whether those words read as a cadence
    in a title on their own ("times a week" with no count before it does not)."""

    words: CadenceWords
    start: int
    end: int
    readable: bool


def _cadence(sentence: str, practice: Practice) -> SaidCadence | None:
    """The cadence the sentence names. A recurring one wins over a one-off word, since
    "starting today, each evening" means each evening; between two of a kind, the first said.

    The count before a ``counted`` phrase belongs to it ("three mornings a week"), and so
    does a range's first end before any phrase ("once or twice a week"): the span takes them
    in. A cadence the practice cannot be counted by (``Practice.cadences``) is as if unsaid,
    so the kind's own cadence is used.
    """
    hits = phrase_spans(sentence, _cadence_phrases())
    said = min(hits, key=lambda hit: (hit.meaning[0].cadence == Commitment.Cadence.ONCE, hit.start), default=None)
    if said is None or said.meaning[0].cadence not in practice.cadences:
        return None
    words, counted = said.meaning
    before = sentence[: said.start].translate(_APOSTROPHES)
    count = (_amount_ending() if counted else _range_opening()).search(before)
    start = count.start() if count else said.start
    return SaidCadence(words, start, said.end, readable=bool(count) or not counted)


@functools.cache
def _cadence_phrases() -> tuple[tuple[str, tuple[CadenceWords, bool]], ...]:
    """Each cadence phrase with its cadence and whether it is said after a count."""
    return tuple(
        (phrase, (words, counted))
        for words in VOCABULARY.cadences
        for counted, phrases in ((False, words.phrases), (True, words.counted))
        for phrase in phrases
    )


def _count(sentence: str, practice: PhraseHit[Practice], cadence: SaidCadence | None) -> int | None:
    """The number bound to the practice: said just before it ("three things you're proud of",
    "three small things"), else in the cadence ("twice a week", "three mornings a week").
    A range counts as its lower end (``Vocabulary.numbers``)."""
    before = _amount_before().search(sentence[: practice.start].translate(_APOSTROPHES))
    if before:
        return _lower(before)
    if cadence:
        inside = _amount().search(sentence[cadence.start : cadence.end].translate(_APOSTROPHES))
        if inside:
            return _lower(inside)
    return None


def _lower(amount: re.Match[str]) -> int | None:
    said = [_number(amount.group(end)) for end in ("low", "high") if amount.group(end)]
    return min((number for number in said if number), default=None)


def _number(said: str) -> int | None:
    said = " ".join(said.lower().split())
    number = VOCABULARY.numbers[said] if said in VOCABULARY.numbers else int(said)
    return number or None


@functools.cache
def _number_anywhere() -> str:
    """One number, as a pattern: a word from the table, or one or two digits."""
    words = "|".join(_pattern(word).pattern for word in sorted(VOCABULARY.numbers, key=len, reverse=True))
    return rf"(?:{words}|(?<![\w'])\d{{1,2}}(?![\w']))"


@functools.cache
def _amount() -> re.Pattern[str]:
    """A number, or a range of two: "three", "two or three", "2-3"."""
    number = _number_anywhere()
    return re.compile(rf"(?P<low>{number})(?:{_RANGE_JOIN}(?P<high>{number}))?", re.IGNORECASE)


@functools.cache
def _amount_before() -> re.Pattern[str]:
    """An amount, then at most two words, then the end of the text (where the practice starts)."""
    return re.compile(rf"{_amount().pattern}(?:\s+[\w']+){{0,2}}\s*\Z", re.IGNORECASE)


@functools.cache
def _amount_ending() -> re.Pattern[str]:
    """An amount right at the end of the text (where a counted cadence starts)."""
    return re.compile(rf"{_amount().pattern}\s*\Z", re.IGNORECASE)


@functools.cache
def _range_opening() -> re.Pattern[str]:
    """A range's first end and its join ("once or "), its other end opening the cadence."""
    return re.compile(rf"{_number_anywhere()}{_RANGE_JOIN}\Z", re.IGNORECASE)


def _title(practice: PhraseHit[Practice], cadence: SaidCadence | None, sentence: str, made: Commitment) -> str:
    """The practice's label with the cadence as the therapist said it (or its usual words).
    A cadence said inside the practice phrase ("this new recipe") is not said twice."""
    if cadence is None or not cadence.readable:
        when = next(words.usual for words in VOCABULARY.cadences if words.cadence == made.cadence)
    elif cadence.start < practice.end and practice.start < cadence.end:
        when = ""
    else:
        when = sentence[cadence.start : cadence.end].lower()
    count = _NUMBER_WORDS.get(made.target_count, str(made.target_count))
    title = " ".join(practice.meaning.title.format(count=count, when=when).split())
    return title if len(title) <= TITLE_MAX else title[: TITLE_MAX - 1].rstrip() + "…"


@functools.cache
def _practice_phrases() -> tuple[tuple[str, Practice], ...]:
    return tuple((phrase, practice) for practice in VOCABULARY.practices for phrase in practice.phrases)
