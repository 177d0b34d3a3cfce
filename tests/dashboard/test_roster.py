"""The roster at a caseload: a page at a time, as a table or as cards, searched, filtered and
sorted, each row with its drafts waiting and next session; the same queries for one patient
as for five hundred, and only the page's patients read and logged."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import CareLink, Role, User
from care.models import AccessLog, Session
from journal.models import Commitment
from safety import services as safety_services
from tests.dashboard.conftest import NOW, get, signed_in, text
from tests.factories import (
    PASSWORD,
    CareLinkFactory,
    CommitmentFactory,
    PatientFactory,
    ReflectionFactory,
    TherapistFactory,
)

pytestmark = pytest.mark.django_db


def patient(therapist: User, name: str, *, linked_days_ago: int = 30, zone: str = "Europe/London") -> User:
    someone = PatientFactory(display_name=name, timezone=zone)
    CareLinkFactory(therapist=therapist, patient=someone, created_at=NOW - timedelta(days=linked_days_ago))
    return someone


def wrote(someone: User, days_ago: int) -> None:
    day = (NOW - timedelta(days=days_ago)).date()
    ReflectionFactory(patient=someone, date=day, now=NOW - timedelta(days=days_ago))


def drafted(therapist: User, someone: User, count: int = 1) -> Session:
    """A session of ``therapist`` with ``someone`` that drafted ``count`` practices still to review."""
    session = Session.objects.create(therapist=therapist, patient=someone, held_on=date(2026, 11, 20), created_at=NOW)
    for n in range(count):
        CommitmentFactory(
            patient=someone, author=therapist, status="proposed", session_id=session.id, title=f"Draft {n}", now=NOW
        )
    return session


def names(response) -> list[str]:
    """The patients listed, in order (a row's or card's first link is its patient's name)."""
    html = response.content.decode()
    return re.findall(r'<(?:th scope="row" class="who"|h2)>\s*<a href="/app/patients/[0-9a-f-]+/">([^<]+)</a>', html)


@pytest.fixture
def caseload(therapist):
    """Five patients: one asking for a check-in, one quiet for weeks, one with drafts waiting,
    one with a session next week, one with no practice and nothing written."""
    asking = patient(therapist, "Bea Asking")
    wrote(asking, 2)
    with time_machine.travel(NOW - timedelta(hours=1), tick=False):
        safety_services.check_in_request(patient=asking, now=NOW - timedelta(hours=1))
    quiet = patient(therapist, "Quentin Quiet", linked_days_ago=60)
    wrote(quiet, 20)
    CommitmentFactory(patient=quiet, author=therapist, kind="reflection_daily", title="Notice an effort", now=NOW)
    with_drafts = patient(therapist, "Dora Drafts")
    wrote(with_drafts, 1)
    drafted(therapist, with_drafts, count=2)
    meeting = patient(therapist, "Zoë Meeting", zone="Asia/Tokyo")
    wrote(meeting, 3)
    CareLink.objects.filter(patient=meeting).update(next_session_at=datetime(2026, 12, 1, 15, 0, tzinfo=UTC))
    patient(therapist, "Nina Nothing", linked_days_ago=3)
    return {"asking": asking, "quiet": quiet, "drafts": with_drafts, "meeting": meeting}


def test_the_roster_is_a_compact_table_by_default_with_drafts_and_next_session(maya, caseload):
    response = get(maya, "/app/")
    page = text(response)
    assert response.status_code == 200
    assert '<table class="roster-table">' in response.content.decode()
    assert names(response)[:2] == ["Bea Asking", "Quentin Quiet"]  # who needs a look first
    assert "Bea Asking 🤝 Might need you now" in page
    assert "Quentin Quiet ☕ Quiet since 5 Nov" in page
    assert "2 waiting" in page  # Dora's drafts, linking to her sessions
    assert f'href="/app/patients/{caseload["drafts"].id}/#sessions-heading">2 waiting</a>' in response.content.decode()
    # The next session in the therapist's zone (Chicago): 15:00 UTC is 09:00 there.
    assert "Tue 1 Dec, 09:00" in page
    assert "Nina Nothing" in page
    assert "No practice yet: nothing to count." in page
    assert "5 patients." in page


@pytest.mark.parametrize(
    ("asked", "found"),
    [("dora", ["Dora Drafts"]), ("ZOE", ["Zoë Meeting"]), ("  TI  ", ["Quentin Quiet", "Zoë Meeting"]), ("ing", None)],
)
def test_search_finds_a_patient_by_part_of_the_name_in_any_case_accents_optional(maya, caseload, asked, found):
    response = get(maya, f"/app/?sort=name&q={asked}")
    expected = found or ["Bea Asking", "Zoë Meeting", "Nina Nothing"]
    assert sorted(names(response)) == sorted(expected)


def test_a_search_that_finds_no_one_says_so_and_offers_everyone(maya, caseload):
    page = text(get(maya, "/app/?q=xavier"))
    assert "No one here whose name has “xavier” in it. Show everyone" in page
    assert "roster-table" not in get(maya, "/app/?q=xavier").content.decode()


def test_each_filter_lists_exactly_its_patients_and_counts_them(maya, therapist, caseload):
    other = TherapistFactory()
    CareLinkFactory(therapist=other, patient=caseload["quiet"])
    drafted(other, caseload["quiet"], count=1)  # another therapist's drafts are not this roster's to review
    assert names(get(maya, "/app/?show=drafts")) == ["Dora Drafts"]
    assert names(get(maya, "/app/?show=now")) == ["Bea Asking"]
    assert names(get(maya, "/app/?show=quiet")) == ["Quentin Quiet"]
    assert sorted(names(get(maya, "/app/?show=none"))) == ["Bea Asking", "Dora Drafts", "Nina Nothing", "Zoë Meeting"]
    page = text(get(maya, "/app/"))
    assert "Everyone 5 Might need you now 1 Drafts to review 1 Quiet two weeks or more 1 No practice yet 4" in page
    # The counts follow the search: of those with "a" in their name.
    assert "Everyone 3 Might need you now 1 Drafts to review 1" in text(get(maya, "/app/?q=a"))


def test_sorts_by_name_last_wrote_and_next_session(maya, caseload):
    assert names(get(maya, "/app/?sort=name")) == [
        "Bea Asking", "Dora Drafts", "Nina Nothing", "Quentin Quiet", "Zoë Meeting",
    ]  # fmt: skip
    # The newest writer first; who has not written yet last.
    assert names(get(maya, "/app/?sort=last")) == [
        "Dora Drafts", "Bea Asking", "Zoë Meeting", "Quentin Quiet", "Nina Nothing",
    ]  # fmt: skip
    # The soonest session first; those with none set after, by name.
    assert names(get(maya, "/app/?sort=next"))[0] == "Zoë Meeting"


def test_the_layout_chosen_is_remembered_by_this_browser_across_sign_ins(maya, caseload, therapist):
    chosen = get(maya, "/app/?view=cards")
    assert 'class="roster"' in chosen.content.decode()
    cookie = chosen.cookies["roster_view"]
    assert cookie.value == "cards"
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"
    assert 'class="roster"' in get(maya, "/app/").content.decode()  # remembered
    assert "roster-table" not in get(maya, "/app/").content.decode()
    with time_machine.travel(NOW, tick=False):
        maya.post("/app/sign-out/")
        maya.post("/app/sign-in/", {"email": therapist.email, "password": "listen-kindly-2026"})
    assert 'class="roster"' in get(maya, "/app/").content.decode()  # still, after signing in again
    with time_machine.travel(NOW, tick=False):
        elsewhere = signed_in(therapist.email, "listen-kindly-2026")
    assert "roster-table" in get(elsewhere, "/app/").content.decode()  # another browser: the default
    maya.cookies["roster_view"] = "<script>"
    assert "roster-table" in get(maya, "/app/").content.decode()  # a cookie we did not set: the default
    assert "roster-table" in get(maya, "/app/?view=table").content.decode()


@pytest.mark.parametrize("query", ["sort=shoe", "show=everyone", "page=two", "page=0", "view=list", "q=" + "x" * 101])
def test_an_address_the_page_did_not_give_is_a_400_over_the_usual_roster(maya, caseload, query):
    response = get(maya, f"/app/?{query}")
    assert response.status_code == 400
    page = text(response)
    assert "Showing everyone, in the usual order." in page
    assert names(response)[:2] == ["Bea Asking", "Quentin Quiet"]


def bulk_patients(therapist: User, count: int, *, prefix: str = "Patient") -> list[User]:
    """``count`` linked patients written in two statements (the factories would take minutes for 500)."""
    people = User.objects.bulk_create(
        User(
            id=uuid.uuid4(),
            email=f"{prefix.lower()}{n}-{uuid.uuid4().hex[:6]}@example.test",
            display_name=f"{prefix} {n:03d}",
            role=Role.PATIENT,
            timezone=["Asia/Tokyo", "America/Chicago", "Europe/London"][n % 3],
            password="!",
        )
        for n in range(count)
    )
    CareLink.objects.bulk_create(
        CareLink(therapist=therapist, patient=someone, created_at=NOW - timedelta(days=30)) for someone in people
    )
    return people


def test_pages_of_fifty_keep_the_filter_and_order_and_stop_at_the_last(maya, therapist):
    bulk_patients(therapist, 120)
    first = get(maya, "/app/?sort=name")
    assert names(first)[0] == "Patient 000"
    assert len(names(first)) == 50
    assert "120 patients, page 1 of 3." in text(first)
    assert 'href="/app/?sort=name&amp;page=2" rel="next"' in first.content.decode()
    last = get(maya, "/app/?sort=name&page=3")
    assert names(last)[0] == "Patient 100"
    assert len(names(last)) == 20
    assert 'rel="next"' not in last.content.decode()
    assert names(get(maya, "/app/?sort=name&page=99")) == names(last)  # past the last: the last


def test_the_roster_reads_and_logs_only_the_patients_on_its_page(maya, therapist):
    bulk_patients(therapist, 60)
    AccessLog.objects.all().delete()
    assert get(maya, "/app/?sort=name").status_code == 200
    logged = AccessLog.objects.filter(what=AccessLog.What.ROSTER)
    assert logged.count() == 50
    assert not logged.filter(patient__display_name__in=[f"Patient {n:03d}" for n in range(50, 60)]).exists()


def test_the_rosters_queries_are_the_same_for_1_10_and_500_patients(maya, therapist, django_assert_num_queries):
    first = patient(therapist, "Ann First")
    wrote(first, 1)
    drafted(therapist, first)
    with CaptureQueriesContext(connection) as one:
        assert names(get(maya, "/app/")) == ["Ann First"]
    bulk_patients(therapist, 9)
    with django_assert_num_queries(len(one.captured_queries)):
        assert len(names(get(maya, "/app/"))) == 10
    bulk_patients(therapist, 490, prefix="More")
    with django_assert_num_queries(len(one.captured_queries)):
        response = get(maya, "/app/?show=drafts")
    assert names(response) == ["Ann First"]
    with django_assert_num_queries(len(one.captured_queries)):
        assert "500 patients, page 1 of 10." in text(get(maya, "/app/"))


def test_no_one_else_sees_the_roster_or_its_counts(caseload, other_patient):
    stranger = TherapistFactory(email="stranger@example.test")
    with time_machine.travel(NOW, tick=False):
        theirs = signed_in(stranger.email, PASSWORD)
    page = text(get(theirs, "/app/?show=drafts"))
    assert "Dora" not in page
    assert "Everyone 0" not in page
    assert "No patients are linked to you yet." in page
    from django.test import Client

    anonymous = get(Client(), "/app/?q=dora")
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith("/app/sign-in/")
    assert Commitment.objects.filter(status="proposed").count() == 2  # nothing was changed by looking
