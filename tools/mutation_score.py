"""Print the kill ratio of the last ``mutmut run``, per file and in all: "killed K of N (P %)".

Run from the project root after ``mutmut run`` (``make mutate`` does both). A mutant counts as
killed when a test failed on it, or it timed out; N is every mutant mutmut checked, so a
mutant no test reaches ("no tests") counts against the ratio like a survivor.
"""

from __future__ import annotations

import sys
from collections import Counter

from mutmut.mutation.data import SourceFileMutationData
from mutmut.stats import status_by_exit_code
from mutmut.utils.file_utils import walk_mutatable_files

KILLED = {"killed", "timeout", "caught by type check"}
NOT_COUNTED = {"skipped", "not checked", "check was interrupted by user"}


def line(label: str, counts: Counter) -> str:
    killed = sum(counts[s] for s in KILLED)
    total = sum(n for s, n in counts.items() if s not in NOT_COUNTED)
    ratio = f"{100 * killed / total:.1f} %" if total else "n/a"
    others = ", ".join(f"{n} {s}" for s, n in sorted(counts.items()) if s not in KILLED and n)
    return f"{label}: killed {killed} of {total} ({ratio})" + (f"; {others}" if others else "")


def main() -> int:
    overall: Counter = Counter()
    survivors: Counter = Counter()
    for path in sorted(walk_mutatable_files()):
        data = SourceFileMutationData(path=path)
        data.load()
        counts = Counter(status_by_exit_code[code] for code in data.exit_code_by_key.values())
        if not counts:
            continue
        overall += counts
        print(line(str(path), counts))
        for name, code in data.exit_code_by_key.items():
            if status_by_exit_code[code] in {"survived", "no tests", "suspicious"}:
                survivors[name.rpartition("__mutmut_")[0]] += 1
    if not overall:
        print("no mutmut results: run `make mutate` (or mutmut run) first", file=sys.stderr)
        return 1
    if survivors:
        print("\nsurviving mutants by function (`.venv/bin/mutmut results` lists them, `mutmut show NAME` shows one):")
        for function, n in sorted(survivors.items()):
            print(f"  {n:3d}  {function}")
    print("\n" + line("total", overall))
    return 0


if __name__ == "__main__":
    sys.exit(main())
