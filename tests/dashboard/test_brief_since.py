"""The brief from a day the therapist picks (``?since=``), refused as care.brief refuses it."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine

from care.models import AccessLog
from tests.dashboard.conftest import NOW, get, signed_in, text
from tests.factories import PASSWORD, ReflectionFactory

NOT_A_DATE = "A date as YYYY-MM-DD, from 1900 on."

pytestmark = pytest.mark.django_db


@pytest.fixture
def written(chef, link):
    link.created_at = NOW - timedelta(days=200)
    link.save()
    for day in (date(2026, 9, 1), date(2026, 11, 2), date(2026, 11, 24)):
        ReflectionFactory(patient=chef, date=day, now=datetime(day.year, day.month, day.day, 20, tzinfo=UTC))


def since_input(response) -> str:
    found = re.search(r'<input type="date" name="since"[^>]*>', response.content.decode())
    assert found, "no date field"
    return found[0]


def test_without_a_day_the_brief_covers_four_weeks_and_the_field_shows_where_it_starts(maya, chef, written):
    response = get(maya, f"/app/patients/{chef.id}/brief/")
    assert response.status_code == 200
    assert "Thu 29 Oct 2026 to Wed 25 Nov 2026 (28 days, over the last four weeks)" in text(response)
    field = since_input(response)
    assert 'value="2026-10-29"' in field
    assert 'max="2026-11-25"' in field
    assert "Start the brief on" in text(response)


def test_a_day_asked_starts_the_brief_there(maya, chef, written):
    response = get(maya, f"/app/patients/{chef.id}/brief/?since=2026-08-30")
    assert response.status_code == 200
    page = text(response)
    assert "Sun 30 Aug 2026 to Wed 25 Nov 2026 (88 days, since the day asked)" in page
    assert "Reflected on 3 days of 88." in page
    assert 'value="2026-08-30"' in since_input(response)


def test_an_empty_day_is_the_usual_brief_and_the_field_shows_where_it_starts(maya, chef, written):
    response = get(maya, f"/app/patients/{chef.id}/brief/?since=")
    assert response.status_code == 200
    assert "Thu 29 Oct 2026 to Wed 25 Nov 2026 (28 days, over the last four weeks)" in text(response)
    assert 'value="2026-10-29"' in since_input(response)


@pytest.mark.parametrize(
    ("since", "problem"),
    [
        ("2026-11-26", "That day has not come yet for the patient."),  # tomorrow in Chicago
        ("2025-11-23", "A brief covers at most a year."),
        ("yesterday", NOT_A_DATE),
        ("2026-13-01", NOT_A_DATE),
        ("1899-12-31", NOT_A_DATE),
        ("%D9%A2%D9%A0%D9%A2%D9%A6-11-01", NOT_A_DATE),  # Arabic-Indic digits
        ("2026-11-01%00", NOT_A_DATE),
        ("%ED%A0%80", NOT_A_DATE),  # a lone surrogate, as UTF-8 bytes
        ("9" * 5000, NOT_A_DATE),
    ],
)
def test_a_day_the_brief_refuses_is_a_400_with_the_reason_beside_the_field(maya, chef, written, since, problem):
    response = get(maya, f"/app/patients/{chef.id}/brief/?since={since}")
    assert response.status_code == 400
    page = text(response)
    assert page.index("Start the brief on") < page.index(problem) < page.index("Pre-session brief: Sam (chef)")
    # Below the refusal, the brief as it reads without a day.
    assert "Below is the brief as it reads without a day." in page
    assert "(28 days, over the last four weeks)" in page


def test_a_refused_day_logs_only_the_brief_shown(maya, chef, written):
    assert get(maya, f"/app/patients/{chef.id}/brief/?since=2026-12-01").status_code == 400
    assert list(AccessLog.objects.filter(patient=chef).values_list("what", flat=True)) == ["brief"]


def test_a_second_therapist_asking_with_a_day_gets_the_404_page(chef, written, stranger_therapist):
    with time_machine.travel(NOW, tick=False):
        stranger = signed_in(stranger_therapist.email, PASSWORD)
    for since in ("2026-11-01", "2030-01-01", "garbled"):
        response = get(stranger, f"/app/patients/{chef.id}/brief/?since={since}")
        assert response.status_code == 404
        assert "Sam (chef)" not in text(response)
    assert not AccessLog.objects.filter(patient=chef).exists()


def test_the_day_form_is_left_off_the_printed_sheet(maya, chef, written):
    body = get(maya, f"/app/patients/{chef.id}/brief/").content.decode()
    assert re.search(r'<form class="since no-print" method="get" action="/app/patients/[^"]+/brief/"', body)
    assert '<label for="id_since">Start the brief on</label>' in body
