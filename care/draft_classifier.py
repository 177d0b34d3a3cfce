"""The learned half of the session drafter: how much a therapist's sentence reads as proposing
something for the patient to do between sessions.

The rules (``care.detection``, ``care.vocabulary``) know the phrasings people were heard to use:
"could you", "would you be willing to". Clinicians also say "so the plan for this week is you'll
…", "your job between now and then …", "worth a shot?", or give an instruction outright. A
small logistic regression over a sentence's words, pairs of words, first words and a few
flags (a cadence, a day, a clock time, a question, "you") scores those the rules do not know;
the drafter asks it only where no proposing phrase was found, and everything after (the
patient's answer, what is not homework, the title) is decided as for any proposal.

The weights are learned offline by ``tools/train_drafts.py`` from the project's corpus of
sessions (``tests/care/drafts/``, docs/drafts-corpus.md) and kept in ``draft_weights.json`` beside
this file, with the threshold chosen by cross-validation and the corpus they came from. They are
read once; scoring is a dictionary look-up per feature, in plain Python, with nothing to install
and nothing fetched at run time.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from functools import cache
from itertools import pairwise
from pathlib import Path

WEIGHTS = Path(__file__).with_name("draft_weights.json")
#: The file's format: a file of another version is refused, not misread.
FORMAT = 1

_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'"})
_WORD = re.compile(r"[a-z0-9']++")


@dataclass(frozen=True)
class Signals:
    """What the rules already found in the sentence, given to the model as features."""

    cadence: bool = False
    day: bool = False
    clock: bool = False
    imperative: bool = False


def features(sentence: str, signals: Signals) -> tuple[str, ...]:
    """Words, pairs of words, the first two words, and flags; each once."""
    words = _WORD.findall(sentence.translate(_APOSTROPHES).casefold())
    found = {f"w {word}" for word in words}
    found.update(f"b {first} {second}" for first, second in pairwise(words))
    found.update(f"f{index} {word}" for index, word in enumerate(words[:2]))
    if sentence.rstrip().endswith("?"):
        found.add("q")
    for flag in ("cadence", "day", "clock", "imperative"):
        if getattr(signals, flag):
            found.add(f"s {flag}")
    found.add(f"n {min(len(words) // 5, 6)}")
    return tuple(sorted(found))


@dataclass(frozen=True)
class Model:
    bias: float
    weights: dict[str, float]
    #: The probability from which a sentence counts as proposing.
    threshold: float

    def score(self, found: tuple[str, ...]) -> float:
        """The probability, as trained: the known features' weights, summed and divided by the
        square root of how many there are, so a long sentence weighs no more than a short one."""
        kept = [self.weights[feature] for feature in found if feature in self.weights]
        logit = self.bias + sum(kept) / math.sqrt(len(kept) or 1)
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, logit))))


@cache
def model() -> Model:
    data = json.loads(WEIGHTS.read_text(encoding="utf-8"))
    if data.get("format") != FORMAT:
        raise ValueError(f"{WEIGHTS.name} is format {data.get('format')}, not {FORMAT}: run tools/train_drafts.py")
    return Model(bias=data["bias"], weights=data["weights"], threshold=data["threshold"])


def proposes(sentence: str, signals: Signals) -> bool:
    """Whether the model reads the sentence as proposing homework."""
    learned = model()
    return learned.score(features(sentence, signals)) >= learned.threshold
