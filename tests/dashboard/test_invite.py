"""Inviting a patient from the dashboard: the POST makes one invite and redirects to its own
page (a reload makes nothing new), which shows the code, the join link and its QR code while
the invite is open; the open invites are listed with their note and expiry in the therapist's
zone, and each can be cancelled, after which the code is refused at join."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest
import time_machine
from django.test import Client

from accounts.models import INVITE_LIFETIME, Invite, UserSession
from accounts.services import invite_create
from tests.dashboard.conftest import NOW, signed_in, text
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

PAGE = re.compile(r"^/app/invites/([0-9a-f-]{36})/$")


def invite(client: Client, note: str = "", *, at=NOW):
    with time_machine.travel(at, tick=False):
        return client.post("/app/invites/", {"note": note})


def get(client: Client, path: str, *, at=NOW):
    with time_machine.travel(at, tick=False):
        return client.get(path)


def post(client: Client, path: str, *, at=NOW):
    with time_machine.travel(at, tick=False):
        return client.post(path, follow=True)


def shown_codes(response) -> list[str]:
    return re.findall(r'<p class="invite-code"><code>([^<]+)</code></p>', response.content.decode())


def shown_code(response) -> str:
    found = shown_codes(response)
    assert len(found) == 1, text(response)
    return found[0]


def made(client: Client, note: str = "") -> tuple[str, str]:
    """Make an invite as a therapist does: its page's address and the code it shows."""
    response = invite(client, note)
    assert response.status_code == 303, text(response)
    page = response["Location"]
    assert PAGE.match(page), page
    return page, shown_code(get(client, page))


def join(api_client, code: str, *, at=NOW):
    with time_machine.travel(at, tick=False):
        return api_client.post("/api/v1/care-links/", {"code": code, "share_entries": True}, format="json")


def error_codes(response) -> list[str]:
    return [error["code"] for error in response.json()["errors"]]


@pytest.fixture
def stranger(stranger_therapist) -> Client:
    with time_machine.travel(NOW, tick=False):
        return signed_in(stranger_therapist.email, PASSWORD)


# --- Making one: post, redirect, get ----------------------------------------------------------


def test_the_roster_offers_an_invite_one_click_away_with_a_labelled_form_and_the_open_invites(maya):
    assert '<a class="button-link" href="/app/invites/">Invite a patient</a>' in get(maya, "/app/").content.decode()
    body = get(maya, "/app/invites/").content.decode()
    assert 'action="/app/invites/"' in body
    assert 'method="post"' in body
    assert ">Make an invite code</button>" in body
    assert "Open invites" in body


def test_the_post_redirects_to_the_invites_own_page_which_shows_the_code_and_how_to_pass_it_on(maya, therapist):
    response = invite(maya, note="The new referral from Dr. Lee")
    assert response.status_code == 303
    stored = Invite.objects.get()
    assert response["Location"] == f"/app/invites/{stored.id}/"
    assert 'class="invite-code"' not in response.content.decode()  # the code is on the page, not in the POST's answer

    page = get(maya, response["Location"])
    assert page.status_code == 200
    code = shown_code(page)
    assert re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}", code)
    words = text(page)
    # Seven days from noon in Chicago, still standard time, and said to be the therapist's own.
    assert "It works once, until Wednesday 2 December 2026, 12:00 (your time, CST)." in words
    assert "Your note: The new referral from Dr. Lee" in words
    # The join link carries the code to the patient's app, which reads it from the path; the
    # QR code is of that link, drawn in the page (no style attribute, which the CSP refuses).
    body = page.content.decode()
    assert f'<a class="join-link" href="/journal/join/{code}">' in body
    # Said in full, to copy into a message; a narrow screen may break it before the code only.
    assert f'http://testserver/journal/join/<wbr><span class="join-code">{code}</span></a>' in body
    svg = re.findall(r'<svg viewBox="[0-9 ]+" class="qr-code">(.*?)</svg>', body)
    assert len(svg) == 1
    assert svg[0].startswith("<title>QR code of the join link</title><path ")
    assert "style" not in svg[0]
    assert "small letters and missing dashes are fine" in words
    assert (stored.therapist, stored.note) == (therapist, "The new referral from Dr. Lee")
    assert Invite.objects.with_code(code).get() == stored


def test_reloading_the_invites_page_makes_nothing_new_and_shows_the_same_code(maya, django_assert_num_queries):
    page, code = made(maya)
    for _ in range(3):
        # The session, the therapist and their second factors (4), the invite, saving the session (3).
        with django_assert_num_queries(10):
            again = get(maya, page)
        assert shown_code(again) == code
    assert Invite.objects.count() == 1


def test_the_code_is_never_stored_in_the_clear(maya):
    page, code = made(maya, note="For R.")
    stored = Invite.objects.get()
    assert code not in str(stored.__dict__)  # only its hash is kept
    assert code.replace("-", "") not in str(stored.__dict__)
    rows = list(UserSession.objects.values_list("session_data", flat=True))
    assert rows
    assert not any(code in row for row in rows)  # the session keeps it, encrypted
    assert "no-store" in get(maya, page)["Cache-Control"]


def test_each_post_makes_one_invite_and_each_code_is_shown_on_its_own_page_only(maya):
    first_page, first = made(maya)
    second_page, second = made(maya)  # a double click: two posts
    assert first != second
    assert Invite.objects.count() == 2
    assert shown_codes(get(maya, first_page)) == [first]
    assert shown_codes(get(maya, second_page)) == [second]
    listing = get(maya, "/app/invites/").content.decode()
    assert first not in listing
    assert second not in listing
    assert first not in get(maya, "/app/").content.decode()


def test_an_open_invite_seen_from_another_sign_in_shows_no_code_and_says_why(maya, therapist):
    page, code = made(maya)
    elsewhere = get(signed_in(therapist.email, "listen-kindly-2026"), page)
    assert elsewhere.status_code == 200
    assert code not in elsewhere.content.decode()
    assert shown_codes(elsewhere) == []
    assert "Its code is shown only where it was made" in text(elsewhere)
    assert "Cancel this invite" in text(elsewhere)


def test_the_shown_code_links_the_patient_in_their_app_typed_however(maya, therapist, as_other_patient):
    page, code = made(maya)
    typed = code.lower().replace("-", "", 1)  # small letters, one dash missing
    response = join(as_other_patient, typed)
    assert response.status_code == 201, response.json()
    assert response.json()["therapist"]["display_name"] == therapist.display_name
    # Used, the page says so and the code is gone from it (and from the session).
    used = get(maya, page)
    assert shown_codes(used) == []
    assert "This invite was used: the patient it was for has joined" in text(used)
    assert code not in str(dict(maya.session))


@pytest.mark.parametrize(
    ("note", "problem"),
    [
        ("x" * 501, "Ensure this value has at most 500 characters (it has 501)."),
        ("A NUL \x00", "Null characters are not allowed."),
    ],
)
def test_a_note_that_breaks_a_rule_is_a_form_error_and_makes_no_invite(maya, note, problem):
    response = invite(maya, note)
    assert response.status_code == 400
    assert problem in text(response)
    assert 'class="invite-code"' not in response.content.decode()
    assert not Invite.objects.exists()


def test_an_invite_needs_the_forms_csrf_token(therapist):
    client = Client(enforce_csrf_checks=True)
    with time_machine.travel(NOW, tick=False):
        client.force_login(therapist)
    assert invite(client).status_code == 403
    assert not Invite.objects.exists()


# --- Expiry ------------------------------------------------------------------------------------


def test_an_expired_invite_shows_no_code_and_says_it_ran_out(maya, as_other_patient):
    page, code = made(maya)
    # Brought to the end of its life within the therapist's signed-in half hour.
    Invite.objects.update(expires_at=NOW + timedelta(minutes=10))
    later = NOW + timedelta(minutes=10)
    assert shown_code(get(maya, page, at=later - timedelta(seconds=1))) == code
    expired = get(maya, page, at=later)
    assert shown_codes(expired) == []
    assert "This invite ran out before it was used" in text(expired)
    assert "Cancel this invite" not in text(expired)
    assert code not in str(dict(maya.session))
    assert error_codes(join(as_other_patient, code, at=later)) == ["invite_expired"]
    assert "Open invites No open invites" in text(get(maya, "/app/invites/", at=later))


# --- The open invites ------------------------------------------------------------------------


def test_the_list_shows_only_the_open_invites_with_note_and_expiry_newest_first(
    maya, therapist, as_other_patient, django_assert_num_queries
):
    _, code_used = made(maya, note="Used by now")
    assert join(as_other_patient, code_used).status_code == 201
    taken_back, _ = made(maya, note="Taken back")
    post(maya, f"{taken_back}cancel/")
    invite_create(therapist=therapist, note="Ran out", now=NOW - INVITE_LIFETIME - timedelta(hours=1))
    invite_create(therapist=therapist, note="Yesterday's referral", now=NOW - timedelta(days=1))
    invite_create(therapist=therapist, note="Today's", now=NOW - timedelta(hours=1))
    with django_assert_num_queries(10):  # as for one invite's page: one query for the list
        listing = get(maya, "/app/invites/")
    made(maya)

    with django_assert_num_queries(10):  # one more invite, no more queries
        listing = get(maya, "/app/invites/")
    assert listing.status_code == 200
    words = text(listing)
    assert "Times are your time (America/Chicago)." in words
    notes = [html.unescape(note) for note in re.findall(r'<p class="invite-note">(.*?)</p>', listing.content.decode())]
    assert notes == ['<span class="muted">No note</span>', "Today's", "Yesterday's referral"]
    assert "Used by now" not in words
    assert "Taken back" not in words
    assert "Ran out" not in words
    # Made at noon in Chicago, a week's life: in the therapist's zone.
    assert "Yesterday's referral Made Tue 24 Nov, 12:00 · works until Tue 1 Dec 2026, 12:00" in words
    assert words.count("Cancel this invite") == 3


@pytest.mark.parametrize(
    ("zone", "made_at", "expires_at"),
    [
        ("Pacific/Kiritimati", "Made Thu 26 Nov, 08:00", "works until Thu 3 Dec 2026, 08:00"),  # UTC+14
        ("Pacific/Pago_Pago", "Made Wed 25 Nov, 07:00", "works until Wed 2 Dec 2026, 07:00"),  # UTC-11
    ],
)
def test_the_lists_times_are_in_the_therapists_zone_east_or_west(maya, therapist, zone, made_at, expires_at):
    therapist.timezone = zone
    therapist.save(update_fields=["timezone"])
    made(maya, note="R.")
    words = text(get(maya, "/app/invites/"))
    assert f"Times are your time ({zone})." in words
    assert f"R. {made_at} · {expires_at}" in words


def test_with_no_open_invite_the_list_says_so_kindly(maya):
    words = text(get(maya, "/app/invites/"))
    assert "No open invites: every code you made has been used, cancelled or has run out." in words
    assert "Make an invite code" in words


# --- Cancelling --------------------------------------------------------------------------------


def test_a_cancelled_code_is_refused_at_join_with_its_own_code(maya, as_other_patient, other_patient):
    page, code = made(maya, note="For R.")
    invite_id = PAGE.match(page).group(1)
    with time_machine.travel(NOW, tick=False):
        response = maya.post(f"/app/invites/{invite_id}/cancel/")
    assert response.status_code == 303
    assert response["Location"] == "/app/invites/"
    listing = get(maya, "/app/invites/")
    assert "Cancelled the invite (“For R.”): its code no longer works." in text(listing)
    assert "For R." not in text(listing).replace("(“For R.”)", "")

    refused = join(as_other_patient, code)
    assert refused.status_code == 400
    assert error_codes(refused) == ["invite_cancelled"]
    assert "cancelled by your therapist" in refused.json()["errors"][0]["detail"]
    assert not other_patient.care_links_as_patient.exists()

    gone = get(maya, page)
    assert shown_codes(gone) == []
    assert "You cancelled this invite, so its code no longer works." in text(gone)
    assert code not in str(dict(maya.session))


def test_cancelling_twice_is_no_error_and_keeps_the_first_time(maya):
    page, _ = made(maya)
    invite_id = PAGE.match(page).group(1)
    post(maya, f"/app/invites/{invite_id}/cancel/")
    second = post(maya, f"/app/invites/{invite_id}/cancel/", at=NOW + timedelta(minutes=5))
    assert second.status_code == 200
    assert Invite.objects.get().cancelled_at == NOW


def test_an_invite_used_meanwhile_cannot_be_cancelled_and_the_page_says_why(maya, as_other_patient):
    page, code = made(maya)
    assert join(as_other_patient, code).status_code == 201
    invite_id = PAGE.match(page).group(1)
    response = post(maya, f"/app/invites/{invite_id}/cancel/")
    assert "This invite was used already: the patient it was for has joined" in text(response)
    assert Invite.objects.get().cancelled_at is None


# --- Who may not -------------------------------------------------------------------------------


def test_another_therapists_invite_is_the_404_page_and_cannot_be_cancelled(maya, stranger, as_other_patient):
    page, code = made(maya, note="For R.")
    invite_id = PAGE.match(page).group(1)
    seen = get(stranger, page)
    assert seen.status_code == 404
    assert code not in seen.content.decode()
    with time_machine.travel(NOW, tick=False):
        assert stranger.post(f"/app/invites/{invite_id}/cancel/").status_code == 404
    assert Invite.objects.get().cancelled_at is None
    assert "For R." not in text(get(stranger, "/app/invites/"))
    assert join(as_other_patient, code).status_code == 201


def test_an_invite_that_does_not_exist_is_the_404_page(maya):
    assert get(maya, "/app/invites/00000000-0000-4000-8000-000000000000/").status_code == 404
    response = post(maya, "/app/invites/00000000-0000-4000-8000-000000000000/cancel/")
    assert response.status_code == 404


@pytest.mark.parametrize("who", ["patient", "signed out"])
def test_a_patient_or_no_one_cannot_make_list_see_or_cancel_invites(maya, chef, who):
    page, code = made(maya, note="For R.")
    invite_id = PAGE.match(page).group(1)
    client = Client()
    if who == "patient":
        client.force_login(chef)
    with time_machine.travel(NOW, tick=False):
        answers = [
            client.post("/app/invites/", {"note": "Mine"}),
            client.get("/app/invites/"),
            client.get(page),
            client.post(f"/app/invites/{invite_id}/cancel/"),
        ]
    for response in answers:
        assert response.status_code == 302
        assert response["Location"].startswith("/app/sign-in/")
        assert code not in response.content.decode()
    assert Invite.objects.count() == 1
    assert Invite.objects.get().cancelled_at is None


def test_a_cancel_needs_a_post(maya):
    page, _ = made(maya)
    assert get(maya, page + "cancel/").status_code == 405
    assert Invite.objects.get().cancelled_at is None
