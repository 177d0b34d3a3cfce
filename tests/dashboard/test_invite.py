"""Inviting a patient from the roster: the code is shown once, with its expiry in the
therapist's zone, and it works in the patient's app."""

from __future__ import annotations

import re

import pytest
import time_machine
from django.test import Client

from accounts.models import Invite
from tests.dashboard.conftest import NOW, text

pytestmark = pytest.mark.django_db


def invite(client: Client, note: str = ""):
    with time_machine.travel(NOW, tick=False):
        return client.post("/app/invites/", {"note": note})


def shown_code(response) -> str:
    found = re.findall(r'<p class="invite-code"><code>([^<]+)</code></p>', response.content.decode())
    assert len(found) == 1, text(response)
    return found[0]


def test_the_roster_offers_an_invite_one_click_away(maya):
    with time_machine.travel(NOW, tick=False):
        body = maya.get("/app/").content.decode()
        form = maya.get("/app/invites/").content.decode()
    assert '<a class="button-link" href="/app/invites/">Invite a patient</a>' in body
    assert 'action="/app/invites/"' in form
    assert 'method="post"' in form
    assert ">Make an invite code</button>" in form


def test_the_code_is_shown_with_its_expiry_in_the_therapists_zone_and_how_to_use_it(maya, therapist):
    response = invite(maya, note="The new referral from Dr. Lee")
    assert response.status_code == 200
    code = shown_code(response)
    page = text(response)
    # Seven days from noon in Chicago, still standard time.
    assert "It works once, until Wednesday 2 December 2026, 12:00 (CST)." in page
    assert "Your note: The new referral from Dr. Lee" in page
    # The join link carries the code to the patient's app, which reads it from the path.
    assert f"/journal/join/{code} (this join link carries the code)" in page
    assert "where it asks for their therapist's invite code" in page
    assert "This is the only time the code is shown" in page
    stored = Invite.objects.get()
    assert (stored.therapist, stored.note) == (therapist, "The new referral from Dr. Lee")
    assert Invite.objects.with_code(code).get() == stored
    assert code not in str(stored.__dict__)  # only its hash is kept


def test_the_code_is_not_shown_again_and_no_cache_keeps_it(maya):
    response = invite(maya)
    code = shown_code(response)
    assert "no-store" in response["Cache-Control"]
    with time_machine.travel(NOW, tick=False):
        assert maya.get("/app/invites/").status_code == 405  # no page to go back or reload to
        roster = maya.get("/app/")
    assert code not in roster.content.decode()
    assert code not in str(dict(maya.session))  # never parked in the session on its way


def test_a_second_invite_is_a_new_code(maya):
    first, second = shown_code(invite(maya)), shown_code(invite(maya))
    assert first != second
    assert Invite.objects.count() == 2


def test_the_shown_code_links_the_patient_in_their_app(maya, therapist, other_patient, as_other_patient):
    code = shown_code(invite(maya))
    with time_machine.travel(NOW, tick=False):
        response = as_other_patient.post("/api/v1/care-links/", {"code": code, "share_entries": True}, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["therapist"]["display_name"] == therapist.display_name


@pytest.mark.parametrize(
    ("note", "problem"),
    [
        ("x" * 501, "Ensure this value has at most 500 characters (it has 501)."),
        ("A NUL \x00", "Null characters are not allowed."),
    ],
)
def test_a_note_that_breaks_a_rule_is_a_form_error_and_makes_no_invite(maya, note, problem):
    response = invite(maya, note)
    assert response.status_code == 400
    assert problem in text(response)
    assert 'class="invite-code"' not in response.content.decode()
    assert not Invite.objects.exists()


def test_a_patient_cannot_make_an_invite_here(chef):
    client = Client()
    client.force_login(chef)
    response = invite(client)
    assert response.status_code == 302
    assert response["Location"].startswith("/app/sign-in/")
    assert not Invite.objects.exists()


def test_an_invite_needs_the_forms_csrf_token(therapist):
    client = Client(enforce_csrf_checks=True)
    with time_machine.travel(NOW, tick=False):
        client.force_login(therapist)
    assert invite(client).status_code == 403
    assert not Invite.objects.exists()


def test_signed_out_an_invite_goes_to_sign_in(db):
    response = invite(Client())
    assert response.status_code == 302
    assert not Invite.objects.exists()
