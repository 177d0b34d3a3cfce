"""What counts as well-formed input, once: text, digits, days. Plain Python, no HTTP.

The parser, the serializer fields, the query filters and the journal's week parser all
ask these, so a rule cannot drift between them.
"""

from __future__ import annotations

import re
from datetime import date

#: The first year a date or an ISO week may name: older ones are typing slips, and ISO weeks
#: of years under 1000 would not even sort as text.
FIRST_YEAR = 1900
# [0-9], not \d, which takes any script's digits. Every pattern that checks a value is used with
# ``fullmatch``: ``match`` with ``$`` takes "2026-11-25\n" (``$`` matches before a final newline).
_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
#: An ``Idempotency-Key`` header: visible ASCII (a UUID, say), as the IETF draft's keys are.
IDEMPOTENCY_KEY_MAX_LENGTH = 255
IDEMPOTENCY_KEY = re.compile(rf"[\x21-\x7e]{{1,{IDEMPOTENCY_KEY_MAX_LENGTH}}}")


def is_text(value: str) -> bool:
    """A string UTF-8 can hold (no lone surrogate) and without a NUL."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return "\x00" not in value


def ascii_digits(text: str) -> bool:
    """``str.isdigit`` says yes to "²" and "٣", which ``int`` then chokes on or reads."""
    return text.isascii() and text.isdigit()


def parse_day(text: str) -> date:
    """``YYYY-MM-DD`` in ASCII digits, from ``FIRST_YEAR`` on; ValueError otherwise."""
    if not _DAY.fullmatch(text):
        raise ValueError("not of the form YYYY-MM-DD")
    day = date.fromisoformat(text)
    if day.year < FIRST_YEAR:
        raise ValueError(f"a date from {FIRST_YEAR} on")
    return day
