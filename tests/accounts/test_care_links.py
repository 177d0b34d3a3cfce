from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from accounts.exceptions import NotLinked
from accounts.models import CareLink, Invite, User
from accounts.selectors import linked_care, linked_cares, linked_patient
from tests.factories import CareLinkFactory, PatientFactory
from tests.helpers import client_for, error_attrs, error_codes

INVITES = "/api/v1/invites/"
LINKS = "/api/v1/care-links/"

pytestmark = pytest.mark.django_db


def link_url(link) -> str:
    return f"{LINKS}{link.id}/"


class TestInvites:
    def test_a_therapist_gets_a_code_valid_for_seven_days(self, as_therapist):
        with time_machine.travel("2026-11-25T21:00:00Z", tick=False):
            response = as_therapist.post(INVITES, {"note": "Sam, Tuesday"})
        assert response.status_code == 201
        body = response.json()
        assert set(body) == {"code", "expires_at"}
        assert body["expires_at"] == "2026-12-02T21:00:00Z"
        assert len(body["code"]) == 14  # "K7QX-M3PD-R8TW": test_rules holds its alphabet

    def test_codes_are_unguessable_and_only_their_hash_is_stored(self, as_therapist):
        codes = {as_therapist.post(INVITES, {}).json()["code"] for _ in range(5)}
        assert len(codes) == 5
        stored = set(Invite.objects.values_list("code_hash", flat=True))
        assert not codes & stored

    def test_a_patient_cannot_make_invites(self, as_chef):
        response = as_chef.post(INVITES, {})
        assert response.status_code == 403
        assert not Invite.objects.exists()

    def test_a_note_must_be_text(self, as_therapist):
        response = as_therapist.post(INVITES, {"note": {"x": 1}})
        assert response.status_code == 400
        assert error_attrs(response) == ["note"]


class TestAccept:
    def test_a_patient_links_with_a_code(self, as_therapist, as_chef, chef, therapist):
        code = as_therapist.post(INVITES, {}).json()["code"]
        response = as_chef.post(LINKS, {"code": code})
        assert response.status_code == 201
        body = response.json()
        assert body["therapist"] == {"id": str(therapist.id), "display_name": "Dr. Maya Okafor"}
        assert body["patient"] == {"id": str(chef.id), "display_name": "Sam (chef)"}
        assert (body["status"], body["share_entries"], body["ended_at"]) == ("active", True, None)
        assert response["ETag"] == '"1"'
        assert list(User.objects.patients_of(therapist)) == [chef]

    def test_the_patient_may_choose_not_to_share_entries(self, as_therapist, as_chef):
        code = as_therapist.post(INVITES, {}).json()["code"]
        assert as_chef.post(LINKS, {"code": code, "share_entries": False}).json()["share_entries"] is False

    def test_a_used_code_is_refused_with_its_own_code(self, as_therapist, as_chef, as_other_patient, other_patient):
        code = as_therapist.post(INVITES, {}).json()["code"]
        assert as_chef.post(LINKS, {"code": code}).status_code == 201
        response = as_other_patient.post(LINKS, {"code": code})
        assert response.status_code == 400
        assert error_codes(response) == ["invite_used"]
        assert not CareLink.objects.filter(patient=other_patient).exists()

    def test_an_expired_code_is_refused_with_its_own_code(self, as_therapist, as_chef, chef):
        with time_machine.travel("2026-11-01T12:00:00Z", tick=False):
            code = as_therapist.post(INVITES, {}).json()["code"]
        with time_machine.travel("2026-11-08T12:00:00Z", tick=False):
            response = as_chef.post(LINKS, {"code": code})
        assert response.status_code == 400
        assert error_codes(response) == ["invite_expired"]
        assert not CareLink.objects.exists()

    def test_a_code_a_minute_before_expiry_still_works(self, as_therapist, as_chef):
        with time_machine.travel("2026-11-01T12:00:00Z", tick=False):
            code = as_therapist.post(INVITES, {}).json()["code"]
        with time_machine.travel("2026-11-08T11:59:00Z", tick=False):
            assert as_chef.post(LINKS, {"code": code}).status_code == 201

    def test_an_unknown_code_is_refused_with_its_own_code(self, as_chef):
        response = as_chef.post(LINKS, {"code": "made-up-code"})
        assert response.status_code == 400
        assert error_codes(response) == ["invite_unknown"]
        assert error_attrs(response) == ["code"]

    @pytest.mark.parametrize(
        ("body", "attr"),
        [
            ({}, "code"),
            ({"code": ""}, "code"),
            ({"code": ["a"]}, "code"),
            ({"code": "x", "share_entries": "maybe"}, "share_entries"),
        ],
    )
    def test_bad_bodies_are_400s(self, as_chef, body, attr):
        response = as_chef.post(LINKS, body)
        assert response.status_code == 400
        assert error_attrs(response) == [attr]

    def test_a_therapist_cannot_accept_a_code(self, as_therapist, stranger_therapist):
        code = client_for(stranger_therapist).post(INVITES, {}).json()["code"]
        assert as_therapist.post(LINKS, {"code": code}).status_code == 403
        assert Invite.objects.get().used_at is None

    def test_linking_twice_to_the_same_therapist_keeps_the_second_code(self, as_therapist, as_chef, link):
        code = as_therapist.post(INVITES, {}).json()["code"]
        response = as_chef.post(LINKS, {"code": code})
        assert response.status_code == 400
        assert error_codes(response) == ["already_linked"]
        assert Invite.objects.get().used_at is None
        assert CareLink.objects.count() == 1

    def test_a_patient_may_have_several_therapists(self, as_chef, chef, link, stranger_therapist):
        code = client_for(stranger_therapist).post(INVITES, {}).json()["code"]
        assert as_chef.post(LINKS, {"code": code}).status_code == 201
        assert CareLink.objects.active().filter(patient=chef).count() == 2


class TestListAndRead:
    def test_each_side_sees_only_their_links(self, as_chef, as_therapist, as_other_patient, as_stranger, link):
        CareLinkFactory()  # someone else's link
        assert [item["id"] for item in as_chef.get(LINKS).json()["results"]] == [str(link.id)]
        assert [item["id"] for item in as_therapist.get(LINKS).json()["results"]] == [str(link.id)]
        assert as_other_patient.get(LINKS).json()["results"] == []
        assert as_stranger.get(LINKS).json()["results"] == []

    def test_someone_elses_link_is_a_404(self, as_other_patient, as_stranger, link):
        assert as_other_patient.get(link_url(link)).status_code == 404
        assert as_stranger.get(link_url(link)).status_code == 404
        assert as_stranger.delete(link_url(link)).status_code == 404
        assert as_other_patient.patch(link_url(link), {"share_entries": False}).status_code == 404
        link.refresh_from_db()
        assert (link.status, link.share_entries) == ("active", True)

    def test_a_malformed_id_is_a_404(self, as_chef):
        assert as_chef.get(f"{LINKS}not-a-uuid/").status_code == 404

    def test_the_list_filters_by_status_and_paginates_with_a_cursor(self, chef):
        for _ in range(3):
            CareLinkFactory(patient=chef)
        ended = CareLinkFactory(patient=chef, status="ended", ended_at=timezone.now())
        client = client_for(chef)
        page = client.get(LINKS, {"page_size": 2}).json()
        assert set(page) == {"next", "previous", "next_cursor", "previous_cursor", "results"}
        assert len(page["results"]) == 2
        rest = client.get(page["next"]).json()
        assert len(rest["results"]) == 2
        assert rest["next"] is None
        assert [item["id"] for item in client.get(LINKS, {"status": "ended"}).json()["results"]] == [str(ended.id)]
        assert client.get(LINKS, {"status": "sideways"}).status_code == 400

    def test_the_list_costs_the_same_queries_for_many_links(self, chef, django_assert_max_num_queries):
        for _ in range(20):
            CareLinkFactory(patient=chef)
        client = client_for(chef)
        with django_assert_max_num_queries(3):
            assert len(client.get(LINKS).json()["results"]) == 20


class TestShareAndEnd:
    def test_the_patient_turns_sharing_off_at_once(self, as_chef, link):
        response = as_chef.patch(link_url(link), {"share_entries": False})
        assert response.status_code == 200
        assert response.json()["share_entries"] is False
        assert response.json()["version"] == 2
        assert response["ETag"] == '"2"'
        link.refresh_from_db()
        assert link.share_entries is False

    def test_a_stale_if_match_is_a_412_and_changes_nothing(self, as_chef, link):
        as_chef.patch(link_url(link), {"share_entries": False})
        response = as_chef.patch(link_url(link), {"share_entries": True}, HTTP_IF_MATCH='"1"')
        assert response.status_code == 412
        assert error_codes(response) == ["precondition_failed"]
        link.refresh_from_db()
        assert (link.share_entries, link.version) == (False, 2)

    def test_a_current_if_match_goes_through(self, as_chef, link):
        etag = as_chef.get(link_url(link))["ETag"]
        assert as_chef.patch(link_url(link), {"share_entries": False}, HTTP_IF_MATCH=etag).status_code == 200

    def test_the_therapist_cannot_change_sharing(self, as_therapist, link):
        assert as_therapist.patch(link_url(link), {"share_entries": False}).status_code == 403
        link.refresh_from_db()
        assert link.share_entries is True

    def test_share_entries_must_be_boolean(self, as_chef, link):
        assert error_attrs(as_chef.patch(link_url(link), {"share_entries": "perhaps"})) == ["share_entries"]

    @pytest.mark.parametrize("side", ["patient", "therapist"])
    def test_either_side_ends_the_link_and_the_therapist_loses_access_at_once(self, link, chef, therapist, side):
        client = client_for(chef if side == "patient" else therapist)
        with time_machine.travel("2026-11-25T22:00:00Z", tick=False):
            assert client.delete(link_url(link)).status_code == 204
        link.refresh_from_db()
        assert link.status == "ended"
        assert link.ended_at.isoformat() == "2026-11-25T22:00:00+00:00"
        assert list(User.objects.patients_of(therapist)) == []
        assert client_for(therapist).get(link_url(link)).json()["status"] == "ended"

    def test_ending_twice_is_harmless_and_keeps_the_first_end(self, as_chef, link):
        as_chef.delete(link_url(link))
        link.refresh_from_db()
        first_end = link.ended_at
        assert as_chef.delete(link_url(link)).status_code == 204
        link.refresh_from_db()
        assert link.ended_at == first_end

    def test_a_new_invite_relinks_after_an_end(self, as_therapist, as_chef, link, chef, therapist):
        as_chef.delete(link_url(link))
        code = as_therapist.post(INVITES, {}).json()["code"]
        assert as_chef.post(LINKS, {"code": code}).status_code == 201
        assert list(User.objects.patients_of(therapist)) == [chef]


class TestPatientsOf:
    def test_only_active_links_open_the_door(self, therapist):
        active, ended, elsewhere = PatientFactory(), PatientFactory(), PatientFactory()
        CareLinkFactory(therapist=therapist, patient=active)
        CareLinkFactory(therapist=therapist, patient=ended, status="ended", ended_at=timezone.now() - timedelta(days=1))
        CareLinkFactory(patient=elsewhere)
        assert list(User.objects.patients_of(therapist)) == [active]

    def test_a_patient_or_anonymous_caller_reaches_nobody(self, chef, link):
        from django.contrib.auth.models import AnonymousUser

        assert list(User.objects.patients_of(chef)) == []
        assert list(User.objects.patients_of(AnonymousUser())) == []


class TestLinkedPatient:
    def test_it_finds_a_linked_patient(self, therapist, chef, link):
        assert linked_patient(therapist=therapist, patient_id=chef.id) == chef
        assert linked_patient(therapist=therapist, patient_id=str(chef.id)) == chef

    @pytest.mark.parametrize("patient_id", ["not-a-uuid", "00000000-0000-0000-0000-000000000000", 42])
    def test_anything_but_a_linked_id_is_a_404(self, therapist, chef, link, patient_id):
        with pytest.raises(NotLinked):
            linked_patient(therapist=therapist, patient_id=patient_id)

    def test_an_ended_link_or_a_stranger_is_a_404(self, therapist, stranger_therapist, chef, link):
        with pytest.raises(NotLinked):
            linked_patient(therapist=stranger_therapist, patient_id=chef.id)
        link.status, link.ended_at = "ended", timezone.now()
        link.save()
        with pytest.raises(NotLinked):
            linked_patient(therapist=therapist, patient_id=chef.id)

    def test_a_patient_reaches_no_one_through_it(self, chef, other_patient):
        with pytest.raises(NotLinked):
            linked_patient(therapist=chef, patient_id=other_patient.id)


class TestOneDoor:
    """``patients_of``, ``linked_patient``, ``linked_care`` and ``linked_cares`` are one rule: an
    active link whose therapist end is a therapist and whose patient end is a patient. A link
    row with the roles wrong (written by hand, or by a bug) opens none of them."""

    @staticmethod
    def doors(reader, patient_id):
        def one(lookup):
            try:
                return lookup(therapist=reader, patient_id=patient_id)
            except NotLinked:
                return None

        return {
            "patients_of": list(User.objects.patients_of(reader)),
            "linked_patient": one(linked_patient),
            "linked_care": one(linked_care),
            "linked_cares": list(linked_cares(reader)),
        }

    def test_a_patient_at_the_therapist_end_of_a_link_reaches_no_one(self, chef, other_patient):
        CareLinkFactory(therapist=chef, patient=other_patient)
        assert self.doors(chef, other_patient.id) == {
            "patients_of": [],
            "linked_patient": None,
            "linked_care": None,
            "linked_cares": [],
        }

    def test_a_therapist_at_the_patient_end_of_a_link_is_no_ones_patient(self, therapist, stranger_therapist):
        CareLinkFactory(therapist=therapist, patient=stranger_therapist)
        assert self.doors(therapist, stranger_therapist.id) == {
            "patients_of": [],
            "linked_patient": None,
            "linked_care": None,
            "linked_cares": [],
        }

    def test_every_door_opens_on_an_active_link(self, therapist, chef, link):
        assert self.doors(therapist, chef.id) == {
            "patients_of": [chef],
            "linked_patient": chef,
            "linked_care": link,
            "linked_cares": [link],
        }


class TestAnEndedLinkIsFrozen:
    def test_the_former_therapist_sees_the_patient_as_they_were_when_it_ended(self, as_chef, as_therapist, chef, link):
        as_chef.delete(f"{LINKS}{link.id}/")
        as_chef.patch("/api/v1/me/", {"display_name": "Samira, new name"})
        seen = as_therapist.get(f"{LINKS}{link.id}/").json()
        assert (seen["status"], seen["patient"]["display_name"]) == ("ended", "Sam (chef)")
        assert seen["ended_at"] is not None
        listed = as_therapist.get(LINKS).json()["results"][0]
        assert listed["patient"]["display_name"] == "Sam (chef)"
        # The patient sees their own name as it is.
        assert as_chef.get(f"{LINKS}{link.id}/").json()["patient"]["display_name"] == "Samira, new name"

    def test_while_active_the_therapist_sees_the_name_as_it_is(self, as_chef, as_therapist, link):
        as_chef.patch("/api/v1/me/", {"display_name": "Samira"})
        assert as_therapist.get(f"{LINKS}{link.id}/").json()["patient"]["display_name"] == "Samira"

    def test_sharing_on_an_ended_link_cannot_change(self, as_chef, link):
        as_chef.delete(f"{LINKS}{link.id}/")
        response = as_chef.patch(f"{LINKS}{link.id}/", {"share_entries": False})
        assert response.status_code == 400
        assert error_codes(response) == ["link_ended"]
        link.refresh_from_db()
        assert (link.share_entries, link.version) == (True, 2)


def test_a_patch_that_names_an_unknown_field_is_refused_and_changes_nothing(as_chef, link):
    response = as_chef.patch(f"{LINKS}{link.id}/", {"unknown": True})
    assert response.status_code == 400
    assert [(e["code"], e["attr"]) for e in response.json()["errors"]] == [("unknown_field", "unknown")]
    link.refresh_from_db()
    assert (link.share_entries, link.version) == (True, 1)
