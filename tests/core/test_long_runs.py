"""Every pattern that reads user input outside transcripts meets a long run in one pass.

(The risk detector's are not anchored: their gaps are bounded, so a long run costs them time in
proportion to its length.)

They are anchored and of fixed length, so a long run fails at once; this keeps them so. (The
transcript's expressions have their own test: tests/care/test_long_runs.py.)
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from typing import Any

import pytest
from rest_framework.exceptions import ValidationError

from accounts.two_factor import APP_CODE, RECOVERY_CODE, normalised
from core.fields import LocalTimeField
from core.input import parse_day
from journal.dates import parse_week
from reminders.channels import _short_key
from safety.risk import risk_in

RUN = 200_000
CHARACTERS = [".", "!", "?", "…", ",", " ", "\n", "0", "9", "-", ":", "W", "a", "z", "\uff10"]


def _refused(parse: Callable[[str], Any]) -> Callable[[str], None]:
    def attempt(text: str) -> None:
        with contextlib.suppress(ValueError, ValidationError):
            parse(text)

    return attempt


READERS: dict[str, Callable[[str], Any]] = {
    "a day": _refused(parse_day),
    "a week": _refused(parse_week),
    "a wall-clock time": _refused(LocalTimeField().to_internal_value),
    "a two-step code": lambda text: APP_CODE.match(normalised(text)) or RECOVERY_CODE.match(normalised(text)),
    "a push topic": lambda text: _short_key(text, 32),
    "risk language in an entry": risk_in,
}


@pytest.mark.parametrize("reader", READERS)
@pytest.mark.parametrize("character", CHARACTERS)
def test_a_long_run_is_refused_in_under_a_second(reader, character):
    read = READERS[reader]
    for text in (character * RUN, "2026-" + character * RUN, "07:" + character * RUN + "x"):
        started = time.process_time()  # this process's CPU time, whatever else the machine runs
        read(text)
        assert time.process_time() - started < 1.0, (reader, character)
