"""The contract test: a Python client generated from the served schema runs a patient's
whole journey against a live server, and the journey type-checks against that client.

openapi-python-client (pinned in requirements.txt) generates ``good_enough_client`` with
the same settings as ``make clients``; tests/clients/flow.py is written the way a client
team would write it, against nothing but the generated code.
"""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest
from django.utils import timezone
from mypy import api as mypy_api

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / "clients" / "python-config.yaml"
FLOW = Path(__file__).with_name("flow.py")


@pytest.fixture
def generated_client(live_server, tmp_path: Path) -> Iterator[Path]:
    """Generate the client from the schema the live server serves; yield the folder holding it."""
    schema = httpx.get(f"{live_server.url}/api/schema/", params={"format": "json"}, timeout=30)
    assert schema.status_code == 200
    (tmp_path / "schema.json").write_text(json.dumps(schema.json()))
    generator = Path(sys.executable).with_name("openapi-python-client")
    result = subprocess.run(
        [generator, "generate", "--path", tmp_path / "schema.json", "--config", CONFIG, "--meta", "none"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    # Any warning means a piece of the schema the generator could not turn into code.
    assert "Warning" not in result.stdout + result.stderr, result.stdout + result.stderr
    sys.path.insert(0, str(tmp_path))
    try:
        yield tmp_path
    finally:
        sys.path.remove(str(tmp_path))
        generated = [name for name in sys.modules if name.partition(".")[0] == "good_enough_client"]
        for name in [*generated, "tests.clients.flow"]:
            sys.modules.pop(name, None)


def test_the_flow_type_checks_against_the_generated_client(generated_client: Path, monkeypatch) -> None:
    # The flow alone, strict, with no project config (no Django plugin): as a client team has it.
    monkeypatch.setenv("MYPYPATH", str(generated_client))
    stdout, stderr, status = mypy_api.run(
        ["--config-file=", "--strict", "--cache-dir", str(generated_client / ".mypy_cache"), str(FLOW)]
    )
    assert status == 0, stdout + stderr


def test_a_patient_goes_through_the_api_with_the_generated_client(generated_client: Path, live_server) -> None:
    flow = importlib.import_module("tests.clients.flow")
    today = timezone.now().astimezone(ZoneInfo("Europe/London")).date()  # the patient's zone
    journey = flow.journey(live_server.url, email="sam@example.org", password="a long enough secret", today=today)

    assert journey.reflection.kind_words == "Trying is the point."
    assert len(journey.pride.items) == 3
    assert journey.synced == {"reflection": 1, "pride_entry": 2, "experiment": 1}
    assert journey.deleted_synced == 1
    assert journey.progress.weeks[0].reflections.days == 1
    assert len(journey.export.journal.reflections) == 1
    assert journey.content_disposition.startswith("attachment;")
