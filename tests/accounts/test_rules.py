"""Accounts' models, services and selectors called directly: the details a client relies on
that no HTTP test happened to pin (written against surviving mutants)."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta

import pytest
from axes.models import AccessAttempt, AccessFailureLog
from django.core.exceptions import ValidationError
from django.test import Client
from time_machine import travel

from accounts import selectors, services
from accounts.exceptions import EmailTaken
from accounts.models import CareLink, Invite, Role, User, UserSession
from core.exceptions import DomainError, NotFound
from tests.factories import CareLinkFactory, PatientFactory, TherapistFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 25, 18, 0, tzinfo=UTC)


def register(**given):
    """``services.user_register`` with a valid person, but for what the test says."""
    person = {"email": "new@example.test", "password": "a-long-password-2026", "display_name": "N",
              "role": "patient", "timezone": "UTC", "now": NOW}  # fmt: skip
    return services.user_register(**{**person, **given})


class TestUsers:
    def test_create_user_refuses_a_zone_that_is_not_a_place(self):
        with pytest.raises(ValidationError) as raised:
            User.objects.create_user(
                "a@example.test", "a-long-password-2026", display_name="A", role="patient", timezone="localtime"
            )
        assert raised.value.error_dict["timezone"][0].code == "unknown_timezone"
        assert not User.objects.exists()

    def test_create_user_needs_an_email(self):
        with pytest.raises(ValueError, match=r"^A user needs an e-mail address\.$"):
            User.objects.create_user("", "a-long-password-2026", display_name="A", role="patient")

    def test_a_superuser_is_staff_and_a_therapist_named_admin_unless_told(self):
        admin = User.objects.create_superuser("root@example.test", "a-long-password-2026")
        assert (admin.is_staff, admin.is_superuser, admin.role, admin.display_name) == (
            True,
            True,
            "therapist",
            "Admin",
        )
        assert admin.check_password("a-long-password-2026")
        other = User.objects.create_superuser(
            "ops@example.test", "a-long-password-2026", role="patient", display_name="Ops"
        )
        assert (other.role, other.display_name) == ("patient", "Ops")

    def test_registration_checks_the_password_against_the_whole_person(self):
        with pytest.raises(ValidationError) as raised:
            register(email="m.d@example.test", password="MargueriteDuras", display_name="Marguerite Duras")
        assert "password_too_similar" in [error.code for error in raised.value.error_dict["password"]]

    def test_a_taken_email_is_refused_ignoring_case_and_names_the_field(self, chef):
        with pytest.raises(EmailTaken) as raised:
            register(email=chef.email.upper())
        assert (raised.value.attr, raised.value.code) == ("email", "email_taken")

    def test_registration_stamps_the_moment_it_was_given(self):
        user = register(role="therapist", timezone="Asia/Tokyo")
        assert (user.created_at, user.role, user.timezone, user.display_name) == (NOW, "therapist", "Asia/Tokyo", "N")

    def test_only_patients_are_behind_the_door(self):
        therapist = TherapistFactory()
        CareLinkFactory(therapist=therapist, patient=TherapistFactory())  # a corrupt row: not a patient
        patient = PatientFactory()
        CareLinkFactory(therapist=therapist, patient=patient)
        assert list(User.objects.patients_of(therapist)) == [patient]
        assert not User.objects.patients_of(patient).exists()


class TestInvites:
    def test_a_code_is_short_to_read_out_and_long_enough_not_to_be_guessed(self, therapist):
        codes = [services.invite_create(therapist=therapist, now=NOW)[1] for _ in range(50)]
        # Three groups of four, from 31 letters with no look-alikes: 31^12, about 2^59.
        for code in codes:
            assert re.fullmatch(r"[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{4}(-[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{4}){2}", code)
        assert len(set(codes)) == 50
        assert not set("".join(codes)) & set("01OIL")

    @pytest.mark.parametrize(
        "typed",
        [
            lambda code: code,
            lambda code: code.lower(),
            lambda code: code.replace("-", "", 1),
            lambda code: code.replace("-", " ").lower(),
            lambda code: f"  {code.replace('-', '')}\n",
        ],
    )
    def test_a_code_typed_in_any_case_with_or_without_its_dashes_opens_its_invite(self, therapist, chef, typed):
        _, code = services.invite_create(therapist=therapist, now=NOW)
        link = services.care_link_accept(patient=chef, code=typed(code), share_entries=True, now=NOW)
        assert link.therapist == therapist

    def test_a_code_made_before_the_short_codes_still_opens_its_invite_as_written(self, therapist, chef):
        from accounts.models import hash_invite_code

        old = "Ab3_dE5fGh7-iJ9kLm1nOp2qRs3"  # 27 characters of URL-safe base64: case matters
        Invite.objects.create(
            therapist=therapist, code_hash=hash_invite_code(old), created_at=NOW, expires_at=NOW + timedelta(days=7)
        )
        with pytest.raises(DomainError):
            services.care_link_accept(patient=chef, code=old.lower(), share_entries=True, now=NOW)
        assert services.care_link_accept(patient=chef, code=old, share_entries=True, now=NOW).therapist == therapist

    def test_an_invite_lives_seven_days_from_the_moment_given(self, therapist):
        invite, _ = services.invite_create(therapist=therapist, now=NOW)
        assert (invite.created_at, invite.expires_at, invite.note) == (NOW, NOW + timedelta(days=7), None)
        assert invite.problem(now=NOW + timedelta(days=7) - timedelta(seconds=1)) is None
        assert invite.problem(now=NOW + timedelta(days=7)) == Invite.Problem.EXPIRED

    def test_a_cancelled_invite_says_so_even_once_it_would_have_expired(self, therapist, stranger_therapist):
        invite, _ = services.invite_create(therapist=therapist, now=NOW)
        with pytest.raises(NotFound):
            services.invite_cancel(therapist=stranger_therapist, invite_id=invite.id, now=NOW)
        services.invite_cancel(therapist=therapist, invite_id=invite.id, now=NOW)
        invite.refresh_from_db()
        assert invite.cancelled_at == NOW
        assert invite.problem(now=NOW) == Invite.Problem.CANCELLED
        assert invite.problem(now=NOW + timedelta(days=8)) == Invite.Problem.CANCELLED
        assert not Invite.objects.joinable(now=NOW).exists()

    def test_only_the_invites_a_patient_could_still_join_with_are_open(self, therapist, stranger_therapist, chef):
        expiring, _ = services.invite_create(therapist=therapist, now=NOW - timedelta(days=7))
        _, code = services.invite_create(therapist=therapist, now=NOW)
        services.care_link_accept(patient=chef, code=code, share_entries=True, now=NOW)
        cancelled, _ = services.invite_create(therapist=therapist, now=NOW)
        services.invite_cancel(therapist=therapist, invite_id=cancelled.id, now=NOW)
        still, _ = services.invite_create(therapist=therapist, now=NOW)
        services.invite_create(therapist=stranger_therapist, now=NOW)
        assert list(selectors.invites_open(therapist=therapist, now=NOW)) == [still]
        assert list(selectors.invites_open(therapist=therapist, now=NOW - timedelta(seconds=1))) == [still, expiring]
        assert expiring.problem(now=NOW) == Invite.Problem.EXPIRED

    def test_accepting_stamps_the_link_and_the_invite(self, therapist, chef):
        _, code = services.invite_create(therapist=therapist, now=NOW)
        link = services.care_link_accept(patient=chef, code=f"  {code} ", share_entries=False, now=NOW)
        invite = Invite.objects.get()
        assert (link.created_at, link.share_entries, link.status) == (NOW, False, "active")
        assert (invite.used_at, invite.used_by) == (NOW, chef)


class TestLinks:
    def test_ending_bumps_the_version_once_and_keeps_it_ended(self, link):
        services.care_link_end(link=link, now=NOW)
        services.care_link_end(link=link, now=NOW + timedelta(hours=1))  # a retry changes nothing
        link.refresh_from_db()
        assert (link.status, link.ended_at, link.version, link.patient_name_at_end) == ("ended", NOW, 2, "Sam (chef)")

    def test_changing_sharing_bumps_the_version_only_when_it_changes(self, link):
        services.care_link_update(link=link, share_entries=True)
        link.refresh_from_db()
        assert link.version == 1
        services.care_link_update(link=link, share_entries=False)
        link.refresh_from_db()
        assert (link.share_entries, link.version) == (False, 2)

    def test_a_therapists_erasure_ends_their_links_at_that_moment(self, therapist, chef, link):
        services.user_erase(user=therapist, now=NOW)
        link = CareLink.objects.get()
        assert (link.status, link.ended_at, link.version, link.therapist) == ("ended", NOW, 2, None)

    def test_a_therapists_erasure_ends_no_one_elses_links(self, therapist, chef, link, stranger_therapist):
        colleagues = CareLinkFactory(therapist=stranger_therapist, patient=chef)
        services.user_erase(user=therapist, now=NOW)
        colleagues.refresh_from_db()
        assert (colleagues.status, colleagues.ended_at, colleagues.version) == ("active", None, 1)

    def test_an_erasure_leaves_no_dashboard_session_and_no_failed_log_in_record_of_theirs(self, therapist):
        browser = Client()
        browser.force_login(therapist)
        Client().post("/app/sign-in/", {"email": therapist.email, "password": "not-it"})  # axes notes a failure
        Client().post(
            "/api/v1/auth/token/", {"email": therapist.email, "password": "not-it"}, content_type="application/json"
        )
        therapist_id, email = therapist.id, therapist.email  # a deleted user's instance has no id
        assert UserSession.objects.filter(user_id=therapist_id).exists()
        assert AccessAttempt.objects.filter(username__iexact=email).exists()
        services.user_erase(user=therapist, now=NOW)
        assert not UserSession.objects.filter(user_id=therapist_id).exists()
        assert not AccessAttempt.objects.filter(username__iexact=email).exists()
        assert not AccessFailureLog.objects.filter(username__iexact=email).exists()

    def test_a_therapists_erasure_leaves_their_links_that_had_ended_as_they_ended(self, therapist, chef, link):
        link.status, link.ended_at = CareLink.Status.ENDED, NOW - timedelta(days=3)
        link.save()
        services.user_erase(user=therapist, now=NOW)
        link.refresh_from_db()
        assert (link.status, link.ended_at, link.version) == ("ended", NOW - timedelta(days=3), 1)


class TestExportDocument:
    def test_the_profile_and_invites_carry_every_field(self, as_therapist, therapist):
        with travel(NOW, tick=False):
            as_therapist.post("/api/v1/invites/", {"note": "for Sam"})
            document = json.loads(as_therapist.get("/api/v1/me/export/").content)
        assert document["exported_at"] == "2026-11-25T18:00:00Z"
        assert set(document["profile"]) == {
            "id",
            "email",
            "display_name",
            "role",
            "timezone",
            "country",
            "country_in_effect",
            "created_at",
            "last_login",
        }
        (invite,) = document["invites"]
        assert invite == {
            "id": str(Invite.objects.get().id),
            "note": "for Sam",
            "created_at": "2026-11-25T18:00:00Z",
            "expires_at": "2026-12-02T18:00:00Z",
            "used_at": None,
            "cancelled_at": None,
        }

    def test_last_login_is_when_the_user_last_signed_in(self, anon, chef):
        with travel(NOW, tick=False):
            anon.post("/api/v1/auth/token/", {"email": chef.email, "password": "a-new-recipe-2026"})
        from tests.helpers import client_for

        document = json.loads(client_for(chef).get("/api/v1/me/export/").content)
        assert document["profile"]["last_login"] == "2026-11-25T18:00:00Z"
        assert document["profile"]["role"] == Role.PATIENT


def test_the_model_names_a_bad_zone_in_its_own_words():
    from accounts.models import validate_timezone

    with pytest.raises(ValidationError) as raised:
        validate_timezone("localtime")
    assert (raised.value.code, raised.value.messages) == (
        "unknown_timezone",
        ["localtime is not an IANA time zone name such as Europe/Paris."],
    )
    validate_timezone("Europe/Paris")


def test_two_registrations_racing_for_one_email_give_one_account(monkeypatch, chef):
    """The second got past the check before the first committed: the unique index decides."""
    monkeypatch.setattr(services, "email_in_use", lambda email: False)
    with pytest.raises(EmailTaken) as raised:
        register(email=chef.email.upper())
    assert (raised.value.attr, raised.value.code, raised.value.detail) == (
        "email",
        "email_taken",
        "An account with this e-mail exists.",
    )
    assert User.objects.filter(email__iexact=chef.email).count() == 1


def test_a_new_invite_without_a_note_keeps_none(therapist):
    invite, _ = services.invite_create(therapist=therapist, now=NOW)
    assert Invite.objects.get(id=invite.id).note is None


def test_a_taken_email_is_said_before_a_weak_password(chef):
    with pytest.raises(EmailTaken):
        register(email=chef.email, password="123")
