"""Loaded only by mutmut (``[tool.mutmut]`` in pyproject.toml): a Redis database per mutant run.

mutmut tests mutants in parallel, each in a process forked from one that has already read the
settings, so all of them share the suite's Redis. Every test starts and ends with
``cache.clear()`` (FLUSHDB), which would wipe the throttle counters of a test running for
another mutant at the same moment and "kill" a mutant the tests do not kill. Each mutant's run
therefore takes a free slot (an flock held until the process exits) and uses Redis database
``slot`` for the cache; the stats, clean and forced-fail runs are alone and keep database 0.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

SLOTS = range(1, 16)  # Redis has databases 0-15; 0 stays the suite's own.
_held = None  # the open, locked slot file: released when the process exits


def _take_slot(directory: Path) -> int:
    global _held
    directory.mkdir(exist_ok=True)
    for slot in SLOTS:
        handle = open(directory / f"{slot}.lock", "w")  # noqa: SIM115 - held for the process's life
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            continue
        _held = handle
        return slot
    raise RuntimeError(f"more than {len(SLOTS)} mutants at once: no free Redis database")


def pytest_sessionstart(session) -> None:
    if "__mutmut_" not in os.environ.get("MUTANT_UNDER_TEST", "") or _held is not None:
        return
    from django.conf import settings
    from django.test import override_settings

    default = settings.CACHES["default"]
    if not default["BACKEND"].endswith("RedisCache"):
        return
    slot = _take_slot(Path(session.config.rootpath) / ".mutmut-redis-slots")
    location = default["LOCATION"]
    location += ("&" if "?" in location else "?") + f"db={slot}"
    # override_settings signals Django to drop its cache connections for the new location.
    override_settings(CACHES={**settings.CACHES, "default": {**default, "LOCATION": location}}).enable()
