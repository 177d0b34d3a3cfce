"""Rules of accounts a user would notice breaking, each pinned by the behaviour it guards.

A stale ``If-Match`` stops ending a care link; an erased account leaves none of its tokens
behind; an invite code links exactly one patient, even when several accept it at once.
"""

from __future__ import annotations

import threading

import pytest
from django.db import connections
from rest_framework.test import APIClient
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken

from accounts.models import CareLink, Invite
from tests.factories import PASSWORD, PatientFactory, TherapistFactory
from tests.helpers import client_for, error_codes, needs_concurrent_transactions

TOKEN = "/api/v1/auth/token/"
REFRESH = "/api/v1/auth/token/refresh/"
LOGOUT = "/api/v1/auth/logout/"
INVITES = "/api/v1/invites/"
LINKS = "/api/v1/care-links/"
CHEF_PASSWORD = "a-new-recipe-2026"


# --- A stale If-Match stops ending a link --------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("side", ["patient", "therapist"])
def test_ending_a_care_link_with_a_stale_if_match_is_a_412_and_keeps_it(chef, therapist, link, side):
    url = f"{LINKS}{link.id}/"
    assert client_for(chef).patch(url, {"share_entries": False}).status_code == 200  # now version 2
    client = client_for(chef if side == "patient" else therapist)

    response = client.delete(url, HTTP_IF_MATCH='"1"')
    assert response.status_code == 412
    assert error_codes(response) == ["precondition_failed"]
    still = client.get(url)
    assert (still.json()["status"], still.json()["ended_at"], still["ETag"]) == ("active", None, '"2"')
    link.refresh_from_db()
    assert (link.status, link.version) == ("active", 2)
    assert client_for(therapist).get(f"/api/v1/commitments/?patient={chef.id}").status_code == 200

    assert client.delete(url, HTTP_IF_MATCH='"2"').status_code == 204


# --- Erasure takes the user's tokens with it -----------------------------------------------


def token_owners() -> list[str]:
    """Whose each issued token simplejwt keeps is. The rows hold no token text to decode (a copy
    of the database must hold no working token), so a row whose user is gone is anyone's: the
    test below also requires that there be none."""
    return [str(row.user_id) for row in OutstandingToken.objects.all()]


def log_in(email: str, password: str) -> dict:
    response = APIClient().post(TOKEN, {"email": email, "password": password}, format="json")
    assert response.status_code == 200
    return response.json()


@pytest.mark.django_db
def test_an_erased_account_leaves_no_issued_or_blacklisted_token(as_chef, chef, other_patient):
    first = log_in(chef.email, CHEF_PASSWORD)
    second = log_in(chef.email, CHEF_PASSWORD)
    rotated = APIClient().post(REFRESH, {"refresh": first["refresh"]}, format="json")
    assert rotated.status_code == 200  # blacklists the first refresh token
    assert as_chef.post(LOGOUT, {"refresh": second["refresh"]}).status_code == 204  # and the second
    theirs = log_in(other_patient.email, PASSWORD)
    assert token_owners().count(str(chef.id)) == 3
    assert BlacklistedToken.objects.filter(token__user=chef).count() == 2

    assert as_chef.delete("/api/v1/me/", {"password": CHEF_PASSWORD}).status_code == 204

    assert str(chef.id) not in token_owners()
    assert OutstandingToken.objects.filter(user__isnull=True).count() == 0
    assert BlacklistedToken.objects.count() == 0
    # Nobody else was logged out.
    assert token_owners() == [str(other_patient.id)]
    refreshed = APIClient().post(REFRESH, {"refresh": theirs["refresh"]}, format="json")
    assert refreshed.status_code == 200
    # And the erased account's last live refresh token opens nothing.
    assert APIClient().post(REFRESH, {"refresh": rotated.json()["refresh"]}, format="json").status_code == 401


# --- One invite, one link ------------------------------------------------------------------


@needs_concurrent_transactions
@pytest.mark.django_db(transaction=True)
def test_four_patients_racing_for_one_invite_code_link_only_one():
    therapist = TherapistFactory()
    for round_ in range(1, 6):
        code = client_for(therapist).post(INVITES, {}).json()["code"]
        patients = [PatientFactory() for _ in range(4)]
        responses = accept_at_once(patients, code)
        assert sorted(r.status_code for r in responses) == [201, 400, 400, 400], f"round {round_}"
        refusals = [code for r in responses if r.status_code == 400 for code in error_codes(r)]
        assert refusals == ["invite_used"] * 3
        winner = next(r.json()["patient"]["id"] for r in responses if r.status_code == 201)
        assert str(Invite.objects.with_code(code).get().used_by_id) == winner
        assert CareLink.objects.filter(therapist=therapist, patient__in=patients).count() == 1
    assert CareLink.objects.filter(therapist=therapist).count() == 5


def accept_at_once(patients: list, code: str) -> list:
    """Each patient POSTs the code from their own thread and connection, released together."""
    responses: list = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(len(patients))

    def accept(patient) -> None:
        try:
            client = client_for(patient)
            barrier.wait()
            responses.append(client.post(LINKS, {"code": code}))
        except BaseException as error:  # surfaced by the main thread
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=accept, args=(patient,)) for patient in patients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    return responses
