from __future__ import annotations

import pytest
from django.dispatch import receiver

from journal import signals
from journal.models import Commitment
from tests.factories import CareLinkFactory, PatientFactory
from tests.helpers import client_for, error_attrs, error_codes

URL = "/api/v1/commitments/"

pytestmark = pytest.mark.django_db


def url(commitment) -> str:
    return f"{URL}{commitment['id'] if isinstance(commitment, dict) else commitment.id}/"


@pytest.fixture
def activations():
    heard = []

    @receiver(signals.commitment_activated, weak=False)
    def listen(sender, commitment, now, **kwargs):
        heard.append(commitment.id)

    yield heard
    signals.commitment_activated.disconnect(listen)


class TestCreate:
    def test_a_therapist_sets_the_three_t44_practices_for_a_linked_patient(self, as_therapist, chef, link):
        bodies = [
            {"patient": str(chef.id), "kind": "experiment", "title": "Try a new recipe just for fun"},
            {"patient": str(chef.id), "kind": "reflection_daily", "title": "A few minutes noticing effort"},
            {"patient": str(chef.id), "kind": "pride_weekly", "title": "Three things I'm proud of"},
        ]
        made = [as_therapist.post(URL, body) for body in bodies]
        assert [response.status_code for response in made] == [201, 201, 201]
        shapes = [(r.json()["cadence"], r.json()["target_count"], r.json()["status"]) for r in made]
        assert shapes == [("once", 1, "active"), ("daily", 1, "active"), ("weekly", 3, "active")]
        assert made[0].json()["created_by"] == str(link.therapist_id)
        assert made[0]["ETag"] == '"1"'

    def test_a_patient_sets_their_own(self, as_chef, chef):
        response = as_chef.post(URL, {"kind": "custom", "title": "Ask for help once", "cadence": "weekly"})
        assert response.status_code == 201
        assert response.json()["patient"] == str(chef.id)

    def test_a_patient_cannot_set_anothers(self, as_chef, other_patient):
        response = as_chef.post(URL, {"patient": str(other_patient.id), "kind": "experiment", "title": "x"})
        assert response.status_code == 400
        assert error_codes(response) == ["not_yours"]
        assert not Commitment.objects.exists()

    def test_an_unlinked_or_ended_therapist_gets_a_404_and_writes_nothing(self, as_stranger, as_therapist, chef, link):
        body = {"patient": str(chef.id), "kind": "experiment", "title": "x"}
        assert as_stranger.post(URL, body).status_code == 404
        link.status, link.ended_at = "ended", link.created_at
        link.save()
        assert as_therapist.post(URL, body).status_code == 404
        assert not Commitment.objects.exists()

    def test_a_therapist_must_name_the_patient(self, as_therapist, link):
        response = as_therapist.post(URL, {"kind": "experiment", "title": "x"})
        assert response.status_code == 400
        assert error_attrs(response) == ["patient"]

    @pytest.mark.parametrize(
        ("body", "attr", "code"),
        [
            ({"kind": "hobby", "title": "x"}, "kind", "invalid_choice"),
            ({"kind": "custom", "title": "x"}, "cadence", "required"),
            ({"kind": "experiment", "title": ""}, "title", "blank"),
            ({"kind": "experiment", "title": "x", "status": "done"}, "status", "invalid_status"),
            ({"kind": "experiment", "title": "x", "status": "sideways"}, "status", "invalid_choice"),
            ({"kind": "pride_weekly", "title": "x", "target_count": 0}, "target_count", "min_value"),
            (
                {"kind": "experiment", "title": "x", "starts_on": "2026-12-01", "ends_on": "2026-11-01"},
                "ends_on",
                "ends_before_start",
            ),
        ],
    )
    def test_bad_input_is_a_400_and_writes_nothing(self, as_chef, body, attr, code):
        response = as_chef.post(URL, body)
        assert response.status_code == 400
        assert error_attrs(response) == [attr]
        assert error_codes(response) == [code]
        assert not Commitment.objects.exists()


class TestStatus:
    def make(self, client, **extra):
        return client.post(URL, {"kind": "reflection_daily", "title": "Notice effort", **extra}).json()

    def test_confirm_turns_proposed_into_active_and_announces_it_once(self, as_chef, activations):
        proposed = self.make(as_chef, status="proposed")
        assert activations == []
        response = as_chef.post(f"{url(proposed)}confirm/")
        assert response.status_code == 200
        assert response.json()["status"] == "active"
        assert [str(i) for i in activations] == [proposed["id"]]
        again = as_chef.post(f"{url(proposed)}confirm/")
        assert again.status_code == 400
        assert error_codes(again) == ["not_proposed"]
        assert len(activations) == 1

    def test_activating_at_creation_announces_it(self, as_chef, activations):
        made = self.make(as_chef)
        assert [str(i) for i in activations] == [made["id"]]

    @pytest.mark.parametrize(
        ("path", "allowed"),
        [
            (["paused", "active", "done"], True),
            (["dropped"], True),
            (["done", "active"], False),
            (["dropped", "paused"], False),
        ],
    )
    def test_transitions(self, as_chef, path, allowed):
        made = self.make(as_chef)
        responses = [as_chef.patch(url(made), {"status": status}) for status in path]
        if allowed:
            assert all(r.status_code == 200 for r in responses)
        else:
            assert responses[-1].status_code == 400
            assert error_codes(responses[-1]) == ["invalid_transition"]
            assert Commitment.objects.get().status == path[-2]

    def test_a_stale_if_match_changes_nothing(self, as_chef):
        made = self.make(as_chef)
        as_chef.patch(url(made), {"title": "Notice effort, kindly"})
        response = as_chef.patch(url(made), {"title": "lost"}, HTTP_IF_MATCH='"1"')
        assert response.status_code == 412
        assert Commitment.objects.get().title == "Notice effort, kindly"

    def test_kind_and_patient_cannot_change(self, as_chef, chef, other_patient):
        made = self.make(as_chef)
        as_chef.patch(url(made), {"kind": "experiment", "patient": str(other_patient.id)})
        commitment = Commitment.objects.get()
        assert (commitment.kind, commitment.patient_id) == ("reflection_daily", chef.id)


class TestWhoMayChange:
    """A patient changes any of their commitments; a linked therapist only a therapist's."""

    @pytest.fixture
    def patients_own(self, as_chef, link):
        return as_chef.post(URL, {"kind": "custom", "title": "Walk", "cadence": "daily"}).json()

    @pytest.fixture
    def therapists_draft(self, as_therapist, chef, link):
        body = {"patient": str(chef.id), "kind": "pride_weekly", "title": "Three things", "status": "proposed"}
        return as_therapist.post(URL, body).json()

    @pytest.mark.parametrize(
        ("method", "path", "body"),
        [("patch", "", {"title": "Walk less"}), ("patch", "", {"status": "dropped"}), ("post", "confirm/", None),
         ("delete", "", None)],
    )  # fmt: skip
    def test_a_therapist_may_not_change_what_the_patient_set_for_themself(
        self, as_therapist, patients_own, method, path, body
    ):
        response = getattr(as_therapist, method)(f"{url(patients_own)}{path}", body)
        assert response.status_code == 403
        assert error_codes(response) == ["not_yours_to_change"]
        commitment = Commitment.objects.get(id=patients_own["id"])
        assert (commitment.title, commitment.status, commitment.version, commitment.deleted_at) == (
            "Walk", "active", 1, None
        )  # fmt: skip
        assert as_therapist.get(url(patients_own)).status_code == 200  # they can still see it

    def test_a_therapist_may_change_confirm_and_delete_a_therapists_draft(self, as_therapist, therapists_draft):
        assert as_therapist.patch(url(therapists_draft), {"target_count": 2}).status_code == 200
        assert as_therapist.post(f"{url(therapists_draft)}confirm/").json()["status"] == "active"
        assert as_therapist.delete(url(therapists_draft)).status_code == 204

    def test_the_patient_may_change_anything_of_theirs(self, as_chef, patients_own, therapists_draft):
        assert as_chef.patch(url(therapists_draft), {"title": "Two things will do"}).status_code == 200
        assert as_chef.post(f"{url(therapists_draft)}confirm/").status_code == 200
        assert as_chef.patch(url(patients_own), {"status": "paused"}).status_code == 200
        assert as_chef.delete(url(therapists_draft)).status_code == 204

    def test_an_unlinked_therapist_still_gets_a_404(self, as_stranger, therapists_draft):
        assert as_stranger.patch(url(therapists_draft), {"title": "x"}).status_code == 404


class TestPrivacy:
    def test_each_caller_sees_only_what_they_may(
        self, as_chef, as_therapist, as_stranger, as_other_patient, chef, link
    ):
        made = as_chef.post(URL, {"kind": "experiment", "title": "Try a new recipe"}).json()
        other = PatientFactory()
        client_for(other).post(URL, {"kind": "experiment", "title": "not the chef's"})
        CareLinkFactory(patient=other)  # linked to someone else
        assert [c["id"] for c in as_chef.get(URL).json()["results"]] == [made["id"]]
        assert [c["id"] for c in as_therapist.get(URL).json()["results"]] == [made["id"]]
        assert [c["id"] for c in as_therapist.get(URL, {"patient": str(chef.id)}).json()["results"]] == [made["id"]]
        assert as_therapist.get(URL, {"patient": str(other.id)}).status_code == 404
        assert as_therapist.get(URL, {"patient": "nope"}).status_code == 400
        assert as_stranger.get(URL).json()["results"] == []
        assert as_other_patient.get(URL).json()["results"] == []
        for client in (as_stranger, as_other_patient):
            assert client.get(url(made)).status_code == 404
            assert client.patch(url(made), {"title": "mine now"}).status_code == 404
            assert client.delete(url(made)).status_code == 404
        assert Commitment.objects.get(id=made["id"]).title == "Try a new recipe"

    def test_ending_the_link_cuts_the_therapist_off_at_once(self, as_chef, as_therapist, link):
        made = as_chef.post(URL, {"kind": "experiment", "title": "Try a new recipe"}).json()
        as_chef.delete(f"/api/v1/care-links/{link.id}/")
        assert as_therapist.get(url(made)).status_code == 404
        assert as_therapist.get(URL).json()["results"] == []

    def test_delete_leaves_a_tombstone_and_hides_it(self, as_chef):
        made = as_chef.post(URL, {"kind": "experiment", "title": "Try a new recipe"}).json()
        assert as_chef.delete(url(made)).status_code == 204
        assert as_chef.get(url(made)).status_code == 404
        tombstone = Commitment.objects.get(id=made["id"])
        assert tombstone.deleted_at is not None
        assert tombstone.version == 2


class TestWhatWasAgreed:
    """Days, a reminder time and a planned day: set by hand, kept, refused when they make no sense."""

    def test_a_therapist_adds_a_custom_practice_on_two_days_at_a_time(self, as_therapist, chef, link):
        body = {
            "patient": str(chef.id),
            "kind": "custom",
            "title": "Walk round the block after the shift",
            "cadence": "weekly",
            "target_count": 2,
            "weekdays": [5, 2],
            "remind_at": "18:30",
        }
        made = as_therapist.post(URL, body, format="json")
        assert made.status_code == 201, made.json()
        assert (made.json()["weekdays"], made.json()["remind_at"], made.json()["planned_for"]) == (
            [2, 5],
            "18:30",
            None,
        )
        from reminders.models import Reminder

        reminder = Reminder.objects.get(commitment_id=made.json()["id"])
        assert (reminder.kind, reminder.weekdays, f"{reminder.local_time:%H:%M}") == ("custom", [2, 5], "18:30")

    def test_an_experiment_keeps_its_planned_day(self, as_chef):
        body = {
            "kind": "experiment",
            "title": "Ask one question at Thursday's study group",
            "planned_for": "2026-12-03",
        }
        made = as_chef.post(URL, body, format="json")
        assert made.status_code == 201, made.json()
        assert made.json()["planned_for"] == "2026-12-03"
        cleared = as_chef.patch(url(made.json()), {"planned_for": None}, format="json")
        assert cleared.status_code == 200
        assert cleared.json()["planned_for"] is None

    @pytest.mark.parametrize(
        ("change", "attr", "code"),
        [
            ({"weekdays": [0]}, "weekdays", "item_invalid"),
            ({"weekdays": [8]}, "weekdays", "item_invalid"),
            ({"weekdays": [2, 2]}, "weekdays", "item_repeated"),
            ({"weekdays": "2"}, "weekdays", "not_a_list"),
            ({"remind_at": "7:30"}, "remind_at", "invalid_time"),
            ({"remind_at": "24:00"}, "remind_at", "invalid_time"),
            ({"remind_at": 730}, "remind_at", "invalid"),
            ({"planned_for": "2026-13-01"}, "planned_for", "invalid"),
            ({"planned_for": "2026-12-03", "kind": "reflection_daily"}, "planned_for", "invalid_schedule"),
            ({"weekdays": [1], "cadence": "once"}, "weekdays", "invalid_schedule"),
        ],
    )
    def test_what_makes_no_sense_is_refused_and_nothing_is_made(self, as_chef, change, attr, code):
        body = {"kind": "experiment", "title": "Try it", **change}
        refused = as_chef.post(URL, body, format="json")
        assert refused.status_code == 400
        assert (error_attrs(refused), error_codes(refused)) == ([attr], [code])
        assert not Commitment.objects.exists()
