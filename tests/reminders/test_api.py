"""The reminders API as a client sees it: reminders, settings, devices and deliveries."""

from __future__ import annotations

import base64
import json
from datetime import date, time

import pytest
import time_machine
from django.utils import timezone

from backend import env
from journal.models import Commitment
from reminders import channels
from reminders.models import MAX_DEVICES, Delivery, Device, Reminder, ReminderSettings
from tests.factories import (
    CommitmentFactory,
    DeliveryFactory,
    DeviceFactory,
    PatientFactory,
    ReminderFactory,
    TherapistFactory,
)
from tests.helpers import WEB_PUSH_KEYS, client_for, error_attrs, error_codes

pytestmark = pytest.mark.django_db

REMINDERS = "/api/v1/reminders/"
SETTINGS = "/api/v1/reminders/settings/"
DELIVERIES = "/api/v1/reminders/deliveries/"
DEVICES = "/api/v1/devices/"
EVENING = {"kind": "reflection_daily", "local_time": "20:00", "weekdays": [1, 2, 3, 4, 5, 6, 7]}


def url(reminder) -> str:
    return f"{REMINDERS}{reminder['id'] if isinstance(reminder, dict) else reminder.id}/"


def custom_commitment(patient) -> Commitment:
    """A commitment with no default reminder of its own (activating a daily reflection makes one)."""
    return CommitmentFactory(patient=patient, kind=Commitment.Kind.CUSTOM, cadence=Commitment.Cadence.WEEKLY)


@pytest.fixture
def new_yorker():
    return PatientFactory(timezone="America/New_York")


@pytest.fixture
def as_new_yorker(new_yorker):
    return client_for(new_yorker)


class TestCreate:
    @time_machine.travel("2026-11-26T12:00:00Z", tick=False)  # 07:00 in New York
    def test_a_reminder_fires_next_at_the_patients_own_evening_in_utc(self, as_new_yorker, new_yorker):
        response = as_new_yorker.post(REMINDERS, EVENING)
        assert response.status_code == 201
        body = response.json()
        assert body["next_fire_at"] == "2026-11-27T01:00:00Z"  # 20:00 EST
        assert body["local_time"] == "20:00"
        assert (body["kind"], body["enabled"], body["commitment"], body["version"]) == (
            "reflection_daily",
            True,
            None,
            1,
        )
        assert response["ETag"] == '"1"'
        assert Reminder.objects.get().patient == new_yorker

    @time_machine.travel("2026-11-26T12:00:00Z", tick=False)  # a Thursday
    def test_it_waits_for_the_next_chosen_weekday_and_keeps_the_days_sorted(self, as_new_yorker):
        body = as_new_yorker.post(REMINDERS, {**EVENING, "local_time": "08:15", "weekdays": [7, 1]}).json()
        assert body["weekdays"] == [1, 7]
        assert body["next_fire_at"] == "2026-11-29T13:15:00Z"  # Sunday 08:15 EST

    @time_machine.travel("2027-03-13T12:00:00Z", tick=False)
    def test_a_time_the_clocks_skip_fires_at_the_end_of_the_gap(self, as_new_yorker):
        # 02:30 does not exist in New York on 2027-03-14: clocks go from 02:00 EST to 03:00 EDT.
        body = as_new_yorker.post(REMINDERS, {**EVENING, "local_time": "02:30"}).json()
        assert body["next_fire_at"] == "2027-03-14T07:00:00Z"

    def test_a_reminder_created_off_has_no_next_fire(self, as_chef):
        body = as_chef.post(REMINDERS, {**EVENING, "enabled": False}).json()
        assert (body["enabled"], body["next_fire_at"]) == (False, None)

    def test_it_may_follow_one_of_the_patients_own_commitments(self, as_chef, chef):
        commitment = CommitmentFactory(patient=chef, kind=Commitment.Kind.PRIDE_WEEKLY)
        body = {"kind": "pride_weekly", "commitment": str(commitment.id), "local_time": "18:00", "weekdays": [5]}
        response = as_chef.post(REMINDERS, body)
        assert response.status_code == 201
        assert response.json()["commitment"] == str(commitment.id)

    @pytest.mark.parametrize(
        ("local_time", "code"),
        [
            ("7:00", "invalid_time"),
            ("07:00:00", "invalid_time"),
            ("24:00", "invalid_time"),
            ("07:60", "invalid_time"),
            ("\u0660\u0667:\u0660\u0660", "invalid_time"),  # Arabic-Indic digits
            ("7pm", "invalid_time"),
            ("", "invalid_time"),
            (700, "invalid"),
            (None, "null"),
        ],
    )
    def test_a_time_that_is_not_exactly_hh_mm_is_refused(self, as_chef, local_time, code):
        response = as_chef.post(REMINDERS, {**EVENING, "local_time": local_time})
        assert response.status_code == 400
        assert (error_codes(response), error_attrs(response)) == ([code], ["local_time"])
        assert not Reminder.objects.exists()

    @pytest.mark.parametrize(
        ("weekdays", "code"),
        [
            ([], "min_length"),
            ([0], "item_invalid"),
            ([8], "item_invalid"),
            ([1, 3, 1], "item_repeated"),
            (["1"], "item_invalid"),
            ([1.5], "item_invalid"),
            ([True], "item_invalid"),
            ("1,2", "not_a_list"),
            (None, "null"),
        ],
    )
    def test_weekdays_must_be_distinct_iso_days(self, as_chef, weekdays, code):
        response = as_chef.post(REMINDERS, {**EVENING, "weekdays": weekdays})
        assert response.status_code == 400
        assert (error_codes(response), error_attrs(response)) == ([code], ["weekdays"])
        assert not Reminder.objects.exists()

    @pytest.mark.parametrize("kind", ["experiment_day", "experiment_follow_up", "weekly", None])
    def test_only_the_kinds_a_patient_sets_up_are_accepted(self, as_chef, kind):
        response = as_chef.post(REMINDERS, {**EVENING, "kind": kind})
        assert response.status_code == 400
        assert error_attrs(response) == ["kind"]
        assert not Reminder.objects.exists()

    def test_another_patients_or_a_deleted_commitment_is_refused(self, as_chef, chef, other_patient):
        theirs = custom_commitment(other_patient)
        deleted = custom_commitment(chef)
        deleted.deleted_at = timezone.now()
        deleted.save()
        for commitment in (str(theirs.id), str(deleted.id), "not-a-uuid", 7):
            response = as_chef.post(REMINDERS, {**EVENING, "commitment": commitment})
            assert response.status_code == 400, commitment
            assert error_attrs(response) == ["commitment"]
            assert error_codes(response)[0] in {"does_not_exist", "incorrect_type", "invalid"}
        assert not Reminder.objects.exists()

    def test_what_is_missing_is_named(self, as_chef):
        response = as_chef.post(REMINDERS, {})
        assert response.status_code == 400
        assert sorted(error_attrs(response)) == ["kind", "local_time", "weekdays"]
        assert set(error_codes(response)) == {"required"}


class TestReadChangeDelete:
    def test_the_list_holds_only_my_reminders_newest_first_in_pages(self, as_chef, chef, other_patient):
        first = ReminderFactory(patient=chef)
        second = ReminderFactory(patient=chef, kind=Reminder.Kind.PRIDE_WEEKLY, weekdays=[5])
        ReminderFactory(patient=other_patient)
        page = as_chef.get(REMINDERS, {"page_size": 1}).json()
        assert [item["id"] for item in page["results"]] == [str(second.id)]
        rest = as_chef.get(page["next"]).json()
        assert [item["id"] for item in rest["results"]] == [str(first.id)]
        assert rest["next"] is None

    @time_machine.travel("2026-11-26T12:00:00Z", tick=False)
    def test_an_experiment_nudge_the_server_made_shows_and_can_be_moved_or_switched_off(
        self, as_new_yorker, new_yorker
    ):
        nudge = ReminderFactory(
            patient=new_yorker,
            kind=Reminder.Kind.EXPERIMENT_DAY,
            weekdays=[],
            on_date=date(2026, 11, 28),
            local_time=time(9, 0),
        )
        listed = as_new_yorker.get(REMINDERS).json()["results"]
        assert [(item["kind"], item["weekdays"], item["next_fire_at"]) for item in listed] == [
            ("experiment_day", [], "2026-11-28T14:00:00Z")
        ]
        moved = as_new_yorker.patch(url(nudge), {"local_time": "10:00"}).json()
        assert (moved["kind"], moved["next_fire_at"]) == ("experiment_day", "2026-11-28T15:00:00Z")
        assert as_new_yorker.patch(url(nudge), {"enabled": False}).json()["next_fire_at"] is None

    def test_the_list_costs_the_same_queries_for_many_reminders(self, chef, django_assert_max_num_queries):
        for _ in range(20):
            ReminderFactory(patient=chef, commitment=custom_commitment(chef))
        client = client_for(chef)
        with django_assert_max_num_queries(3):
            assert len(client.get(REMINDERS).json()["results"]) == 20

    def test_one_reminder_comes_with_its_etag(self, as_chef, chef):
        reminder = ReminderFactory(patient=chef)
        response = as_chef.get(url(reminder))
        assert response.status_code == 200
        assert response.json()["id"] == str(reminder.id)
        assert response["ETag"] == '"1"'

    def test_a_new_time_plans_the_next_fire_again_from_now(self, as_new_yorker, new_yorker):
        with time_machine.travel("2026-11-26T12:00:00Z", tick=False):
            reminder = as_new_yorker.post(REMINDERS, EVENING).json()
        with time_machine.travel("2026-11-27T02:00:00Z", tick=False):  # 21:00 EST, after today's slot
            response = as_new_yorker.patch(url(reminder), {"local_time": "21:30"})
        assert response.status_code == 200
        body = response.json()
        assert (body["local_time"], body["next_fire_at"], body["version"]) == ("21:30", "2026-11-27T02:30:00Z", 2)
        assert body["updated_at"] == "2026-11-27T02:00:00Z"
        assert response["ETag"] == '"2"'

    def test_switching_off_clears_the_next_fire_and_switching_on_plans_it(self, as_new_yorker):
        with time_machine.travel("2026-11-26T12:00:00Z", tick=False):
            reminder = as_new_yorker.post(REMINDERS, EVENING).json()
            off = as_new_yorker.patch(url(reminder), {"enabled": False}).json()
            assert (off["enabled"], off["next_fire_at"]) == (False, None)
        with time_machine.travel("2026-11-28T03:00:00Z", tick=False):  # 22:00 EST on the 27th
            on = as_new_yorker.patch(url(reminder), {"enabled": True}).json()
        assert on["next_fire_at"] == "2026-11-29T01:00:00Z"

    def test_changing_only_the_commitment_leaves_the_slot_where_it_was(self, as_chef, chef):
        reminder = ReminderFactory(patient=chef)
        commitment = custom_commitment(chef)
        response = as_chef.patch(url(reminder), {"commitment": str(commitment.id)})
        assert response.status_code == 200
        assert response.json()["commitment"] == str(commitment.id)
        assert Reminder.objects.get(pk=reminder.pk).next_fire_at == reminder.next_fire_at
        assert as_chef.patch(url(reminder), {"commitment": None}).json()["commitment"] is None

    def test_a_patch_cannot_change_the_kind(self, as_chef, chef):
        reminder = ReminderFactory(patient=chef)
        response = as_chef.patch(url(reminder), {"kind": "custom", "weekdays": [3, 1]})
        assert response.status_code == 400
        assert [(e["code"], e["attr"]) for e in response.json()["errors"]] == [("unknown_field", "kind")]
        reminder.refresh_from_db()
        assert (reminder.kind, reminder.version) == ("reflection_daily", 1)

    def test_a_patch_that_names_nothing_changes_nothing(self, as_chef, chef):
        reminder = ReminderFactory(patient=chef)
        response = as_chef.patch(url(reminder), {})
        assert (response.status_code, response.json()["version"]) == (200, 1)

    def test_a_bad_patch_is_refused_and_changes_nothing(self, as_chef, chef):
        reminder = ReminderFactory(patient=chef)
        for body in (
            {"local_time": "24:00"},
            {"weekdays": []},
            {"enabled": "no"},
            {"local_time": "21:00", "weekdays": [9]},
        ):
            assert as_chef.patch(url(reminder), body).status_code == 400, body
        stored = Reminder.objects.get()
        assert (stored.version, f"{stored.local_time:%H:%M}", stored.enabled) == (1, "20:30", True)

    def test_a_stale_if_match_is_a_412_and_changes_nothing(self, as_chef, chef):
        reminder = ReminderFactory(patient=chef)
        as_chef.patch(url(reminder), {"local_time": "07:00"})
        response = as_chef.patch(url(reminder), {"local_time": "08:00"}, HTTP_IF_MATCH='"1"')
        assert response.status_code == 412
        assert error_codes(response) == ["precondition_failed"]
        assert f"{Reminder.objects.get().local_time:%H:%M}" == "07:00"
        assert as_chef.delete(url(reminder), HTTP_IF_MATCH='"1"').status_code == 412
        assert as_chef.patch(url(reminder), {"local_time": "08:00"}, HTTP_IF_MATCH='"2"').status_code == 200

    def test_deleting_takes_its_deliveries_with_it(self, as_chef, chef):
        reminder = ReminderFactory(patient=chef)
        DeliveryFactory(reminder=reminder)
        assert as_chef.delete(url(reminder)).status_code == 204
        assert as_chef.get(url(reminder)).status_code == 404
        assert not Reminder.objects.exists()
        assert not Delivery.objects.exists()

    def test_another_patients_reminder_is_not_found_and_stays_as_it_was(self, as_chef, other_patient):
        theirs = ReminderFactory(patient=other_patient)
        assert as_chef.get(url(theirs)).status_code == 404
        assert as_chef.patch(url(theirs), {"enabled": False}).status_code == 404
        assert as_chef.delete(url(theirs)).status_code == 404
        stored = Reminder.objects.get()
        assert (stored.enabled, stored.version) == (True, 1)

    def test_an_id_that_is_not_a_uuid_is_not_found(self, as_chef):
        assert as_chef.get(f"{REMINDERS}12/").status_code == 404

    def test_a_therapist_even_a_linked_one_may_not_use_reminders(self, as_therapist, chef, link):
        reminder = ReminderFactory(patient=chef)
        for response in (
            as_therapist.get(REMINDERS),
            as_therapist.post(REMINDERS, EVENING),
            as_therapist.get(url(reminder)),
            as_therapist.patch(url(reminder), {"enabled": False}),
            as_therapist.delete(url(reminder)),
            as_therapist.get(SETTINGS),
            as_therapist.put(SETTINGS, {}),
            as_therapist.get(DELIVERIES),
        ):
            assert response.status_code == 403
            assert error_codes(response) == ["permission_denied"]
        assert Reminder.objects.get().enabled is True
        assert not ReminderSettings.objects.exists()

    def test_without_a_token_it_is_a_401(self, anon):
        for path in (REMINDERS, SETTINGS, DELIVERIES, DEVICES):
            assert anon.get(path).status_code == 401


class TestSettings:
    def test_a_patient_who_never_saved_any_reads_the_defaults_and_nothing_is_written(self, as_chef):
        response = as_chef.get(SETTINGS)
        assert response.status_code == 200
        assert response.json() == {
            "quiet_start": None,
            "quiet_end": None,
            "paused_until": None,
            "channels": ["push"],
            "updated_at": None,
            "version": 0,
        }
        assert response["ETag"] == '"0"'
        assert not ReminderSettings.objects.exists()

    @time_machine.travel("2026-11-26T12:00:00Z", tick=False)
    def test_a_put_saves_them_whole_and_a_second_replaces_them(self, as_chef, chef):
        body = {
            "quiet_start": "22:00",
            "quiet_end": "07:00",
            "paused_until": "2026-12-24",
            "channels": ["email", "push"],
        }
        response = as_chef.put(SETTINGS, body)
        assert response.status_code == 200
        assert response.json() == {**body, "updated_at": "2026-11-26T12:00:00Z", "version": 1}
        assert response["ETag"] == '"1"'
        assert as_chef.get(SETTINGS).json()["quiet_start"] == "22:00"
        again = as_chef.put(SETTINGS, {"channels": ["email"]}).json()
        assert again == {
            "quiet_start": None,
            "quiet_end": None,
            "paused_until": None,
            "channels": ["email"],
            "updated_at": "2026-11-26T12:00:00Z",
            "version": 2,
        }
        assert ReminderSettings.objects.get().patient == chef

    @pytest.mark.parametrize(
        ("body", "attr", "code"),
        [
            ({"quiet_start": "22:00"}, "quiet_end", "quiet_hours_incomplete"),
            ({"quiet_start": "22:00", "quiet_end": None}, "quiet_end", "quiet_hours_incomplete"),
            ({"quiet_end": "07:00"}, "quiet_start", "quiet_hours_incomplete"),
            ({"quiet_start": "22:00", "quiet_end": "22:00"}, "quiet_end", "quiet_hours_empty"),
            ({"quiet_start": "22:00", "quiet_end": "7:00"}, "quiet_end", "invalid_time"),
            ({"channels": []}, "channels", "min_length"),
            ({"channels": ["push", "push"]}, "channels", "item_repeated"),
            ({"channels": ["sms"]}, "channels", "item_invalid"),
            ({"paused_until": "24/12/2026"}, "paused_until", "invalid"),
        ],
    )
    def test_quiet_hours_come_both_or_neither_and_bad_values_change_nothing(self, as_chef, body, attr, code):
        response = as_chef.put(SETTINGS, body)
        assert response.status_code == 400
        assert (error_codes(response), error_attrs(response)) == ([code], [attr])
        assert not ReminderSettings.objects.exists()

    def test_if_match_0_means_i_read_the_defaults(self, as_chef):
        assert as_chef.put(SETTINGS, {"channels": ["email"]}, HTTP_IF_MATCH='"0"').status_code == 200
        stale = as_chef.put(SETTINGS, {"channels": ["push"]}, HTTP_IF_MATCH='"0"')
        assert stale.status_code == 412
        assert error_codes(stale) == ["precondition_failed"]
        assert ReminderSettings.objects.get().channels == ["email"]
        assert as_chef.put(SETTINGS, {}, HTTP_IF_MATCH='"1"').status_code == 200

    def test_a_stale_if_match_before_anything_is_saved_is_a_412(self, as_chef):
        assert as_chef.put(SETTINGS, {}, HTTP_IF_MATCH='"3"').status_code == 412
        assert not ReminderSettings.objects.exists()

    def test_each_patient_has_their_own(self, as_chef, as_other_patient):
        as_chef.put(SETTINGS, {"channels": ["email"]})
        assert as_other_patient.get(SETTINGS).json()["channels"] == ["push"]


def subscription(endpoint: str = "https://fcm.googleapis.com/fcm/send/abc123", **keys: str) -> str:
    return json.dumps({"endpoint": endpoint, "expirationTime": None, "keys": keys or WEB_PUSH_KEYS})


class TestDevices:
    def test_the_web_push_key_is_the_servers_vapid_public_key_or_null(self, as_chef, as_therapist, nothing_configured):
        assert as_chef.get("/api/v1/devices/web-push/").json() == {"public_key": None}
        nothing_configured.WEBPUSH_VAPID_PRIVATE_KEY = env.new_vapid_private_key()
        nothing_configured.WEBPUSH_VAPID_SUBJECT = "mailto:care@good-enough.test"
        body = as_chef.get("/api/v1/devices/web-push/").json()
        assert body == {"public_key": channels.vapid_public_key()}
        assert len(base64.urlsafe_b64decode(body["public_key"] + "=")) == 65  # applicationServerKey's P-256 point
        assert as_therapist.get("/api/v1/devices/web-push/").json() == body  # the server's, not a user's

    def test_the_web_push_key_needs_a_signed_in_caller(self, anon):
        assert anon.get("/api/v1/devices/web-push/").status_code == 401

    def test_a_token_of_only_spaces_is_refused(self, as_chef):
        response = as_chef.post(DEVICES, {"platform": "android", "token": "   "})
        assert response.status_code == 400
        assert error_codes(response) == ["blank"]
        assert not Device.objects.exists()

    def test_registering_a_token_again_is_the_same_device_active_again(self, as_chef, chef):
        first = as_chef.post(DEVICES, {"platform": "android", "token": "fcm-token-1"})
        assert first.status_code == 201
        assert set(first.json()) == {"id", "platform", "active", "created_at", "last_registered_at"}
        Device.objects.update(active=False)  # the push service called it unregistered
        again = as_chef.post(DEVICES, {"platform": "android", "token": "fcm-token-1"})
        assert again.status_code == 200
        assert (again.json()["id"], again.json()["active"]) == (first.json()["id"], True)
        assert Device.objects.get().user == chef

    def test_a_token_last_registered_by_someone_else_moves_to_the_caller(self, as_chef, as_other_patient, chef):
        theirs = as_other_patient.post(DEVICES, {"platform": "ios", "token": "apns-shared-phone"}).json()
        response = as_chef.post(DEVICES, {"platform": "ios", "token": "apns-shared-phone"})
        assert response.status_code == 201
        assert response.json()["id"] != theirs["id"]
        assert "apns-shared-phone" not in response.content.decode()
        assert as_other_patient.get(DEVICES).json()["results"] == []
        assert Device.objects.get().user == chef

    def test_the_list_shows_my_devices_and_never_a_token(self, as_chef, chef, other_patient):
        mine = DeviceFactory(user=chef)
        DeviceFactory(user=other_patient)
        response = as_chef.get(DEVICES)
        assert [item["id"] for item in response.json()["results"]] == [str(mine.id)]
        assert mine.token not in response.content.decode()

    def test_the_device_list_costs_the_same_queries_for_many(self, chef, django_assert_max_num_queries):
        for _ in range(MAX_DEVICES):  # as many as a user can hold
            DeviceFactory(user=chef)
        client = client_for(chef)
        with django_assert_max_num_queries(3):
            assert len(client.get(DEVICES).json()["results"]) == MAX_DEVICES

    def test_a_therapist_registers_a_device_too(self, as_therapist):
        assert as_therapist.post(DEVICES, {"platform": "web", "token": subscription()}).status_code == 201

    def test_a_web_token_is_a_push_subscription_and_its_spacing_does_not_make_a_second_device(self, as_chef):
        token = subscription()
        assert as_chef.post(DEVICES, {"platform": "web", "token": token}).status_code == 201
        respaced = json.dumps(json.loads(token), indent=2, sort_keys=True)
        assert as_chef.post(DEVICES, {"platform": "web", "token": respaced}).status_code == 200
        assert Device.objects.count() == 1

    @pytest.mark.parametrize(
        "token",
        [
            "not json",
            "[1, 2]",
            subscription(endpoint="http://push.example.test/abc"),
            subscription(endpoint="https:///no-host"),
            subscription(p256dh=WEB_PUSH_KEYS["p256dh"]),
            subscription(p256dh=WEB_PUSH_KEYS["p256dh"], auth=""),
            json.dumps({"endpoint": "https://fcm.googleapis.com/fcm/send/abc", "keys": "p256dh"}),
        ],
    )
    def test_a_web_token_that_is_not_a_subscription_is_refused(self, as_chef, token):
        response = as_chef.post(DEVICES, {"platform": "web", "token": token})
        assert response.status_code == 400
        assert (error_codes(response), error_attrs(response)) == (["invalid_subscription"], ["token"])
        assert not Device.objects.exists()

    @pytest.mark.parametrize(
        ("body", "attr"),
        [
            ({"platform": "android", "token": "x" * 4097}, "token"),
            ({"platform": "android", "token": ""}, "token"),
            ({"platform": "android", "token": 12}, "token"),
            ({"platform": "blackberry", "token": "abc"}, "platform"),
            ({"token": "abc"}, "platform"),
        ],
    )
    def test_a_bad_registration_is_refused(self, as_chef, body, attr):
        response = as_chef.post(DEVICES, body)
        assert response.status_code == 400
        assert error_attrs(response) == [attr]
        assert not Device.objects.exists()

    def test_a_device_is_forgotten_by_its_owner_only(self, as_chef, chef, other_patient):
        mine, theirs = DeviceFactory(user=chef), DeviceFactory(user=other_patient)
        assert as_chef.delete(f"{DEVICES}{theirs.id}/").status_code == 404
        assert as_chef.delete(f"{DEVICES}{mine.id}/").status_code == 204
        assert list(Device.objects.all()) == [theirs]


class TestDeliveries:
    def test_my_deliveries_come_newest_slot_first_and_filter_by_status(self, as_chef, chef, other_patient):
        reminder = ReminderFactory(patient=chef)
        older = DeliveryFactory(reminder=reminder, slot_at=timezone.now() - timezone.timedelta(days=2))
        newer = DeliveryFactory(
            reminder=reminder, slot_at=timezone.now() - timezone.timedelta(days=1), status="skipped_quiet", sent_at=None
        )
        DeliveryFactory(reminder=ReminderFactory(patient=other_patient))
        results = as_chef.get(DELIVERIES).json()["results"]
        assert [item["id"] for item in results] == [str(newer.id), str(older.id)]
        assert results[0] == {
            "id": str(newer.id),
            "reminder": str(reminder.id),
            "slot_at": newer.slot_at.isoformat().replace("+00:00", "Z"),
            "local_slot": newer.local_slot,
            "status": "skipped_quiet",
            "channel": "console",
            "attempts": 1,
            "sent_at": None,
        }
        sent = as_chef.get(DELIVERIES, {"status": "sent"}).json()["results"]
        assert [item["id"] for item in sent] == [str(older.id)]
        assert error_attrs(as_chef.get(DELIVERIES, {"status": "lost"})) == ["status"]
        assert error_attrs(as_chef.get(DELIVERIES, {"status": ""})) == ["status"]

    def test_another_patients_deliveries_never_show(self, as_other_patient, chef):
        DeliveryFactory(reminder=ReminderFactory(patient=chef))
        assert as_other_patient.get(DELIVERIES).json()["results"] == []

    def test_the_delivery_list_costs_the_same_queries_for_many(self, chef, django_assert_max_num_queries):
        reminder = ReminderFactory(patient=chef)
        for day in range(20):
            DeliveryFactory(reminder=reminder, slot_at=timezone.now() - timezone.timedelta(days=day))
        client = client_for(chef)
        with django_assert_max_num_queries(3):
            assert len(client.get(DELIVERIES).json()["results"]) == 20

    def test_a_stranger_therapist_gets_a_403_not_a_list(self):
        assert client_for(TherapistFactory()).get(DELIVERIES).status_code == 403


def test_options_describes_each_endpoint_without_an_error(as_chef, chef):
    reminder = ReminderFactory(patient=chef)
    for path in (REMINDERS, url(reminder), SETTINGS, DELIVERIES, DEVICES):
        assert as_chef.options(path).status_code == 200, path
