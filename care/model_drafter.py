"""A second drafter: a language model the clinic runs reads the transcript and lists the practices.

Off unless the operator sets ``TRANSCRIPT_DRAFTER_URL`` (docs/model-drafter.md): then the
transcript, as numbered turns, is POSTed to that OpenAI-compatible ``/chat/completions``
endpoint, and nowhere else. The model's answer is trusted for nothing it cannot be checked on:

- its shape, every field's type and range, is checked strictly; an answer that fails any of it
  is not used at all (``None``: the caller drafts with ``care.detection`` instead);
- a draft is kept only when its two lines are a therapist's turn and a later patient's turn of
  this transcript, and each quote is said word for word in its turn; its ``evidence`` is then
  written here from those two turns (``EVIDENCE``), never from the model's words, and its
  ``details`` are words of the proposal, never the model's own.

So the worst a wrong or hostile model can do is point at the wrong exchange, or give a wrong
title, kind or cadence: drafts the therapist reviews and can drop, as with the built-in drafter.
Nothing logged here holds transcript text or the model's words, only why an answer was not used.
"""

from __future__ import annotations

import json
import logging
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, time, timedelta
from typing import Any

import httpx
from django.conf import settings

from care.detection import EVIDENCE, MAX_DRAFTS, TITLE_MAX, Draft
from care.detection import _sentences as sentences  # the built-in drafter's one sentence rule
from care.transcripts import Speaker, Transcript, Turn
from care.vocabulary import VOCABULARY
from core import outbound
from journal.models import DEFAULT_PRIDE_TARGET, TARGET_COUNT_MAX, Commitment

logger = logging.getLogger(__name__)

#: The most of an answer read. A list of twenty drafts is a few kilobytes; a megabyte is a
#: model that ran on, or not a model at all, and is not worth holding in a worker's memory.
MAX_ANSWER_BYTES = 1_000_000
#: How far after the session an experiment's planned day may be.
PLANNED_WITHIN = timedelta(days=366)

KINDS = frozenset(Commitment.Kind.values)
CADENCES = frozenset(Commitment.Cadence.values)
#: The cadences each kind can be counted by, from the vocabulary's practices (pride entries
#: are kept by the ISO week, so a pride practice is weekly); a kind no practice names, any.
CADENCES_OF = {
    kind: frozenset().union(*(words.cadences for words in VOCABULARY.kinds if words.kind == kind)) or CADENCES
    for kind in KINDS
}
FIELDS = (
    "kind",
    "cadence",
    "target_count",
    "title",
    "details",
    "weekdays",
    "planned_for",
    "remind_at",
    "proposal_line",
    "answer_line",
    "proposal_quote",
    "answer_quote",
)
_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_CLOCK = re.compile(r"([01][0-9]|2[0-3]):([0-5][0-9])")

SYSTEM_PROMPT = f"""\
You read the transcript of a therapy session and list the practices the patient agreed to \
do at home between sessions. A therapist reviews every item you list.

The transcript comes as numbered turns, "[line 12] Therapist: ..." or "[line 14] Patient: ...": \
the number is the line of the file where the turn starts.

A practice counts only when the therapist proposed it and the patient agreed to do it. None of \
these count: a proposal the patient declines, doubts or leaves open; a hypothetical ("what if \
you..."); something the patient did in the past; the therapist's own plans; an exercise done \
together in the session; praise, or a remark about a practice that asks for nothing. When a \
practice is changed later in the session (made smaller, moved to another day), the later \
version wins: list it once, as finally agreed, with the exchange where it was agreed. List \
each practice once.

For each practice give:
- "kind": "reflection_daily" (a daily moment of noticing one's effort or speaking kindly to \
oneself), "pride_weekly" (a weekly list of things done well or felt proud of), "experiment" \
(one imperfect action, tried once or a few times) or "custom" (anything else done on a \
cadence: a diary card, a walk, an urge log).
- "cadence": "daily", "weekly" or "once". A pride_weekly practice is always "weekly".
- "target_count": how many times a period asks for, a whole number from 1 to {TARGET_COUNT_MAX}; \
when no number was said, {DEFAULT_PRIDE_TARGET} for pride_weekly and 1 for the others.
- "title": a short label in the session's own words, at most {TITLE_MAX} characters.
- "details": the therapist's sentence that proposes it, copied exactly, or "".
- "weekdays": ISO weekday numbers (1 = Monday, 7 = Sunday) when the practice is only on some \
days ("Tuesdays and Fridays"), else [].
- "planned_for": an experiment's day as "YYYY-MM-DD" (a weekday named in the session is the \
first such day after the session's date), else null.
- "remind_at": a time of day agreed for it as "HH:MM" (24-hour clock), else null.
- "proposal_line": the line of the therapist's turn that proposes it; "answer_line": the line \
of the patient's later turn that agrees.
- "proposal_quote", "answer_quote": a few words copied exactly from those two turns, the \
words that propose and the words that agree.

Answer with JSON only, no other text, in this shape (at most {MAX_DRAFTS} drafts):
{{"drafts": [{{{", ".join(f'"{name}": ...' for name in FIELDS)}}}]}}
When the patient agreed to no practice, answer {{"drafts": []}}."""


class Unusable(Exception):
    """The model's answer cannot be used. The message says why, and never quotes the
    transcript or the answer: it is logged."""


#: Makes the error for a field: its name, and what it must be.
Wrong = Callable[[str, str], Unusable]


@dataclass(frozen=True)
class Proposal:
    """One draft as the model gave it, every field checked for type and range but not yet
    against the transcript."""

    kind: str
    cadence: str
    target_count: int
    title: str
    details: str
    weekdays: tuple[int, ...]
    planned_for: date | None
    remind_at: time | None
    proposal_line: int
    answer_line: int
    proposal_quote: str
    answer_quote: str


def drafts_from_model(transcript: Transcript, *, held_on: date) -> list[Draft] | None:
    """The practices the configured model finds in ``transcript``, in the order they were
    proposed; ``held_on`` is the session's day, from which the model dates a planned day.

    ``None`` when no model is configured, and when asking it failed in any way (it could not
    be reached, took longer than ``TRANSCRIPT_DRAFTER_TIMEOUT``, answered other than 2xx, more
    than ``MAX_ANSWER_BYTES``, or not in the agreed shape): the caller then drafts with
    ``care.detection``. A usable answer with no draft that holds up is ``[]``: the model
    found nothing, which is an answer.
    """
    url = settings.TRANSCRIPT_DRAFTER_URL
    if not url:
        return None
    try:
        proposals = proposals_read(_ask(url, _request(transcript, held_on=held_on)), held_on=held_on)
    except Unusable as error:
        reason = str(error)
    except httpx.TimeoutException:
        reason = f"it did not answer within {settings.TRANSCRIPT_DRAFTER_TIMEOUT:g} s"
    except (httpx.HTTPError, httpx.StreamError, httpx.InvalidURL, outbound.Refused) as error:
        reason = f"it could not be reached ({type(error).__name__})"
    except Exception as error:  # an optional drafter must never be why a session cannot be recorded
        reason = f"reading its answer failed ({type(error).__name__})"
    else:
        return _grounded(proposals, transcript)
    logger.warning("The transcript drafter was not used: %s. The built-in drafter drafts instead.", reason)
    return None


def _request(transcript: Transcript, *, held_on: date) -> dict[str, Any]:
    """The chat request: the task, then the session's day and its turns, each turn once."""
    turns = "\n".join(
        f"[line {turn.line}] {turn.speaker.value.capitalize()}: {_plain(turn.text)}" for turn in transcript.turns
    )
    session = f"The session was held on {held_on.isoformat()}, a {held_on.strftime('%A')}.\n\nTranscript:\n{turns}"
    return {
        "model": settings.TRANSCRIPT_DRAFTER_MODEL,
        "messages": [{"role": "system", "content": SYSTEM_PROMPT}, {"role": "user", "content": session}],
        "temperature": 0,
        "response_format": {"type": "json_object"},
        "stream": False,
    }


def _ask(url: str, request: dict[str, Any]) -> bytes:
    """POST ``request`` and read the answer's body, at most ``MAX_ANSWER_BYTES`` of it."""
    headers = {"accept": "application/json"}
    if settings.TRANSCRIPT_DRAFTER_KEY:
        headers["authorization"] = f"Bearer {settings.TRANSCRIPT_DRAFTER_KEY}"
    # No guard: the URL is the operator's, and is often on this machine or the clinic's network.
    with (
        outbound.client(seconds=settings.TRANSCRIPT_DRAFTER_TIMEOUT) as http,
        http.stream("POST", f"{url}/chat/completions", json=request, headers=headers) as response,
    ):
        if not response.is_success:
            raise Unusable(f"it answered {response.status_code}")
        # Counted as read, not taken from Content-Length: a server may send none, or lie.
        body, size = [], 0
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > MAX_ANSWER_BYTES:
                raise Unusable(f"its answer is larger than {MAX_ANSWER_BYTES:,} bytes")
            body.append(chunk)
    return b"".join(body)


def proposals_read(body: bytes, *, held_on: date) -> list[Proposal]:
    """The drafts in a chat completion's body, each field checked; ``Unusable`` if any is wrong."""
    completion = _json(body, what="its body")
    choices = completion.get("choices") if isinstance(completion, dict) else None
    first = choices[0] if isinstance(choices, list) and choices else None
    message = first.get("message") if isinstance(first, dict) else None
    content = message.get("content") if isinstance(message, dict) else None
    if not isinstance(content, str):
        raise Unusable("its body is not a chat completion with a message")
    answer = _json(content, what="its message")
    drafts = answer.get("drafts") if isinstance(answer, dict) else None
    if not isinstance(drafts, list):
        raise Unusable('its message is not {"drafts": [...]}')
    if len(drafts) > MAX_DRAFTS:
        raise Unusable(f"it lists {len(drafts)} drafts, more than {MAX_DRAFTS}")
    return [_proposal(draft, number=number, held_on=held_on) for number, draft in enumerate(drafts, start=1)]


def _json(text: str | bytes, *, what: str) -> object:
    try:
        return json.loads(text)
    except (ValueError, RecursionError):  # RecursionError: a thousand brackets deep
        raise Unusable(f"{what} is not JSON") from None


def _proposal(draft: object, *, number: int, held_on: date) -> Proposal:
    if not isinstance(draft, dict):
        raise Unusable(f"draft {number} is not an object")
    missing = [name for name in FIELDS if name not in draft]
    if missing:
        raise Unusable(f"draft {number} lacks {', '.join(missing)}")

    def wrong(name: str, should: str) -> Unusable:
        return Unusable(f"draft {number}: {name} must be {should}")

    kind, cadence = draft["kind"], draft["cadence"]
    if not (isinstance(kind, str) and kind in KINDS):
        raise wrong("kind", f"one of {', '.join(sorted(KINDS))}")
    if not (isinstance(cadence, str) and cadence in CADENCES_OF[kind]):
        raise wrong("cadence", f"one of {', '.join(sorted(CADENCES_OF[kind]))} for {kind}")
    title = _plain(draft["title"]) if isinstance(draft["title"], str) else ""
    if not 0 < len(title) <= TITLE_MAX:
        raise wrong("title", f"text of 1 to {TITLE_MAX} characters")
    details = draft["details"]
    if details is not None and not isinstance(details, str):
        raise wrong("details", "text or null")
    weekdays = draft["weekdays"]
    if not (isinstance(weekdays, list) and all(_whole(day, 1, 7) for day in weekdays)):
        raise wrong("weekdays", "a list of ISO weekdays, 1 to 7")
    if len(set(weekdays)) != len(weekdays):
        raise wrong("weekdays", "a list without repeats")
    quotes = [
        _plain(draft[name]) if isinstance(draft[name], str) else "" for name in ("proposal_quote", "answer_quote")
    ]
    if not all(quotes):
        raise wrong("proposal_quote and answer_quote", "words of the transcript")
    for name in ("target_count", "proposal_line", "answer_line"):
        if not _whole(draft[name], 1, TARGET_COUNT_MAX if name == "target_count" else 10**9):
            raise wrong(name, "a whole number in range")
    return Proposal(
        kind=kind,
        cadence=cadence,
        target_count=draft["target_count"],
        title=title,
        details=_plain(details or ""),
        weekdays=tuple(sorted(weekdays)),
        planned_for=_planned_for(draft["planned_for"], held_on=held_on, wrong=wrong),
        remind_at=_remind_at(draft["remind_at"], wrong=wrong),
        proposal_line=draft["proposal_line"],
        answer_line=draft["answer_line"],
        proposal_quote=quotes[0],
        answer_quote=quotes[1],
    )


def _whole(value: object, low: int, high: int) -> bool:
    # bool is an int to Python, but ``true`` is not a number to anyone else.
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high


def _planned_for(value: object, *, held_on: date, wrong: Wrong) -> date | None:
    if value is None:
        return None
    # fromisoformat alone would also take "20261127" and week dates: the prompt asked for one form.
    if not (isinstance(value, str) and _DAY.fullmatch(value)):
        raise wrong("planned_for", "a date, YYYY-MM-DD, or null")
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise wrong("planned_for", "a date that exists") from None
    if not held_on <= day <= held_on + PLANNED_WITHIN:
        raise wrong("planned_for", "a day from the session's to a year after it")
    return day


def _remind_at(value: object, *, wrong: Wrong) -> time | None:
    if value is None:
        return None
    clock = _CLOCK.fullmatch(value) if isinstance(value, str) else None
    if clock is None:
        raise wrong("remind_at", "a time of day, HH:MM, or null")
    return time(int(clock.group(1)), int(clock.group(2)))


def _grounded(proposals: list[Proposal], transcript: Transcript) -> list[Draft]:
    """The proposals that hold up against the transcript, as drafts, in the order proposed."""
    turns = {turn.line: turn for turn in transcript.turns}
    drafts: list[Draft] = []
    dropped: Counter[str] = Counter()
    for proposal in proposals:
        draft_or_reason = _draft(proposal, turns)
        if isinstance(draft_or_reason, Draft):
            drafts.append(draft_or_reason)
        else:
            dropped[draft_or_reason] += 1
    if dropped:
        reasons = ", ".join(f"{count} {reason}" for reason, count in sorted(dropped.items()))
        logger.info("The transcript drafter's answer: %d drafts kept, dropped: %s.", len(drafts), reasons)
    return sorted(drafts, key=lambda draft: draft.line)


def _draft(proposal: Proposal, turns: dict[int, Turn]) -> Draft | str:
    """The draft, or why it was dropped (a few words for the log)."""
    asked, answered = turns.get(proposal.proposal_line), turns.get(proposal.answer_line)
    if asked is None or asked.speaker is not Speaker.THERAPIST:
        return "proposal_line not a therapist's turn"
    if answered is None or answered.speaker is not Speaker.PATIENT:
        return "answer_line not a patient's turn"
    if answered.line <= asked.line:
        return "answer before the proposal"
    said = _plain(asked.text)
    start = said.find(proposal.proposal_quote)
    if start < 0:
        return "proposal_quote not said"
    if proposal.answer_quote not in _plain(answered.text):
        return "answer_quote not said"
    details = proposal.details
    if not details or details not in said:
        details = _sentence_around(said, start, start + len(proposal.proposal_quote))
    return Draft(
        kind=proposal.kind,
        cadence=proposal.cadence,
        target_count=proposal.target_count,
        title=proposal.title,
        details=details,
        evidence=EVIDENCE.format(proposal=asked, answer=answered),
        line=asked.line,
        weekdays=proposal.weekdays,
        planned_for=proposal.planned_for,
        remind_at=proposal.remind_at,
    )


def _sentence_around(text: str, start: int, end: int) -> str:
    """The sentence of ``text`` holding ``text[start:end]``, or the sentences, if it spans several."""
    first = last = None
    at = 0
    for sentence in sentences(text):
        at = text.index(sentence, at)  # each sentence is a stripped slice, in order
        if at < end and start < at + len(sentence):
            first = at if first is None else first
            last = at + len(sentence)
        at += len(sentence)
    return text[first:last] if first is not None else text[start:end]


def _plain(text: str) -> str:
    """``text`` with each run of whitespace one space: the only liberty a quote may take."""
    return " ".join(text.split())
