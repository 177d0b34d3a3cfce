"""The risk detector: recall and false positives on each corpus, by kind, and time per entry.

    .venv/bin/python bench/risk.py

Reads every corpus it finds in tests/safety/corpus/: ``dev``, ``heldout``, ``heldout2``,
``heldout3`` and any ``train*``, and says which. All but ``heldout3`` are the classifier's training
data (rates on them are in-sample); the estimate for unseen text is
``tools/train_risk.py --cross-validate``.

No Django needed: ``safety.risk`` is plain Python. Time is CPU time in this process
(``time.process_time``), the median of many runs, so a busy machine changes it little.
"""

from __future__ import annotations

import statistics
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from safety.risk import risk_in
from tests.safety.corpus import HERE, read

KNOWN = ["dev", "heldout", "heldout2", "heldout3"]


def corpora() -> list[str]:
    """The corpora present: the known ones in order, then every ``train*`` one."""
    found = {path.stem.rsplit("_", 1)[0] for path in HERE.glob("*_risky.txt")}
    return [name for name in KNOWN if name in found] + sorted(name for name in found if name.startswith("train"))


def rates(name: str) -> None:
    try:
        risky, benign = read(f"{name}_risky"), read(f"{name}_benign")
    except FileNotFoundError:
        print(f"{name}: not written yet")
        return
    caught = Counter(kind for kind, text in risky if risk_in(text) is not None)
    flagged = Counter(kind for kind, text in benign if risk_in(text) is not None)
    total_risky, total_benign = Counter(kind for kind, _ in risky), Counter(kind for kind, _ in benign)
    print(
        f"{name}: recall {sum(caught.values()) / len(risky):.3f} ({sum(caught.values())}/{len(risky)}), "
        f"false positives {sum(flagged.values()) / len(benign):.3f} ({sum(flagged.values())}/{len(benign)})"
    )
    for kind in sorted(total_risky):
        print(f"    {kind:<18} recall {caught[kind] / total_risky[kind]:.2f} ({caught[kind]}/{total_risky[kind]})")
    for kind in sorted(total_benign):
        print(f"    {kind:<18} flagged {flagged[kind] / total_benign[kind]:.2f} ({flagged[kind]}/{total_benign[kind]})")


def timing() -> None:
    texts = [text for name in ("dev_risky", "dev_benign") for _, text in read(name)]
    benign = [text for _, text in read("dev_benign")]
    # Benign text is read to its end (a risky one stops at its first risky sentence): the worst case.
    entry = " ".join(benign[40:46])  # a typical entry: a few sentences, a few hundred characters
    long = " ".join(benign) * 4  # far longer than any entry
    for label, text, runs in (("typical entry", entry, 2000), ("a very long entry", long, 5)):
        samples = []
        for _ in range(runs):
            started = time.process_time()
            risk_in(text)
            samples.append(time.process_time() - started)
        print(f"{label} ({len(text):,} characters): median {statistics.median(samples) * 1000:.3f} ms")
    per_sentence = []
    for text in texts:
        started = time.process_time()
        for _ in range(50):
            risk_in(text)
        per_sentence.append((time.process_time() - started) / 50)
    median, worst = statistics.median(per_sentence) * 1000, max(per_sentence) * 1000
    print(f"one corpus line: median {median:.3f} ms, max {worst:.3f} ms")


if __name__ == "__main__":
    names = corpora()
    print(f"corpora found: {', '.join(names)}")
    for corpus in names:
        rates(corpus)
    timing()
