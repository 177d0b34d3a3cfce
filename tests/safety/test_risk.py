"""Risk language: the detector catches what sounds like crisis, in the words people type, and
leaves idioms, kitchens, other people, stories, the past and clear negations alone.

Every corpus here but ``heldout3`` is training data (tests/safety/corpus/__init__.py): their rates
below are in-sample, kept so that no change loses them. ``heldout3`` was written blind and measured
once, with the classifier as trained, before anyone read it: it is never trained on, and its floor
is the honest one (bench/README.md)."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from safety.classifier import FORMAT, WEIGHTS, features, model
from safety.risk import Kind, normalised, risk_in
from safety.rules import rule_kind
from tests.safety.corpus import HERE, read

RISKY_KINDS = {"suicidal_explicit", "suicidal_passive", "self_harm", "plan", "goodbye", "unsafe"}
BENIGN_KINDS = {"idiom", "kitchen", "accident", "other_person", "fiction", "past", "negation", "low_mood", "ordinary"}


def missed(name: str) -> list[str]:
    return [text for _, text in read(name) if risk_in(text) is None]


def flagged(name: str) -> list[str]:
    return [text for _, text in read(name) if risk_in(text) is not None]


def test_the_corpora_are_what_the_issue_asks_for():
    risky = [row for name in ("dev_risky", "heldout_risky", "heldout2_risky", "train_risky") for row in read(name)]
    benign = [row for name in ("dev_benign", "heldout_benign", "heldout2_benign", "train_benign") for row in read(name)]
    assert len(risky) >= 800
    assert len(benign) >= 1000
    assert {kind for kind, _ in risky} == RISKY_KINDS
    assert {kind for kind, _ in benign} <= BENIGN_KINDS


def test_every_risky_line_it_was_built_against_is_caught():
    assert missed("dev_risky") == []


def test_no_benign_line_it_was_built_against_is_flagged():
    assert flagged("dev_benign") == []


@pytest.mark.parametrize(
    ("corpus", "recall", "false_positives"),
    [("heldout", 0.97, 0.005), ("heldout2", 0.95, 0.01), ("train", 0.87, 0.005)],
)
def test_on_the_corpora_it_was_trained_on_it_stays_where_it_was_measured(corpus, recall, false_positives):
    """In-sample (measured 2026-12-02: heldout 1.000 / 0.000, heldout2 0.971 / 0.004, train 0.890 /
    0.002): a floor under what training reached, not an estimate of unseen text. (dev: every line,
    above.) The thresholds are chosen on out-of-fold scores, so in-sample recall is below 1."""
    risky, benign = read(f"{corpus}_risky"), read(f"{corpus}_benign")
    assert 1 - len(missed(f"{corpus}_risky")) / len(risky) >= recall
    assert len(flagged(f"{corpus}_benign")) / len(benign) <= false_positives


def test_on_the_blind_corpus_it_stays_where_it_was_first_measured():
    """``heldout3``, written by someone who had seen no rule and no corpus, measured 2026-12-02 at
    the commit that trained the weights: recall 0.735 (150/204), false positives 0.008 (3/368).
    Short of the issue's goal (0.95 / 0.02): see bench/README.md. A floor, so nothing loses it."""
    risky, benign = read("heldout3_risky"), read("heldout3_benign")
    assert len(risky) >= 150
    assert len(benign) >= 300
    assert 1 - len(missed("heldout3_risky")) / len(risky) >= 0.73
    assert len(flagged("heldout3_benign")) / len(benign) <= 0.01


def test_the_training_script_never_reads_the_blind_corpus():
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tools"))
    try:
        import train_risk
    finally:
        sys.path.pop(0)
    assert "heldout3" in train_risk.MEASURE_ONLY
    assert "heldout3" not in train_risk.corpora()
    assert {"dev", "heldout", "heldout2", "train"} <= set(train_risk.corpora())


def test_the_weights_are_the_committed_format_and_were_trained_on_the_corpus_as_it_is():
    """A corpus line added or removed without retraining fails here (run tools/train_risk.py)."""
    data = json.loads(WEIGHTS.read_text(encoding="utf-8"))
    assert data["format"] == FORMAT
    groups = {path.stem.rsplit("_", 1)[0] for path in HERE.glob("*.txt")} - {"heldout3"}  # measured, never trained
    lines = {
        group: sum(len(read(path.stem)) for path in sorted(HERE.glob(f"{group}_*.txt")) if path.stem.count("_") == 1)
        for group in groups
    }
    assert data["trained_on"] == lines
    assert 0 < data["thresholds"]["with_rules"] <= data["thresholds"]["alone"] < 1
    assert WEIGHTS.stat().st_size < 600_000  # a small file, read once


def test_the_weights_file_is_what_the_training_script_trains():
    """Retrains (plain Python, a fixed seed; about half a minute) and compares byte for byte."""
    script = Path(__file__).resolve().parents[2] / "tools" / "train_risk.py"
    result = subprocess.run([sys.executable, str(script), "--check"], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("i think everyone would cope fine if i just stopped being around for good", Kind.SUICIDAL),
        ("i want to stop waking up", Kind.SUICIDAL),
        ("sorry for everything, please look after my cat for me", Kind.GOODBYE),
        ("i really dont think i can stop myself tonight", Kind.UNSAFE),
    ],
)
def test_the_classifier_catches_what_no_rule_holds(text, kind):
    """Sentences in no corpus, which no rule matches: the classifier flags them, and names their kind."""
    assert rule_kind(text) is None
    risk = risk_in(text)
    assert risk is not None
    assert risk.kind is kind


def test_the_classifier_takes_back_a_rule_s_match_it_finds_all_but_impossible():
    text = "i cut myself on a broken bottle at the bar"  # a rule's "cut myself", no accident word it knows
    assert rule_kind(text) is Kind.SELF_HARM
    assert model().risk(features(normalised(text))) < model().with_rules
    assert risk_in(text) is None


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
