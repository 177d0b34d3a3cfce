"""The two health checks: ``/healthz`` for a load balancer, ``/healthz/reminders`` for an alert.

Each against the real thing: a closed port for a broker or database that is down, a real
``FLUSHDB`` on the suite's Redis for a Redis that lost its data, a real ``celery worker``
process (or none) for the workers' ping. The clock is pinned with time-machine, never waited.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
import redis
import time_machine
from django.conf import settings
from django.core.cache import cache
from django.test import Client

from backend.celery import app as celery_app
from core import health
from core.health import DISPATCH_LATE_AFTER, WORKER_PING_TIMEOUT, reminders_status
from reminders.dispatcher import dispatch_due
from tests.helpers import a_closed_port
from tests.reminders.helpers import z

ROOT = Path(__file__).resolve().parents[2]
#: A worker as the Procfile runs it (no gossip, no mingle), with one pool process.
WORKER = [sys.executable, "-m", "celery", "-A", "backend", "worker", "--pool", "prefork", "--concurrency", "1",
          "--without-gossip", "--without-mingle", "--loglevel", "WARNING"]  # fmt: skip
PASS = z("2026-11-26T20:00:00Z")

#: The workers' ping needs a real broker; the suite always has one (tests/redis_plugin.py), but a
#: run given ``memory://`` would have no worker to reach.
needs_redis = pytest.mark.skipif(
    not str(celery_app.conf.broker_url).startswith(("redis", "unix")),
    reason="the workers' ping needs Redis as the broker",
)


def a_pass_at(moment) -> None:
    """A real dispatcher pass, with the clock at ``moment`` (when beat would have run it)."""
    with time_machine.travel(moment, tick=False):
        dispatch_due(now=moment, enqueue=lambda ids: None)


def get_at(client: Client, path: str, moment):
    with time_machine.travel(moment, tick=False):
        return client.get(path)


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
        "c = Client(HTTP_HOST='localhost');"
        "r, a = c.get('/healthz'), c.get('/healthz/reminders');"
        "print(r.status_code, json.dumps(r.json(), sort_keys=True));"
        "print(a.status_code, json.dumps(a.json(), sort_keys=True))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "backend.settings"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    (status, body), (alert_status, alert) = (line.split(" ", 1) for line in result.stdout.strip().splitlines()[-2:])
    assert status == "503"
    assert '"database": "down"' in body
    assert '"down": ["database"]' in body
    assert '"broker": "ok"' in body
    # The alert's check too: no pass can be read, and no worker runs.
    assert alert_status == "503"
    assert '"down": ["database", "dispatcher", "workers"]' in alert


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/healthz", "/healthz/reminders"])
def test_both_checks_answer_over_plain_http_where_everything_else_is_redirected(settings, path):
    # A load balancer or a monitor probes the process behind TLS directly, over http.
    settings.SECURE_SSL_REDIRECT = True
    assert Client().get("/api/v1/me/").status_code == 301
    assert Client().get(path).status_code in {200, 503}


@pytest.mark.parametrize("path", ["/healthz", "/healthz/reminders"])
@pytest.mark.parametrize("method", ["POST", "QUERY"])
def test_both_checks_refuse_other_methods_in_the_apis_error_body(method, path):
    # With CSRF checked, as a browser or a fuzzer meets it: a 405, not Django's CSRF 403 page.
    response = Client(enforce_csrf_checks=True).generic(method, path)
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"
    assert response.json() == {
        "type": "client_error",
        "errors": [{"code": "method_not_allowed", "detail": f'Method "{method}" not allowed.', "attr": None}],
    }


@pytest.mark.django_db
def test_a_pass_is_still_known_after_redis_loses_its_data(client):
    """A Redis restart (or FLUSHDB) empties broker and cache: the last pass is not in either."""
    a_pass_at(PASS)
    cache.set("health-test:canary", "to show the flush is real")
    redis.Redis.from_url(settings.REDIS_URL).flushdb()
    assert cache.get("health-test:canary") is None
    body = get_at(client, "/healthz", PASS + timedelta(seconds=1)).json()
    assert (body["last_dispatch_at"], body["dispatcher"]) == ("2026-11-26T20:00:00+00:00", "ok")


@pytest.mark.django_db
def test_the_dispatcher_is_late_once_a_minute_and_its_margin_pass_without_a_pass(client):
    a_pass_at(PASS)
    on_time, _ = reminders_status(now=PASS + DISPATCH_LATE_AFTER)
    assert on_time["dispatcher"] == "ok"
    late, down = reminders_status(now=PASS + DISPATCH_LATE_AFTER + timedelta(seconds=1))
    assert (late["last_dispatch_at"], late["dispatcher"]) == ("2026-11-26T20:00:00+00:00", "late")
    assert "dispatcher" in down
    # Through HTTP: the alert's check is a 503; the load balancer's stays 200, as the API still serves.
    moment = PASS + timedelta(seconds=91)
    alert = get_at(client, "/healthz/reminders", moment)
    assert alert.status_code == 503
    assert alert.json()["dispatcher"] == "late"
    assert "dispatcher" in alert.json()["down"]
    assert alert["Retry-After"] == "30"
    balancer = get_at(client, "/healthz", moment)
    assert (balancer.status_code, balancer.json()["dispatcher"]) == (200, "late")


@pytest.mark.django_db
def test_each_pass_moves_the_last_pass_on(client):
    a_pass_at(PASS)
    a_pass_at(PASS + timedelta(minutes=1))
    body = get_at(client, "/healthz", PASS + timedelta(minutes=2)).json()
    assert (body["last_dispatch_at"], body["dispatcher"]) == ("2026-11-26T20:01:00+00:00", "ok")


@pytest.fixture(autouse=True)
def no_ping_remembered():
    """Each test asks the workers afresh: a ping's count is reused for a while by the process."""
    health._pings.forget()
    yield
    health._pings.forget()


@needs_redis
@pytest.mark.django_db
def test_with_no_worker_running_the_alert_check_says_so(client):
    a_pass_at(PASS)
    started = time.monotonic()
    response = get_at(client, "/healthz/reminders", PASS + timedelta(seconds=1))
    # It waited for answers as long as it says, and no longer: a monitor's own timeout is longer.
    assert WORKER_PING_TIMEOUT.total_seconds() <= time.monotonic() - started < WORKER_PING_TIMEOUT.total_seconds() + 5
    assert response.status_code == 503
    assert response.json() == {
        "database": "ok",
        "broker": "ok",
        "last_dispatch_at": "2026-11-26T20:00:00+00:00",
        "dispatcher": "ok",
        "workers": 0,
        "down": ["workers"],
    }
    assert client.get("/healthz").status_code == 200  # web still serves: no reason to leave the rotation
    # Asked again at once (a monitor, or someone hammering a public URL): the count is reused,
    # not a second ping that would hold this web worker for a second more.
    started = time.monotonic()
    assert get_at(client, "/healthz/reminders", PASS + timedelta(seconds=2)).json()["workers"] == 0
    assert time.monotonic() - started < WORKER_PING_TIMEOUT.total_seconds() / 2


@pytest.mark.django_db
def test_with_the_broker_down_the_alert_check_names_it_and_the_workers(client, monkeypatch):
    a_pass_at(PASS)
    monkeypatch.setattr(celery_app.conf, "broker_url", f"redis://127.0.0.1:{a_closed_port()}/0")
    response = get_at(client, "/healthz/reminders", PASS + timedelta(seconds=1))
    assert response.status_code == 503
    body = response.json()
    assert (body["broker"], body["workers"], body["down"]) == ("down", 0, ["broker", "workers"])


@pytest.fixture
def worker(tmp_path) -> Iterator[Callable[[], subprocess.Popen[bytes]]]:
    """Starts ``WORKER`` on this run's Redis (in every leg: its own SQLite file, as answering a
    ping reads no table)."""
    started: list[subprocess.Popen[bytes]] = []
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path}/worker.sqlite3", "GOOD_ENOUGH_VAR_DIR": str(tmp_path)}

    def start() -> subprocess.Popen[bytes]:
        started.append(subprocess.Popen(WORKER, cwd=ROOT, env=env, start_new_session=True))
        return started[-1]

    yield start
    for process in started:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)


@needs_redis
@pytest.mark.worker
@pytest.mark.django_db
def test_with_a_worker_running_and_a_recent_pass_the_alert_check_answers_200(client, worker, monkeypatch):
    monkeypatch.setattr(health, "WORKER_PING_REUSE", 0.5)  # each check below asks afresh
    a_pass_at(PASS)
    moment = PASS + timedelta(seconds=30)
    process = worker()
    deadline = time.monotonic() + 60
    response = get_at(client, "/healthz/reminders", moment)
    while response.status_code != 200 and time.monotonic() < deadline:  # until the worker is up
        assert process.poll() is None, "the worker stopped"
        response = get_at(client, "/healthz/reminders", moment)
    assert response.status_code == 200, response.json()
    assert response.json() == {
        "database": "ok",
        "broker": "ok",
        "last_dispatch_at": "2026-11-26T20:00:00+00:00",
        "dispatcher": "ok",
        "workers": 1,
    }
    # The worker dies: the next check says so.
    os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=10)
    time.sleep(health.WORKER_PING_REUSE)
    response = get_at(client, "/healthz/reminders", moment)
    assert (response.status_code, response.json()["workers"], response.json()["down"]) == (503, 0, ["workers"])
