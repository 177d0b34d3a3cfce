from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

from backend.celery import app as celery_app
from tests.helpers import a_closed_port

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_healthz_answers_200_when_database_and_broker_are_up(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "broker": "ok", "last_dispatch_at": None, "dispatcher": "late"}


@pytest.mark.django_db
def test_healthz_answers_503_naming_a_broker_that_is_down(client, monkeypatch):
    monkeypatch.setattr(celery_app.conf, "broker_url", f"redis://127.0.0.1:{a_closed_port()}/0")
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert (body["database"], body["broker"], body["down"]) == ("ok", "down", ["broker"])
    # As the schema says: a load balancer or a phone knows when to look again.
    assert response["Retry-After"] == "30"


def test_healthz_answers_503_naming_a_database_that_is_down(tmp_path):
    # A fresh process pointed at a PostgreSQL port where nothing listens: the real failure.
    env = {**os.environ, "DATABASE_URL": f"postgres://nobody@127.0.0.1:{a_closed_port()}/none"}
    script = (
        "import django, json; django.setup();"
        "from django.test import Client;"
        "r = Client(HTTP_HOST='localhost').get('/healthz');"
        "print(r.status_code, json.dumps(r.json(), sort_keys=True))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "backend.settings"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    status, body = result.stdout.strip().splitlines()[-1].split(" ", 1)
    assert status == "503"
    assert '"database": "down"' in body
    assert '"down": ["database"]' in body
    assert '"broker": "ok"' in body


@pytest.mark.parametrize("method", ["POST", "QUERY"])
def test_healthz_refuses_other_methods_in_the_apis_error_body(method):
    # With CSRF checked, as a browser or a fuzzer meets it: a 405, not Django's CSRF 403 page.
    response = Client(enforce_csrf_checks=True).generic(method, "/healthz")
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"
    assert response.json() == {
        "type": "client_error",
        "errors": [{"code": "method_not_allowed", "detail": f'Method "{method}" not allowed.', "attr": None}],
    }
