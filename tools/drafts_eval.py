"""Score the drafter on a corpus of sessions (docs/drafts-corpus.md): ``make drafts-eval``.

    python tools/drafts_eval.py [CORPUS_DIR] [--verbose] [--json]

Each transcript is read as the importer reads it, with the speaker roles the therapist would
confirm in the who-is-who step, and drafted as ``care.services.session_record`` drafts it
(``drafts_detect`` then ``drafts_distinct``, with the session's date). It prints precision,
recall, and the accuracy of what paired drafts say, overall and per format. ``--verbose``
lists each file's misses and extra drafts: use it on the project's own corpus, never on a
held-out one (reading its misses is tuning on it).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = ROOT / "tests" / "care" / "drafts"
METRICS = ("precision", "recall", "kind", "cadence", "weekdays", "planned", "time", "evidence", "speakers", "read")


@dataclass
class Tally:
    files: int = 0
    read: int = 0
    speakers: int = 0
    expected: int = 0
    drafts: int = 0
    paired: int = 0
    kind: int = 0
    cadence: int = 0
    weekdays: int = 0
    planned: int = 0
    time: int = 0
    evidence: int = 0
    slowest: float = 0.0
    notes: list[str] = field(default_factory=list)

    def add(self, other: Tally) -> None:
        for counted in fields(self):
            if counted.type == "int":
                setattr(self, counted.name, getattr(self, counted.name) + getattr(other, counted.name))
        self.slowest = max(self.slowest, other.slowest)

    def scores(self) -> dict[str, float | None]:
        def share(part: int, whole: int) -> float | None:
            return part / whole if whole else None

        return {
            "precision": share(self.paired, self.drafts),
            "recall": share(self.paired, self.expected),
            "kind": share(self.kind, self.paired),
            "cadence": share(self.cadence, self.paired),
            "weekdays": share(self.weekdays, self.paired),
            "planned": share(self.planned, self.paired),
            "time": share(self.time, self.paired),
            "evidence": share(self.evidence, self.paired),
            "speakers": share(self.speakers, self.files),
            "read": share(self.read, self.files),
        }


def _setup() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")
    os.environ.setdefault("DEBUG", "1")
    import django

    django.setup()


def sessions(corpus: Path) -> list[tuple[Path, Path]]:
    """Each transcript beside its ``.expected.json``."""
    pairs = []
    for expected in sorted(corpus.glob("*.expected.json")):
        stem = expected.name.removesuffix(".expected.json")
        sources = [path for path in corpus.glob(f"{stem}.*") if not path.name.endswith(".expected.json")]
        if len(sources) != 1:
            raise SystemExit(f"{expected}: expected one transcript named {stem}.*, found {len(sources)}")
        pairs.append((sources[0], expected))
    return pairs


def score_session(source: Path, expected_path: Path) -> tuple[str, Tally]:
    from care.detection import drafts_detect, drafts_distinct, evidence_line
    from care.transcripts import TranscriptError, transcript_parse

    expected = json.loads(expected_path.read_text(encoding="utf-8"))
    tally = Tally(files=1, expected=len(expected["drafts"]))
    raw = source.read_bytes()
    roles = expected.get("speaker_roles") or {}
    held_on = dt.date.fromisoformat(expected["held_on"])
    try:
        proposed = transcript_parse(raw)
        started = time.perf_counter()
        transcript = transcript_parse(raw, speaker_roles=roles)
        drafts, _ = drafts_distinct(drafts_detect(transcript, held_on=held_on))
        tally.slowest = time.perf_counter() - started
    except TranscriptError as refused:
        tally.notes.append(f"not read: {refused.code}: {refused.detail}")
        return expected["format"], tally
    tally.read = 1
    seen = {name.casefold(): str(role) for name, role in proposed.speaker_roles.items()}
    tally.speakers = int(seen == {name.casefold(): role for name, role in roles.items()})
    if not tally.speakers:
        tally.notes.append(f"speakers proposed {seen}, expected {roles}")
    tally.drafts = len(drafts)
    for draft, want in _paired(drafts, expected["drafts"], tally):
        checks = {
            "kind": draft.kind == want["kind"],
            "cadence": (draft.cadence, draft.target_count) == (want["cadence"], want["target_count"]),
            "weekdays": sorted(draft.weekdays) == sorted(want.get("weekdays") or []),
            "planned": (draft.planned_for.isoformat() if draft.planned_for else None) == want.get("planned_for"),
            "time": (draft.remind_at.strftime("%H:%M") if draft.remind_at else None) == want.get("remind_at"),
            "evidence": want["lines"][0] <= (evidence_line(draft.evidence) or 0) <= want["lines"][1],
        }
        for name, ok in checks.items():
            setattr(tally, name, getattr(tally, name) + int(ok))
        wrong = [name for name, ok in checks.items() if not ok]
        if wrong:
            said = (
                f"{draft.kind} {draft.cadence}x{draft.target_count} days={list(draft.weekdays)} "
                f"planned={draft.planned_for} at={draft.remind_at} line={evidence_line(draft.evidence)}"
            )
            wanted = (
                f"{want['kind']} {want['cadence']}x{want['target_count']} days={want.get('weekdays')} "
                f"planned={want.get('planned_for')} at={want.get('remind_at')} lines={want['lines']}"
            )
            tally.notes.append(f"{', '.join(wrong)} wrong for {draft.title!r}: {said}; expected {wanted}")
    return expected["format"], tally


def _paired(drafts: list[Any], wanted: list[dict[str, Any]], tally: Tally) -> list[tuple[Any, dict[str, Any]]]:
    """Drafts paired with expected practices by keyword, in line order: first a keyword in a
    draft's title, then in its details (which quote the proposal's whole turn, so may name a
    practice proposed beside it). Counts the pairs; notes the extra drafts and the missed practices."""
    pairs: dict[int, int] = {}  # draft index -> expected index
    in_order = sorted(range(len(drafts)), key=lambda index: drafts[index].line)
    for where in ("title", "details"):
        for index in in_order:
            if index in pairs:
                continue
            said = getattr(drafts[index], where).casefold()
            match = next(
                (
                    i
                    for i, want in enumerate(wanted)
                    if i not in pairs.values() and any(word.casefold() in said for word in want["keywords"])
                ),
                None,
            )
            if match is not None:
                pairs[index] = match
    tally.paired += len(pairs)
    for index in in_order:
        if index not in pairs:
            tally.notes.append(f"extra draft (line {drafts[index].line}): {drafts[index].kind} {drafts[index].title!r}")
    for i, want in enumerate(wanted):
        if i not in pairs.values():
            tally.notes.append(f"missed (lines {want['lines']}): {want['kind']} {want['keywords']}")
    return [(drafts[index], wanted[pairs[index]]) for index in in_order if index in pairs]


def _cell(value: float | None) -> str:
    return "   -" if value is None else f"{value:4.2f}"


def report(by_format: dict[str, Tally], total: Tally) -> str:
    header = f"{'format':<12} {'files':>5} {'exp':>4} {'drafts':>6}  " + " ".join(f"{m[:5]:>5}" for m in METRICS)
    rows = [header, "-" * len(header)]
    for name, tally in [*sorted(by_format.items()), ("ALL", total)]:
        scores = tally.scores()
        rows.append(
            f"{name:<12} {tally.files:>5} {tally.expected:>4} {tally.drafts:>6}  "
            + " ".join(f"{_cell(scores[m]):>5}" for m in METRICS)
        )
    rows.append(f"slowest file drafted in {total.slowest * 1000:.0f} ms")
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("corpus", nargs="?", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--verbose", action="store_true", help="each file's misses and extra drafts")
    parser.add_argument("--json", action="store_true", help="the scores as JSON")
    args = parser.parse_args(argv)
    _setup()
    pairs = sessions(args.corpus)
    if not pairs:
        raise SystemExit(f"{args.corpus}: no sessions (NAME.EXT beside NAME.expected.json)")
    by_format: dict[str, Tally] = defaultdict(Tally)
    total = Tally()
    for source, expected in pairs:
        name, tally = score_session(source, expected)
        by_format[name].add(tally)
        total.add(tally)
        if args.verbose and tally.notes:
            print(f"{source.name}:")
            for note in tally.notes:
                print(f"  {note}")
    if args.json:
        print(json.dumps({"all": total.scores(), **{k: v.scores() for k, v in by_format.items()}}, indent=2))
    else:
        print(f"{args.corpus}: {total.files} sessions, {total.expected} practices agreed")
        print(report(by_format, total))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
