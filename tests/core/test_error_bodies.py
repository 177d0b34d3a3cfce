"""What a client reads when it is refused: the whole error body, code, field and words.

Clients branch on ``code`` and show ``detail`` beside the field named by ``attr``; a body
that loses its field or its words is a broken screen in an app.
"""

from __future__ import annotations

import pytest
import time_machine

from tests.factories import CommitmentFactory, PatientFactory
from tests.helpers import client_for

pytestmark = pytest.mark.django_db

NOW = "2026-11-25T18:00:00Z"  # Wednesday of 2026-W48; noon in Chicago


def only_error(response, status: int = 400) -> dict:
    assert response.status_code == status, response.content
    (error,) = response.json()["errors"]
    return error


@pytest.fixture
def active(chef):
    return CommitmentFactory(patient=chef, kind="experiment", title="Risotto")


@pytest.mark.parametrize(
    ("method", "path", "body", "error"),
    [
        ("post", "/api/v1/reflections/", {"date": "2026-11-26", "effort": "x"},
         ("future_date", "That day has not come yet.", "date")),
        ("post", "/api/v1/pride-entries/", {"week": "2026-W49", "items": ["x"]},
         ("future_week", "That week has not come yet.", "week")),
        ("post", "/api/v1/commitments/", {"kind": "custom", "title": "Walk"},
         ("required", "Say how often.", "cadence")),
        ("post", "/api/v1/commitments/", {"kind": "custom", "title": "Walk", "cadence": "daily", "status": "done"},
         ("invalid_status", "A commitment starts proposed or active.", "status")),
        ("post", "/api/v1/commitments/", {"kind": "experiment", "title": "W", "starts_on": "2026-12-02",
                                          "ends_on": "2026-12-01"},
         ("ends_before_start", "It ends before it starts.", "ends_on")),
        ("get", "/api/v1/sync/?cursor=bm90LWEtY3Vyc29y", None,
         ("invalid_cursor", "Not a cursor this server gave out.", "cursor")),
    ],
)  # fmt: skip
def test_a_refusal_names_its_code_field_and_reason(as_chef, method, path, body, error):
    with time_machine.travel(NOW, tick=False):
        response = getattr(as_chef, method)(path, body)
    assert only_error(response) == dict(zip(("code", "detail", "attr"), error, strict=True))


def test_a_commitment_that_is_not_proposed_cannot_be_confirmed(as_chef, active):
    response = as_chef.post(f"/api/v1/commitments/{active.id}/confirm/")
    assert only_error(response) == {
        "code": "not_proposed",
        "detail": "Only a proposed commitment can be confirmed.",
        "attr": "status",
    }


def test_a_finished_commitment_cannot_start_again(as_chef, active):
    as_chef.patch(f"/api/v1/commitments/{active.id}/", {"status": "done"})
    response = as_chef.patch(f"/api/v1/commitments/{active.id}/", {"status": "active"})
    assert only_error(response) == {
        "code": "invalid_transition",
        "detail": "A done commitment cannot become active.",
        "attr": "status",
    }


def test_a_taken_email_is_named_on_the_email_field(anon, chef):
    body = {"email": chef.email.upper(), "password": "a-long-enough-pass-2026", "display_name": "S", "role": "patient",
            "timezone": "UTC"}  # fmt: skip
    assert only_error(anon.post("/api/v1/auth/register/", body)) == {
        "code": "email_taken",
        "detail": "An account with this e-mail exists.",
        "attr": "email",
    }


def test_an_ended_links_sharing_says_why_it_cannot_change(as_chef, link):
    as_chef.delete(f"/api/v1/care-links/{link.id}/")
    assert only_error(as_chef.patch(f"/api/v1/care-links/{link.id}/", {"share_entries": False})) == {
        "code": "link_ended",
        "detail": "This link has ended; there is nothing left to share.",
        "attr": "share_entries",
    }


class TestMovingASlot:
    def test_a_reflection_cannot_be_moved_to_a_day_that_has_not_come(self, as_chef):
        with time_machine.travel(NOW, tick=False):
            made = as_chef.post("/api/v1/reflections/", {"effort": "x"}).json()
            response = as_chef.patch(f"/api/v1/reflections/{made['id']}/", {"date": "2026-11-26"})
        assert only_error(response)["code"] == "future_date"

    def test_a_pride_entry_cannot_be_moved_to_a_week_that_has_not_come(self, as_chef):
        with time_machine.travel(NOW, tick=False):
            made = as_chef.post("/api/v1/pride-entries/", {"items": ["x"]}).json()
            response = as_chef.patch(f"/api/v1/pride-entries/{made['id']}/", {"week": "2026-W49"})
        assert only_error(response)["code"] == "future_week"

    @pytest.fixture
    def flew_west(self):
        """Wrote on Monday of W49 in Tokyo, then flew to Pago Pago, where it is still Sunday (W48)."""
        client = client_for(PatientFactory(timezone="Asia/Tokyo"))
        with time_machine.travel("2026-11-29T15:30:00Z", tick=False):  # Monday 00:30 in Tokyo
            reflection = client.post("/api/v1/reflections/", {"effort": "Tasted first"}).json()
            pride = client.post("/api/v1/pride-entries/", {"items": ["x"]}).json()
            client.patch("/api/v1/me/", {"timezone": "Pacific/Pago_Pago"})
            yield client, reflection, pride

    def test_a_traveller_who_flew_west_still_edits_the_day_they_wrote(self, flew_west):
        client, reflection, pride = flew_west
        edited = client.patch(f"/api/v1/reflections/{reflection['id']}/", {"mood": 4})
        edited_pride = client.patch(f"/api/v1/pride-entries/{pride['id']}/", {"note": "kept"})
        assert (edited.status_code, edited.json()["date"], edited.json()["mood"]) == (200, "2026-11-30", 4)
        assert (edited_pride.status_code, edited_pride.json()["week"]) == (200, "2026-W49")

    def test_a_traveller_may_put_back_an_entry_with_its_own_date_and_week(self, flew_west):
        client, reflection, pride = flew_west
        url, pride_url = f"/api/v1/reflections/{reflection['id']}/", f"/api/v1/pride-entries/{pride['id']}/"
        put = client.put(url, {"date": reflection["date"], "effort": "Tasted, then plated"})
        put_pride = client.put(pride_url, {"week": pride["week"], "items": ["x", "y"]})
        moved = client.put(url, {"date": "2026-12-01", "effort": "x"})
        assert (put.status_code, put.json()["date"]) == (200, "2026-11-30")
        assert (put_pride.status_code, put_pride.json()["week"]) == (200, "2026-W49")
        assert moved.status_code == 400  # a new date that has not come is still refused


@pytest.fixture(scope="module")
def error_code_enums() -> dict[str, list[str]]:
    from drf_spectacular.generators import SchemaGenerator

    components = SchemaGenerator().get_schema(request=None, public=True)["components"]["schemas"]
    return {
        name.removesuffix("ErrorCode"): spec["enum"] for name, spec in components.items() if name.endswith("ErrorCode")
    }


@pytest.mark.parametrize(
    ("operation", "status", "call"),
    [
        ("CreateReflection", 415, lambda c: c.post("/api/v1/reflections/", "effort=x", content_type="text/plain")),
        ("ListReflections", 406, lambda c: c.get("/api/v1/reflections/", HTTP_ACCEPT="text/html")),
        ("UpdateMe", 400, lambda c: c.patch("/api/v1/me/", {"timezone": "Mars/Olympus"})),
        ("UpdateMe", 400, lambda c: c.patch("/api/v1/me/", {"password": "a new one"})),  # unknown_field
        ("ListCommitments", 400, lambda c: c.get("/api/v1/commitments/", {"cursor": "cD1nYXJiYWdl"})),
        ("CreateCommitment", 400, lambda c: c.post("/api/v1/commitments/", {"kind": "custom", "title": "Walk"})),
        ("EraseAccount", 400, lambda c: c.delete("/api/v1/me/", {"password": "not it"})),
    ],
)
def test_the_code_a_client_gets_is_one_its_operations_enum_names(as_chef, error_code_enums, operation, status, call):
    # Generated clients type `code` as the operation's enum: a code outside it is a surprise there.
    response = call(as_chef)
    assert response.status_code == status, response.content
    assert {error["code"] for error in response.json()["errors"]} <= set(error_code_enums[operation])


@pytest.mark.parametrize(
    "body",
    [
        {"transcript": "Nobody speaks here, it is only a note."},  # no_turns
        {"transcript": "Therapist: Could you try?\nPatient: \x07Yes."},  # not_text
        {"held_on": "2099-01-01"},  # future_date
    ],
)
def test_what_recording_a_session_refuses_is_a_code_its_operation_names(
    as_therapist, chef, link, error_code_enums, body
):
    response = as_therapist.post("/api/v1/sessions/", {"patient": str(chef.id), **body}, format="json")
    assert response.status_code == 400, response.content
    assert {error["code"] for error in response.json()["errors"]} <= set(error_code_enums["CreateSession"])
