"""Risk language: the detector catches what sounds like crisis, in the words people type, and
leaves idioms, kitchens, other people, stories, the past and clear negations alone."""

from __future__ import annotations

import time

import pytest

from safety.risk import Kind, normalised, risk_in
from tests.safety.corpus import read

RISKY_KINDS = {"suicidal_explicit", "suicidal_passive", "self_harm", "plan", "goodbye", "unsafe"}
BENIGN_KINDS = {"idiom", "kitchen", "accident", "other_person", "fiction", "past", "negation", "low_mood", "ordinary"}


def missed(name: str) -> list[str]:
    return [text for _, text in read(name) if risk_in(text) is None]


def flagged(name: str) -> list[str]:
    return [text for _, text in read(name) if risk_in(text) is not None]


def test_the_corpora_are_what_the_issue_asks_for():
    risky = [row for name in ("dev_risky", "heldout_risky") for row in read(name)]
    benign = [row for name in ("dev_benign", "heldout_benign") for row in read(name)]
    assert len(risky) >= 150
    assert len(benign) >= 300
    assert {kind for kind, _ in risky} == RISKY_KINDS
    assert {kind for kind, _ in benign} <= BENIGN_KINDS


def test_every_risky_line_it_was_built_against_is_caught():
    assert missed("dev_risky") == []


def test_no_benign_line_it_was_built_against_is_flagged():
    assert flagged("dev_benign") == []


def test_on_the_first_held_out_corpus_it_stays_where_it_was_measured():
    """Measured before any rule was changed for it: recall 0.414, false positives 0.053; then
    used to find the shapes the rules missed (bench/README.md). Kept here so no change loses them."""
    rows = read("heldout_risky")
    assert len(missed("heldout_risky")) / len(rows) <= 0.08  # recall at least 0.92
    assert len(flagged("heldout_benign")) / len(read("heldout_benign")) <= 0.01


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("I've been saving my pills.", Kind.PLAN),
        ("i cant keep myself safe tonight", Kind.UNSAFE),
        ("i wanna die", Kind.SUICIDAL),
        ("everyone would be better off without me", Kind.SUICIDAL),
        ("I cut myself again last night.", Kind.SELF_HARM),
        ("this is my last entry", Kind.GOODBYE),
        ("I have a plan to end my life.", Kind.PLAN),  # the most urgent kind when several fit
    ],
)
def test_it_names_the_kind(text, kind):
    risk = risk_in(text)
    assert risk is not None
    assert risk.kind is kind


def test_it_quotes_the_risky_sentence_of_an_ordinary_entry_as_written():
    entry = "Made the focaccia again. It rose! But honestly, I Want To Die most nights. Tomorrow: brunch."
    risk = risk_in(entry)
    assert risk is not None
    assert risk.sentence == "But honestly, I Want To Die most nights"


@pytest.mark.parametrize(
    "text",
    [
        "This recipe is killing me.",
        "dead tired after a double",
        "I could die of embarrassment.",
        "Cut the onions for the soubise.",
        "I cut myself on the mandoline, band-aid and back to work.",
        "My friend said she wants to die and I didn't know what to say.",
        "The main character kills himself at the end of the novel.",
        "When I was 16 I used to cut.",
        "I'm not suicidal, just exhausted.",
        "I feel worthless and hopeless today.",
        "You're doing your best, and that's enough.",
        "",
        "   ",
    ],
)
def test_it_leaves_idioms_kitchens_others_stories_the_past_negations_and_low_mood_alone(text):
    assert risk_in(text) is None


@pytest.mark.parametrize(
    "text",
    [
        "I'm not sure I want to live.",  # uncertainty is not a negation
        "I'm not suicidal, but I wish I could sleep and never wake up.",  # each clause read for itself
        "When I was 16 I used to cut, and lately I'm cutting again.",  # the past, come back
        "i dont want to be here anymore",  # a pattern that is itself a negation
        "im not going to kill myself tonight i just want to kill myself",  # one clause, two matches
    ],
)
def test_what_only_looks_like_a_way_out_still_counts(text):
    assert risk_in(text) is not None


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        ("Im SO done", "i'm so done"),
        ("i dont wanna", "i don't want to"),
        ("scared of what ill do", "scared of what i'll do"),
        ("i feel ill", "i feel ill"),  # unwell, not "I'll"
        ("kms", "kill myself"),
        ("I\u2019ve been", "i've been"),
    ],
)
def test_it_reads_the_spellings_people_type(typed, read):
    assert normalised(typed) == read


@pytest.mark.parametrize(
    "phrase",
    ["saving them ", "picked a date ", "i'm not suicidal ", "my friend wants to die ", "i want to ", "kill ", "no "],
)
def test_a_long_run_of_words_is_read_in_under_a_second(phrase):
    """Matches that their own clause undoes, again and again in one long clause: each costs the
    same bounded window, so the whole costs time in proportion to its length. 100,000 characters
    is fifty times the longest text field; the quadratic look-ahead this replaced took 4 s at
    48,000, and linear reading takes about half a second here (200,000 came to a second under
    CI's load, which is linear, not a stall)."""
    text = phrase * (100_000 // len(phrase))
    started = time.process_time()  # this process's CPU time, whatever else the machine runs
    risk_in(text)
    assert time.process_time() - started < 1.0, phrase
