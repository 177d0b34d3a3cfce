from __future__ import annotations

import uuid

import pytest
import time_machine
from django.db import connection

from journal.models import Experiment, PrideEntry, Reflection
from tests.factories import PatientFactory
from tests.helpers import client_for, error_attrs, error_codes

REFLECTIONS = "/api/v1/reflections/"
PRIDE = "/api/v1/pride-entries/"
EXPERIMENTS = "/api/v1/experiments/"

pytestmark = pytest.mark.django_db


def patient_in(zone: str):
    user = PatientFactory(timezone=zone)
    return user, client_for(user)


class TestLocalDays:
    @pytest.mark.parametrize(
        ("zone", "instant", "expected"),
        [
            ("Pacific/Kiritimati", "2026-11-25T09:59:00Z", "2026-11-25"),  # 23:59 at UTC+14
            ("Pacific/Kiritimati", "2026-11-25T10:01:00Z", "2026-11-26"),  # 00:01 the next day
            ("Pacific/Pago_Pago", "2026-11-25T11:01:00Z", "2026-11-25"),  # 00:01 at UTC-11
            ("Pacific/Pago_Pago", "2026-11-26T10:59:00Z", "2026-11-25"),  # 23:59, already the 26th in UTC
            ("America/Chicago", "2026-11-26T03:00:00Z", "2026-11-25"),
        ],
    )
    def test_a_reflection_lands_on_the_day_its_writer_saw(self, zone, instant, expected):
        _, client = patient_in(zone)
        with time_machine.travel(instant, tick=False):
            response = client.post(REFLECTIONS, {"effort": "Prepped the mise en place calmly"})
        assert response.status_code == 201
        assert response.json()["date"] == expected
        assert response.json()["kind_words"] == "You're doing your best, and that's enough."

    def test_today_in_kiritimati_is_not_the_future_even_while_utc_is_a_day_behind(self):
        _, client = patient_in("Pacific/Kiritimati")
        with time_machine.travel("2026-11-25T10:30:00Z", tick=False):
            assert client.post(REFLECTIONS, {"date": "2026-11-26", "effort": "x"}).status_code == 201
            response = client.post(REFLECTIONS, {"date": "2026-11-27", "effort": "x"})
        assert response.status_code == 400
        assert error_codes(response) == ["future_date"]

    def test_a_traveller_keeps_past_entries_on_their_dates(self):
        _, client = patient_in("Asia/Tokyo")
        with time_machine.travel("2026-11-25T16:00:00Z", tick=False):  # 01:00 on the 26th in Tokyo
            made = client.post(REFLECTIONS, {"effort": "Tasted before plating"}).json()
            client.patch("/api/v1/me/", {"timezone": "America/Los_Angeles"})
            assert client.get(f"{REFLECTIONS}{made['id']}/").json()["date"] == "2026-11-26"
            # Now in Los Angeles it is still the 25th: a new entry lands there.
            assert client.post(REFLECTIONS, {"effort": "Rested"}).json()["date"] == "2026-11-25"

    @pytest.mark.parametrize(
        ("zone", "instant", "week"),
        [
            ("Europe/Berlin", "2026-12-31T23:30:00Z", "2026-W53"),  # 00:30 on 1 January 2027, a Friday
            ("America/New_York", "2027-01-04T04:30:00Z", "2026-W53"),  # still Sunday 3 January locally
            ("Asia/Tokyo", "2027-01-03T15:30:00Z", "2027-W01"),  # Monday 4 January locally
        ],
    )
    def test_the_pride_week_is_the_iso_week_the_writer_is_in(self, zone, instant, week):
        _, client = patient_in(zone)
        with time_machine.travel(instant, tick=False):
            response = client.post(PRIDE, {"items": ["Tried the new sauce"]})
        assert response.status_code == 201
        assert response.json()["week"] == week


class TestReflections:
    def test_a_second_entry_for_a_day_is_a_409_naming_the_first(self, as_chef):
        first = as_chef.post(REFLECTIONS, {"date": "2026-11-20", "effort": "x"}).json()
        response = as_chef.post(REFLECTIONS, {"date": "2026-11-20", "effort": "y"})
        assert response.status_code == 409
        assert response.json()["existing_id"] == first["id"]
        assert error_attrs(response) == ["date"]
        assert Reflection.objects.count() == 1

    def test_a_deleted_day_can_be_written_again(self, as_chef):
        first = as_chef.post(REFLECTIONS, {"date": "2026-11-20", "effort": "x"}).json()
        assert as_chef.delete(f"{REFLECTIONS}{first['id']}/").status_code == 204
        assert as_chef.post(REFLECTIONS, {"date": "2026-11-20", "effort": "again"}).status_code == 201

    @pytest.mark.parametrize(
        ("body", "attr", "code"),
        [
            ({"effort": "x", "mood": 6}, "mood", "max_value"),
            ({"effort": "x", "mood": 0}, "mood", "min_value"),
            ({"effort": ""}, "effort", "blank"),
            ({"effort": "x" * 2001}, "effort", "max_length"),
            ({}, "effort", "required"),
            ({"effort": 5}, "effort", "invalid"),
            ({"effort": "x", "date": "yesterday"}, "date", "invalid"),
        ],
    )
    def test_bad_input_is_a_400_and_writes_nothing(self, as_chef, body, attr, code):
        response = as_chef.post(REFLECTIONS, body)
        assert response.status_code == 400
        assert error_attrs(response) == [attr]
        assert error_codes(response) == [code]
        assert not Reflection.objects.exists()

    def test_put_with_a_client_uuid_creates_then_updates_with_etags(self, as_chef):
        client_id = uuid.uuid4()
        url = f"{REFLECTIONS}{client_id}/"
        created = as_chef.put(url, {"date": "2026-11-20", "effort": "offline draft"})
        assert created.status_code == 201
        assert created.json()["id"] == str(client_id)
        assert created["ETag"] == '"1"'
        updated = as_chef.put(url, {"date": "2026-11-20", "effort": "synced"}, HTTP_IF_MATCH='"1"')
        assert updated.status_code == 200
        assert updated["ETag"] == '"2"'
        stale = as_chef.put(url, {"date": "2026-11-20", "effort": "lost"}, HTTP_IF_MATCH='"1"')
        assert stale.status_code == 412
        assert Reflection.objects.get().effort == "synced"
        assert as_chef.get(url)["ETag"] == '"2"'

    @pytest.mark.parametrize(
        ("path", "first", "second", "kept"),
        [
            (
                REFLECTIONS,
                {"date": "2026-11-20", "effort": "draft", "kind_words": "My own words.", "mood": 2, "shared": False},
                {"effort": "rewritten"},
                {"date": "2026-11-20", "kind_words": "My own words.", "mood": 2, "shared": False},
            ),
            (
                PRIDE,
                {"week": "2026-W47", "items": ["a", "b"], "note": "A note."},
                {"items": ["c"]},
                {"week": "2026-W47", "note": "A note."},
            ),
            (
                EXPERIMENTS,
                {"title": "Bake", "planned_for": "2026-11-28", "worry": "It flops.", "kind_words": "Mine."},
                {"title": "Bake bread"},
                {"planned_for": "2026-11-28", "worry": "It flops.", "kind_words": "Mine.", "status": "planned"},
            ),
        ],
    )
    @time_machine.travel("2026-11-25T12:00:00Z", tick=False)
    def test_a_put_of_a_known_id_changes_only_the_fields_it_sends(self, as_chef, path, first, second, kept):
        # PUT means the same for every kind: a known id is updated like a PATCH, a field left
        # out keeps its value (kind_words were once reset to the default sentence).
        url = f"{path}{uuid.uuid4()}/"
        assert as_chef.put(url, first).status_code == 201
        updated = as_chef.put(url, second)
        assert updated.status_code == 200
        assert {name: updated.json()[name] for name in kept} == kept
        assert {name: updated.json()[name] for name in second} == second
        assert as_chef.get(url).json() | {"safety": None} == updated.json()  # a read carries no help block

    @time_machine.travel("2026-11-25T12:00:00Z", tick=False)
    def test_a_put_that_creates_fills_the_defaults_as_a_post_does(self, as_chef):
        created = as_chef.put(f"{REFLECTIONS}{uuid.uuid4()}/", {"effort": "offline"})
        assert created.status_code == 201
        posted_elsewhere = client_for(PatientFactory(timezone="America/Chicago")).post(REFLECTIONS, {"effort": "x"})
        kept = ("kind_words", "mood", "shared", "commitment", "date")
        assert {name: created.json()[name] for name in kept} == {name: posted_elsewhere.json()[name] for name in kept}
        assert created.json()["kind_words"] == "You're doing your best, and that's enough."

    def test_another_patients_entry_is_a_404_for_read_update_and_delete(self, as_chef, as_other_patient):
        made = as_chef.post(REFLECTIONS, {"date": "2026-11-20", "effort": "mine"}).json()
        url = f"{REFLECTIONS}{made['id']}/"
        assert as_other_patient.get(url).status_code == 404
        assert as_other_patient.put(url, {"date": "2026-11-21", "effort": "theirs"}).status_code == 404
        assert as_other_patient.patch(url, {"effort": "theirs"}).status_code == 404
        assert as_other_patient.delete(url).status_code == 404
        assert as_other_patient.get(REFLECTIONS).json()["results"] == []
        reflection = Reflection.objects.get()
        assert (reflection.effort, reflection.deleted_at, reflection.version) == ("mine", None, 1)

    def test_a_therapist_cannot_write_a_patients_entry(self, as_therapist, link):
        response = as_therapist.post(REFLECTIONS, {"effort": "written for them"})
        assert response.status_code == 403
        assert not Reflection.objects.exists()

    def test_an_entry_links_only_to_the_patients_own_commitment(self, as_chef, as_other_patient):
        theirs = as_other_patient.post("/api/v1/commitments/", {"kind": "reflection_daily", "title": "x"}).json()
        response = as_chef.post(REFLECTIONS, {"effort": "x", "commitment": theirs["id"]})
        assert response.status_code == 400
        assert error_codes(response) == ["does_not_exist"]

    def test_lists_filter_by_from_and_to(self, as_chef):
        for day in ["2026-11-01", "2026-11-10", "2026-11-20"]:
            as_chef.post(REFLECTIONS, {"date": day, "effort": "x"})
        dates = [
            r["date"] for r in as_chef.get(REFLECTIONS, {"from": "2026-11-05", "to": "2026-11-20"}).json()["results"]
        ]
        assert sorted(dates) == ["2026-11-10", "2026-11-20"]
        assert as_chef.get(REFLECTIONS, {"from": "soon"}).status_code == 400


class TestPrideEntries:
    def test_three_items_meet_the_week_and_catching_up_is_welcome(self, as_chef):
        response = as_chef.post(PRIDE, {"week": "2026-W40", "items": ["Plated calmly", "Asked for help", "Rested"]})
        assert response.status_code == 201
        assert (response.json()["target"], response.json()["met"]) == (3, True)
        fewer = as_chef.post(PRIDE, {"week": "2026-W41", "items": ["Showed up"]}).json()
        assert (fewer["target"], fewer["met"]) == (3, False)

    def test_the_commitments_target_replaces_three(self, as_chef):
        commitment = as_chef.post(
            "/api/v1/commitments/", {"kind": "pride_weekly", "title": "Two things", "target_count": 2}
        ).json()
        made = as_chef.post(PRIDE, {"week": "2026-W40", "items": ["a", "b"], "commitment": commitment["id"]}).json()
        assert (made["target"], made["met"]) == (2, True)

    @pytest.mark.parametrize(
        ("body", "attr", "code"),
        [
            ({"items": [f"thing {n}" for n in range(11)]}, "items", "max_length"),
            ({"items": []}, "items", "min_length"),
            ({"items": ["good", "  "]}, "items", "item_blank"),
            ({"items": ["x" * 501]}, "items", "item_too_long"),
            ({"items": [3]}, "items", "item_not_text"),
            ({"items": ["x"], "week": "2025-W53"}, "week", "invalid_week"),
            ({"items": ["x"], "week": "2026-48"}, "week", "invalid_week"),
            ({"items": ["x"], "week": "2099-W01"}, "week", "future_week"),
        ],
    )
    def test_bad_input_is_a_400_and_writes_nothing(self, as_chef, body, attr, code):
        with time_machine.travel("2026-11-25T12:00:00Z", tick=False):
            response = as_chef.post(PRIDE, body)
        assert response.status_code == 400
        assert error_attrs(response) == [attr]
        assert error_codes(response) == [code]
        assert not PrideEntry.objects.exists()

    def test_week_53_of_2026_exists(self, as_chef):
        with time_machine.travel("2027-02-01T12:00:00Z", tick=False):
            assert as_chef.post(PRIDE, {"week": "2026-W53", "items": ["x"]}).status_code == 201

    def test_a_second_entry_for_a_week_is_a_409(self, as_chef):
        first = as_chef.post(PRIDE, {"week": "2026-W40", "items": ["x"]}).json()
        response = as_chef.post(PRIDE, {"week": "2026-W40", "items": ["y"]})
        assert response.status_code == 409
        assert response.json()["existing_id"] == first["id"]

    def test_moving_an_entry_onto_a_taken_week_is_a_409(self, as_chef):
        as_chef.post(PRIDE, {"week": "2026-W40", "items": ["x"]})
        second = as_chef.post(PRIDE, {"week": "2026-W41", "items": ["y"]}).json()
        response = as_chef.patch(f"{PRIDE}{second['id']}/", {"week": "2026-W40"})
        assert response.status_code == 409
        assert PrideEntry.objects.get(id=second["id"]).week == "2026-W41"


class TestExperiments:
    def test_a_flopped_dish_is_a_tried_experiment(self, as_chef):
        made = as_chef.post(
            EXPERIMENTS,
            {
                "title": "Try a new recipe just for fun",
                "worry": "The team will think less of me",
                "status": "planned",
            },
        ).json()
        tried = as_chef.patch(
            f"{EXPERIMENTS}{made['id']}/",
            {"status": "tried", "outcome": "The soufflé fell. Nobody minded.", "learned": "It's one dish."},
        )
        assert tried.status_code == 200
        assert tried.json()["status"] == "tried"
        assert tried.json()["kind_words"] == ""

    def test_an_unknown_status_is_a_400(self, as_chef):
        response = as_chef.post(EXPERIMENTS, {"title": "x", "status": "perfect"})
        assert response.status_code == 400
        assert error_codes(response) == ["invalid_choice"]
        assert not Experiment.objects.exists()


def test_no_journal_text_is_stored_in_plain_text(as_chef):
    secret = "I cried in the walk-in fridge"
    as_chef.post(REFLECTIONS, {"effort": secret, "kind_words": secret})
    as_chef.post(PRIDE, {"items": [secret], "note": secret})
    as_chef.post(EXPERIMENTS, {"title": secret, "worry": secret, "outcome": secret, "learned": secret})
    as_chef.post("/api/v1/commitments/", {"kind": "custom", "cadence": "daily", "title": secret, "details": secret})
    tables = ["journal_reflection", "journal_prideentry", "journal_experiment", "journal_commitment"]
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"SELECT * FROM {table}")
            rows = cursor.fetchall()
            assert rows, table
            dump = repr(rows)
            assert "walk-in" not in dump, table
            assert "gAAAAA" in dump, table  # Fernet tokens are there instead
    assert as_chef.get(REFLECTIONS).json()["results"][0]["effort"] == secret


def test_creating_with_an_id_that_is_already_taken_is_a_409_not_a_crash(chef):
    from django.utils import timezone

    from journal import services
    from journal.exceptions import IdTaken

    made = services.entry_create(model=Experiment, patient=chef, now=timezone.now(), title="first")
    # Two offline devices replaying the same PUT at once: the second insert meets the first.
    with pytest.raises(IdTaken) as raised:
        services.entry_create(model=Experiment, patient=chef, now=timezone.now(), id=made.id, title="again")
    assert raised.value.existing_id == str(made.id)
    assert Experiment.objects.get().title == "first"
