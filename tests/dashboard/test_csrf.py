"""Every form the dashboard takes needs its CSRF token: without it, the dashboard's own 403 page
and nothing changed; with it, the form works.

Django's test client skips the CSRF check unless asked (``enforce_csrf_checks=True``), so a
``@csrf_exempt`` slipped onto a view goes unnoticed by every other dashboard test. These
tests ask, for each POST the dashboard answers, with the token a browser would send: the one
in the form of the page it was on.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.test import Client

from accounts import two_factor
from accounts.models import Invite
from accounts.models import UserSession as WebSession
from care.models import Session
from dashboard import urls as dashboard_urls
from journal.models import Commitment
from seeds import personas
from tests.dashboard.conftest import NOW, text
from tests.helpers import totp_code

pytestmark = pytest.mark.django_db

MAYA = {"email": personas.THERAPIST.email, "password": personas.THERAPIST.password}
T44 = (Path(settings.BASE_DIR) / "seeds" / "transcripts" / "T44.txt").read_text()
EXPIRED = "This form had expired"


@pytest.fixture(autouse=True)
def _at_now() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


def token_on(client: Client, page: str) -> str:
    """The token in the form of ``page``, as the browser that opened it would send it."""
    response = client.get(page)
    assert response.status_code == 200, page
    found = re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.content.decode())
    assert found, f"no form with a token on {page}"
    return found[0]


def refused(response) -> bool:
    return response.status_code == 403 and EXPIRED in text(response)


def signed_in_strictly(therapist) -> Client:
    """Maya, signed in through the form by a client that checks CSRF as a browser's request would be."""
    client = Client(enforce_csrf_checks=True)
    response = client.post("/app/sign-in/", {**MAYA, "csrfmiddlewaretoken": token_on(client, "/app/sign-in/")})
    assert response.status_code == 302
    return client


@pytest.fixture
def strict(therapist) -> Client:
    return signed_in_strictly(therapist)


@pytest.fixture
def drafts(strict, chef, link) -> list[Commitment]:
    page = f"/app/patients/{chef.id}/sessions/new/"
    data = {"held_on": "2026-11-20", "transcript": T44, "csrfmiddlewaretoken": token_on(strict, page)}
    assert strict.post(page, data).status_code == 302
    return list(Commitment.objects.filter(status="proposed").order_by("title"))


# --- Signing in and out ---------------------------------------------------------------------


def test_sign_in(therapist):
    client = Client(enforce_csrf_checks=True)
    assert refused(client.post("/app/sign-in/", MAYA))
    assert WebSession.objects.count() == 0
    assert client.get("/app/").status_code == 302
    response = client.post("/app/sign-in/", {**MAYA, "csrfmiddlewaretoken": token_on(client, "/app/sign-in/")})
    assert response["Location"] == "/app/"
    assert client.get("/app/").status_code == 200


def test_the_code_step(therapist):
    device = two_factor.enrolment_start(user=therapist)
    two_factor.enrolment_confirm(device=device)
    client = Client(enforce_csrf_checks=True)
    client.post("/app/sign-in/", {**MAYA, "csrfmiddlewaretoken": token_on(client, "/app/sign-in/")})
    code = totp_code(device, NOW)
    assert refused(client.post("/app/sign-in/code/", {"code": code}))
    assert client.get("/app/").status_code == 302
    token = token_on(client, "/app/sign-in/code/")
    assert client.post("/app/sign-in/code/", {"code": code, "csrfmiddlewaretoken": token})["Location"] == "/app/"
    assert client.get("/app/").status_code == 200


def test_sign_out(strict):
    assert refused(strict.post("/app/sign-out/"))
    assert strict.get("/app/").status_code == 200  # still signed in
    assert strict.post("/app/sign-out/", {"csrfmiddlewaretoken": token_on(strict, "/app/")}).status_code == 302
    assert strict.get("/app/").status_code == 302


# --- Sessions and invites ---------------------------------------------------------------------


def test_recording_a_session(strict, chef, link):
    page = f"/app/patients/{chef.id}/sessions/new/"
    data = {"held_on": "2026-11-20", "transcript": T44}
    assert refused(strict.post(page, data))
    assert not Session.objects.exists()
    assert strict.post(page, {**data, "csrfmiddlewaretoken": token_on(strict, page)}).status_code == 302
    assert Session.objects.count() == 1


def test_confirming_a_draft(strict, drafts):
    draft = drafts[0]
    path = f"/app/sessions/{draft.session_id}/drafts/{draft.id}/confirm/"
    assert refused(strict.post(path))
    assert Commitment.objects.get(id=draft.id).status == "proposed"
    token = token_on(strict, f"/app/sessions/{draft.session_id}/")
    assert strict.post(path, {"csrfmiddlewaretoken": token}).status_code == 302
    assert Commitment.objects.get(id=draft.id).status == "active"


def test_editing_a_draft(strict, drafts):
    draft = drafts[0]
    path = f"/app/sessions/{draft.session_id}/drafts/{draft.id}/edit/"
    data = {
        "kind": "experiment",
        "title": "Cook something new, just for me",
        "cadence": "once",
        "target_count": "1",
        "save": "",
    }
    assert refused(strict.post(path, data))
    assert Commitment.objects.get(id=draft.id).title == draft.title
    assert strict.post(path, {**data, "csrfmiddlewaretoken": token_on(strict, path)}).status_code == 302
    assert Commitment.objects.get(id=draft.id).title == "Cook something new, just for me"


def test_dropping_a_draft(strict, drafts):
    draft = drafts[0]
    path = f"/app/sessions/{draft.session_id}/drafts/{draft.id}/drop/"
    assert refused(strict.post(path))
    assert Commitment.objects.get(id=draft.id).deleted_at is None
    token = token_on(strict, f"/app/sessions/{draft.session_id}/")
    assert strict.post(path, {"csrfmiddlewaretoken": token}).status_code == 302
    assert Commitment.objects.get(id=draft.id).deleted_at is not None


def test_an_invite(strict):
    assert refused(strict.post("/app/invites/", {"note": "For Sam"}))
    assert not Invite.objects.exists()
    response = strict.post("/app/invites/", {"note": "For Sam", "csrfmiddlewaretoken": token_on(strict, "/app/")})
    assert response.status_code == 303
    assert Invite.objects.count() == 1


# --- Two-step sign-in ---------------------------------------------------------------------------


def test_setting_up_and_confirming_two_step_sign_in(strict, therapist):
    assert refused(strict.post("/app/two-step/set-up/"))
    assert two_factor.unconfirmed_device(therapist) is None
    token = token_on(strict, "/app/two-step/")
    assert strict.post("/app/two-step/set-up/", {"csrfmiddlewaretoken": token})["Location"] == "/app/two-step/confirm/"
    device = two_factor.unconfirmed_device(therapist)
    assert device is not None
    code = totp_code(device, NOW)
    assert refused(strict.post("/app/two-step/confirm/", {"code": code}))
    assert not two_factor.is_enrolled(therapist)
    token = token_on(strict, "/app/two-step/confirm/")
    assert strict.post("/app/two-step/confirm/", {"code": code, "csrfmiddlewaretoken": token}).status_code == 200
    assert two_factor.is_enrolled(therapist)


@pytest.fixture
def enrolled_strict(therapist) -> tuple[Client, two_factor.Device, list[str]]:
    """Maya with two-step sign-in on, fully signed in (the code a step before ``NOW``)."""
    device = two_factor.enrolment_start(user=therapist)
    codes = two_factor.enrolment_confirm(device=device)
    earlier = NOW - timedelta(minutes=1)
    with time_machine.travel(earlier, tick=False):
        client = signed_in_strictly(therapist)
        token = token_on(client, "/app/sign-in/code/")
        code = totp_code(device, earlier)
        assert client.post("/app/sign-in/code/", {"code": code, "csrfmiddlewaretoken": token}).status_code == 302
    return client, device, codes


def opens(therapist, recovery_code: str) -> bool:
    """Whether a recovery code still signs in (and spends it: check it last)."""
    try:
        two_factor.code_verify(user=therapist, code=recovery_code)
    except two_factor.CodeRefused:
        return False
    return True


def test_new_recovery_codes(enrolled_strict, therapist):
    client, device, old = enrolled_strict
    data = {"recovery-code": totp_code(device, NOW)}
    assert refused(client.post("/app/two-step/recovery-codes/", data))
    assert opens(therapist, old[0])  # the old codes still stand
    token = token_on(client, "/app/two-step/")
    assert client.post("/app/two-step/recovery-codes/", {**data, "csrfmiddlewaretoken": token}).status_code == 200
    assert not opens(therapist, old[1])


def test_turning_two_step_sign_in_off(enrolled_strict, therapist):
    client, device, _codes = enrolled_strict
    data = {"off-code": totp_code(device, NOW)}
    assert refused(client.post("/app/two-step/off/", data))
    assert two_factor.is_enrolled(therapist)
    token = token_on(client, "/app/two-step/")
    assert client.post("/app/two-step/off/", {**data, "csrfmiddlewaretoken": token}).status_code == 302
    assert not two_factor.is_enrolled(therapist)


def test_no_dashboard_page_is_exempt_from_the_check():
    """A page added later is covered too, before it has a test of its own above."""
    exempt = [pattern.name for pattern in dashboard_urls.urlpatterns if getattr(pattern.callback, "csrf_exempt", False)]
    assert exempt == []
