"""The 12-week charts a therapist reads: a sparkline on each roster row, a week chart on the
patient's page. Numbers here are worked out by hand from ``dashboard.charts``' layout: the
plot's floor is at y=166, a reflection day is 20 high (4 on a sparkline), week n's slot starts
at x=34+44n, its bar 8 further in, its centre 22 in."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from tests.dashboard.conftest import NOW, get, text
from tests.dashboard.test_pages import EVIDENCE
from tests.factories import (
    CareLinkFactory,
    CommitmentFactory,
    ExperimentFactory,
    PatientFactory,
    PrideEntryFactory,
    ReflectionFactory,
)

SVG = "{http://www.w3.org/2000/svg}"

pytestmark = pytest.mark.django_db


def at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 20, 0, tzinfo=UTC)


def reflect(patient, days: list[date], mood: int | None = None) -> None:
    for day in days:
        ReflectionFactory(patient=patient, date=day, mood=mood, now=at(day))


def svg(response, css_class: str) -> ET.Element:
    """The page's ``<svg class="css_class">``, parsed: what a browser would draw."""
    body = response.content.decode()
    found = re.search(rf'<svg class="{css_class}".*?</svg>', body, re.S)
    assert found, f"no {css_class} on the page"
    return ET.fromstring(found[0].replace("<svg ", '<svg xmlns="http://www.w3.org/2000/svg" ', 1))


def shapes(chart: ET.Element, tag: str, css_class: str) -> list[dict[str, str]]:
    return [el.attrib for el in chart.iter(f"{SVG}{tag}") if css_class in el.get("class", "").split()]


@pytest.fixture
def linked(link):
    """The chef, linked long before the twelve weeks begin (7 Sep 2026)."""
    link.created_at = NOW - timedelta(days=120)
    link.save()
    return link


# --- The patient page's chart ----------------------------------------------------------------


def test_the_chart_has_twelve_weeks_and_a_bar_as_tall_as_the_days_reflected(maya, chef, linked):
    reflect(chef, [date(2026, 11, day) for day in (9, 10, 11, 12, 13)])  # 2026-W46: five days
    reflect(chef, [date(2026, 11, 23), date(2026, 11, 24)])  # this week: two so far
    chart = svg(get(maya, f"/app/patients/{chef.id}/"), "chart")
    labels = [el.text for el in chart.iter(f"{SVG}text") if "week-label" in el.get("class", "")]
    mondays = ["7 Sep", "14 Sep", "21 Sep", "28 Sep", "5 Oct", "12 Oct", "19 Oct", "26 Oct", "2 Nov", "9 Nov", "16 Nov"]
    assert labels == [*mondays, "now"]
    bars = {(bar["x"], bar["y"], bar["height"]) for bar in shapes(chart, "rect", "bar")}
    # W46 is week 9 of 0..11: x = 34 + 9*44 + 8; five days are 100 high, from the floor at 166.
    assert bars == {("438", "66", "100"), ("526", "126", "40")}


def test_a_quiet_week_is_an_empty_slot_not_a_bar_of_nothing(maya, chef, linked):
    reflect(chef, [date(2026, 11, 10)], mood=4)  # W46
    reflect(chef, [date(2026, 11, 24)], mood=2)  # W48; W47 between is quiet
    chart = svg(get(maya, f"/app/patients/{chef.id}/"), "chart")
    assert len(shapes(chart, "rect", "slot")) == 12
    quiet = shapes(chart, "rect", "empty")
    assert len(quiet) == 10  # every week but W46 and W48
    assert quiet[-1]["x"] == str(34 + 10 * 44 + 2)  # W47's slot, outlined and empty
    assert quiet[-1]["fill"] == "none"
    assert all(bar["height"] != "0" for bar in shapes(chart, "rect", "bar"))
    assert len(shapes(chart, "rect", "bar")) == 2
    # Mood is not pulled to the floor in the quiet week: two dots, and no line across the gap.
    assert [(dot["cx"], dot["cy"]) for dot in shapes(chart, "circle", "mood-dot")] == [
        ("452", "61.0"),
        ("540", "131.0"),
    ]
    assert shapes(chart, "polyline", "mood") == []


def test_mood_is_a_line_through_each_weeks_average(maya, chef, linked):
    reflect(chef, [date(2026, 11, 3)], mood=4)  # W45
    ReflectionFactory(patient=chef, date=date(2026, 11, 10), mood=2, now=at(date(2026, 11, 10)))  # W46
    ReflectionFactory(patient=chef, date=date(2026, 11, 11), mood=3, now=at(date(2026, 11, 11)))  # W46: 2.5
    chart = svg(get(maya, f"/app/patients/{chef.id}/"), "chart")
    # Mood 1 on the floor (166), 5 at the top (26): 4 is at 61, 2.5 at 113.5.
    assert [line["points"] for line in shapes(chart, "polyline", "mood")] == ["408,61.0 452,113.5"]


def test_the_charts_numbers_are_coordinates_whatever_the_locale(maya, chef, linked, settings):
    """A locale's decimal comma or thousands separator would move or break every shape."""
    settings.USE_THOUSAND_SEPARATOR = True
    ReflectionFactory(patient=chef, date=date(2026, 11, 10), mood=2, now=at(date(2026, 11, 10)))
    ReflectionFactory(patient=chef, date=date(2026, 11, 11), mood=3, now=at(date(2026, 11, 11)))
    with translation.override("de"):
        chart = svg(get(maya, f"/app/patients/{chef.id}/"), "chart")
    assert [dot["cy"] for dot in shapes(chart, "circle", "mood-dot")] == ["113.5"]
    assert "," not in chart.get("viewBox", ",")


def test_a_pride_week_met_is_marked_with_a_diamond_and_one_toward_it_is_not(maya, chef, linked):
    PrideEntryFactory(patient=chef, week="2026-W46", items=["One", "Two", "Three"], now=at(date(2026, 11, 13)))
    PrideEntryFactory(patient=chef, week="2026-W48", items=["One"], now=at(date(2026, 11, 24)))
    chart = svg(get(maya, f"/app/patients/{chef.id}/"), "chart")
    assert [mark["points"] for mark in shapes(chart, "polygon", "pride")] == ["452,6 459,13 452,20 445,13"]


def test_the_chart_says_its_numbers_in_words_and_in_a_table(maya, chef, linked):
    reflect(chef, [date(2026, 11, day) for day in (9, 10, 11, 12, 13)], mood=3)
    PrideEntryFactory(patient=chef, week="2026-W46", items=["One", "Two", "Three"], now=at(date(2026, 11, 13)))
    response = get(maya, f"/app/patients/{chef.id}/")
    chart = svg(response, "chart")
    assert chart.get("role") == "img"
    words = chart.get("aria-label")
    assert chart.find(f"{SVG}title").text == words
    assert words.startswith(
        "12 weeks from the week of 7 Sep to this week (23 Nov). Reflection days each week: 7 Sep: none;"
    )
    assert "2 Nov: none; 9 Nov: 5; 16 Nov: none; 23 Nov: none." in words
    assert "Pride target met in 1 week: 9 Nov." in words
    assert "Mood from 1 to 5, in weeks with one: 9 Nov: 3.0." in words
    page = text(response)
    assert "Week of Reflection days Pride items Mood (1 to 5)" in page
    assert "9 Nov 2026 5 3 of 3, met 3.0" in page
    assert "16 Nov 2026 none none none" in page
    assert "23 Nov 2026 (this week, so far) none none none" in page
    assert "Bars: days with a reflection" in page
    assert "Diamond: pride target met" in page


def test_weeks_before_the_link_are_not_drawn_as_quiet_ones(maya, chef, link):
    link.created_at = datetime(2026, 11, 11, 15, 0, tzinfo=UTC)  # in 2026-W46
    link.save()
    reflect(chef, [date(2026, 10, 6)])  # written before the link, in W41: still counted
    response = get(maya, f"/app/patients/{chef.id}/")
    chart = svg(response, "chart")
    assert [slot["x"] for slot in shapes(chart, "rect", "slot")] == [str(34 + n * 44 + 2) for n in (4, 9, 10, 11)]
    assert len(shapes(chart, "rect", "empty")) == 3  # W46 to W48, since the link
    assert "28 Sep 2026 (before you were linked) none none none" in text(response)


def test_nothing_written_yet_draws_twelve_quiet_weeks_and_says_none(maya, chef, linked):
    chart = svg(get(maya, f"/app/patients/{chef.id}/"), "chart")
    assert len(shapes(chart, "rect", "empty")) == 12
    assert shapes(chart, "rect", "bar") == []
    assert "Pride target not met in these weeks. No mood recorded in these weeks." in chart.get("aria-label")


# --- The roster's sparkline -------------------------------------------------------------------


def test_each_roster_row_has_a_sparkline_of_twelve_weeks(maya, chef, linked):
    reflect(chef, [date(2026, 9, 8), date(2026, 9, 9)])  # 2026-W37, the oldest week shown
    reflect(chef, [date(2026, 11, day) for day in (9, 10, 11, 12, 13)])  # W46
    reflect(chef, [date(2026, 11, 24)])  # W48
    response = get(maya, "/app/")
    spark = svg(response, "sparkline")
    assert len(shapes(spark, "rect", "slot")) == 12
    # Week n's bar at x = 10n + 1, rising from the floor at 28 by 4 a day.
    bars = [(bar["x"], bar["y"], bar["height"]) for bar in shapes(spark, "rect", "bar")]
    assert bars == [("1", "20", "8"), ("91", "8", "20"), ("111", "24", "4")]
    assert spark.get("role") == "img"
    assert spark.get("aria-label") == (
        "Reflection days in each of the last 12 weeks, oldest first: "
        "2, none, none, none, none, none, none, none, none, 5, none, 1 (this week so far)."
    )


def test_the_four_weeks_before_still_count_four_weeks_when_the_sparkline_reads_twelve(maya, chef, linked):
    reflect(chef, [date(2026, 10, 6), date(2026, 10, 7)])  # W41: in the sparkline, not in the four weeks
    reflect(chef, [date(2026, 11, 17)])  # W47
    page = text(get(maya, "/app/?view=cards"))
    assert "The four weeks before Reflection days 1" in page


def test_the_api_roster_is_unchanged_by_the_dashboards_twelve_weeks(as_therapist, chef, linked):
    reflect(chef, [date(2026, 10, 6), date(2026, 11, 17)])
    with time_machine.travel(NOW, tick=False):
        row = as_therapist.get("/api/v1/patients/").json()["results"][0]
    assert row["last_4_weeks"] == {"pride_weeks_met": 0, "reflection_days": 1}
    assert "weeks" not in row


# --- What the pages cost ----------------------------------------------------------------------


def add_patient(therapist, n: int) -> None:
    patient = PatientFactory(timezone=["Asia/Tokyo", "America/Chicago", "Pacific/Kiritimati"][n % 3])
    CareLinkFactory(therapist=therapist, patient=patient)
    ReflectionFactory(patient=patient, date=date(2026, 11, 24), mood=3, now=at(date(2026, 11, 24)))
    PrideEntryFactory(patient=patient, week="2026-W46", now=at(date(2026, 11, 13)))
    ExperimentFactory(patient=patient, date=date(2026, 10, 20), now=at(date(2026, 10, 20)))


def test_the_roster_costs_the_same_queries_for_one_ten_and_a_hundred_patients(
    maya, therapist, chef, linked, django_assert_num_queries
):
    reflect(chef, [date(2026, 11, 10)], mood=3)
    with CaptureQueriesContext(connection) as one:
        assert get(maya, "/app/?view=cards").status_code == 200
    for n in range(9):
        add_patient(therapist, n)
    with django_assert_num_queries(len(one.captured_queries)):
        assert text(get(maya, "/app/")).count("Reflection days, 12 weeks") == 10
    for n in range(90):
        add_patient(therapist, n)
    with django_assert_num_queries(len(one.captured_queries)):
        page = get(maya, "/app/").content.decode()
    assert page.count('<svg class="sparkline"') == 50  # a page of the hundred
    assert "100 patients, page 1 of 2." in text(get(maya, "/app/"))


def test_the_patient_page_costs_the_same_queries_for_one_commitment_and_entry_as_for_ten(
    maya, therapist, chef, linked, django_assert_num_queries
):
    def write(n: int) -> None:
        day = date(2026, 11, 1) + timedelta(days=n)
        CommitmentFactory(patient=chef, author=therapist, evidence=EVIDENCE, now=at(day))
        ReflectionFactory(patient=chef, date=day, mood=3, now=at(day))
        PrideEntryFactory(patient=chef, week=f"2026-W{38 + n:02d}", now=NOW - timedelta(hours=n + 1))
        ExperimentFactory(patient=chef, date=day, now=at(day))

    write(0)
    with CaptureQueriesContext(connection) as one:
        assert get(maya, f"/app/patients/{chef.id}/").status_code == 200
    for n in range(1, 10):
        write(n)
    with django_assert_num_queries(len(one.captured_queries)):
        page = text(get(maya, f"/app/patients/{chef.id}/"))
    assert page.count("From the session") == 10
    assert page.count("Written ") == 10  # a full page of shared entries
