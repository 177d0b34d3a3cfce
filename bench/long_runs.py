"""A transcript holding a long run of one character: how long reading it takes.

Issue 22 found a sentence-end expression that backtracked on a run of `.`, `!` or `…`
(20,000 characters took 8.5 s; 40,000 hit gunicorn's 30 s timeout). This reads transcripts
with 200,000 of each character after a proposal and in the answer, through the parser and
the drafter, and prints the CPU time of each (median of five, after one warm-up).

    .venv/bin/python bench/long_runs.py
"""

from __future__ import annotations

import contextlib
import statistics
import time

import harness  # noqa: F401  (sets Django up)

from care.detection import drafts_detect
from care.transcripts import TranscriptError, transcript_parse

RUN = 200_000
CHARACTERS = [".", "!", "?", "…", ",", " ", "'", "-"]
PROPOSAL = "Would you be willing to write down three things you're proud of each week"


def read(source: str) -> None:
    with contextlib.suppress(TranscriptError):  # a refusal is an answer too: it is timed alike
        drafts_detect(transcript_parse(source))


def cpu_ms(source: str, runs: int = 5) -> float:
    read(source)
    times = []
    for _ in range(runs):
        started = time.process_time()
        read(source)
        times.append((time.process_time() - started) * 1000)
    return statistics.median(times)


def main() -> None:
    print(f"{RUN:,} of one character after a proposal and in the answer, parse + draft, CPU median of 5")
    for character in CHARACTERS:
        run = character * RUN
        source = f"Therapist: {PROPOSAL}? {run}x\nPatient: I can try {run}x"
        print(f"  {character!r:6} {cpu_ms(source):8.1f} ms")


if __name__ == "__main__":
    main()
