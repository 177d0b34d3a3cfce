"""Telling a therapist through a real Celery worker on real Redis and PostgreSQL (CI's second
leg): a patient's shared entry that sounds like crisis reaches the therapist's inbox once, however
often the patient saves it, and holds no words of the entry."""

from __future__ import annotations

import email
import time

import pytest
from django.conf import settings

from safety.models import Flag
from tests.helpers import needs_concurrent_transactions
from tests.reminders.test_worker import Worker, wait_for

pytestmark = [needs_concurrent_transactions, pytest.mark.worker, pytest.mark.django_db(transaction=True)]

RISKY = "Another double shift. Honestly everyone would be better off without me."


def test_a_shared_entry_that_sounds_like_crisis_is_told_once_through_the_worker(as_chef, link, therapist, smtp):
    worker = Worker("http://127.0.0.1:9/unused")
    worker.env["EMAIL_URL"] = settings.EMAIL_URL  # the smtp fixture's local server
    worker.start()
    try:
        entry = as_chef.post("/api/v1/reflections/", {"effort": RISKY, "mood": 1}, format="json").json()
        assert entry["safety"] is not None
        wait_for(lambda: len(smtp.messages) == 1)
        for words in (RISKY + " Still.", RISKY):  # saved again, twice: the same entry, told once
            as_chef.patch(f"/api/v1/reflections/{entry['id']}/", {"effort": words}, format="json")
        time.sleep(2)  # a second notice would arrive now
    finally:
        worker.stop()
    [envelope] = smtp.messages
    assert envelope.rcpt_tos == [therapist.email]
    body = email.message_from_bytes(envelope.original_content).get_payload()
    assert "better off" not in body
    assert Flag.objects.get().notified_at is not None
