"""The session drafter's cost on long sessions: a 10,000-word one and a 200,000-character one.

Issue 20 asks for both drafted in under 1 s on this 2-core machine. Each is made of the
project's own sessions (tests/care/drafts/, their speakers' turns run one after another, so
the drafter meets real proposals, answers and revisions all the way through), read and drafted
as the importer does; it prints the CPU time (median of five, after one warm-up) and the drafts.

    .venv/bin/python bench/drafts.py
"""

from __future__ import annotations

import datetime as dt
import statistics
import time
from pathlib import Path

import harness  # noqa: F401  (sets Django up)

from care.detection import drafts_detect, drafts_distinct
from care.transcripts import transcript_parse

CORPUS = Path(__file__).resolve().parents[1] / "tests" / "care" / "drafts"
PLAIN = ["05_new_parent_night_feeds.txt", "17_dental_hygienist_small_steps.txt", "23_electrician_quotes.txt"]


def session_of(words: int | None = None, characters: int | None = None) -> str:
    turns = "\n".join(
        line for name in PLAIN for line in (CORPUS / name).read_text(encoding="utf-8").splitlines() if ":" in line
    )
    text = turns
    while (words and len(text.split()) < words) or (characters and len(text) < characters):
        text = f"{text}\n{turns}"
    return text[:characters] if characters else text


def cpu_ms(source: str, runs: int = 5) -> tuple[float, int]:
    def draft() -> int:
        return len(drafts_distinct(drafts_detect(transcript_parse(source), held_on=dt.date(2026, 11, 20)))[0])

    drafts = draft()
    times = []
    for _ in range(runs):
        started = time.process_time()
        draft()
        times.append((time.process_time() - started) * 1000)
    return statistics.median(times), drafts


def main() -> None:
    for label, source in (
        ("10,000 words", session_of(words=10_000)),
        ("200,000 characters", session_of(characters=200_000)),
    ):
        took, drafts = cpu_ms(source)
        print(f"{label:<20} {len(source):>8,} chars {len(source.split()):>7,} words  {took:7.0f} ms  {drafts} drafts")


if __name__ == "__main__":
    main()
