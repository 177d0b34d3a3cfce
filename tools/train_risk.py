"""Train the risk detector's classifier (safety/classifier.py) and write safety/risk_weights.json.

    .venv/bin/python tools/train_risk.py                 # train on every corpus, write the weights
    .venv/bin/python tools/train_risk.py --check         # retrain and compare with the committed file
    .venv/bin/python tools/train_risk.py --cross-validate  # each corpus measured by a model trained without it

Plain Python, nothing to install: logistic regression by AdaGrad on sparse features, a fixed seed
and a fixed order, so the same corpus gives the same file byte for byte.

The corpus (tests/safety/corpus/, ``<kind><TAB><text>``) labels lines, and a line may be a whole
entry in which one sentence is risky; the classifier reads sentences. So: every sentence of a
benign line is benign; a risky line of one sentence is that sentence; a risky line of several
gives the one sentence the rules flag, or else (multiple-instance learning) the one the model
trained so far finds the most risky, and the model is trained again (``ROUNDS``).

The two thresholds of safety/risk.py are chosen on out-of-fold probabilities (each line scored by
a model trained on the other folds, ``FOLDS``), as the recall is highest at a false-positive rate
of at most ``TARGET_FP`` on benign lines.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from safety.classifier import FORMAT, WEIGHTS, Model, features
from safety.kinds import Kind
from safety.rules import entry_resolved, normalised, rule_kind, says_it_is_back, sentences

CORPUS = Path(__file__).resolve().parent.parent / "tests" / "safety" / "corpus"
#: Corpora that only ever measure: written blind, measured once, never trained on (a model that
#: had seen them would make their numbers meaningless).
MEASURE_ONLY = frozenset({"heldout3"})
SEED = 20261202
EPOCHS = 12
ROUNDS = 2
FOLDS = 5
RATE = 0.4
L2 = 3e-3
MIN_SENTENCES = 1  # a feature seen in fewer training sentences is left out
TARGET_FP = 0.015
KINDS = {
    "suicidal_explicit": Kind.SUICIDAL,
    "suicidal_passive": Kind.SUICIDAL,
    "self_harm": Kind.SELF_HARM,
    "plan": Kind.PLAN,
    "goodbye": Kind.GOODBYE,
    "unsafe": Kind.UNSAFE,
}
KIND_ORDER = (Kind.SUICIDAL, Kind.SELF_HARM, Kind.PLAN, Kind.GOODBYE, Kind.UNSAFE)


@dataclass(frozen=True)
class Sentence:
    features: tuple[str, ...]  # sorted: a fixed order of summing, the same floats each run
    rule: Kind | None
    back: bool  # it says it is back: the classifier cannot take back the rules' match (safety/risk.py)


@dataclass(frozen=True)
class Line:
    corpus: str  # the file's group: dev, heldout, heldout2, train, ...
    label: str  # the corpus's kind: suicidal_passive, idiom, ...
    risky: bool
    sentences: tuple[Sentence, ...]


def corpora() -> dict[str, list[Path]]:
    """The corpus's training files by group (``heldout2_risky.txt`` is ``heldout2``), sorted:
    every group but those in ``MEASURE_ONLY``."""
    groups: dict[str, list[Path]] = {}
    for path in sorted(CORPUS.glob("*.txt")):
        group = path.stem.rsplit("_", 1)[0]
        if group not in MEASURE_ONLY:
            groups.setdefault(group, []).append(path)
    return groups


def read_lines(group: str, paths: Iterable[Path]) -> list[Line]:
    lines = []
    for path in paths:
        risky = path.stem.endswith("_risky")
        for row in path.read_text(encoding="utf-8").splitlines():
            if not row.strip() or row.startswith("#"):
                continue
            label, _, text = row.partition("\t")
            resolved = entry_resolved(text)
            parts = tuple(
                Sentence(
                    tuple(sorted(features(normalised(s)))),
                    rule_kind(s, resolved=resolved),
                    says_it_is_back(normalised(s)),
                )
                for s in sentences(text)
            )
            parts = tuple(part for part in parts if part.features)
            if parts:
                lines.append(Line(group, label, risky, parts))
    return lines


def load(groups: Sequence[str] | None = None) -> list[Line]:
    found = corpora()
    return [line for group in (groups or sorted(found)) for line in read_lines(group, found[group])]


# --- Learning --------------------------------------------------------------------------------------


def _sigmoid(logit: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, logit))))


def train_risk(examples: list[tuple[tuple[str, ...], int]], vocabulary: set[str]) -> tuple[float, dict[str, float]]:
    """Logistic regression by AdaGrad; positives weighted to balance the classes."""
    weights: dict[str, float] = {}
    squares: dict[str, float] = {}
    bias, bias_square = 0.0, 1e-8
    positives = sum(label for _, label in examples) or 1
    balance = (len(examples) - positives) / positives
    order = list(range(len(examples)))
    shuffle = random.Random(SEED)
    for _ in range(EPOCHS):
        shuffle.shuffle(order)
        for index in order:
            found, label = examples[index]
            kept = [feature for feature in found if feature in vocabulary]
            scale = 1.0 / math.sqrt(len(kept) or 1)
            logit = bias + scale * sum(weights.get(feature, 0.0) for feature in kept)
            error = (_sigmoid(logit) - label) * (balance if label else 1.0)
            bias_square += error * error
            bias -= RATE * error / math.sqrt(bias_square)
            for feature in kept:
                weight = weights.get(feature, 0.0)
                gradient = error * scale + L2 * weight
                squares[feature] = squares.get(feature, 1e-8) + gradient * gradient
                weights[feature] = weight - RATE * gradient / math.sqrt(squares[feature])
    return bias, weights


def train_kind(
    examples: list[tuple[tuple[str, ...], Kind]], vocabulary: set[str]
) -> tuple[list[float], dict[str, list[float]]]:
    """Multinomial logistic regression over the kinds, by AdaGrad."""
    size = len(KIND_ORDER)
    weights: dict[str, list[float]] = {}
    squares: dict[str, list[float]] = {}
    bias, bias_square = [0.0] * size, [1e-8] * size
    order = list(range(len(examples)))
    shuffle = random.Random(SEED)
    for _ in range(EPOCHS):
        shuffle.shuffle(order)
        for index in order:
            found, kind = examples[index]
            kept = [feature for feature in found if feature[0] != "c"]  # words and pairs: see Model.kind
            kept = [feature for feature in kept if feature in vocabulary]
            scale = 1.0 / math.sqrt(len(kept) or 1)
            totals = list(bias)
            for feature in kept:
                row = weights.get(feature)
                if row is not None:
                    for k in range(size):
                        totals[k] += scale * row[k]
            top = max(totals)
            exps = [math.exp(total - top) for total in totals]
            norm = sum(exps)
            errors = [exps[k] / norm - (1.0 if KIND_ORDER[k] is kind else 0.0) for k in range(size)]
            for k in range(size):
                bias_square[k] += errors[k] ** 2
                bias[k] -= RATE * errors[k] / math.sqrt(bias_square[k])
            for feature in kept:
                row = weights.setdefault(feature, [0.0] * size)
                square = squares.setdefault(feature, [1e-8] * size)
                for k in range(size):
                    gradient = errors[k] * scale + L2 * row[k]
                    square[k] += gradient * gradient
                    row[k] -= RATE * gradient / math.sqrt(square[k])
    return bias, weights


def _model(
    risk: tuple[float, dict[str, float]],
    kind: tuple[list[float], dict[str, list[float]]],
    thresholds: tuple[float, float],
) -> Model:
    return Model(
        risk_bias=risk[0],
        risk_weights=risk[1],
        kinds=KIND_ORDER,
        kind_bias=tuple(kind[0]),
        kind_weights={key: tuple(value) for key, value in kind[1].items()},
        with_rules=thresholds[0],
        alone=thresholds[1],
    )


def fit(lines: Sequence[Line], thresholds: tuple[float, float] = (0.0, 0.5)) -> Model:
    """Both models, trained on these lines (multiple-instance rounds for the risky entries)."""
    seen: Counter[str] = Counter()
    for line in lines:
        for part in line.sentences:
            seen.update(part.features)
    vocabulary = {feature for feature, count in seen.items() if count >= MIN_SENTENCES}
    benign = [(part.features, 0) for line in lines if not line.risky for part in line.sentences]
    risky = [line for line in lines if line.risky]

    def chosen(line: Line, current: Model | None) -> Sentence:
        if len(line.sentences) == 1:
            return line.sentences[0]
        flagged = [part for part in line.sentences if part.rule is not None]
        if flagged:
            return flagged[0]
        if current is None:
            return max(line.sentences, key=lambda part: len(part.features))
        return max(line.sentences, key=lambda part: current.risk(set(part.features)))

    current: Model | None = None
    for _ in range(ROUNDS):
        picks = [(line, chosen(line, current)) for line in risky]
        risk = train_risk([*benign, *((pick.features, 1) for _, pick in picks)], vocabulary)
        current = _model(risk, ([0.0] * len(KIND_ORDER), {}), thresholds)
    assert current is not None
    picks = [(line, chosen(line, current)) for line in risky]
    # The kind model: words and pairs of words seen in at least two risky sentences (a small file).
    said: Counter[str] = Counter()
    for _, pick in picks:
        said.update(pick.features)
    kind = train_kind(
        [(pick.features, KINDS[line.label]) for line, pick in picks],
        {feature for feature, count in said.items() if count >= 2},
    )
    return _model((current.risk_bias, current.risk_weights), kind, thresholds)


# --- Deciding, measuring --------------------------------------------------------------------------


def decide(learned: Model, line: Line, with_rules: float, alone: float) -> Kind | None:
    """What safety/risk.py answers for this line (its kind, or ``None``), given the thresholds."""
    for part in line.sentences:
        probability = learned.risk(set(part.features))
        if part.rule is not None and (probability >= with_rules or part.back):
            return part.rule
        if part.rule is None and probability >= alone:
            return learned.kind(set(part.features))
    return None


def out_of_fold(lines: Sequence[Line]) -> list[list[tuple[float, bool]]]:
    """Each line's sentences' (probability, the rules flag it), from a model not trained on the line."""
    order = list(range(len(lines)))
    random.Random(SEED).shuffle(order)
    scores: list[list[tuple[float, bool]]] = [[] for _ in lines]
    for fold in range(FOLDS):
        held = set(order[fold::FOLDS])
        learned = fit([line for n, line in enumerate(lines) if n not in held])
        for n in held:
            scores[n] = [
                (1.0 if part.rule and part.back else learned.risk(set(part.features)), part.rule is not None)
                for part in lines[n].sentences
            ]
    return scores


GRID = [round(0.02 * step, 2) for step in range(51)]


def thresholds(lines: Sequence[Line], scores: list[list[tuple[float, bool]]]) -> tuple[float, float]:
    """The pair of thresholds with the highest recall at a false-positive rate of at most TARGET_FP."""
    risky = [n for n, line in enumerate(lines) if line.risky]
    benign = [n for n, line in enumerate(lines) if not line.risky]

    def flagged(n: int, with_rules: float, alone: float) -> bool:
        return any(p >= (with_rules if rule else alone) for p, rule in scores[n])

    best: tuple[float, float, float, float] | None = None  # (recall, -fp, with_rules, alone)
    for alone in GRID[1:]:
        for with_rules in (t for t in GRID if t <= alone):
            fp = sum(flagged(n, with_rules, alone) for n in benign) / len(benign)
            if fp > TARGET_FP:
                continue
            recall = sum(flagged(n, with_rules, alone) for n in risky) / len(risky)
            candidate = (recall, -fp, with_rules, alone)
            if best is None or candidate[:2] > best[:2]:
                best = candidate
    assert best is not None
    return best[2], best[3]


#: The corpora the rules were written or widened against: on them the rules are in-sample (never a
#: false positive, never a miss), so they would teach the thresholds to trust the rules too much.
RULES_SAW = {"dev", "heldout"}


def train(lines: Sequence[Line]) -> Model:
    """The model for these lines, with thresholds chosen on their out-of-fold probabilities.

    Every line trains the classifier; the thresholds are chosen on the lines of the corpora the
    rules never saw (all of them, if there are none)."""
    scores = out_of_fold(lines)
    unseen = [n for n, line in enumerate(lines) if line.corpus not in RULES_SAW] or list(range(len(lines)))
    chosen = thresholds([lines[n] for n in unseen], [scores[n] for n in unseen])
    return fit(lines, chosen)


def report(name: str, learned: Model, lines: Sequence[Line]) -> None:
    def rate(rows: list[Line], answer: str) -> str:
        caught = Counter(line.label for line in rows if decide_any(line, answer))
        total = Counter(line.label for line in rows)
        overall = sum(caught.values()) / (len(rows) or 1)
        by = ", ".join(f"{label} {caught[label] / total[label]:.2f}" for label in sorted(total))
        return f"{overall:.3f} ({sum(caught.values())}/{len(rows)}) [{by}]"

    def decide_any(line: Line, answer: str) -> bool:
        if answer == "rules":
            return any(part.rule is not None for part in line.sentences)
        if answer == "classifier":
            return decide(learned, line, learned.alone, learned.alone) is not None
        return decide(learned, line, learned.with_rules, learned.alone) is not None

    risky = [line for line in lines if line.risky]
    benign = [line for line in lines if not line.risky]
    for answer in ("rules", "classifier", "both"):
        print(f"{name} {answer:>10}: recall {rate(risky, answer)}")
        print(f"{name} {answer:>10}: false positives {rate(benign, answer)}")
    sweep = []
    for alone in (0.5, 0.6, 0.7, 0.8, 0.9, 0.95):
        with_rules = min(learned.with_rules, alone)
        caught = sum(decide(learned, line, with_rules, alone) is not None for line in risky)
        wrong = sum(decide(learned, line, with_rules, alone) is not None for line in benign)
        sweep.append(f"{alone:.2f}: {caught / len(risky):.3f} / {wrong / len(benign):.3f}")
    print(f"{name}: recall / false positives as the threshold alone varies: {'; '.join(sweep)}")
    kinds = [decide(learned, line, learned.with_rules, learned.alone) for line in risky]
    right = sum(kind is KINDS[line.label] for kind, line in zip(kinds, risky, strict=True) if kind is not None)
    print(f"{name}: kind right on {right}/{sum(kind is not None for kind in kinds)} caught lines")


def cross_validate() -> None:
    groups = sorted(corpora())
    everything = {group: load([group]) for group in groups}
    for held in groups:
        rest = [line for group in groups if group != held for line in everything[group]]
        learned = train(rest)
        print(f"--- {held}, by a model trained on {', '.join(g for g in groups if g != held)}")
        print(f"    thresholds: with rules {learned.with_rules}, alone {learned.alone}")
        report(held, learned, everything[held])


# --- The file --------------------------------------------------------------------------------------


def _round(value: float) -> float:
    """Two decimals: a weight is of the order of one, and a sentence sums a hundred of them."""
    return round(value, 2)


def as_json(learned: Model, lines: Sequence[Line]) -> str:
    risk = {key: _round(value) for key, value in sorted(learned.risk_weights.items()) if abs(value) >= 0.05}
    kind = {
        key: [_round(v) for v in values]
        for key, values in sorted(learned.kind_weights.items())
        if max(abs(v) for v in values) >= 0.05
    }
    data = {
        "format": FORMAT,
        "trained_on": dict(sorted(Counter(line.corpus for line in lines).items())),
        "thresholds": {"with_rules": learned.with_rules, "alone": learned.alone},
        "risk": {"bias": _round(learned.risk_bias), "weights": risk},
        "kind": {
            "kinds": [kind.value for kind in learned.kinds],
            "bias": [_round(v) for v in learned.kind_bias],
            "weights": kind,
        },
    }
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="retrain; fail if the committed file differs")
    parser.add_argument("--cross-validate", action="store_true", help="measure each corpus by a model without it")
    options = parser.parse_args()
    if options.cross_validate:
        cross_validate()
        return
    lines = load()
    text = as_json(train(lines), lines)
    if options.check:
        if WEIGHTS.read_text(encoding="utf-8") != text:
            sys.exit(f"{WEIGHTS} is not what tools/train_risk.py trains: run it and commit the file")
        print(f"{WEIGHTS.name}: as trained")
        return
    WEIGHTS.write_text(text, encoding="utf-8")
    print(f"{WEIGHTS.name}: {len(text):,} bytes, trained on {len(lines)} lines")


if __name__ == "__main__":
    main()
