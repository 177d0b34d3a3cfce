"""What a therapist sees on the roster, a patient's page and the brief, and who sees nothing."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts import services as account_services
from dashboard.security import CONTENT_SECURITY_POLICY
from tests.dashboard.conftest import NOW, get, signed_in, text
from tests.factories import (
    PASSWORD,
    CareLinkFactory,
    CommitmentFactory,
    ExperimentFactory,
    PatientFactory,
    PrideEntryFactory,
    ReflectionFactory,
)

EVIDENCE = "Therapist (line 12): Could you notice one effort a day?\nPatient (line 13): I can try."

pytestmark = pytest.mark.django_db


def at(day: int) -> datetime:
    return datetime(2026, 11, day, 20, 0, tzinfo=UTC)


@pytest.fixture
def week(therapist, chef, link):
    """The chef's practice: two reflection days and a pride entry this week, more before."""
    link.created_at = NOW - timedelta(days=60)
    link.save()
    CommitmentFactory(patient=chef, author=therapist, title="Notice one effort a day", evidence=EVIDENCE, now=at(2))
    for day in (23, 24, 16, 17, 18, 9):
        ReflectionFactory(patient=chef, date=date(2026, 11, day), now=at(day))
    PrideEntryFactory(patient=chef, week="2026-W48", items=["Plated the special", "Asked for help"], now=at(24))
    PrideEntryFactory(patient=chef, week="2026-W47", items=["One", "Two", "Three"], now=at(20))
    PrideEntryFactory(patient=chef, week="2026-W46", items=["A private thing"], shared=False, now=at(13))
    ExperimentFactory(patient=chef, title="Try a new recipe", date=date(2026, 11, 24), now=at(24))
    ExperimentFactory(
        patient=chef, title="Ask the chef for a day off", date=date(2026, 11, 17), shared=False, now=at(17)
    )


def test_the_roster_shows_each_patient_with_this_week_and_the_four_before(maya, chef, week):
    page = text(get(maya, "/app/?view=cards"))
    assert "Sam (chef)" in page
    # No practice was agreed with the chef in this fixture: what they did is counted, nothing is "of 3".
    this_week = "This week Reflection days 2 Pride items 2 Experiments tried 1"
    before = "The four weeks before Reflection days 4 Experiments tried 1"
    assert f"{this_week} {before}" in page
    assert "Might like a check-in" not in page


def test_the_roster_says_when_each_patient_last_wrote_in_words(maya, therapist, chef, week):
    just_now = PatientFactory(display_name="Ida", timezone="America/Chicago")
    CareLinkFactory(therapist=therapist, patient=just_now, created_at=NOW - timedelta(days=30))
    ReflectionFactory(patient=just_now, date=date(2026, 11, 25), now=NOW - timedelta(seconds=20))
    page = text(get(maya, "/app/?view=cards"))
    assert "Ida Last wrote just now." in page
    assert "0 minutes" not in page
    assert "Sam (chef) Last wrote 22 hours ago." in page


def test_the_roster_links_to_the_patient_page(maya, chef, week):
    assert f'href="/app/patients/{chef.id}/"' in get(maya, "/app/").content.decode()


def test_a_quiet_patient_comes_first_and_is_offered_a_check_in_gently(maya, therapist, chef, week):
    quiet = PatientFactory(display_name="Zoe", timezone="Europe/London")
    CareLinkFactory(therapist=therapist, patient=quiet, created_at=NOW - timedelta(days=30))
    page = text(get(maya, "/app/?view=cards"))
    assert page.index("Zoe") < page.index("Sam (chef)")
    assert "Zoe ☕ Might like a check-in: quiet since 26 Oct." in page
    assert "failed" not in page.lower()


def test_among_those_writing_the_longest_quiet_comes_first(maya, therapist, chef, week):
    # The chef last wrote on the 24th; Ann on the 19th, Yuri on the 25th.
    for name, day in [("Ann", 19), ("Yuri", 25)]:
        patient = PatientFactory(display_name=name, timezone="America/Chicago")
        CareLinkFactory(therapist=therapist, patient=patient, created_at=NOW - timedelta(days=30))
        ReflectionFactory(patient=patient, date=date(2026, 11, day), now=at(day) - timedelta(hours=8))
    page = text(get(maya, "/app/?view=cards"))
    assert "Might like a check-in" not in page
    assert page.index("Ann") < page.index("Sam (chef)") < page.index("Yuri")


def test_the_roster_shows_only_this_therapists_patients(chef, week, stranger_therapist, other_patient):
    CareLinkFactory(therapist=stranger_therapist, patient=other_patient)
    with time_machine.travel(NOW, tick=False):
        stranger = signed_in(stranger_therapist.email, PASSWORD)
    page = text(get(stranger, "/app/"))
    assert "Charlie" in page
    assert "Sam (chef)" not in page


def test_the_patient_page_shows_commitments_with_their_status_and_the_evidence(maya, chef, week):
    response = get(maya, f"/app/patients/{chef.id}/")
    page = text(response)
    assert "Notice one effort a day Active" in page
    assert "Therapist (line 12): Could you notice one effort a day? Patient (line 13): I can try." in page
    assert "Could you notice one effort a day?<br>Patient (line 13)" in response.content.decode()
    assert f'href="/app/patients/{chef.id}/brief/"' in response.content.decode()


def test_the_brief_shows_shared_pride_items_and_not_an_unshared_one(maya, chef, week):
    page = text(get(maya, f"/app/patients/{chef.id}/brief/"))
    assert "Pre-session brief: Sam (chef)" in page
    assert "Week of 23 Nov: 2 things (toward 3) Plated the special Asked for help" in page
    assert "Week of 16 Nov: 3 things (reached 3) One Two Three" in page
    assert "Week of 9 Nov: 1 thing (toward 3) Not shared." in page
    assert "A private thing" not in page
    assert "Try a new recipe" in page
    assert "Ask the chef for a day off" not in page
    assert "Notice one effort a day : reflected on 6 of 24 days." in page


def test_the_briefs_count_of_days_with_entries_sits_under_a_heading_that_says_so(maya, chef, week):
    page = text(get(maya, f"/app/patients/{chef.id}/brief/"))
    assert re.search(r"Days with and without entries Entries on \d+ days? of 28\.", page)
    assert "Quiet days" not in page  # above a count of active days, it read as a contradiction


def test_the_brief_says_when_it_was_prepared_in_the_patients_zone_as_every_time_on_it(maya, chef, week):
    chef.timezone = "Europe/Lisbon"  # east of the therapist's Chicago
    chef.save()
    page = text(get(maya, f"/app/patients/{chef.id}/brief/"))
    assert "Prepared 25 Nov 2026, 18:00, Sam (chef)\u2019s time." in page
    assert "Days and times are Sam (chef)\u2019s, Europe/Lisbon (UTC+0)." in page


def test_the_brief_has_a_print_stylesheet_of_our_own(maya, chef, week):
    page = get(maya, f"/app/patients/{chef.id}/brief/").content.decode()
    assert '<link rel="stylesheet" href="/static/dashboard/dashboard.css">' in page
    css = Client().get("/static/dashboard/dashboard.css")
    assert css.status_code == 200
    assert b"@media print" in b"".join(css.streaming_content)


def test_what_a_patient_wrote_stays_text(maya, chef, link):
    PrideEntryFactory(patient=chef, week="2026-W48", items=["<script>alert(1)</script>"], now=at(24))
    page = get(maya, f"/app/patients/{chef.id}/brief/").content.decode()
    assert "<script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


@pytest.mark.parametrize("page", ["/app/patients/{id}/", "/app/patients/{id}/brief/"])
def test_a_second_therapist_gets_the_404_page_for_the_first_ones_patient(chef, link, stranger_therapist, page):
    with time_machine.travel(NOW, tick=False):
        stranger = signed_in(stranger_therapist.email, PASSWORD)
    response = get(stranger, page.format(id=chef.id))
    assert response.status_code == 404
    assert "Not found" in text(response)
    assert "Sam (chef)" not in text(response)
    # Still the dashboard of the one signed in: their own name and the way to sign out are there.
    assert stranger_therapist.display_name in text(response)
    assert "Sign out" in text(response)


@pytest.mark.parametrize("page", ["/app/patients/{id}/", "/app/patients/{id}/brief/"])
def test_an_ended_link_is_a_404(maya, chef, link, page):
    account_services.care_link_end(link=link, now=NOW)
    assert get(maya, page.format(id=chef.id)).status_code == 404


def test_each_page_writes_the_access_log_row_the_patient_sees(maya, chef, week, as_chef):
    for path in ["/app/", f"/app/patients/{chef.id}/", f"/app/patients/{chef.id}/brief/"]:
        assert get(maya, path).status_code == 200
    with time_machine.travel(NOW, tick=False):
        rows = as_chef.get("/api/v1/me/access-log/").json()["results"]
    # The patient page reads the patient, their sessions and, as the API would, their shared entries.
    assert sorted(row["what"] for row in rows) == ["brief", "entries", "patient", "roster", "sessions"]
    assert {row["therapist"]["display_name"] for row in rows} == {"Dr. Maya Okafor"}


def test_a_refused_read_writes_no_row(chef, link, stranger_therapist, as_chef):
    with time_machine.travel(NOW, tick=False):
        stranger = signed_in(stranger_therapist.email, PASSWORD)
    assert get(stranger, f"/app/patients/{chef.id}/").status_code == 404
    with time_machine.travel(NOW, tick=False):
        assert as_chef.get("/api/v1/me/access-log/").json()["results"] == []


@pytest.mark.parametrize(
    ("page", "status"),
    [
        ("/app/sign-in/", 200),
        ("/app/", 200),
        ("/app/patients/{id}/", 200),
        ("/app/patients/{id}/brief/", 200),
        ("/app/patients/00000000-0000-4000-8000-000000000000/", 404),
        ("/app/no-such-page/", 404),
    ],
)
def test_every_dashboard_answer_carries_the_policy_and_refuses_framing(maya, chef, week, page, status):
    response = get(maya, page.format(id=chef.id))
    assert response.status_code == status
    assert response["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert response["X-Frame-Options"] == "DENY"
    assert "no-store" in response["Cache-Control"]


def test_a_redirect_to_sign_in_carries_the_policy_too(db):
    response = Client().get("/app/")
    assert response.status_code == 302
    assert response["Content-Security-Policy"] == CONTENT_SECURITY_POLICY


def test_the_policy_stays_off_the_api(as_chef):
    assert "Content-Security-Policy" not in as_chef.get("/api/v1/me/")


@pytest.mark.parametrize("page", ["/app/sign-in/", "/app/", "/app/patients/{id}/", "/app/patients/{id}/brief/"])
def test_a_page_loads_nothing_from_outside_and_has_no_inline_style_or_script(maya, chef, week, page):
    body = get(maya, page.format(id=chef.id)).content.decode()
    urls = re.findall(r'(?:src|href|action)="([^"]*)"', body)
    assert urls
    assert all(url.startswith(("/", "#")) and not url.startswith("//") for url in urls), urls
    assert "<script" not in body
    assert "<style" not in body
    assert " style=" not in body


def test_the_roster_costs_the_same_queries_for_one_patient_as_for_ten(maya, therapist, chef, week):
    with CaptureQueriesContext(connection) as one:
        assert get(maya, "/app/?view=cards").status_code == 200
    for n in range(9):
        patient = PatientFactory(timezone=["Asia/Tokyo", "America/Chicago", "Pacific/Kiritimati"][n % 3])
        CareLinkFactory(therapist=therapist, patient=patient)
        ReflectionFactory(patient=patient, date=date(2026, 11, 24), now=at(24))
        PrideEntryFactory(patient=patient, week="2026-W48", now=at(24))
    with CaptureQueriesContext(connection) as ten:
        page = text(get(maya, "/app/?view=cards"))
    assert page.count("This week") == 10
    assert len(ten.captured_queries) == len(one.captured_queries), [q["sql"] for q in ten.captured_queries]


def test_the_patient_page_costs_the_same_queries_for_one_commitment_as_for_ten(maya, therapist, chef, link):
    CommitmentFactory(patient=chef, author=therapist, evidence=EVIDENCE, now=at(2))
    with CaptureQueriesContext(connection) as one:
        assert get(maya, f"/app/patients/{chef.id}/").status_code == 200
    for n in range(9):
        CommitmentFactory(patient=chef, author=therapist, evidence=EVIDENCE, now=at(3 + n))
    with CaptureQueriesContext(connection) as ten:
        page = text(get(maya, f"/app/patients/{chef.id}/"))
    assert page.count("From the session") == 10
    assert len(ten.captured_queries) == len(one.captured_queries), [q["sql"] for q in ten.captured_queries]


def test_the_roster_counts_only_the_practices_a_patient_has(maya, therapist, chef, link):
    """A number about a practice the patient does not have means nothing: no "0 of 3" for someone
    never asked to list three things, and a patient with no practice is said to have none."""
    from tests.factories import CommitmentFactory

    page = text(get(maya, "/app/?view=cards"))
    assert "Sam (chef)" in page
    assert "No practice yet: nothing to count." in page
    assert "of 3" not in page
    with time_machine.travel(NOW, tick=False):
        CommitmentFactory(patient=chef, kind="pride_weekly", title="Three things I'm proud of")
    page = text(get(maya, "/app/?view=cards"))
    # Only the pride practice is counted: no reflection days or experiments between these words.
    assert "This week Pride items 0 of 3 The four weeks before Pride weeks met 0" in page


def test_the_rosters_queries_are_the_same_for_1_and_30_patients(maya, therapist, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import CareLinkFactory, CommitmentFactory, PatientFactory

    def add(count: int) -> None:
        for _ in range(count):
            patient = PatientFactory()
            CareLinkFactory(therapist=therapist, patient=patient)
            CommitmentFactory(patient=patient, kind="reflection_daily", title="Notice my effort")

    add(1)
    with CaptureQueriesContext(connection) as one:
        get(maya, "/app/")
    add(29)
    with django_assert_num_queries(len(one.captured_queries)):
        get(maya, "/app/")
