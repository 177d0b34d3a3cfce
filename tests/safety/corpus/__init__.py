"""The detector's corpus: ``<kind><TAB><text>`` lines, ``#`` comments.

``dev_*``: written with the rules, each line a case they were built against.
``heldout_*``: written by someone who had not seen the rules, then used to find the shapes the
rules missed (so no longer unseen). ``heldout2_*``: written later, by someone who had seen
neither the rules nor the other files, and never used to change a rule: the honest measure.
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
