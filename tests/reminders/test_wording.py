"""Reminder wording: gentle, varied, the same words for the same delivery, never a reproach."""

from __future__ import annotations

import re
import uuid

import pytest

from reminders.models import Reminder
from reminders.wording import MESSAGES, Wording, message_for

KINDS = list(Reminder.Kind.values)
# Words that count, compare or scold: a reminder never says them, in any form.
UNKIND = re.compile(
    r"\b(fail\w*|miss(ed|ing)?|streaks?|should|must|forg[eo]t\w*|behind|late|lazy|overdue|again)\b", re.IGNORECASE
)
ALL = [(kind, wording) for kind in KINDS for wording in MESSAGES[kind]]


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_has_several_different_messages(kind):
    assert 4 <= len(MESSAGES[kind]) <= 6
    assert len(set(MESSAGES[kind])) == len(MESSAGES[kind])


@pytest.mark.parametrize(("kind", "wording"), ALL)
def test_no_message_counts_scolds_or_mentions_what_was_not_done(kind, wording):
    assert not UNKIND.search(wording.title), wording.title
    assert not UNKIND.search(wording.body), wording.body


@pytest.mark.parametrize(("kind", "wording"), ALL)
def test_every_message_fits_a_lock_screen(kind, wording):
    assert 0 < len(wording.title) <= 32
    assert 0 < len(wording.body) <= 100


@pytest.mark.parametrize("kind", KINDS)
def test_the_same_seed_always_gives_the_same_words(kind):
    seed = str(uuid.uuid4())
    assert message_for(kind, seed) == message_for(kind, seed)
    assert isinstance(message_for(kind, seed), Wording)


@pytest.mark.parametrize("kind", KINDS)
def test_different_deliveries_read_differently(kind):
    chosen = {message_for(kind, f"delivery-{n}") for n in range(60)}
    assert chosen == set(MESSAGES[kind])  # every message of the kind gets its turn


def test_the_words_come_only_from_the_kind_never_from_journal_text():
    # The only inputs are the kind and an opaque seed: there is no way to pass journal text in.
    seed = "I burned the sauce and cried in the walk-in"
    title, body = message_for("reflection_daily", seed)
    assert "sauce" not in title + body
    assert (title, body) in MESSAGES["reflection_daily"]


def test_an_unknown_kind_is_an_error_not_a_generic_message():
    with pytest.raises(KeyError):
        message_for("weekly_sermon", "seed")


def test_the_therapy_phrases_are_there():
    every_body = " ".join(wording.body for wording in MESSAGES[Reminder.Kind.REFLECTION_DAILY])
    assert "No pressure: a few minutes to notice what you tried today?" in every_body
    assert "You're doing your best, and that's enough." in every_body
    assert any("just for fun" in w.body for w in MESSAGES[Reminder.Kind.EXPERIMENT_DAY])
    assert any("trying counts" in w.body for w in MESSAGES[Reminder.Kind.EXPERIMENT_FOLLOW_UP])
