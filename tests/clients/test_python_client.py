"""The contract test: a Python client generated from the served schema runs a patient's
whole journey against a live server, and the journey type-checks against that client.

openapi-python-client (pinned in requirements.txt) generates ``good_enough_client`` with
the same settings as ``make clients``; tests/clients/flow.py is written the way a client
team would write it, against nothing but the generated code.
"""

from __future__ import annotations

import datetime
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
from rest_framework_simplejwt.tokens import AccessToken

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / "clients" / "python-config.yaml"
TEMPLATES = ROOT / "clients" / "templates" / "python"  # our overrides of some of the generator's templates
FLOW = Path(__file__).with_name("flow.py")


@pytest.fixture
def generated_client(live_server, tmp_path: Path) -> Iterator[Path]:
    """Generate the client from the schema the live server serves; yield the folder holding it."""
    schema = httpx.get(f"{live_server.url}/api/schema/", params={"format": "json"}, timeout=30)
    assert schema.status_code == 200
    (tmp_path / "schema.json").write_text(json.dumps(schema.json()))
    generator = Path(sys.executable).with_name("openapi-python-client")
    result = subprocess.run(
        [
            *(generator, "generate", "--path", tmp_path / "schema.json", "--config", CONFIG, "--meta", "none"),
            *("--custom-template-path", TEMPLATES),
        ],
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


def test_a_therapist_reads_the_brief_as_markdown_with_the_generated_client(
    transactional_db, generated_client: Path, live_server, therapist, chef, link
) -> None:
    # ``?format=md`` is a typed parameter; the answer is Markdown, which the client must not
    # try to read as JSON (it raised JSONDecodeError): parsed is None, the text is the content.
    from good_enough_client import AuthenticatedClient
    from good_enough_client.api.care import get_patient_brief
    from good_enough_client.models import Brief, BriefFormat, GetPatientBriefError, GetPatientBriefErrorCode

    client = AuthenticatedClient(base_url=live_server.url, token=str(AccessToken.for_user(therapist)))
    markdown = get_patient_brief.sync_detailed(chef.id, client=client, format_=BriefFormat.MD)
    assert markdown.status_code == 200
    assert markdown.parsed is None
    assert markdown.content.decode().startswith(f"# Pre-session brief: {chef.display_name}\n")
    as_json = get_patient_brief.sync_detailed(chef.id, client=client, format_=BriefFormat.JSON)
    assert isinstance(as_json.parsed, Brief)
    # An error is JSON whatever was asked for, and its code is typed.
    refused = get_patient_brief.sync_detailed(
        chef.id, client=client, format_=BriefFormat.MD, since=datetime.date(1999, 1, 1)
    )
    assert refused.status_code == 400
    assert isinstance(refused.parsed, GetPatientBriefError)
    assert [error.code for error in refused.parsed.errors] == [GetPatientBriefErrorCode.TOO_FAR_BACK]


def test_a_code_added_after_the_client_was_generated_is_kept_not_a_crash(generated_client: Path) -> None:
    from good_enough_client.models import UpdateMeError

    body = UpdateMeError.from_dict(
        {"type": "validation_error", "errors": [{"code": "a_new_code", "detail": "New.", "attr": "password"}]}
    )
    assert body.errors[0].code.value == "a_new_code"
