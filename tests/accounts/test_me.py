from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.apps import apps
from django.conf import settings
from django.db.models import CharField, TextField
from django.dispatch import receiver
from rest_framework.test import APIClient

from accounts import signals
from accounts.models import CareLink, Invite, User
from tests.helpers import client_for, error_attrs, error_codes

ME = "/api/v1/me/"
EXPORT = "/api/v1/me/export/"
TOKEN = "/api/v1/auth/token/"
CHEF_PASSWORD = "a-new-recipe-2026"

pytestmark = pytest.mark.django_db


class TestProfile:
    def test_it_shows_the_callers_profile(self, as_chef, chef):
        response = as_chef.get(ME)
        assert response.status_code == 200
        assert response.json() == {
            "id": str(chef.id),
            "email": "sam@demo.good-enough.test",
            "display_name": "Sam (chef)",
            "role": "patient",
            "timezone": "America/Chicago",
            "country": None,
            "country_in_effect": "US",
            "created_at": chef.created_at.isoformat().replace("+00:00", "Z"),
        }

    def test_patch_changes_name_and_zone(self, as_chef, chef):
        response = as_chef.patch(ME, {"display_name": "Sam", "timezone": "Asia/Kolkata"})
        assert response.status_code == 200
        chef.refresh_from_db()
        assert (chef.display_name, chef.timezone) == ("Sam", "Asia/Kolkata")

    def test_patch_naming_email_or_role_is_refused_and_changes_nothing(self, as_chef, chef):
        response = as_chef.patch(
            ME, {"display_name": "Sam", "timezone": "Asia/Kolkata", "role": "therapist", "email": "x@y.test"}
        )
        assert response.status_code == 400
        assert sorted((e["code"], e["attr"]) for e in response.json()["errors"]) == [
            ("unknown_field", "email"),
            ("unknown_field", "role"),
        ]
        chef.refresh_from_db()
        assert (chef.display_name, chef.timezone, chef.role, chef.email) == (
            "Sam (chef)",
            "America/Chicago",
            "patient",
            "sam@demo.good-enough.test",
        )

    def test_a_zone_change_is_announced_once_for_reminders_to_replan(self, as_chef, chef):
        heard = []

        @receiver(signals.timezone_changed, weak=False)
        def listen(sender, user, old, new, now, **kwargs):
            heard.append((user.id, old, new))

        try:
            as_chef.patch(ME, {"timezone": "Europe/Berlin"})
            as_chef.patch(ME, {"display_name": "Sam again"})
        finally:
            signals.timezone_changed.disconnect(listen)
        assert heard == [(chef.id, "America/Chicago", "Europe/Berlin")]

    @pytest.mark.parametrize(
        ("body", "attr", "code"),
        [
            ({"timezone": "Atlantis/Capital"}, "timezone", "unknown_timezone"),
            ({"timezone": 7}, "timezone", "invalid"),
            ({"display_name": ""}, "display_name", "blank"),
            ({"display_name": "x" * 101}, "display_name", "max_length"),
        ],
    )
    def test_a_bad_patch_changes_nothing(self, as_chef, chef, body, attr, code):
        response = as_chef.patch(ME, body)
        assert response.status_code == 400
        assert error_attrs(response) == [attr]
        assert error_codes(response) == [code]
        chef.refresh_from_db()
        assert (chef.display_name, chef.timezone) == ("Sam (chef)", "America/Chicago")

    def test_put_is_not_offered(self, as_chef):
        assert as_chef.put(ME, {"display_name": "x"}).status_code == 405


class TestErasure:
    def test_a_wrong_password_erases_nothing(self, as_chef, chef):
        response = as_chef.delete(ME, {"password": "not-my-password"})
        assert response.status_code == 400
        assert error_codes(response) == ["wrong_password"]
        assert User.objects.filter(id=chef.id).exists()

    def test_a_missing_password_erases_nothing(self, as_chef, chef):
        response = as_chef.delete(ME, {})
        assert response.status_code == 400
        assert error_attrs(response) == ["password"]
        assert User.objects.filter(id=chef.id).exists()

    def test_a_patient_erasure_leaves_no_row_of_theirs(self, anon, as_chef, chef, link):
        # Leave traces in the libraries' tables too: a failed and a successful log-in.
        anon.post("/api/v1/auth/token/", {"email": chef.email, "password": "wrong"})
        anon.post("/api/v1/auth/token/", {"email": chef.email, "password": "a-new-recipe-2026"})
        assert rows_mentioning(chef) != []
        assert as_chef.delete(ME, {"password": "a-new-recipe-2026"}).status_code == 204
        assert not User.objects.filter(id=chef.id).exists()
        assert not CareLink.objects.filter(patient_id=chef.id).exists()
        # The token of an erased account no longer opens anything.
        assert as_chef.get(ME).status_code == 401
        assert rows_mentioning(chef) == []

    def test_a_therapist_erasure_ends_links_but_leaves_the_patient_whole(self, as_therapist, therapist, chef, link):
        assert as_therapist.delete(ME, {"password": "listen-kindly-2026"}).status_code == 204
        link.refresh_from_db()
        assert link.status == "ended"
        assert link.ended_at is not None
        assert link.therapist is None
        chef_view = client_for(chef).get("/api/v1/care-links/").json()["results"]
        assert chef_view[0]["therapist"] is None
        assert chef_view[0]["status"] == "ended"


NOW = datetime(2026, 11, 25, 18, 0, tzinfo=UTC)


def erase(client, password: str, at: datetime = NOW):
    with time_machine.travel(at, tick=False):
        return client.delete(ME, {"password": password})


class TestErasureGuessing:
    """The erasure's password is a log-in's password: wrong ones count toward the same limits,
    and while the caller is held back even the right one erases nothing (a lock that let the
    right guess through would not stop guessing)."""

    def test_wrong_erasure_passwords_lock_as_wrong_log_ins_do_and_then_the_right_one_erases_nothing(
        self, as_chef, chef
    ):
        at = NOW
        for _ in range(settings.AXES_FAILURE_LIMIT - 1):
            at += timedelta(seconds=1)
            assert error_codes(erase(as_chef, "not-my-password", at)) == ["wrong_password"]
        at += timedelta(seconds=1)
        fifth = erase(as_chef, "not-my-password", at)
        assert fifth.status_code == 429
        assert error_codes(fifth) == ["locked_out"]
        for _ in range(35):  # 40 in all, one a second, as found
            at += timedelta(seconds=1)
            assert erase(as_chef, "not-my-password", at).status_code == 429
        right = erase(as_chef, CHEF_PASSWORD, at + timedelta(seconds=1))
        assert right.status_code == 429
        assert int(right["Retry-After"]) > 0
        assert User.objects.filter(id=chef.id).exists()
        # The same lock holds the log-in from this address (past the address's minute), and
        # ends with the cool-off.
        at += timedelta(minutes=1)
        with time_machine.travel(at, tick=False):
            log_in = APIClient().post(TOKEN, {"email": chef.email, "password": CHEF_PASSWORD}, format="json")
        assert error_codes(log_in) == ["locked_out"]  # which starts the cool-off again, as django-axes does
        assert erase(as_chef, CHEF_PASSWORD, at + settings.AXES_COOLOFF_TIME + timedelta(seconds=1)).status_code == 204
        assert not User.objects.filter(id=chef.id).exists()

    def test_wrong_erasure_passwords_count_with_wrong_log_ins(self, as_chef, chef):
        with time_machine.travel(NOW, tick=False):
            for _ in range(settings.AXES_FAILURE_LIMIT - 1):
                APIClient().post(TOKEN, {"email": chef.email, "password": "wrong"}, format="json")
        assert error_codes(erase(as_chef, "not-my-password")) == ["locked_out"]
        assert erase(as_chef, CHEF_PASSWORD).status_code == 429
        assert User.objects.filter(id=chef.id).exists()

    def test_past_the_accounts_bound_an_address_it_never_signed_in_from_erases_nothing(self, as_chef, chef):
        with time_machine.travel(NOW, tick=False):
            for n in range(int(settings.AUTH_ACCOUNT_FAILURE_RATE.split("/")[0])):
                APIClient().post(
                    TOKEN, {"email": chef.email, "password": "guess"}, format="json", REMOTE_ADDR=f"10.0.{n}.1"
                )
        response = erase(as_chef, CHEF_PASSWORD)  # a stolen token, from yet another address
        assert response.status_code == 429
        assert error_codes(response) == ["throttled"]
        assert int(response["Retry-After"]) == 60 * 60
        assert User.objects.filter(id=chef.id).exists()

    def test_a_missing_password_is_not_counted_as_a_guess(self, as_chef, chef):
        for _ in range(settings.AXES_FAILURE_LIMIT):
            assert erase(as_chef, "").status_code == 400
        assert erase(as_chef, CHEF_PASSWORD).status_code == 204


def rows_mentioning(user: User) -> list[str]:
    """Every model field, in every installed app, holding the user's id or e-mail address.

    Walks all models, so a table added later is checked without touching this test.
    Encrypted fields cannot be searched in SQL; the rows holding them point at the user.
    """
    found = []
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if (field.is_relation and field.related_model is User) or (model is User and field.primary_key):
                lookup = {field.attname: user.id}
            elif isinstance(field, CharField | TextField) and not type(field).__module__.startswith("encrypted_"):
                lookup = {f"{field.attname}__iexact": user.email}
            else:
                continue
            if model._default_manager.filter(**lookup).exists():
                found.append(f"{model._meta.label}.{field.name}")
    return found


class TestExport:
    def test_it_is_one_attachment_with_profile_and_links(self, as_chef, chef, link):
        response = as_chef.get(EXPORT)
        assert response.status_code == 200
        assert response["Content-Disposition"].startswith('attachment; filename="good-enough-export-')
        document = json.loads(response.content)
        assert document["profile"]["email"] == chef.email
        assert [item["id"] for item in document["care_links"]] == [str(link.id)]
        assert document["care_links"][0]["therapist"]["display_name"] == "Dr. Maya Okafor"

    def test_a_therapists_export_holds_their_invites_but_never_the_codes(self, as_therapist):
        code = as_therapist.post("/api/v1/invites/", {"note": "for Sam"}).json()["code"]
        document = json.loads(as_therapist.get(EXPORT).content)
        assert [invite["note"] for invite in document["invites"]] == ["for Sam"]
        assert code not in json.dumps(document)
        assert Invite.objects.count() == 1

    def test_it_holds_nothing_of_another_user(self, as_chef, other_patient):
        assert other_patient.email not in as_chef.get(EXPORT).content.decode()

    def test_it_needs_a_signed_in_user(self, anon):
        assert anon.get(EXPORT).status_code == 401


@pytest.mark.parametrize("zone", ["localtime", "posixrules", "Factory", "\u202eEurope/Paris"])
def test_a_zone_is_a_place_not_the_servers_clock_or_a_trick(as_chef, chef, zone):
    response = as_chef.patch(ME, {"timezone": zone})
    assert response.status_code == 400
    assert error_codes(response) == ["unknown_timezone"]
    assert zone not in response.json()["errors"][0]["detail"] or zone.isprintable()
    chef.refresh_from_db()
    assert chef.timezone == "America/Chicago"
