"""Dashboard clients: Django's test client with a real session, signed in through the form."""

from __future__ import annotations

import pytest
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
