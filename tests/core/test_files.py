"""The default database's files: private to their owner, and free of what was erased.

Each case runs in a fresh interpreter on a SQLite file under a temporary ``var/``, as
``make run`` uses it (the suite's own database lives in memory).
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run(script: str, var: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}}
    env.update(DEBUG="1", GOOD_ENOUGH_VAR_DIR=str(var), DJANGO_SETTINGS_MODULE="backend.settings")
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr[-3000:]


def test_the_launcher_keeps_var_and_the_database_to_their_owner(tmp_path):
    var = tmp_path / "var"
    var.mkdir(mode=0o755)
    (var / "old-notes.txt").write_text("made by an older run with a looser umask")
    (var / "old-notes.txt").chmod(0o644)
    run("import launcher.run as launcher; launcher.keep_var_private(); launcher.prepare()", var)
    assert stat.S_IMODE(var.stat().st_mode) == 0o700
    files = [path for path in var.rglob("*") if path.is_file()]
    assert {path.name for path in files} >= {"db.sqlite3", "old-notes.txt"}
    for path in files:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path.name


ERASE = """
import django; django.setup()
from django.core.management import call_command
from django.utils import timezone
call_command("migrate", verbosity=0)
from accounts.models import User
from accounts.services import user_erase
from journal import services
from journal.models import Reflection
user = User.objects.create_user(
    email="erase-me-7f3a@example.test", password="a-long-password-2026", display_name="Zqxj Erasable",
    role="patient", timezone="UTC",
)
services.entry_create(model=Reflection, patient=user, now=timezone.now(), effort="private words")
user_erase(user=user, now=timezone.now())
# Read the files while this process still holds its connection, as a running server does:
# closing the last connection would checkpoint the log by itself and hide the problem.
from pathlib import Path
from django.conf import settings
for path in Path(settings.VAR_DIR).glob("db.sqlite3*"):
    content = path.read_bytes()
    assert b"erase-me-7f3a" not in content, path.name
    assert b"Zqxj Erasable" not in content, path.name
"""


def test_an_erased_patient_is_gone_from_the_sqlite_files_too(tmp_path):
    var = tmp_path / "var"
    run(ERASE, var)
    assert (var / "db.sqlite3").exists()
