"""Risk language in what a patient writes: does an entry sound like crisis?

Run by the journal's services on every save of an entry (``safety.services.entry_screen``; the
text decrypted in memory only). ``risk_in`` answers the first sentence that reads like suicidal thoughts
(explicit or passive), self-harm, a plan, a goodbye, or "I can't keep myself safe", and its
kind; or ``None``. No outside service, nothing fetched at run time.

Two readers, each sentence read by both:

1. **The rules** (safety/rules.py): readable patterns of the ways people say it, each undone by
   its clause's own words (a negation, the past told as past, someone else, a story, an idiom,
   a kitchen's accident). Precise on the phrasings they hold, blind to every other: on sentences
   written by someone who had never seen them they caught 0.44 of the risky ones.
2. **A small linear classifier** (safety/classifier.py): logistic regression over the sentence's
   words, pairs of words and runs of four characters, learned offline by
   ``tools/train_risk.py`` from the corpus in ``tests/safety/corpus/`` (its weights are
   ``safety/risk_weights.json``). It has learned which words carry risk and which take it back
   ("not", "used to", "my friend", "the novel", "laughing"), and it generalises to phrasings
   and misspellings no rule holds.

A sentence is flagged when the rules flag it and the classifier does not all but rule it out
(its probability at least ``with_rules``: the rules' stray matches in a story, an accident or the
past that their undo-words missed), unless the sentence says it is back ("again", "lately"):
that the classifier may not take back, because "I used to cut, and lately I'm cutting again"
reads as the past to words counted one by one. A sentence the rules leave is flagged when the
classifier alone is confident (at least ``alone``). The kind is the rules' when they spoke (the
most urgent of their matches), else the classifier's. Both thresholds are chosen by the training
script on out-of-fold probabilities of the corpora the rules never saw, for the highest recall at
about 1.5 % false positives. The rules run only on a sentence the classifier has not ruled out,
or that says it is back: most sentences cost one look-up per feature and nothing more.

Why this shape: the rules alone memorise phrasings (0.92 recall on the lines they were widened
from, 0.44 and 5.4 % false positives on another author's); a classifier alone misses phrasings
the rules hold exactly. Together they generalise better than either: cross-validated by author,
0.64 recall at 2.5 % false positives on ``heldout2`` and 0.56 at 1.1 % on ``train``; on a blind
set (``heldout3``) 0.735 at 0.8 % (bench/README.md). Short of the goal (0.95 at 2 %): the corpus
is ~2,300 lines.

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
