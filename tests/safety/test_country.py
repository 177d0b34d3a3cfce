"""Where a patient is, for the crisis lines they are shown: chosen, or their time zone's country."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from accounts.models import countries, zone_country
from tests.factories import PatientFactory
from tests.helpers import client_for, error_codes

pytestmark = pytest.mark.django_db

FORMS_TS = "patient_web/frontend/src/screens/forms.ts"


@pytest.mark.parametrize(
    ("zone", "country"),
    [
        ("America/Chicago", "US"),  # west of UTC
        ("Europe/Madrid", "ES"),
        ("Asia/Seoul", "KR"),  # east
        ("Pacific/Auckland", "NZ"),  # across the date line
        ("Europe/London", "GB"),
        ("Asia/Calcutta", "IN"),  # old names, links to the zones in zone.tab
        ("US/Eastern", "US"),
        ("Europe/Kiev", "UA"),
        ("UTC", None),  # in no country
        ("Etc/GMT+5", None),
    ],
)
def test_a_zone_names_its_country_or_none(zone, country):
    assert zone_country(zone) == country


def test_the_profile_answers_the_country_in_effect_and_follows_a_move(as_chef, chef):
    me = as_chef.get("/api/v1/me/").json()
    assert (me["country"], me["country_in_effect"]) == (None, "US")
    moved = as_chef.patch("/api/v1/me/", {"timezone": "Europe/Madrid"}, format="json").json()
    assert moved["country_in_effect"] == "ES"  # no country chosen: it travels with the zone


@pytest.mark.parametrize("typed", ["gb", "GB", "Gb"])
def test_a_chosen_country_in_any_case_is_kept_in_capitals_and_wins_over_the_zone(as_chef, typed):
    me = as_chef.patch("/api/v1/me/", {"country": typed}, format="json").json()
    assert (me["country"], me["country_in_effect"]) == ("GB", "GB")


@pytest.mark.parametrize("cleared", [None, ""])
def test_clearing_the_country_goes_back_to_the_zones(as_chef, chef, cleared):
    as_chef.patch("/api/v1/me/", {"country": "GB"}, format="json")
    me = as_chef.patch("/api/v1/me/", {"country": cleared}, format="json").json()
    assert (me["country"], me["country_in_effect"]) == (None, "US")
    chef.refresh_from_db()
    assert chef.country == ""


@pytest.mark.parametrize("bad", ["XX", "USA", "U", "\u017fu", "\ud800a", 12, ["US"]])
def test_a_country_that_is_no_code_is_refused_and_changes_nothing(as_chef, chef, bad):
    # ensure_ascii (json.dumps' default) writes a lone surrogate as the escape "\ud800": valid JSON.
    response = as_chef.patch("/api/v1/me/", json.dumps({"country": bad}), content_type="application/json")
    assert response.status_code == 400
    assert set(error_codes(response)) <= {"unknown_country", "max_length", "invalid", "parse_error"}
    chef.refresh_from_db()
    assert chef.country == ""


def test_the_app_offers_exactly_the_countries_the_server_takes():
    source = (Path(__file__).resolve().parents[2] / FORMS_TS).read_text()
    listed = re.search(r'COUNTRIES = "([A-Z ]+)"', source)
    assert listed is not None
    assert listed[1].split(" ") == sorted(countries())


def test_registration_leaves_the_country_to_the_zone(anon):
    body = {
        "email": "new@example.test",
        "password": "a-calm-kitchen-2026",
        "display_name": "New",
        "role": "patient",
        "timezone": "Asia/Seoul",
    }
    assert anon.post("/api/v1/auth/register/", body, format="json").json()["country_in_effect"] == "KR"
    assert client_for(PatientFactory(timezone="UTC")).get("/api/v1/me/").json()["country_in_effect"] is None
