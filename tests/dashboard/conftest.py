"""Dashboard clients: Django's test client with a real session, signed in through the form, at a
fixed moment (``NOW``), and the page as a person reads it."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime

import pytest
import time_machine
from django.test import Client

from seeds import personas


def signed_in(email: str, password: str) -> Client:
    client = Client()
    response = client.post("/app/sign-in/", {"email": email, "password": password})
    assert response.status_code == 302, response.content
    return client


@pytest.fixture
def as_maya(therapist) -> Client:
    return signed_in(personas.THERAPIST.email, personas.THERAPIST.password)


#: Wednesday of 2026-W48, noon in Chicago, where the demo therapist and the chef are.
NOW = datetime(2026, 11, 25, 18, 0, tzinfo=UTC)


def text(response) -> str:
    """The page as a person reads it: each tag a break between words, one space between words."""
    return " ".join(html.unescape(re.sub(r"<[^>]*>", " ", response.content.decode())).split())


def get(client: Client, path: str):
    with time_machine.travel(NOW, tick=False):
        return client.get(path)


@pytest.fixture
def maya(therapist) -> Client:
    """The demo therapist, signed in at ``NOW``."""
    with time_machine.travel(NOW, tick=False):
        return signed_in(therapist.email, "listen-kindly-2026")
