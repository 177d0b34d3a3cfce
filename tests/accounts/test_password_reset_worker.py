"""A password reset end to end: the request enqueues, a real Celery worker (a separate process, on
real Redis) sends the e-mail through a real SMTP server, and the link in it sets the password.

Like the reminders' worker tests, this runs where another process can open the test database:
CI's PostgreSQL leg.
"""

from __future__ import annotations

import email
import re

import pytest
from django.conf import settings
from rest_framework.test import APIClient

from tests.factories import PASSWORD, PatientFactory
from tests.helpers import needs_concurrent_transactions
from tests.reminders.servers import smtp_recorder
from tests.reminders.test_worker import Worker, wait_for

pytestmark = [needs_concurrent_transactions, pytest.mark.worker, pytest.mark.django_db(transaction=True)]

NEW = "a-calmer-kitchen-2027"


def test_the_reset_mail_is_sent_by_a_worker_and_its_link_sets_the_password():
    river = PatientFactory(email="river@example.test", display_name="River")
    with smtp_recorder() as (mailbox, port):
        worker = Worker(webhook_url="")
        worker.env["EMAIL_URL"] = f"smtp://127.0.0.1:{port}"
        worker.start()
        try:
            assert APIClient().post("/api/v1/auth/password/reset/", {"email": river.email}).status_code == 202
            assert APIClient().post("/api/v1/auth/password/reset/", {"email": "nobody@example.test"}).status_code == 202
            wait_for(lambda: len(mailbox.messages) == 1)
        finally:
            worker.stop()
    [envelope] = mailbox.messages
    assert envelope.rcpt_tos == ["river@example.test"]
    body = email.message_from_bytes(envelope.original_content).get_payload()
    uid, token = re.search(re.escape(settings.PUBLIC_URL) + r"/journal/reset/([^/\s]+)/([^/\s]+)", body).groups()

    confirm = APIClient().post(
        "/api/v1/auth/password/reset/confirm/", {"uid": uid, "token": token, "new_password": NEW}, format="json"
    )
    assert confirm.status_code == 204
    log_in = APIClient().post("/api/v1/auth/token/", {"email": river.email, "password": NEW}, format="json")
    assert log_in.status_code == 200
    old = APIClient().post("/api/v1/auth/token/", {"email": river.email, "password": PASSWORD}, format="json")
    assert old.status_code == 401
