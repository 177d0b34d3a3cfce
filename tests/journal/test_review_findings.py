"""What an outside review of the shape and hardening found, each pinned by a test."""

from __future__ import annotations

import json
import uuid

import pytest
import time_machine

from journal import services
from journal.models import Commitment, Experiment, Reflection
from tests.factories import CommitmentFactory

pytestmark = pytest.mark.django_db

PRIDE = "/api/v1/pride-entries/"


def test_only_a_living_pride_commitment_sets_an_entrys_target(as_chef, chef):
    daily = CommitmentFactory(patient=chef, kind=Commitment.Kind.REFLECTION_DAILY, target_count=1)
    pride = CommitmentFactory(patient=chef, kind=Commitment.Kind.PRIDE_WEEKLY, target_count=2, status="proposed")
    with time_machine.travel("2026-11-25T18:00:00Z", tick=False):
        wrong_kind = as_chef.post(
            "/api/v1/pride-entries/", {"week": "2026-W47", "items": ["a"], "commitment": str(daily.id)}
        )
        own = as_chef.post(
            "/api/v1/pride-entries/", {"week": "2026-W46", "items": ["a", "b"], "commitment": str(pride.id)}
        )
        services.record_delete(record=pride, now=pride.created_at)
        weeks = {week["week"]: week["pride"] for week in as_chef.get("/api/v1/progress/", {"weeks": 3}).json()["weeks"]}
        listed = {
            entry["week"]: (entry["target"], entry["met"])
            for entry in as_chef.get("/api/v1/pride-entries/").json()["results"]
        }
    assert (wrong_kind.json()["target"], wrong_kind.json()["met"]) == (3, False)
    assert (own.json()["target"], own.json()["met"]) == (2, True)
    # Once the patient deleted their pride commitment, its target no longer counts.
    assert listed == {"2026-W47": (3, False), "2026-W46": (3, False)}
    assert weeks["2026-W47"] == {"count": 1, "target": 3, "met": False}
    assert weeks["2026-W46"] == {"count": 2, "target": 3, "met": False}


def test_a_put_that_expects_a_version_of_nothing_creates_nothing(as_chef):
    response = as_chef.put(f"/api/v1/experiments/{uuid.uuid4()}/", {"title": "Bread"}, HTTP_IF_MATCH='"7"')
    assert response.status_code == 412
    assert not Experiment.objects.exists()


def test_one_id_in_two_kinds_syncs_each_with_its_own_data(as_chef):
    shared_id = uuid.uuid4()
    as_chef.put(f"/api/v1/reflections/{shared_id}/", {"date": "2026-11-20", "effort": "the reflection"})
    as_chef.put(f"/api/v1/experiments/{shared_id}/", {"title": "the experiment"})
    changes = {change["type"]: change["data"] for change in as_chef.get("/api/v1/sync/").json()["changes"]}
    assert changes["reflection"]["effort"] == "the reflection"
    assert changes["experiment"]["title"] == "the experiment"


@pytest.mark.parametrize(
    ("path", "headers"),
    [
        ("/api/v1/reflections/?page_size=" + "1" * 5000, {}),
        ("/api/v1/me/", {"CONTENT_LENGTH": "9" * 5000}),
    ],
)
def test_a_number_too_long_for_python_is_a_400(as_chef, path, headers):
    response = as_chef.get(path, **headers)
    assert response.status_code == 400


def test_staff_cannot_delete_a_token_and_so_revive_it(client, as_chef, chef):
    from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken

    from tests.factories import TherapistFactory

    tokens = as_chef.post("/api/v1/auth/token/", {"email": chef.email, "password": "a-new-recipe-2026"}).json()
    as_chef.post("/api/v1/auth/logout/", {"refresh": tokens["refresh"]})
    client.force_login(TherapistFactory(is_staff=True, is_superuser=True))
    outstanding = OutstandingToken.objects.get()
    blacklisted = BlacklistedToken.objects.get()
    for url in (
        f"/admin/token_blacklist/outstandingtoken/{outstanding.pk}/delete/",
        f"/admin/token_blacklist/blacklistedtoken/{blacklisted.pk}/delete/",
    ):
        assert client.post(url, {"post": "yes"}).status_code == 403
    changelist = client.post(
        "/admin/token_blacklist/outstandingtoken/",
        {"action": "delete_selected", "_selected_action": [outstanding.pk], "post": "yes"},
    )
    assert changelist.status_code in {200, 302}
    assert OutstandingToken.objects.count() == 1
    assert BlacklistedToken.objects.count() == 1
    refresh = as_chef.post("/api/v1/auth/token/refresh/", {"refresh": tokens["refresh"]})
    assert refresh.status_code == 401
    assert json.loads(refresh.content)["errors"][0]["code"] == "token_not_valid"
    assert Reflection.objects.count() == 0
