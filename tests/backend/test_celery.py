"""A real Celery worker, on the configured Redis, round-trips a task."""

from __future__ import annotations

import pytest
from celery.contrib.testing.worker import start_worker

from backend.celery import app as celery_app
from backend.celery import ping


@pytest.mark.worker
def test_a_real_worker_round_trips_a_task_through_redis():
    assert celery_app.conf.broker_url.startswith(("redis://", "redis+socket://"))
    with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        result = ping.delay()
        assert result.get(timeout=20) == "pong"


def test_celery_is_configured_for_safe_redelivery():
    conf = celery_app.conf
    assert conf.accept_content == ["json"]
    assert conf.task_serializer == "json"
    assert conf.result_serializer == "json"
    assert conf.task_acks_late is True
    assert conf.task_reject_on_worker_lost is True
    assert conf.broker_transport_options["visibility_timeout"] >= conf.task_time_limit
    assert conf.broker_connection_retry_on_startup is True
