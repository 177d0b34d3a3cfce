"""The detector's corpus: ``<kind><TAB><text>`` lines, ``#`` comments.

``dev_*``: written with the rules, each line a case they were built against.
``heldout_*``: written by someone who had not seen the rules, then used to find the shapes the
rules missed (so no longer unseen). ``heldout2_*``: written later, by someone who had seen
neither the rules nor the other files, and never used to change a rule; it was the honest
measure until **2026-12-02, when it became training data** for the classifier
(tools/train_risk.py), as every file here now is. No rule was changed for it.
``train_*``: written on 2026-12-02 for the classifier, by a helper who had read the rules and
the first forty lines of each ``heldout2`` file, and none of its misses.

So no corpus here measures unseen text any more: the estimate is cross-validation by file
(``tools/train_risk.py --cross-validate``: each corpus scored by a model trained without it),
until a new set, written by someone who has seen none of this, is measured (``heldout3_*``).
"""

from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).parent


def read(name: str) -> list[tuple[str, str]]:
    """``(kind, text)`` of each line of ``<name>.txt``."""
    rows = []
    for line in (HERE / f"{name}.txt").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            kind, _, text = line.partition("\t")
            rows.append((kind, text))
    return rows
