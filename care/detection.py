"""Draft commitments drawn from a transcript: what the therapist proposed and the patient took up.

An agreement is a **proposal** of a future action by the patient followed by the patient's
**acceptance** (the words of each are in ``care.vocabulary``):

1. A therapist sentence proposes when it holds a proposing phrase ("would you be willing to",
   "your homework", "between now and next time") or an opener ("could you", "how about",
   "so, ... each week?") in a sentence or turn that points past the session (a cadence, a day,
   "this week", "try"). It does not when it asks to talk ("could you tell me"), when the
   action is done in the room ("let's try it now"), is hypothetical ("if you ever"), past
   ("last week you"), someone else's, or asks for less ("could you stop telling yourself").
2. The patient's answer decides: the last agreeing or declining phrase of their next turn,
   since people hedge before they say yes and back out after a polite start. A question back
   ("Every day? Even weekends?") waits for the therapist's clarification and the next answer.
   A therapist who revises the proposal ("actually, let's say three") extends the exchange:
   the later version wins and the answer to it decides. A yes taken back a turn later
   ("actually, I don't think I can") is no yes.
3. A plan the patient proposes ("maybe I could ask one question on Thursday") that the
   therapist welcomes is an agreement too.

A draft's title is the agreed action in the session's words ("Ask one question at Thursday's
study group"); its kind, cadence, target, days, planned day and time come from the words of
the exchange, the later ones first. Its evidence quotes the turns verbatim with their lines.

These are drafts: the therapist confirms or drops each one, so where the words leave doubt
the rules prefer missing a commitment to inventing one.
"""

from __future__ import annotations

import bisect
import functools
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Generic, TypeVar

from care import draft_classifier
from care.transcripts import Speaker, Transcript, TranscriptWarning, Turn
from care.vocabulary import VOCABULARY, CadenceWords
from journal.models import Commitment

T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)

TITLE_MAX = 80
#: A title is the action's first clause, cut at a word when longer than this.
TITLE_WORDS = TITLE_MAX - 2

# Curly quotes become straight ones one character for one, so a match's span in the
# translated text is its span in the text as said. (``str.lower`` is avoided for the same
# reason: a few letters grow when lower-cased; matching ignores case instead.)
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'"})
# A sentence ends at a run of end marks (closing quotes or brackets may follow) before a space or
# the end. The run is taken whole, from its first mark, and never given back: "....x" must fail
# once, not once for each dot with each shorter run tried (that was quadratic, 8.5 s for 20,000 dots).
_SENTENCE_END = re.compile(r"(?<![.!?…])[.!?…]++[\"'\u201d\u2019)\]]*+(?=\s|\Z)")
# Between the two ends of a range: "two or three", "two to three", "2-3" (or an en dash).
_RANGE_JOIN = r"(?:\s+(?:or|to)\s+|\s*[-\u2013]\s*)"
# Where a title's clause ends: punctuation that closes a clause, or a word that starts a reason.
_TITLE_CUT = re.compile(
    r"[,;:()\u2013\u2014?!]|\s-\s|\.(?=\s|\Z)|\s(?:so that|because|and see|just to see|even if|and then)\s"
)
_WORD = re.compile(r"[\w'-]++")

#: A draft's evidence in the simplest exchange: two turns, each with its line in the transcript.
EVIDENCE = "Therapist (line {proposal.line}): {proposal.text}\nPatient (line {answer.line}): {answer.text}"
_EVIDENCE_LINE = re.compile(r"\(line ([0-9]+)\)")
_ROLE = {Speaker.THERAPIST: "Therapist", Speaker.PATIENT: "Patient"}


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
    line: int  # where the proposal starts
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


@dataclass(frozen=True)
class Quote:
    """A turn's words as quoted in evidence: from ``offset`` of its text, starting on ``line``."""

    turn: Turn
    offset: int = 0

    @property
    def line(self) -> int:
        return self.turn.line_at(self.offset)

    def __str__(self) -> str:
        return f"{_ROLE[self.turn.speaker]} (line {self.line}): {self.turn.text[self.offset :]}"


@dataclass
class Exchange:
    """An agreement in the making: what was proposed (later words last) and the turns it took."""

    sentences: list[str]
    quotes: list[Quote]
    line: int
    #: The index of the last turn the exchange took: the reading goes on after it.
    until: int = 0
    by_patient: bool = False
    actions: list[str] = field(default_factory=list)
    #: Everything said in the exchange, the proposal's turn from the proposal on: where days
    #: and times are looked for ("You're off Saturdays and Sundays, aren't you?"), later first.
    texts: list[str] = field(default_factory=list)
    #: The words a draft's details quote: the proposal's turn from the sentence before it.
    said: str = ""
    #: The patient's turn before the proposal: where a practice the therapist only confirms was named.
    heard: str = ""
    turn_text: str = ""


#: The longest sentence read for a proposal. Nobody proposes a practice in 2,000 characters
#: without a full stop, and a bound here keeps a pasted wall of text from costing seconds.
MAX_SENTENCE = 2_000
#: The most drafts one session makes: a session agrees on a handful of practices, and a
#: transcript that yields more is most likely the same words pasted over and over.
MAX_DRAFTS = 20
#: How many turns after a proposal may pass (questions back, clarifications, a revision)
#: before the answer that decides it.
WINDOW = 8
#: How many patient turns may take no stance (a question back, a thought aloud) before the answer.
MAX_WAITING = 3


def drafts_detect(transcript: Transcript, *, held_on: date | None = None) -> list[Draft]:
    """The practices the patient agreed to, in the order they were proposed; ``held_on`` (the
    session's day) places a day named in it ("on Thursday") in the calendar."""
    turns = transcript.turns
    drafts: list[Draft] = []
    after = -1  # turns up to here were taken by an exchange already decided
    previous: tuple[int, Exchange] | None = None  # the last proposal not (yet) taken up
    for at, turn in enumerate(turns):
        if at <= after:
            continue
        if turn.speaker is Speaker.THERAPIST:
            proposals = _practices(turn)
            if not proposals:
                continue
            exchanges = [_exchange(turn, found) for found in proposals]
            if all(_only_when(action) for exchange in exchanges for action in exchange.actions):
                if not (previous and at - previous[0] <= WINDOW):
                    continue  # "And this week?" with nothing on the table proposes nothing
                exchanges = [_restated(previous[1], exchanges[-1])]  # "So, half twelve, Mondays?"
            if at and turns[at - 1].speaker is Speaker.PATIENT:
                for exchange in exchanges:
                    exchange.heard = turns[at - 1].text
            accepted = _agreed(turns, at, exchanges[-1])  # the patient answers the turn's last proposal
            after = max(after, exchanges[-1].until)
            previous = None if accepted else (at, exchanges[-1])
            if accepted:
                answer = exchanges[-1].quotes[1:]
                for exchange in exchanges[:-1]:
                    exchange.quotes += answer
                    exchange.texts += exchanges[-1].texts
                drafts += [_draft(exchange, held_on) for exchange in exchanges]
        elif turn.speaker is Speaker.PATIENT:
            plan = _own_plan(turns, at)
            if plan is not None:
                drafts.append(_draft(plan, held_on))
                after = plan.until
    return drafts


# Proposals.


def _restated(prior: Exchange, restatement: Exchange) -> Exchange:
    """A proposal not taken up, said again as only when or how much: one exchange, from the
    first proposal, whose answer is the answer to the restatement."""
    merged = Exchange([*prior.sentences, *restatement.sentences], [prior.quotes[0], *restatement.quotes], prior.line)
    merged.actions = [*prior.actions, *restatement.actions]
    merged.texts = [*prior.texts[:1], *restatement.texts]
    merged.said, merged.turn_text = prior.said, prior.turn_text
    return merged


def _exchange(turn: Turn, proposal: list[tuple[int, str, str]]) -> Exchange:
    """An exchange opened by a proposal: one sentence, or several where later ones say "that"
    of the first ("Write the handover once... Could you try that on Monday?")."""
    offset = proposal[0][0]
    exchange = Exchange(
        [sentence for _, sentence, _ in proposal], [Quote(turn, _quote_from(turn, offset))], turn.line_at(offset)
    )
    exchange.actions += [action for _, _, action in proposal]
    exchange.sentences += _revised_within(turn, proposal[-1][0])
    exchange.texts.append(turn.text[offset:])
    before = [start for start, _ in _sentence_spans(turn.text) if start < offset]
    exchange.said = turn.text[before[-2] if len(before) > 1 else before[-1] if before else offset :]
    exchange.turn_text = turn.text
    return exchange


def _practices(turn: Turn) -> list[list[tuple[int, str, str]]]:
    """The turn's proposals, grouped by practice: a proposal whose action only points back
    ("try that on Monday") belongs with the sentence before it."""
    groups: list[list[tuple[int, str, str]]] = []
    spans = _sentence_spans(turn.text)
    for offset, sentence, action in _proposals(turn):
        if _anaphoric(action):
            if groups:
                between = [
                    (start, said, said)
                    for start, said in spans
                    if groups[-1][-1][0] < start < offset and _imperative(said)
                ]
                groups[-1] += [*between[-1:], (offset, sentence, action)]
                continue
            before = [(start, said) for start, said in spans if start < offset]
            earlier = [(start, said) for start, said in before if _imperative(said)] or before[-2:]
            if earlier and _points_ahead(" ".join(said for _, said in earlier[-2:]) + " " + sentence):
                start, _ = earlier[-1] if _imperative(earlier[-1][1]) else earlier[0]
                what = " ".join(text for begins, text in before if begins >= start)
                groups.append([(start, what, what), (offset, sentence, action)])
            continue
        groups.append([(offset, sentence, action)])
    return groups


_VERBS = frozenset(
    """write take go try ask send call ring text put leave say tell notice spend make do keep use pick
choose set sit walk read plan schedule book eat cook jot list note hand give let bring turn open close switch practice
practise breathe check look find start finish post share join visit phone email message run stretch record track log
fill rate mark buy order invite meet play listen watch draw paint sing clean tidy wash remind allow accept drop skip
submit reply answer respond place hold speak add name catch stay get spend swap reflect journal meditate pause thank
praise compliment smile rest sleep drink bake garden dance draw sketch swim cycle ride shut switch sort""".split()
)


def _imperative(sentence: str) -> bool:
    """A sentence that opens with a verb, after fillers and a clause of when ("On Wednesday's
    sim block, ask him one question"): "Write the handover once"."""
    words = [word.casefold() for word in _WORD.findall(_after_when(sentence))[:4]]
    while words and words[0] in _FILLERS:
        words.pop(0)
    return bool(words) and words[0] in _VERBS


def _after_when(sentence: str) -> str:
    """The sentence without the clauses of when that open it ("On the days you work, ...")."""
    rest = sentence
    for _ in range(2):
        head, comma, tail = rest.partition(",")
        if not comma or not _is_when(head) or len(_WORD.findall(head)) > 8:
            break
        rest = tail.strip()
    return rest


#: Who does the verb: "you set a fixed worry period every day" is an instruction.
_YOU_DO = re.compile(
    r"(?:(?:so|and|then|now|okay|right)\b[\s,]*+)*+you\s++(?:just\s++)?(?P<verb>[a-z]++)", re.IGNORECASE
)


def _instructs(sentence: str) -> str | None:
    """An instruction for between sessions: a verb to do, said with when ("On Wednesday's sim
    block, ask him one question", "You set a fixed worry period, same time every day"); its action."""
    if not (_cadence_hits(sentence) or _days_said(sentence) or _clock(sentence, "") or _says_any(sentence, _SOON)):
        return None
    rest = _after_when(sentence)
    said = _YOU_DO.match(rest)
    if said and said["verb"].casefold() in _VERBS:
        return rest[said.start("verb") :]
    return rest if _imperative(rest) else None


def _doable(action: str) -> bool:
    """An instruction's action that names something to do: not talk with the therapist ("tell
    me about Saturday"), not only when ("say at half twelve"), not the therapist's own ("let me
    check the diary"), not less of something."""
    words = [word.casefold() for word in _WORD.findall(action)]
    return not (
        _asks_for_less(action)
        or _says_any(" ".join(words[:4]), (*_TALK, "let me", "let us", "bring to mind", "bring back to mind"))
        or _only_when(action)
        or len(_content_words(action) - _AMOUNT_WORDS) < 2
    )


#: Words that put an instruction's time between sessions, besides a cadence, a day or a clock time.
_SOON = ("this week", "tonight", "tomorrow", "each time", "every time", "whenever", "before bed", "after work",
         "next time", "before we meet", "this weekend", "over the weekend")  # fmt: skip


_POINTING = frozenset("it that this these those them one".split())


def _anaphoric(action: str) -> bool:
    """An action that names nothing but points back: "try that on Monday", "do it each day"."""
    words = [word.casefold() for word in _WORD.findall(action)]
    content = [w for w in words if w not in _VAGUE and w not in _POINTING and w not in _WHEN and w not in _DAY_WORDS
               and w not in _AMOUNT_WORDS and w not in VOCABULARY.numbers]  # fmt: skip
    return any(w in _POINTING for w in words[:3]) and len(content) <= 1


@functools.lru_cache(maxsize=512)
def _sentence_spans(text: str) -> tuple[tuple[int, str], ...]:
    """Each sentence of ``text`` with where it starts (kept for the texts last read: a long
    turn's sentences are looked at once for each proposal in it)."""
    spans, start = [], 0
    for end in _SENTENCE_END.finditer(text):
        spans.append((start, text[start : end.end()]))
        start = end.end()
    spans.append((start, text[start:]))
    return tuple((offset + len(raw) - len(raw.lstrip()), raw.strip()) for offset, raw in spans if raw.strip())


def _sentences(text: str) -> list[str]:
    return [sentence for _, sentence in _sentence_spans(text)]


def _quote_from(turn: Turn, offset: int) -> int:
    """Where a quote of the turn starts: the whole turn when it is one line, else the line
    the proposing sentence starts on (a Zoom speaker's cues run into one long turn)."""
    start = 0
    for begins, _ in turn.starts:
        if begins > offset:
            break
        start = begins
    return start


@functools.lru_cache(maxsize=256)
def _proposals(turn: Turn) -> list[tuple[int, str, str]]:
    """The turn's proposing sentences: where each starts, the sentence, and its action. (Kept
    for the turns last read: an exchange looks at the turns after a proposal more than once.)"""
    spans = _sentence_spans(turn.text)
    found = []
    in_the_room = False  # "Can we do it now, together? I'd like you to sit back...": an exercise here
    for index, (offset, sentence) in enumerate(spans):
        if len(sentence) > MAX_SENTENCE:
            continue
        in_the_room = (in_the_room or _in_the_room(sentence)) and not _says_any(sentence, _BETWEEN_SESSIONS)
        if in_the_room:
            continue
        before = spans[index - 1][1] if index else ""
        following = spans[index + 1][1] if index + 1 < len(spans) else ""
        action = _proposed_action(sentence, before, following)
        if action is not None and not _says_any(following, _ASKS_ABOUT_THEN):
            found.append((offset, sentence, action))
    return found


#: Words that put a sentence between sessions, after an exercise done in the room.
_BETWEEN_SESSIONS = ("between now and", "this week", "at home", "on your own", "each day", "every day", "daily",
                     "each morning", "every morning", "each evening", "every evening", "each night", "every night",
                     "tonight", "tomorrow", "before we meet", "next time", "this weekend", "times a week")  # fmt: skip
#: A question after a proposal about what happened: the "proposal" was to go over it in the room
#: ("Let's do a chain analysis on Saturday, then. What was the prompting event?").
_ASKS_ABOUT_THEN = ("what was", "what happened", "what did", "when did", "how did", "where were you", "who was")


_PROPOSAL_PHRASES = (
    *((phrase, "strong") for phrase in VOCABULARY.proposals),
    *((phrase, "opener") for phrase in VOCABULARY.openers),
    *((phrase, None) for phrase in VOCABULARY.not_proposals),
)
#: Openers that propose only at a sentence's start: "so", "and", "try" mid-sentence are just words.
_LEADS = frozenset({"so", "and", "also", "try", "try to", "give it a go", "give it a try", "why not"})
#: Leads that propose only as a question with a cadence or day: "So, three things each week?"
_QUESTION_LEADS = frozenset({"so", "and", "also"})
_FILLERS = frozenset("okay ok alright right so and well now then great good also maybe perhaps just".split())


def _proposed_action(sentence: str, before: str, following: str) -> str | None:
    """The action ``sentence`` proposes to the patient, or None when it proposes none."""
    hits = [hit for hit in phrase_spans(sentence, _PROPOSAL_PHRASES) if hit.meaning is not None]
    cues = []
    for hit in hits:
        phrase = " ".join(sentence[hit.start : hit.end].translate(_APOSTROPHES).casefold().split())
        if phrase in _LEADS and not _opens(sentence, hit.start):
            continue
        if phrase in _QUESTION_LEADS and not (
            sentence.rstrip().endswith("?") and (_cadence_hits(sentence) or _days_said(sentence))
        ):
            continue
        cues.append((phrase in _LEADS, hit))
    # A lead ("and", "so") gives way to a proposing phrase later in the sentence.
    cue = min(cues, key=lambda found: found[0])[1] if cues else None
    if cue is None:
        instruction = _instructs(sentence)
        if instruction is not None and not _not_homework(sentence) and not _in_the_room(following):
            action = _plain_action(instruction)
            if action is not None and _doable(action):
                return action
        return _learned_action(sentence, following)
    if cue.meaning == "opener" and not _opens(sentence, cue.start) and _asks_openly(sentence[: cue.start]):
        return None  # "What's one small thing you could do today...?" asks the patient to think
    if cue.meaning == "opener" and not (
        _says_any(sentence, VOCABULARY.homework_words)
        or (_says_any(before, VOCABULARY.homework_words) and "?" in sentence)
    ):
        return None
    if _not_homework(sentence) or _in_the_room(following):
        return None
    action = _action_after(sentence, cue)
    if action is None or _asks_for_less(action) or _says_any(" ".join(_WORD.findall(action)[:4]), _TALK):
        return None
    phrase = " ".join(sentence[cue.start : cue.end].split()).casefold()
    said_next = sentence[cue.end :].lstrip(" ,").casefold()
    if phrase.endswith(("try", "tried")) and not said_next.startswith(("to ", "try")):
        action = f"try {action}"
    return action


def _learned_action(sentence: str, following: str) -> str | None:
    """The action of a sentence no proposing phrase opens, when the learned model reads it as
    proposing homework ("So the plan for this week is you'll ring the surgery."); what is not
    homework stays out as for any proposal."""
    if not draft_classifier.proposes(sentence, _signals(sentence)):
        return None
    opening = [word.casefold() for word in _WORD.findall(sentence)[:1]]
    if _not_homework(sentence) or _in_the_room(following) or (opening and opening[0] in _WH - {"how"}):
        return None  # "What would you do differently?" asks, it does not propose
    action = _plain_action(sentence)
    if action is None or _asks_for_less(action) or _says_any(" ".join(_WORD.findall(action)[:4]), _TALK):
        return None
    return action


def _signals(sentence: str) -> draft_classifier.Signals:
    """What the rules see in a sentence, for the learned model."""
    return draft_classifier.Signals(
        cadence=bool(_cadence_hits(sentence)),
        day=bool(_days_said(sentence)),
        clock=_clock(sentence, "") is not None,
        imperative=_imperative(sentence),
    )


_LEAD_IN = re.compile(
    r"(?:(?:so|okay|ok|right|alright|and|now|then|well|good|great)\b[\s,]*+)*+"
    r"(?:(?:the|your|my)\s++(?:plan|job|task|homework|challenge|assignment|goal|ask|idea|experiment|suggestion)"
    r"(?:\s++(?:for|between|this|over|until)\b[^,:]{0,40}?)?\s++(?:is|would\s++be)\b[\s,:]*+"
    r"|here's\s++(?:what|the)\b[^,:]{0,40}?[,:]\s*+|one\s++idea[,:]\s*+|make\s++a\s++note[,:]\s*+"
    r"|what\s++I'd\s++(?:want|like|love)(?:\s++to\s++see)?\s++is\b[\s,:]*+)?"
    r"(?:(?:that|for)\s++)?(?:you(?:'ll|\s++will|'re\s++going\s++to|\s++to)?\s++)?",
    re.IGNORECASE,
)


def _plain_action(sentence: str) -> str | None:
    """A sentence as an action: its lead-in ("So the plan for this week is you'll") left out."""
    rest = sentence[_LEAD_IN.match(sentence).end() :].strip(" ,;:-\u2013\u2014")  # type: ignore[union-attr]  # the pattern matches empty
    rest = rest[_LEADING.match(rest).end() :]  # type: ignore[union-attr]  # the pattern matches empty
    words = _WORD.findall(rest)
    if len(words) < 2 or all(word.casefold() in _VAGUE for word in words[:3]):
        return None
    return rest


#: An action that is talk with the therapist, not something to do between sessions.
_TALK = ("tell me", "tell us", "share with me", "say more", "talk about", "talk me through", "walk me through",
         "describe", "explain", "think about that", "imagine", "remember", "picture", "go back to",
         "show me how")  # fmt: skip


_WH = frozenset("what what's whats how why where who which".split())


def _asks_openly(before: str) -> bool:
    """A wh-word before the proposing words ("What's one thing you could...", "So, Jordan,
    where would you like to start?"): an invitation to think, not to do. "When" is left out:
    "when you get home, could you..." proposes."""
    return any(word.casefold() in _WH for word in _WORD.findall(before))


def _points_ahead(sentence: str) -> bool:
    """Words that put an action between sessions: a cadence, a day, "this week", "try"."""
    return _says_any(sentence, VOCABULARY.homework_words) or bool(_days_said(sentence))


def _opens(sentence: str, start: int) -> bool:
    """Whether only fillers ("okay, so", "and then") come before ``start``."""
    return all(word.casefold() in _FILLERS for word in _WORD.findall(sentence[:start]))


def _says_any(text: str, phrases: Iterable[str]) -> bool:
    return bool(text) and bool(phrase_spans(text, [(phrase, True) for phrase in phrases]))


def _not_homework(sentence: str) -> bool:
    """Done in the room, hypothetical, past, the therapist's own or someone else's."""
    hits = phrase_spans(
        sentence,
        [*((phrase, True) for phrase in VOCABULARY.not_homework), *((p, False) for p in VOCABULARY.homework_despite)],
    )
    return any(hit.meaning for hit in hits)


_IN_THE_ROOM = ("right now", "close your eyes", "let's do it now", "let's try it now", "here with me", "together now",
                "in the room", "take a breath", "take a deep breath", "as we sit here", "do it now", "now, together",
                "try something now", "now, here", "here, together", "do it together", "practise it now",
                "practice it now", "while we're", "in here", "try it here", "try that now", "do that now",
                "for a moment now", "just now")  # fmt: skip


def _in_the_room(sentence: str) -> bool:
    return _says_any(sentence, _IN_THE_ROOM)


_LEADING = re.compile(
    r"(?:(?:to|that(?=\s+(?:you|we)\b)|you|just|maybe|perhaps|also|actually|please|really|commit\s+to|try\s+to|trying\s+to|at\s+least|"
    r"and|so|then|okay|ok|alright|we\s+say|we|be\s+willing\s+to|like\s+to|want\s+to|consider|considering|go\s+ahead\s+and|"
    r"'ll|'d|could\s+you|would\s+you|can\s+you|will\s+you|could\s+try|[a-z]{2,20}?ly(?=\s+[a-z]++\b(?!\s+(?:to|that)\b)))\b[\s,]*+)*+",
    re.IGNORECASE,
)


def _action_after(sentence: str, cue: PhraseHit[object]) -> str | None:
    """The words of the action: what follows the proposing phrase, or (when the phrase ends the
    sentence: "..., could you?") what comes before it."""
    after = sentence[cue.end :].strip(" ,;:-\u2013\u2014")
    after = after[_LEADING.match(after).end() :]  # type: ignore[union-attr]  # the pattern matches empty
    if len(_WORD.findall(after)) < 2:
        if not sentence.rstrip().endswith("?"):
            return None  # "Here is what I would suggest." - the action is in the next sentence
        after = sentence[: cue.start].strip(" ,;:-\u2013\u2014")
    words = _WORD.findall(after)
    if len(words) < 2 or all(word.casefold() in _VAGUE for word in words[:3]):
        return None
    return after


#: An action of only these words says nothing to do: "try something", "do that".
_VAGUE = frozenset("it this that something anything try do one a some more thing things there".split())


def _asks_for_less(action: str) -> bool:
    """An action that opens with a negation asks for less: "stop telling yourself..."."""
    opening = " ".join(_WORD.findall(action)[:3])
    hits = phrase_spans(
        opening,
        [*((phrase, True) for phrase in VOCABULARY.negations), *((p, False) for p in VOCABULARY.not_negations)],
    )
    return any(hit.meaning for hit in hits)


# Answers.


def _stance(text: str) -> bool | None:
    """The patient's last agreeing (True) or declining (False) phrase; an aside ("it won't be
    perfect") only hides the stance word inside it. None when they took no stance."""
    found = phrase_spans(
        text,
        [
            *((phrase, True) for phrase in VOCABULARY.agreements),
            *((phrase, False) for phrase in VOCABULARY.declines),
            *((phrase, None) for phrase in VOCABULARY.asides),
        ],
    )
    stances = [hit for hit in found if hit.meaning is not None]
    if not stances:
        return None
    first, last = stances[0], stances[-1]
    if first.meaning is False and last.meaning is True and _opens(text, first.start):
        # "No. Not during this trial... if I said yes now": a no said first is not undone by a
        # bare yes later, only by a yes with the patient in it ("No. Fine. I'll try it").
        weak = " ".join(text[last.start : last.end].translate(_APOSTROPHES).casefold().split()) in _WEAK_YES
        return not weak
    return last.meaning


_WEAK_YES = frozenset("yes yeah yep yup okay ok alright sure fine absolutely definitely right of course".split()) | {
    "all right",
    "of course",
}


def _agreed(turns: Sequence[Turn], at: int, exchange: Exchange) -> bool:
    """Whether the patient accepted the proposal made at turn ``at``, reading on through
    questions back, clarifications and revisions; ``exchange`` gathers what they took.

    An answer to a question of the therapist's that is not about the proposal ("Would they
    think that?" - "No.") takes no stance on it; a no that asks back ("Can I do it on my
    phone? I won't carry paper.") is a condition still being settled."""
    exchange.until = at
    if at + 1 < len(turns) and turns[at + 1].speaker is not Speaker.PATIENT:
        return False  # two therapist turns in a row: the answer between them was skipped, and is unknown
    waiting = 0  # patient turns that took no stance
    asked = False  # the therapist's last turn asked something else
    index, end = at + 1, min(at + 1 + WINDOW, len(turns))
    while index < end:
        turn = turns[index]
        if turn.speaker is Speaker.PATIENT:
            stance = _stance(turn.text)
            if asked and stance is False:
                stance = None  # "Would they think that?" - "No.": not a no to the proposal
            asked = False
            exchange.texts.append(turn.text)
            if stance is None or (stance is False and "?" in turn.text):
                waiting += 1
                if waiting > MAX_WAITING:
                    return False
                index += 1
                continue
            if stance is False and _asks_what_would_work(turns, index, exchange) and waiting < MAX_WAITING:
                waiting += 1  # "Five is a lot." - "What feels right?": a no that opens a smaller yes
                index += 1
                continue
            exchange.until = index
            exchange.quotes.append(Quote(turn))
            if _revised_next(turns, index, exchange):
                waiting = 0
                index += 2
                continue
            return stance and not _withdrawn(turns, index)
        proposals = _proposals(turn)
        if proposals and _changes_practice(exchange, proposals):
            return False
        revision = _revision(turn)
        exchange.texts.append(turn.text)
        if revision:
            exchange.sentences.append(revision)
            exchange.quotes.append(Quote(turn))
        asked = not (revision or proposals) and turn.text.rstrip().endswith("?") and not _says_any(turn.text, _CHECKS)
        index += 1
    return False


def _asks_what_would_work(turns: Sequence[Turn], index: int, exchange: Exchange) -> bool:
    """Whether the therapist answers a no with a question about the same practice."""
    following = index + 1
    if following >= len(turns) or turns[following].speaker is not Speaker.THERAPIST:
        return False
    turn = turns[following]
    proposals = _proposals(turn)
    return turn.text.rstrip().endswith("?") and not (proposals and _changes_practice(exchange, proposals))


#: A therapist's question that checks the proposal itself: the answer to it is the answer.
_CHECKS = ("does that sound", "how does that sound", "is that okay", "sound okay", "sound doable", "would that work",
           "does that work", "could you do that", "can you do that", "are you willing", "what do you think",
           "okay?", "deal?", "yes?", "alright?", "right?", "is that doable", "is that realistic", "manageable?",
           "does that feel", "how would that be", "would that be okay", "fair?", "would you be up for that",
           "sound like a plan", "could you manage", "can you manage", "how about it", "what do you reckon",
           "commit to", "would you rather", "which would you", "when would", "what time")  # fmt: skip


def _changes_practice(exchange: Exchange, proposals: list[tuple[int, str, str]]) -> bool:
    """Whether a therapist turn before the answer proposes another practice, rather than
    restating or narrowing the one on the table ("So the experiment is: say it...")."""
    said = _content_words(" ".join([*exchange.sentences, exchange.turn_text]))
    for _, _, action in proposals:
        words = _content_words(action) - _AMOUNT_WORDS
        if not _anaphoric(action) and not _only_when(action) and len(words) >= 2 and not words & said:
            return True
    return False


_WHEN_WORDS = frozenset(
    """half past quarter to o'clock am pm a.m p.m morning mornings evening evenings night nights
afternoon afternoons then and at on in the before after each every dinner lunch breakfast bed work""".split()
)


def _only_when(action: str) -> bool:
    """An action that says only when or how much ("half twelve, Mondays and Thursdays?"): a
    restatement of the practice on the table, not a practice of its own."""
    words = [word.casefold() for word in _WORD.findall(action)]
    rest = [
        word for word in words
        if word not in _AMOUNT_WORDS and word not in _WHEN_WORDS and word not in _DAY_WORDS and word not in _HOURS
        and word not in VOCABULARY.numbers and not word.isdigit() and word.rstrip("s") not in _DAY_WORDS
    ]  # fmt: skip
    return len(rest) <= 1


def _revised_next(turns: Sequence[Turn], index: int, exchange: Exchange) -> bool:
    """Whether the therapist's turn after an answer revises the proposal ("actually, let's say
    three"); if so it joins the exchange and the next answer decides."""
    following = index + 1
    if following >= len(turns) or turns[following].speaker is not Speaker.THERAPIST:
        return False
    revision = _revision(turns[following])
    if not revision or _new_practice(revision):
        return False
    exchange.sentences.append(revision)
    exchange.quotes.append(Quote(turns[following]))
    exchange.texts.append(turns[following].text)
    exchange.until = following
    for _, sentence, action in _proposals(turns[following]):
        if sentence == revision:
            exchange.actions.append(action)
    return True


def _revised_within(turn: Turn, offset: int) -> list[str]:
    """Sentences after the proposal in its own turn that change how much or when: "Five times a
    week. Hmm, no, let's say three." """
    spans = _sentence_spans(turn.text)
    at = bisect.bisect_right([start for start, _ in spans], offset)
    return [
        sentence
        for _, sentence in spans[at : at + REVISION_REACH]
        if len(sentence) <= MAX_SENTENCE and _is_revision(sentence) and not _new_practice(sentence)
    ]


#: How many sentences after a proposal, in its own turn, may revise it.
REVISION_REACH = 3


def _is_revision(sentence: str) -> bool:
    """A revision word with a number, cadence or day beside it; or a short restatement of how
    much ("Three a week, then.")."""
    if (
        len(_WORD.findall(sentence)) <= 8
        and _amount().search(sentence.translate(_APOSTROPHES))
        and _cadence_hits(sentence)
    ):
        return True
    if not _says_any(sentence, VOCABULARY.revisions):
        return False
    return bool(_amount().search(sentence.translate(_APOSTROPHES)) or _cadence_hits(sentence) or _days_said(sentence))


def _revision(turn: Turn) -> str | None:
    """The turn's sentence that changes how much or when ("actually, let's say three times a
    week", "maybe just Tuesdays"): a revision word with a number, cadence or day beside it."""
    for _, sentence in _sentence_spans(turn.text):
        if len(sentence) <= MAX_SENTENCE and _is_revision(sentence):
            return sentence
        if len(sentence) <= MAX_SENTENCE and _only_when(sentence) and (_days_said(sentence) or _clock(sentence, "")):
            return sentence  # "So Mondays, Wednesdays and Fridays?": the when, settled
    return None


_AMOUNT_WORDS = frozenset(
    "it that this instead times time a week day days each every per once twice maybe just only let's make say "
    "go with how about what start smaller realistic more less doable manageable actually or even rather than "
    "of no yes okay ok so".split()
)


def _new_practice(revision: str) -> bool:
    """A sentence after a yes that names a practice of its own ("how about you reflect on your
    efforts twice a week instead") is a new proposal, not a revision of the one agreed: what
    follows its last proposing or revising words starts with a verb, not with how much or when
    ("let's say three times a week instead, whenever the guilt is above six")."""
    proposing = [hit for hit in phrase_spans(revision, _PROPOSAL_PHRASES) if hit.meaning is not None]
    revising = phrase_spans(revision, [(phrase, True) for phrase in VOCABULARY.revisions])
    cues = proposing or revising
    after = revision[cues[-1].end :] if cues else revision
    after = after.strip(" ,;:-\u2013\u2014")
    after = after[_LEADING.match(after).end() :]  # type: ignore[union-attr]  # the pattern matches empty
    words = [word.casefold() for word in _WORD.findall(after)]
    if not words:
        return False
    first = words[0]
    if first in _AMOUNT_WORDS or first in VOCABULARY.numbers or first.isdigit() or first in _DAY_WORDS:
        return False
    if first in _POINTING or first in _WHEN or first in _HOURS:
        return False
    return first in _VERBS or first.endswith("ing") or len(set(words) - _AMOUNT_WORDS - _STOPWORDS) >= 3


def _withdrawn(turns: Sequence[Turn], index: int) -> bool:
    """A yes taken back within the next exchange: "Actually, I don't think I can do that"."""
    for later in turns[index + 1 : index + 3]:
        if later.speaker is Speaker.PATIENT:
            return _says_any(later.text, VOCABULARY.withdrawals) and _stance(later.text) is False
        if _proposals(later):
            return False
    return False


def _own_plan(turns: Sequence[Turn], at: int) -> Exchange | None:
    """A plan the patient proposes ("maybe I could ask one question on Thursday") that the
    therapist's next turn welcomes without proposing something of their own."""
    turn = turns[at]
    if at + 1 >= len(turns) or turns[at + 1].speaker is not Speaker.THERAPIST:
        return None
    if at and turns[at - 1].speaker is Speaker.THERAPIST and _proposals(turns[at - 1]):
        return None  # an answer to a proposal, not a plan of their own
    reply = turns[at + 1]
    if _proposals(reply) or _stance_of_therapist(reply.text) is not True:
        return None
    spans = _sentence_spans(turn.text)
    for index, (offset, sentence) in enumerate(spans):
        if len(sentence) > MAX_SENTENCE:
            continue
        hit = next((h for h in phrase_spans(sentence, [(p, True) for p in VOCABULARY.own_plans])), None)
        following = spans[index + 1][1] if index + 1 < len(spans) else ""
        if hit is None or _not_homework(sentence) or not (_points_ahead(sentence) or _points_ahead(following)):
            continue
        action = _action_after(sentence, hit)
        if action is None or _asks_for_less(action) or len(_WORD.findall(action)) < 3:
            continue
        if at + 2 < len(turns) and turns[at + 2].speaker is Speaker.PATIENT and _stance(turns[at + 2].text) is False:
            return None
        exchange = Exchange([sentence], [Quote(turn, _quote_from(turn, offset)), Quote(reply)], turn.line_at(offset))
        exchange.actions.append(action)
        exchange.texts += [turn.text, reply.text]
        exchange.until = at + 1
        exchange.by_patient = True
        return exchange
    return None


_THERAPIST_DOUBTS = ("maybe not", "hold off", "I wonder if that's", "that might be a lot", "too much", "too big",
                     "let's not", "not yet", "I'm not sure", "rather than that", "instead")  # fmt: skip


def _stance_of_therapist(text: str) -> bool | None:
    """How the therapist takes a patient's plan: welcomed, doubted, or neither."""
    found = phrase_spans(
        text,
        [*((phrase, True) for phrase in VOCABULARY.endorsements), *((phrase, False) for phrase in _THERAPIST_DOUBTS)],
    )
    if any(hit.meaning is False for hit in found):
        return False
    return True if found else None


# What a draft says.


def _draft(exchange: Exchange, held_on: date | None) -> Draft:
    sentences = exchange.sentences
    text = " ".join(sentences)
    cadence, count, counted = _cadence_and_count(sentences)
    # Days said later in the exchange count when the proposal left them open ("on the days you
    # work" - "That's Monday, Tuesday, Wednesday") or named no cadence; "Every day? Even
    # weekends?" asked of "each day" does not make it a weekend practice.
    open_days = cadence in {None, Commitment.Cadence.ONCE} or _says_any(text, _DAYS_LEFT_OPEN)
    days, recurring_days, planned_day = _days([*sentences, *(exchange.texts[::-1] if open_days else [])], held_on)
    kind = _kind(text, cadence, recurring_days)
    if kind == Commitment.Kind.PRIDE_WEEKLY:
        weekly = cadence == Commitment.Cadence.WEEKLY
        cadence = Commitment.Cadence.WEEKLY  # kept by the ISO week: "every day" is not its count
        count = _things_count(sentences) or (count if count and count > 1 and counted and weekly else None)
    elif recurring_days:
        # "On the days you work": each of those days, unless a count a week was agreed ("three of them").
        cadence = Commitment.Cadence.WEEKLY if counted and count and count < len(days) else Commitment.Cadence.DAILY
        count = count if cadence == Commitment.Cadence.WEEKLY else 1
    elif cadence is None:
        cadence = Commitment.Cadence.ONCE if kind == Commitment.Kind.EXPERIMENT else Commitment.Cadence.DAILY
    commitment = Commitment(kind=kind, cadence=cadence)
    commitment.target_count = count or 0
    commitment.fill_defaults(given={"target_count"} if count else set())
    # A practice that recurs is on the days named for it; one day counts when the proposal names it
    # ("each week, on Friday"), not when it comes up in the talk around it.
    named, _, _ = _days(sentences, None)
    weekdays = days if recurring_days else named if commitment.cadence != Commitment.Cadence.ONCE else ()
    once = kind == Commitment.Kind.EXPERIMENT and commitment.cadence == Commitment.Cadence.ONCE
    substantive = [
        action
        for action in exchange.actions
        if not _anaphoric(action) and _substantive(action) and not _only_when(action)
    ]
    return Draft(
        kind=str(kind),
        cadence=str(commitment.cadence),
        target_count=commitment.target_count,
        title=_title(substantive[0] if substantive else exchange.actions[0]),
        details=_details(exchange),
        evidence="\n".join(str(quote) for quote in exchange.quotes),
        line=exchange.line,
        weekdays=weekdays,
        planned_for=planned_day if once else None,
        remind_at=_time_said([*exchange.texts[:0:-1], " ".join(sentences), *exchange.texts[:1]], text),
    )


#: The most of a proposal's turn a draft's details keep.
DETAILS_MAX = 600


def _details(exchange: Exchange) -> str:
    """What was proposed: the proposal's turn from its first proposing sentence (the practice is
    often spelt out after the question), and any revision."""
    said = exchange.said or (exchange.texts[0] if exchange.texts else " ".join(exchange.sentences))
    if exchange.turn_text and len(exchange.turn_text) <= DETAILS_MAX:
        said = exchange.turn_text  # the practice is often named a sentence or two before it is proposed
    if len(said) > DETAILS_MAX:
        cut = said.rfind(" ", 0, DETAILS_MAX)
        said = said[: cut if cut > 0 else DETAILS_MAX] + "…"
    revisions = [sentence for sentence in exchange.sentences[1:] if sentence not in said]
    if exchange.heard and not any(_substantive(action) and not _only_when(action) for action in exchange.actions):
        # "And it's Tuesday coming?" confirms what the patient had just said: quote that first.
        heard = exchange.heard if len(exchange.heard) <= DETAILS_MAX // 2 else exchange.heard[: DETAILS_MAX // 2] + "…"
        return " ".join([heard, said, *revisions])
    return " ".join([said, *revisions])


def _substantive(action: str) -> bool:
    """An action that says what to do, not only how much ("three, once a week")."""
    words = [word.casefold() for word in _WORD.findall(action)]
    return len([w for w in words if w not in _AMOUNT_WORDS and w not in VOCABULARY.numbers and not w.isdigit()]) >= 2


#: A proposal that leaves its days to be named: the days said after it are its days.
_DAYS_LEFT_OPEN = ("the days", "days you", "days off", "nights you", "shifts", "which days", "what days", "some days",
                   "the mornings", "the evenings", "those days", "your days", "rest days", "office days")  # fmt: skip

_KIND = {words.kind: words.phrases for words in VOCABULARY.kinds}
_CUSTOM_WORDS = ("diary card", "diary", "log", "track", "tracking", "urge", "urges", "walk", "walks", "run", "gym",
                 "breathing", "meditate", "meditation", "mindfulness", "stretch", "sleep", "activity", "activities",
                 "worry time", "thought record", "mood", "chain analysis", "skills", "exercise", "swim", "yoga",
                 "plan your", "schedule", "gratitude", "grateful", "values")  # fmt: skip


#: Words that make a practice an experiment however often it is tried.
_EXPERIMENTS = ("experiment", "something new", "new recipe", "new dish", "imperfect action", "do it imperfectly")


def _kind(text: str, cadence: Commitment.Cadence | None, recurring_days: bool) -> Commitment.Kind:
    recurring = recurring_days or cadence in {Commitment.Cadence.DAILY, Commitment.Cadence.WEEKLY}
    reflection = _says_any(text, _KIND[Commitment.Kind.REFLECTION_DAILY])
    if _says_any(text, ("proud", "pride")) or (not reflection and _says_any(text, _KIND[Commitment.Kind.PRIDE_WEEKLY])):
        return Commitment.Kind.PRIDE_WEEKLY
    if _says_any(text, _EXPERIMENTS):
        return Commitment.Kind.EXPERIMENT
    if recurring and _says_any(text, _CUSTOM_WORDS):
        return Commitment.Kind.CUSTOM
    if reflection:
        return Commitment.Kind.REFLECTION_DAILY
    if not recurring or _says_any(text, _KIND[Commitment.Kind.EXPERIMENT]):
        return Commitment.Kind.EXPERIMENT
    return Commitment.Kind.CUSTOM


def _cadence_hits(sentence: str) -> list[PhraseHit[tuple[CadenceWords, bool]]]:
    return phrase_spans(sentence, _cadence_phrases())


def _cadence_and_count(sentences: list[str]) -> tuple[Commitment.Cadence | None, int | None, bool]:
    """The cadence and its count as last said, and whether the count was said a period ("three
    times a week", "let's say three of them"): a revision's words win over the proposal's. In
    one sentence a recurring cadence wins over a one-off word ("starting today, each evening")."""
    cadence: Commitment.Cadence | None = None
    count: int | None = None
    counted = False
    for index in range(len(sentences) - 1, -1, -1):
        sentence = sentences[index]
        hits = _cadence_hits(sentence)
        said = min(hits, key=lambda hit: (hit.meaning[0].cadence == Commitment.Cadence.ONCE, hit.start), default=None)
        if said is not None:
            words, is_counted = said.meaning
            before = sentence[: said.start].translate(_APOSTROPHES)
            found = (_amount_ending() if is_counted else _range_opening()).search(before)
            if found is not None and not is_counted:
                found = _amount().search(found.group(0))  # "once or" before "twice a week": the range's low end
            if found is None:
                found = _amount().search(sentence[said.start : said.end].translate(_APOSTROPHES))
            cadence = cadence or words.cadence
            if count is None and found is not None:
                count, counted = _lower(found), True
        elif count is None and index and _amount().search(sentence.translate(_APOSTROPHES)):
            count, counted = _revised_count(sentence), True  # "actually, let's say three"
        if cadence is not None and count is not None:
            break
    return cadence, count, counted


def _revised_count(sentence: str) -> int | None:
    """A number in a revision with no cadence ("actually, let's say three"): the new count."""
    found = _amount().search(sentence.translate(_APOSTROPHES))
    return _lower(found) if found else None


_THINGS = re.compile(
    r"(?:[\w'-]++\s++){0,2}?(?:things|moments|wins|items|examples|accomplishments|achievements|successes|victories)\b",
    re.IGNORECASE,
)


def _things_count(sentences: list[str]) -> int | None:
    """The number before "things" (or "wins", "moments"...): a pride list's length. A later
    sentence's number wins, "things" or not ("Actually, let's say three")."""
    for index in range(len(sentences) - 1, -1, -1):
        plain = sentences[index].translate(_APOSTROPHES)
        for amount in _amount().finditer(plain):
            if _THINGS.match(plain, amount.end() + (1 if plain[amount.end() : amount.end() + 1] == " " else 0)):
                return _lower(amount)
        if index:
            revised = _amount().search(plain)
            if revised:
                return _lower(revised)
    return None


_DAY_WORDS = {
    **{name: days for name, days in VOCABULARY.weekdays.items() if len(name) > 4},
}
# "Thursday's group": the day without its "'s" (two spaces keep every offset where it was).
_POSSESSIVE = re.compile(r"((?:mon|tues|wednes|thurs|fri|satur|sun)day)'s(?![\w'])", re.IGNORECASE)
_DAY_NAME = r"(?:mon|tues|wednes|thurs|fri|satur|sun)day"
_DAY_RANGE = re.compile(
    rf"(?<![\w'])(?:from\s++)?(?P<first>{_DAY_NAME})s?+\s++(?:to|through|till|until|-|\u2013)\s++(?P<last>{_DAY_NAME})s?+(?![\w'])",
    re.IGNORECASE,
)
_RECURRING_DAY = re.compile(r"(?:every|each|on\s+the|all)\s++$", re.IGNORECASE)


def _days_said(sentence: str) -> list[tuple[tuple[int, ...], bool]]:
    """The days a sentence names, each with whether it recurs ("Tuesdays", "every Friday",
    "weekdays") or is one day ("on Thursday", "Thursday's group")."""
    said: list[tuple[tuple[int, ...], bool]] = []
    plain = sentence.translate(_APOSTROPHES)
    for span in _DAY_RANGE.finditer(plain):
        first, last = _DAY_WORDS[span["first"].casefold()][0], _DAY_WORDS[span["last"].casefold()][0]
        said.append((tuple(range(first, last + 1)) if first <= last else (), True))
    if said:
        return said
    for hit in phrase_spans(_POSSESSIVE.sub(lambda m: m[1] + "  ", plain), list(_DAY_WORDS.items())):
        word = plain[hit.start : hit.end].casefold()
        plural = word.endswith("s") and word not in {"this"}
        recurring = (
            plural or len(hit.meaning) > 1 or bool(_RECURRING_DAY.search(sentence[max(0, hit.start - 12) : hit.start]))
        )
        if word in {"weekend"}:
            continue  # "this weekend" is a time for something once, not a day of the week
        said.append((hit.meaning, recurring))
    return said


def _days(texts: list[str], held_on: date | None) -> tuple[tuple[int, ...], bool, date | None]:
    """The days of the week said in the exchange (the proposal's sentences first, then what was
    said after, the latest first), whether they recur, and the first single day as a date: the
    first such day after the session."""
    for text in texts:
        said = [
            found
            for _, sentence in _sentence_spans(text)
            if len(sentence) <= MAX_SENTENCE
            for found in _days_said(sentence)
        ]
        if not said:
            continue
        days = tuple(sorted({day for found, _ in said for day in found}))
        recurring = any(recur for _, recur in said) or len(days) > 1
        planned = None
        if held_on is not None and not recurring:
            planned = held_on + timedelta(days=(days[0] - held_on.isoweekday()) % 7 or 7)
        return days, recurring, planned
    if held_on is not None and any(_says_any(text, ("tomorrow",)) for text in texts[:1]):
        return (), False, held_on + timedelta(days=1)
    return (), False, None


_HOURS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
          "ten": 10, "eleven": 11, "twelve": 12}  # fmt: skip
_HOUR = r"1[0-2]|0?[1-9]|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve"
_MINUTES = {"fifteen": 15, "thirty": 30, "forty-five": 45, "o'clock": 0}
_CLOCK = re.compile(
    r"(?<![\w'])(?:(?P<lead>at|around|by|about|for|from|even\s++at)\s++)?"
    r"(?:(?P<half>half)\s++(?:past\s++)?|(?:a\s++)?(?P<quarter>quarter)\s++(?P<dir>past|to)\s++)?"
    rf"(?P<hour>{_HOUR})(?:(?:[:.]|\s++|-)(?P<minute>[0-5][0-9]|fifteen|thirty|forty-five|o'clock))?"
    r"(?:\s*+(?P<ap>a\.?m\.?|p\.?m\.?)(?![\w]))?(?![\w'])"
    r"|(?<![\w'])(?:at\s++)?(?P<noon>noon|midday)(?![\w'])",
    re.IGNORECASE,
)
#: After a bare "at eight", words that show it is a time, not a count ("at three things").
_AFTER_AN_HOUR = ("in the", "at night", "before", "after", "when", "each", "every", "on", "then", "and", "tonight",
                  "tomorrow", "or so", "ish", "sharp", "latest")  # fmt: skip


def _clock(text: str, practice: str) -> time | None:
    """The first clock time in ``text`` ("at eight", "half seven", "ten-thirty", "7:15", "9pm"),
    in the 24-hour day. An hour without am or pm is placed by the words around it, then by the
    practice's own words ("each night"), else as people mean a reminder: 7 to 11 in the
    morning, 12 to 6 after noon. "Even at seven" is a complaint, not a time agreed."""
    plain = text.translate(_APOSTROPHES)
    for found in _CLOCK.finditer(plain):
        if found["noon"]:
            return time(12, 0)
        lead = " ".join((found["lead"] or "").casefold().split())
        if lead == "even at":
            continue
        word = found["hour"].casefold()
        hour = _HOURS.get(word) or int(word)
        said_minute = (found["minute"] or "").casefold()
        minute = _MINUTES.get(said_minute, int(said_minute) if said_minute.isdigit() else 0)
        if not (said_minute or found["ap"] or found["half"] or found["quarter"]):
            if lead != "at":
                continue  # "for five", "by eight", "two" alone: a count or a deadline
            following = plain[found.end() : found.end() + 20]
            if following.lstrip()[:1].isalpha() and not _says_any(following, _AFTER_AN_HOUR):
                continue  # "at three things" counts something
        if found["half"]:
            minute = 30
        elif found["quarter"]:
            minute = 15 if found["dir"].casefold() == "past" else 45
            hour = hour if found["dir"].casefold() == "past" else hour - 1 or 12
        ap = (found["ap"] or "").casefold().replace(".", "")
        if ap == "pm" and hour < 12:
            hour += 12
        elif ap == "am" and hour == 12:
            hour = 0
        elif not ap:
            around = plain[max(0, found.start() - 60) : found.end() + 60]
            if _says_any(around, VOCABULARY.morning):
                pass
            elif _says_any(around, VOCABULARY.evening) or (_says_any(practice, VOCABULARY.evening) and 5 <= hour < 12):
                hour += 12 if hour < 12 else 0
            elif hour <= 6 and not _says_any(practice, VOCABULARY.morning):
                hour += 12
        return time(hour % 24, minute)
    return None


def _time_said(texts: Sequence[str], practice: str) -> time | None:
    """The time agreed: the latest said in the exchange (a time is often settled in the answer)."""
    for text in texts:
        found = _clock(text, practice)
        if found is not None:
            return found
    return None


# Titles.

_GERUND_E = frozenset("writ tak mak us giv hav leav notic practic practis schedul choos danc mov sav smil bak com driv "
                      "shar prepar breath recogniz recognis acknowledg challeng imagin clos cycl tim rat scor not "
                      "describ complet continu argu serv observ receiv believ arriv excus refus compar declin forgiv "
                      "explor creat celebrat appreciat validat invit updat rehears negotiat participat wak bath "
                      "gratitud phon glanc plac pac sav simplif".split())  # fmt: skip
_PAST = {"ate": "eat", "ran": "run", "drove": "drive", "rang": "ring", "swam": "swim", "sat": "sit",
         "tried": "try", "wrote": "write", "took": "take", "went": "go", "did": "do", "made": "make", "gave": "give",
         "sent": "send", "asked": "ask", "called": "call", "spent": "spend", "kept": "keep", "noticed": "notice",
         "left": "leave", "brought": "bring", "set": "set", "put": "put", "had": "have", "got": "get",
         "started": "start", "picked": "pick", "chose": "choose", "said": "say", "told": "tell"}  # fmt: skip


_NOT_PAST = frozenset("need feed bed shed seed speed breed bleed weed proceed succeed exceed indeed".split())


def _base_form(word: str) -> str:
    """A leading verb as an instruction: "writing" → "write", "tried" → "try"."""
    lower = word.casefold()
    if lower in _PAST:
        return _PAST[lower]
    if lower.endswith("ed") and len(lower) >= 4 and lower not in _NOT_PAST:
        stem = lower[:-2]
        if stem.endswith("i"):
            return stem[:-1] + "y"  # "tidied" → "tidy"
        if len(stem) > 2 and stem[-1] == stem[-2] and stem[-1] not in "ls":
            return stem[:-1]  # "jotted" → "jot"
        return stem + "e" if stem in _GERUND_E else stem
    if lower.endswith("ing") and len(lower) > 5:
        stem = lower[:-3]
        if len(stem) > 2 and stem[-1] == stem[-2] and stem[-1] not in "ls":
            return stem[:-1]
        return stem + "e" if stem in _GERUND_E else stem
    return word


def _title(action: str) -> str:
    """The action's first clause, as an instruction in the session's words: "Ask one question
    at Thursday's study group". A time or day that opens the action ("on Thursday, ask...") is
    left to the draft's day and time."""
    clauses = [part.strip() for part in _TITLE_CUT.split(action)]
    clauses = [part for part in clauses if part]
    while len(clauses) > 1 and (len(_WORD.findall(clauses[0])) <= 6 and _is_when(clauses[0])):
        clauses.pop(0)
    title = clauses[0] if clauses else action
    while len(_WORD.findall(title)) < 3 and len(clauses) > 1:
        clauses.pop(0)
        title = f"{title}, {clauses[0]}"
    title = title[_LEADING.match(title).end() :] or title  # type: ignore[union-attr]  # the pattern matches empty
    first, _, rest = title.partition(" ")
    first = _base_form(first)
    if first.casefold() in {"a", "an", "one", "some"}:
        first, rest = "Try", f"{first.casefold()} {rest}"  # "an imperfect action today": try one
    title = " ".join(f"{first[:1].upper()}{first[1:]} {rest}".split())
    if len(title) > TITLE_WORDS:
        cut = title.rfind(" ", 0, TITLE_WORDS)
        title = title[: cut if cut > 20 else TITLE_WORDS].rstrip(" ,;:-") + "…"
    return title[:TITLE_MAX]


_WHEN = ("on", "this", "next", "each", "every", "at", "in", "before", "after", "tomorrow", "tonight", "between",
         "over", "during", "when", "if", "once", "for", "starting", "from", "later", "today", "until")  # fmt: skip


def _is_when(clause: str) -> bool:
    words = _WORD.findall(clause)
    return bool(words) and words[0].casefold() in _WHEN


def drafts_distinct(drafts: list[Draft]) -> tuple[list[Draft], list[TranscriptWarning]]:
    """One draft per practice, at most ``MAX_DRAFTS``; the rest reported as warnings.

    A practice agreed twice (a therapist recapping at the end of a session) is the same
    practice: the first proposal's draft stands, with its evidence. Two drafts of one kind
    are the same practice when most of their titles' words are shared.
    """
    kept: list[Draft] = []
    warnings = []
    for draft in drafts:
        same = next((earlier for earlier in kept if _same_practice(earlier, draft)), None)
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
            kept.append(draft)
    return kept, warnings


_STOPWORDS = frozenset("a an the to of and or your you yourself in on at for each every day week this that it "
                       "with be is are one two three just try some few minutes".split())  # fmt: skip


def _content_words(title: str) -> frozenset[str]:
    return frozenset(word.casefold() for word in _WORD.findall(title)) - _STOPWORDS


def _same_practice(one: Draft, other: Draft) -> bool:
    if one.kind != other.kind:
        return False
    if one.title == other.title:
        return True
    mine, theirs = _content_words(one.title), _content_words(other.title)
    return bool(mine and theirs) and len(mine & theirs) * 2 >= min(len(mine), len(theirs)) + 1


# Phrases.


def phrase_spans(text: str, phrases: Iterable[tuple[str, T]]) -> list[PhraseHit[T]]:
    """Where the phrases occur in ``text``, each labelled with its meaning, in text order.

    Where found phrases overlap, the longest is kept: "I'm not sure" is a hesitation, not the
    "sure" inside it.
    """
    plain = text.translate(_APOSTROPHES)
    words = frozenset(_WORD.findall(plain.casefold()))
    found = [
        PhraseHit(match.start(), match.end(), meaning)
        for phrase, meaning in phrases
        if _first_word(phrase) in words  # most phrases' first word is not in a sentence at all
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
def _first_word(phrase: str) -> str:
    """The phrase's first word as ``phrase_spans`` finds words in a text, to skip at a glance the
    phrases a text cannot hold."""
    found = _WORD.findall(phrase.translate(_APOSTROPHES).casefold())
    return found[0] if found else ""


@functools.cache
def _pattern(phrase: str) -> re.Pattern[str]:
    """A phrase as a case-blind regex bounded by non-word characters; an apostrophe counts
    as part of a word, so "I can" never matches inside "I can't".

    The check before the phrase comes after its first character (``y(?<![\\w']y)es``, not
    ``(?<![\\w'])yes``): a pattern that opens with a character lets the engine skip ahead to
    where that character is, instead of testing the look-behind at every position.
    A phrase ending in punctuation ("no,") needs no boundary after it.
    """
    plain = " ".join(phrase.translate(_APOSTROPHES).split())
    first = re.escape(plain[0])
    rest = r"\s+".join(re.escape(word) for word in plain[1:].split(" "))
    after = "" if not plain[-1].isalnum() else r"(?![\w'])"
    return re.compile(rf"{first}(?<![\w']{first}){rest}{after}", re.IGNORECASE)


@functools.cache
def _cadence_phrases() -> tuple[tuple[str, tuple[CadenceWords, bool]], ...]:
    """Each cadence phrase with its cadence and whether it is said after a count."""
    return tuple(
        (phrase, (words, counted))
        for words in VOCABULARY.cadences
        for counted, phrases in ((False, words.phrases), (True, words.counted))
        for phrase in phrases
    )


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
def _amount_ending() -> re.Pattern[str]:
    """An amount right at the end of the text (where a counted cadence starts)."""
    return re.compile(rf"{_amount().pattern}\s*\Z", re.IGNORECASE)


@functools.cache
def _range_opening() -> re.Pattern[str]:
    """A range's first end and its join ("once or "), its other end opening the cadence."""
    return re.compile(rf"{_number_anywhere()}{_RANGE_JOIN}\Z", re.IGNORECASE)
