"""Train the drafter's learned half (care/draft_classifier.py) and write care/draft_weights.json.

    .venv/bin/python tools/train_drafts.py                    # train on the corpus, write the weights
    .venv/bin/python tools/train_drafts.py --check            # retrain and compare with the committed file
    .venv/bin/python tools/train_drafts.py --cross-validate   # each writer's batch scored by a model without it

Plain Python, nothing to install: the logistic regression of tools/train_risk.py (AdaGrad, a fixed
seed and order, so the same corpus gives the same file byte for byte).

The corpus (tests/care/drafts/, docs/drafts-corpus.md) says where each agreed practice was
proposed (its first line), not which sentence proposed it; the model reads sentences. So: every
sentence of a therapist turn that proposed nothing agreed is a negative; in a turn holding a
proposal's first line, the sentences on that line are candidates, and (multiple-instance
learning) the one the model trained so far finds the most proposing is the positive, the others
left out, and the model is trained again (``ROUNDS``).

The threshold is chosen end to end: the corpus is cut into its writers' batches (``FOLDS``, by
the sessions' numbers), each batch drafted by the whole drafter with a model trained on the
others, and the threshold kept is the one with the best F0.5 of paired drafts over all batches
(``tools/drafts_eval.py``'s pairing). Sessions kept outside the project are never trained on.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")
os.environ.setdefault("DEBUG", "1")

import django  # noqa: E402  (settings first)

django.setup()

from care import detection, draft_classifier  # noqa: E402
from care.transcripts import Speaker, transcript_parse  # noqa: E402
from tools import drafts_eval, train_risk  # noqa: E402

CORPUS = Path(os.environ.get("DRAFTS_CORPUS", ROOT / "tests" / "care" / "drafts"))
ROUNDS = 2
#: A feature seen in fewer training sentences is left out: it would only learn its one sentence.
MIN_SENTENCES = 2
#: The writers' batches, by the sessions' numbers: each was written apart from the others.
FOLDS = ((1, 22), (23, 44), (45, 64), (65, 84))
THRESHOLDS = tuple(round(0.3 + 0.05 * step, 2) for step in range(14))


@dataclass
class Example:
    features: tuple[str, ...]
    label: int
    #: The turn a positive candidate belongs to (one positive per turn), else None.
    group: tuple[str, int] | None = None


def examples(pairs: list[tuple[Path, Path]]) -> list[Example]:
    found: list[Example] = []
    for source, expected_path in pairs:
        expected = json.loads(expected_path.read_text(encoding="utf-8"))
        transcript = transcript_parse(source.read_bytes(), speaker_roles=expected["speaker_roles"])
        starts = {draft["lines"][0] for draft in expected["drafts"]}
        for turn in transcript.turns:
            if turn.speaker is not Speaker.THERAPIST:
                continue
            lines = set(turn.lines) | {turn.line}
            proposing = starts & lines
            for offset, sentence in detection._sentence_spans(turn.text):
                if len(sentence) > detection.MAX_SENTENCE:
                    continue
                signals = detection._signals(sentence)
                line = turn.line_at(offset)
                if proposing:
                    if line in proposing or (len(lines) == 1):
                        found.append(Example(draft_classifier.features(sentence, signals), 1, (source.name, turn.line)))
                    continue  # the turn's other sentences: neither side
                found.append(Example(draft_classifier.features(sentence, signals), 0))
    return found


def fit(found: list[Example]) -> draft_classifier.Model:
    seen = Counter(feature for example in found for feature in example.features)
    vocabulary = {feature for feature, count in seen.items() if count >= MIN_SENTENCES}
    chosen = [(example.features, example.label) for example in found]
    bias, weights = train_risk.train_risk(chosen, vocabulary)
    for _ in range(ROUNDS - 1):
        learned = draft_classifier.Model(bias, weights, 0.5)
        best: dict[tuple[str, int], Example] = {}
        for example in found:
            if example.group is None:
                continue
            held = best.get(example.group)
            if held is None or learned.score(example.features) > learned.score(held.features):
                best[example.group] = example
        kept = [example for example in found if example.group is None or best.get(example.group) is example]
        bias, weights = train_risk.train_risk([(example.features, example.label) for example in kept], vocabulary)
    return draft_classifier.Model(bias, weights, 0.5)


def _number(path: Path) -> int:
    head = path.name.split("_", 1)[0]
    return int(head) if head.isdigit() else 0


def scored(pairs: list[tuple[Path, Path]], learned: draft_classifier.Model) -> dict[float, drafts_eval.Tally]:
    """Each threshold's tally of the whole drafter on ``pairs`` with ``learned``."""
    tallies = {}
    for threshold in THRESHOLDS:
        _use(draft_classifier.Model(learned.bias, learned.weights, threshold))
        total = drafts_eval.Tally()
        for source, expected in pairs:
            total.add(drafts_eval.score_session(source, expected)[1])
        tallies[threshold] = total
    return tallies


def _use(learned: draft_classifier.Model) -> None:
    """Have the drafter score with ``learned`` (``draft_classifier.proposes`` looks the model up by name)."""
    draft_classifier.model = lambda: learned  # type: ignore[assignment]


#: Precision weighs twice recall in choosing the threshold (F-beta with beta 1/2): a wrong draft
#: puts words in a patient's mouth, a missed one costs the therapist a click to add by hand.
BETA = 0.5


def _f1(tally: drafts_eval.Tally) -> float:
    scores = tally.scores()
    precision, recall = scores["precision"] or 0.0, scores["recall"] or 0.0
    weighted = BETA * BETA * precision + recall
    return (1 + BETA * BETA) * precision * recall / weighted if weighted else 0.0


def cross_validate(pairs: list[tuple[Path, Path]], *, show: bool) -> float:
    totals = {threshold: drafts_eval.Tally() for threshold in THRESHOLDS}
    for low, high in FOLDS:
        held_out = [pair for pair in pairs if low <= _number(pair[0]) <= high]
        rest = [pair for pair in pairs if not low <= _number(pair[0]) <= high]
        if not held_out or not rest:
            continue
        learned = fit(examples(rest))
        for threshold, tally in scored(held_out, learned).items():
            totals[threshold].add(tally)
            if show and threshold in (0.5, 0.7, 0.9):
                s = tally.scores()
                print(
                    f"sessions {low:02}-{high:02} at {threshold}: "
                    f"precision {s['precision'] or 0:.2f} recall {s['recall'] or 0:.2f}"
                )
    best = max(THRESHOLDS, key=lambda threshold: (_f1(totals[threshold]), threshold))
    if show:
        for threshold in THRESHOLDS:
            s = totals[threshold].scores()
            mark = "  <- kept" if threshold == best else ""
            print(
                f"all batches at {threshold:.2f}: precision {s['precision'] or 0:.3f} "
                f"recall {s['recall'] or 0:.3f} F0.5 {_f1(totals[threshold]):.3f}{mark}"
            )
    return best


def as_json(learned: draft_classifier.Model, threshold: float, sessions: int) -> str:
    return (
        json.dumps(
            {
                "format": draft_classifier.FORMAT,
                "trained_on": sessions,
                "threshold": threshold,
                "bias": round(learned.bias, 4),
                "weights": {feature: round(weight, 4) for feature, weight in sorted(learned.weights.items())},
            },
            indent=0,
            sort_keys=True,
        )
        + "\n"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true")
    parser.add_argument("--cross-validate", action="store_true")
    args = parser.parse_args()
    pairs = drafts_eval.sessions(CORPUS)
    if args.check:
        # The weights retrained at the committed threshold (choosing it again takes the cross-validation's minutes).
        threshold = json.loads(draft_classifier.WEIGHTS.read_text(encoding="utf-8"))["threshold"]
    else:
        threshold = cross_validate(pairs, show=args.cross_validate)
    learned = fit(examples(pairs))
    text = as_json(learned, threshold, len(pairs))
    if args.check:
        same = draft_classifier.WEIGHTS.read_text(encoding="utf-8") == text
        print("care/draft_weights.json is what the corpus trains" if same else "care/draft_weights.json differs")
        raise SystemExit(0 if same else 1)
    if not args.cross_validate:
        draft_classifier.WEIGHTS.write_text(text, encoding="utf-8")
        print(
            f"wrote {draft_classifier.WEIGHTS.relative_to(ROOT)}: {len(learned.weights)} weights, threshold {threshold}"
        )


if __name__ == "__main__":
    main()
