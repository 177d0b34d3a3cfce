"""The learned half of the risk detector: a small linear classifier over a sentence's n-grams.

Two logistic models share one set of features (``features``) of a sentence already
``normalised`` (safety/rules.py): its words, its pairs of words, and its runs of four characters,
spaces included, so a misspelling ("kil myslef") or a new ending ("unaliving") still
shares most of its pieces with the sentences it was trained on. Each feature counts once, and the
sum of their weights is divided by the square root of how many there are, so a long sentence
weighs no more than a short one.

- **risk**: how likely the sentence is to be risk language (a probability, 0 to 1);
- **kind**: which kind it is, when the rules did not say (a weight per kind, the largest wins),
  over the words and pairs of words alone, those seen in at least two risky training sentences.

The weights are learned offline by ``tools/train_risk.py`` from the corpus in
``tests/safety/corpus/`` and kept in ``risk_weights.json`` beside this file, with the two
thresholds the detector applies (safety/risk.py) and the corpus they came from. They are read
once, the first time a sentence is scored. Scoring is one dictionary look-up per feature: a few
hundred for a sentence, well under a millisecond for an entry, in plain Python with nothing to
install and nothing fetched at run time.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import cache
from itertools import pairwise
from pathlib import Path

from safety.kinds import Kind

WEIGHTS = Path(__file__).with_name("risk_weights.json")
#: The file's format: a file of another version is refused, not misread.
FORMAT = 1
#: Runs of characters of these lengths, spaces included (three to five measured no better than
#: four alone, at three times the features).
CHARACTER_RUNS = (4,)


def features(line: str) -> set[str]:
    """The features of one normalised sentence (or clause): words, pairs of words, runs of characters."""
    words = line.split()
    found = {f"w {word}" for word in words}
    found.update(f"b {first} {second}" for first, second in pairwise(words))
    padded = f" {line} "
    for n in CHARACTER_RUNS:
        found.update(f"c {padded[start : start + n]}" for start in range(len(padded) - n + 1))
    return found


@dataclass(frozen=True)
class Model:
    """The learned weights, and the thresholds the detector applies to the risk model's probability."""

    risk_bias: float
    risk_weights: dict[str, float]
    kinds: tuple[Kind, ...]
    kind_bias: tuple[float, ...]
    kind_weights: dict[str, tuple[float, ...]]
    #: A sentence the rules flag stands if the probability is at least this (the rules' veto threshold).
    with_rules: float
    #: A sentence the rules leave is flagged if the probability is at least this.
    alone: float

    def risk(self, found: set[str]) -> float:
        """The probability that a sentence with these features is risk language."""
        if not found:
            return 0.0
        weights = self.risk_weights
        total = sum(weights.get(feature, 0.0) for feature in found)
        logit = self.risk_bias + total / math.sqrt(len(found))
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, logit))))

    def kind(self, found: set[str]) -> Kind:
        """The most likely kind of a risky sentence with these features."""
        totals = list(self.kind_bias)
        words = [feature for feature in found if feature[0] != "c"]  # the kind model reads words alone
        scale = 1.0 / math.sqrt(len(words) or 1)
        for feature in words:
            weights = self.kind_weights.get(feature)
            if weights is not None:
                for index, weight in enumerate(weights):
                    totals[index] += weight * scale
        return self.kinds[max(range(len(totals)), key=totals.__getitem__)]

    @classmethod
    def from_json(cls, data: dict[str, object]) -> Model:
        if data.get("format") != FORMAT:
            raise ValueError(f"risk weights of format {data.get('format')!r}, not {FORMAT}")
        risk, kind, thresholds = data["risk"], data["kind"], data["thresholds"]
        assert isinstance(risk, dict)
        assert isinstance(kind, dict)
        assert isinstance(thresholds, dict)
        return cls(
            risk_bias=float(risk["bias"]),
            risk_weights={str(key): float(value) for key, value in risk["weights"].items()},
            kinds=tuple(Kind(name) for name in kind["kinds"]),
            kind_bias=tuple(float(value) for value in kind["bias"]),
            kind_weights={str(key): tuple(float(v) for v in values) for key, values in kind["weights"].items()},
            with_rules=float(thresholds["with_rules"]),
            alone=float(thresholds["alone"]),
        )


@cache
def model() -> Model:
    """The committed model, read once."""
    data = json.loads(WEIGHTS.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return Model.from_json(data)
