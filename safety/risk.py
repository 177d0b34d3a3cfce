"""Risk language in what a patient writes: does an entry sound like crisis?

To be run by the journal's services on every save of an entry (the text decrypted in memory
only; not wired in yet: issue 19, and bench/README.md for how far it is from its goals on text
it has not seen). ``risk_in`` answers the first sentence that reads like suicidal thoughts
(explicit or passive), self-harm, a plan, a goodbye, or "I can't keep myself safe", and its
kind; or ``None``. No outside service, nothing fetched at run time.

Two readers, each sentence read by both:

1. **The rules** (safety/rules.py): readable patterns of the ways people say it, each undone by
   its clause's own words (a negation, the past told as past, someone else, a story, an idiom,
   a kitchen's accident). Precise on the phrasings they hold, blind to every other: on sentences
   written by someone who had never seen them they caught 0.45 of the risky ones.
2. **A small linear classifier** (safety/classifier.py): logistic regression over the sentence's
   words, pairs of words and runs of three to five characters, learned offline by
   ``tools/train_risk.py`` from the corpus in ``tests/safety/corpus/`` (its weights are
   ``safety/risk_weights.json``). It has learned which words carry risk and which take it back
   ("not", "used to", "my friend", "the novel", "laughing"), and it generalises to phrasings
   and misspellings no rule holds.

A sentence is flagged when the rules flag it and the classifier does not all but rule it out
(its probability at least ``with_rules``: the rules' matches in a story or the past that their
undo-words missed), or when the rules leave it and the classifier alone is confident (at least
``alone``). The kind is the rules' when they spoke (the most urgent of their matches), else the
classifier's. Both thresholds are chosen by the training script on predictions for lines each
model had not been trained on, for recall at a false-positive rate of about one in a hundred.

Why this shape: the rules alone memorise phrasings (bench/README.md: 0.92 recall on the lines
they were widened from, 0.45 on new ones); a classifier alone misses rare phrasings the rules
hold exactly and cannot be read. Together, and the classifier able to veto, they generalise
better than either (the cross-validated numbers are in bench/README.md).

Low mood alone is not risk: "I'm worthless", "everything is pointless" are not flagged. Every
pattern is linear and every feature bounded, so no text can stall it.
"""

from __future__ import annotations

from dataclasses import dataclass

from safety.classifier import features, model
from safety.kinds import Kind
from safety.rules import entry_resolved, normalised, rule_kind, says_it_is_back, sentences

__all__ = ["Kind", "Risk", "normalised", "risk_in", "sentences"]


@dataclass(frozen=True)
class Risk:
    kind: Kind
    sentence: str  # as the patient wrote it, trimmed


def risk_in(text: str) -> Risk | None:
    """The first sentence of ``text`` that reads like crisis, with its kind; else ``None``."""
    learned = model()
    resolved = entry_resolved(text)
    for sentence in sentences(text):
        line = normalised(sentence)
        found = features(line)
        if not found:
            continue
        probability = learned.risk(found)
        # The classifier may take back a rule's match, but not one that says it is back: "I used to
        # cut, and lately I'm cutting again" reads as the past to words counted one by one.
        if probability < learned.with_rules and not says_it_is_back(line):
            continue  # the common case: neither reader could flag it
        kind = rule_kind(sentence, resolved=resolved)
        if kind is not None:
            return Risk(kind=kind, sentence=sentence)
        if probability >= learned.alone:
            return Risk(kind=learned.kind(found), sentence=sentence)
    return None
