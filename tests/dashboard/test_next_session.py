"""The next session on a patient's page: set on the therapist's own clock, shown in it and said
so, cleared, refused in the past; the brief then says it is for that session, on the patient's
clock. No one else's to set."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine

from accounts.models import CareLink
from care import services as care_services
from tests.dashboard.conftest import NOW, get, signed_in, text
from tests.factories import PASSWORD, CareLinkFactory, ExperimentFactory, ReflectionFactory, TherapistFactory

pytestmark = pytest.mark.django_db


def post(client, patient, data):
    with time_machine.travel(NOW, tick=False):
        return client.post(f"/app/patients/{patient.id}/next-session/", data)


def stored(link: CareLink) -> datetime | None:
    link.refresh_from_db()
    return link.next_session_at


def test_a_next_session_is_set_on_the_therapists_clock_and_shown_in_it(maya, chef, link):
    assert "Not set." in text(get(maya, f"/app/patients/{chef.id}/"))
    response = post(maya, chef, {"action": "set", "at": "2026-12-08T10:00"})
    assert (response.status_code, response["Location"]) == (302, f"/app/patients/{chef.id}/")
    assert stored(link) == datetime(2026, 12, 8, 16, 0, tzinfo=UTC)  # 10:00 in Chicago
    page = text(get(maya, f"/app/patients/{chef.id}/"))
    assert "Next session: Tuesday 8 December, 10:00 (your time). The brief is now for that session." in page
    assert "Next session Tuesday 8 December, 10:00 (your time)" in page
    assert 'value="2026-12-08T10:00"' in get(maya, f"/app/patients/{chef.id}/").content.decode()


def test_a_therapist_east_of_utc_sets_it_on_their_own_clock(chef):
    tokyo = TherapistFactory(email="dr.tokyo@example.test", password=PASSWORD, timezone="Asia/Tokyo")
    link = CareLinkFactory(therapist=tokyo, patient=chef)
    with time_machine.travel(NOW, tick=False):
        client = signed_in(tokyo.email, PASSWORD)
    assert post(client, chef, {"action": "set", "at": "2026-12-08T10:00"}).status_code == 302
    assert stored(link) == datetime(2026, 12, 8, 1, 0, tzinfo=UTC)  # 10:00 in Tokyo
    assert "Tuesday 8 December, 10:00 (your time)" in text(get(client, f"/app/patients/{chef.id}/"))


@pytest.mark.parametrize(
    ("sent", "problem"),
    [
        ("2026-11-25T11:00", "That time has already passed"),  # an hour ago in Chicago
        ("2027-12-01T10:00", "more than a year ahead"),
        # 2:30 on the night the clocks go forward does not exist in Chicago.
        ("2027-03-14T02:30", "2027-03-14 02:30:00 couldn\u2019t be interpreted in time zone America/Chicago"),
        ("", "Choose the day and time you meet next."),
        ("tuesday", "A day and a time"),
        ("\uff12\uff10\uff12\uff16-12-08T10:00", "A day and a time"),  # fullwidth digits
    ],
)
def test_a_time_refused_is_the_form_again_with_why_beside_it(maya, chef, link, sent, problem):
    care_services.next_session_set(
        therapist=link.therapist, patient_id=chef.id, at=datetime(2026, 12, 8, 16, 0, tzinfo=UTC), now=NOW
    )
    response = post(maya, chef, {"action": "set", "at": sent})
    assert response.status_code == 400
    assert problem in text(response)
    assert stored(link) == datetime(2026, 12, 8, 16, 0, tzinfo=UTC)


def test_clearing_takes_it_off_the_page(maya, chef, link):
    post(maya, chef, {"action": "set", "at": "2026-12-08T10:00"})
    assert post(maya, chef, {"action": "clear"}).status_code == 302
    assert stored(link) is None
    page = text(get(maya, f"/app/patients/{chef.id}/"))
    assert "No next session set now." in page
    assert "Not set." in page


def test_another_therapist_gets_the_404_page_and_changes_nothing(chef, link, stranger_therapist):
    with time_machine.travel(NOW, tick=False):
        stranger = signed_in(stranger_therapist.email, PASSWORD)
    assert post(stranger, chef, {"action": "set", "at": "2026-12-08T10:00"}).status_code == 404
    assert post(stranger, chef, {"action": "set", "at": "yesterday"}).status_code == 404
    assert post(stranger, chef, {"action": "clear"}).status_code == 404
    assert stored(link) is None


def test_the_patient_is_sent_to_sign_in_and_a_get_is_refused(maya, client, chef, link):
    assert post(client, chef, {"action": "set", "at": "2026-12-08T10:00"}).status_code == 302
    assert stored(link) is None
    assert get(maya, f"/app/patients/{chef.id}/next-session/").status_code == 405


def test_the_brief_says_which_session_it_is_for_on_the_patients_clock(maya, chef, link):
    chef.timezone = "Europe/Lisbon"
    chef.save()
    post(maya, chef, {"action": "set", "at": "2026-12-08T10:00"})  # 16:00 in Lisbon
    page = text(get(maya, f"/app/patients/{chef.id}/brief/"))
    assert "For the session on Tuesday 8 December, 16:00." in page
    assert "Days and times are Sam (chef)\u2019s, Europe/Lisbon (UTC+0)." in page


def test_the_brief_page_shows_the_chart_the_quotes_the_plans_and_the_mood_line(maya, chef, link):
    link.created_at = NOW - timedelta(days=60)
    link.save()
    ReflectionFactory(patient=chef, date=date(2026, 11, 20), effort="Asked for help at the pass", mood=2, now=NOW)
    ReflectionFactory(patient=chef, date=date(2026, 11, 24), effort="Private", mood=4, shared=False, now=NOW)
    ExperimentFactory(patient=chef, title="Say no once", planned_for=date(2026, 12, 1), status="planned", now=NOW)
    response = get(maya, f"/app/patients/{chef.id}/brief/")
    page = text(response)
    assert "The last 12 weeks" in page
    assert "Reflection days each week:" in response.content.decode()  # the chart's words, for a screen reader
    assert "In their words, newest first Fri 20 Nov · mood 2 of 5 Asked for help at the pass" in page
    assert "Private" not in page
    assert "Planned for days to come Tue 1 Dec: Say no once" in page
    assert "Average mood each week, from 1 to 5, in weeks with one: week of 16 Nov: 2.0; week of 23 Nov: 4.0." in (
        response.content.decode()
    )
