from __future__ import annotations

import re

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from accounts.models import CareLink, User
from reminders.dispatcher import dispatch_due
from reminders.models import Reminder
from seeds import personas
from tests.helpers import client_for

pytestmark = pytest.mark.django_db


def test_the_schema_is_openapi_3_and_names_every_route(client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    for path in ["/api/v1/auth/register/", "/api/v1/care-links/{id}/", "/api/v1/me/export/", "/api/v1/invites/"]:
        assert path in schema["paths"]


def test_swagger_ui_loads_its_assets_from_this_server_not_a_cdn(client):
    page = client.get("/api/docs/")
    assert page.status_code == 200
    html = page.content.decode()
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sources, html
    assert all(source.startswith("/") for source in sources), sources
    for source in sources:
        if "swagger" in source:
            assert client.get(source).status_code == 200, source


def test_the_browsable_api_is_off_without_debug(as_chef):
    response = as_chef.get("/api/v1/me/", HTTP_ACCEPT="text/html")
    assert response.status_code == 406


def test_load_demo_creates_the_chef_and_therapist_once(capsys):
    call_command("load_demo")
    call_command("load_demo")
    assert User.objects.count() == 4
    chef = User.objects.get(email=personas.CHEF.email)
    therapist = User.objects.get(email=personas.THERAPIST.email)
    assert CareLink.objects.active().filter(patient=chef, therapist=therapist).count() == 1
    assert {p.email for p in User.objects.patients_of(therapist)} == {
        personas.CHEF.email,
        personas.NURSE.email,
        personas.STUDENT.email,
    }
    output = capsys.readouterr().out
    assert "4 users, 3 care_links, 1 sessions, 3 commitments" in output
    assert "nothing new" in output
    assert personas.CHEF.password in output


def test_the_demo_logins_work(anon):
    call_command("load_demo")
    for persona in personas.DEMO:
        response = anon.post("/api/v1/auth/token/", {"email": persona.email, "password": persona.password})
        assert response.status_code == 200, persona.email


@override_settings(DEBUG=True)
def test_an_unknown_api_url_is_a_json_404_even_for_a_bad_id(as_chef):
    response = client_for(User.objects.get(id=as_chef.user.id)).get("/api/v1/care-links/0.5/")
    assert response.status_code == 404


def test_the_demo_chef_has_the_t44_practices_and_a_real_journal(anon):
    call_command("load_demo")
    from journal.models import Commitment, Experiment, PrideEntry, Reflection

    chef = User.objects.get(email=personas.CHEF.email)
    kinds = sorted(
        Commitment.objects.filter(patient=chef, status="active").values_list("kind", "cadence", "target_count")
    )
    assert kinds == [("experiment", "once", 1), ("pride_weekly", "weekly", 3), ("reflection_daily", "daily", 1)]
    assert Reflection.objects.filter(patient=chef).count() >= 15
    assert PrideEntry.objects.filter(patient=chef).count() == 3
    assert Experiment.objects.filter(patient=chef, status="tried").count() == 1
    token = anon.post("/api/v1/auth/token/", {"email": chef.email, "password": personas.CHEF.password}).json()
    anon.credentials(HTTP_AUTHORIZATION=f"Bearer {token['access']}")
    progress = anon.get("/api/v1/progress/?weeks=4").json()
    assert progress["practice_streak_weeks"] >= 4


def test_the_demos_reminders_are_planned_from_now_so_the_first_pass_misses_nothing():
    call_command("load_demo")
    chef = User.objects.get(email=personas.CHEF.email)
    planned = Reminder.objects.filter(patient=chef, enabled=True, next_fire_at__isnull=False)
    assert set(planned.values_list("kind", flat=True)) >= {"reflection_daily", "pride_weekly"}
    assert not planned.filter(next_fire_at__lt=timezone.now()).exists()
    assert dispatch_due(now=timezone.now(), enqueue=lambda ids: None).missed == 0


def test_the_demo_therapist_sees_t44_imported_and_the_story_since(anon):
    call_command("load_demo")
    token = anon.post(
        "/api/v1/auth/token/", {"email": personas.THERAPIST.email, "password": personas.THERAPIST.password}
    ).json()
    anon.credentials(HTTP_AUTHORIZATION=f"Bearer {token['access']}")
    roster = {row["display_name"]: row for row in anon.get("/api/v1/patients/").json()["results"]}
    assert {name: row["needs_attention"] for name, row in roster.items()} == {
        "Ana (nurse)": True,
        "Leo (student)": False,
        "Sam (chef)": False,
    }
    chef = roster["Sam (chef)"]
    (session,) = anon.get("/api/v1/sessions/", {"patient": chef["id"]}).json()["results"]
    assert (session["title"], session["turns"], [w["line"] for w in session["warnings"]]) == (
        "Transcript T44",
        39,
        [81],
    )
    assert sorted((d["kind"], d["status"]) for d in session["draft_commitments"]) == [
        ("experiment", "active"),
        ("pride_weekly", "active"),
        ("reflection_daily", "active"),
    ]
    brief = anon.get(f"/api/v1/patients/{chef['id']}/brief/").json()
    assert brief["period"]["since_reason"] == "last_session"
    assert brief["period"]["days"] >= 28
    done = {p["commitment"]["kind"]: p["done"] for p in brief["commitments"]}
    assert done["reflection_daily"] >= 15
    assert done["pride_weekly"] == 3
    assert done["experiment"] == 1
    assert brief["experiments"][0]["outcome"].startswith("Too salty")
    assert "Kept calm during a 200-cover Saturday" in brief["pride_weeks"][0]["items"]
