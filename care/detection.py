"""Draft commitments drawn from a transcript: what the therapist proposed and the patient took up.

A draft needs two things, on two consecutive turns:

1. A therapist turn with a sentence that holds both a proposal phrase and a practice phrase
   (``care.vocabulary``). One sentence, not the whole turn: a therapist often praises a
   practice in one sentence ("Keeping a journal can be powerful") and asks something else in
   the next, and only the sentence that asks is the proposal. That sentence is the draft's
   ``details``; its cadence and number words set ``cadence`` and ``target_count``.
2. The very next turn is the patient's, and it agrees. The patient's last agreeing or
   declining phrase decides, because people hedge before they say yes ("I won't promise
   I'll be good at it, but I'll try") and back out after a polite start ("Okay, but not
   this week"). A turn with neither phrase agrees to nothing. If the next turn is the
   therapist's again (the patient's answer was a skipped placeholder), nothing is drafted:
   we cannot know what the patient said.

Each therapist turn makes at most one draft, from its first proposing sentence. These are
drafts: the therapist confirms or drops each one, so the rules prefer missing a commitment
to inventing one.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Generic, TypeVar

from care.transcripts import Speaker, Transcript, Turn
from care.vocabulary import VOCABULARY, CadenceWords, Practice
from journal.models import Commitment

T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)

TITLE_MAX = 80

# Curly quotes become straight ones one character for one, so a match's span in the
# translated text is its span in the text as said. (``str.lower`` is avoided for the same
# reason: a few letters grow when lower-cased; matching ignores case instead.)
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'"})
_SENTENCE_END = re.compile(r"[.!?…]+[\"'\u201d\u2019)\]]*(?=\s|$)")
# How a title says a target: the first word the table gives for it ("three", not "thrice").
_NUMBER_WORDS = {number: word for word, number in reversed(VOCABULARY.numbers.items()) if " " not in word}


@dataclass(frozen=True)
class Draft:
    kind: str
    cadence: str
    target_count: int
    title: str
    details: str
    evidence: str


@dataclass(frozen=True)
class PhraseHit(Generic[T_co]):
    """Where a phrase was found, and what the vocabulary says it means."""

    start: int
    end: int
    meaning: T_co

    def overlaps(self, other: PhraseHit[object]) -> bool:
        return self.start < other.end and other.start < self.end


def drafts_detect(transcript: Transcript) -> list[Draft]:
    """The practices the patient agreed to, in the order they were proposed."""
    drafts = []
    for proposal, answer in itertools.pairwise(transcript.turns):
        if proposal.speaker is not Speaker.THERAPIST or answer.speaker is not Speaker.PATIENT:
            continue
        draft = _draft(proposal, answer)
        if draft is not None:
            drafts.append(draft)
    return drafts


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
    kept: list[PhraseHit[T]] = []
    for hit in sorted(found, key=lambda hit: (hit.start - hit.end, hit.start)):
        if not any(hit.overlaps(other) for other in kept):
            kept.append(hit)
    return sorted(kept, key=lambda hit: hit.start)


@functools.cache
def _pattern(phrase: str) -> re.Pattern[str]:
    """A phrase as a case-blind regex bounded by non-word characters; an apostrophe counts
    as part of a word, so "I can" never matches inside "I can't"."""
    words = r"\s+".join(re.escape(word) for word in phrase.translate(_APOSTROPHES).split())
    return re.compile(rf"(?<![\w']){words}(?![\w'])", re.IGNORECASE)


def _draft(proposal: Turn, answer: Turn) -> Draft | None:
    for sentence in _sentences(proposal.text):
        practices = phrase_spans(sentence, _practice_phrases())
        proposes = phrase_spans(sentence, ((phrase, True) for phrase in VOCABULARY.proposals))
        if practices and proposes:
            if not _agrees(answer.text):
                return None
            return _draft_from(sentence, practices[0], proposal, answer)
    return None


def _draft_from(sentence: str, practice: PhraseHit[Practice], proposal: Turn, answer: Turn) -> Draft:
    cadence = _cadence(sentence)
    count = _count(sentence, practice, cadence)
    # The model owns each kind's usual cadence and target: asking it keeps one home for them.
    commitment = Commitment(kind=practice.meaning.kind, cadence=cadence.meaning.cadence if cadence else "")
    commitment.target_count = count or 0
    commitment.fill_defaults(given={"target_count"} if count else set())
    return Draft(
        kind=practice.meaning.kind.value,
        cadence=str(commitment.cadence),
        target_count=commitment.target_count,
        title=_title(practice, cadence, sentence, commitment),
        details=sentence,
        evidence=f"Therapist (line {proposal.line}): {proposal.text}\nPatient (line {answer.line}): {answer.text}",
    )


def _sentences(text: str) -> list[str]:
    sentences, start = [], 0
    for end in _SENTENCE_END.finditer(text):
        sentences.append(text[start : end.end()].strip())
        start = end.end()
    sentences.append(text[start:].strip())
    return [sentence for sentence in sentences if sentence]


def _agrees(answer: str) -> bool:
    stances = phrase_spans(
        answer,
        [*((phrase, True) for phrase in VOCABULARY.agreements), *((phrase, False) for phrase in VOCABULARY.declines)],
    )
    return bool(stances) and stances[-1].meaning


def _cadence(sentence: str) -> PhraseHit[CadenceWords] | None:
    """The cadence the sentence names. A recurring one wins over a one-off word, since
    "starting today, each evening" means each evening; between two of a kind, the first said."""
    hits = phrase_spans(sentence, ((phrase, words) for words in VOCABULARY.cadences for phrase in words.phrases))
    return min(hits, key=lambda hit: (hit.meaning.cadence == Commitment.Cadence.ONCE, hit.start), default=None)


def _count(sentence: str, practice: PhraseHit[Practice], cadence: PhraseHit[CadenceWords] | None) -> int | None:
    """The number bound to the practice: said just before it ("three things you're proud of",
    "three small things"), else inside the cadence ("twice a week")."""
    before = _number_before().search(sentence[: practice.start].translate(_APOSTROPHES))
    if before:
        return _number(before.group("number"))
    if cadence:
        inside = _number_anywhere().search(sentence[cadence.start : cadence.end])
        if inside:
            return _number(inside.group("number"))
    return None


def _number(said: str) -> int | None:
    said = " ".join(said.lower().split())
    number = VOCABULARY.numbers[said] if said in VOCABULARY.numbers else int(said)
    return number or None


@functools.cache
def _number_anywhere() -> re.Pattern[str]:
    words = "|".join(_pattern(word).pattern for word in sorted(VOCABULARY.numbers, key=len, reverse=True))
    return re.compile(rf"(?P<number>{words}|(?<![\w'])\d{{1,2}}(?![\w']))", re.IGNORECASE)


@functools.cache
def _number_before() -> re.Pattern[str]:
    """A number, then at most two words, then the end of the text (where the practice starts)."""
    return re.compile(rf"{_number_anywhere().pattern}(?:\s+[\w']+){{0,2}}\s*$", re.IGNORECASE)


def _title(
    practice: PhraseHit[Practice], cadence: PhraseHit[CadenceWords] | None, sentence: str, made: Commitment
) -> str:
    """The practice's label with the cadence as the therapist said it (or its usual words).
    A cadence said inside the practice phrase ("this new recipe") is not said twice."""
    if cadence is None:
        when = next(words.usual for words in VOCABULARY.cadences if words.cadence == made.cadence)
    elif cadence.overlaps(practice):
        when = ""
    else:
        when = sentence[cadence.start : cadence.end].lower()
    count = _NUMBER_WORDS.get(made.target_count, str(made.target_count))
    title = " ".join(practice.meaning.title.format(count=count, when=when).split())
    return title if len(title) <= TITLE_MAX else title[: TITLE_MAX - 1].rstrip() + "…"


@functools.cache
def _practice_phrases() -> tuple[tuple[str, Practice], ...]:
    return tuple((phrase, practice) for practice in VOCABULARY.practices for phrase in practice.phrases)
