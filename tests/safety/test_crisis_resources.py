"""Where to find help now: the crisis services for a patient's country, from the operator's
file, with the plain statement that the journal is not watched; a broken file stops start-up."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from rest_framework.test import APIClient

from safety.resources import current, load
from tests.helpers import client_for, error_attrs, error_codes

URL = "/api/v1/crisis-resources/"
SHIPPED = Path(settings.SAFETY_CRISIS_RESOURCES)
NOT_WATCHED = (
    "Good Enough is not watched in real time. No one reads what you write as you write it, and it is not an "
    "emergency service."
)


def test_anyone_gets_a_countrys_services_with_the_statements_and_may_cache_them(db):
    response = APIClient().get(URL, {"country": "US"})
    assert response.status_code == 200
    body = response.json()
    assert body["country"] == "US"
    assert body["not_watched"] == NOT_WATCHED
    assert body["emergency"]["number"] == "911"
    assert body["emergency"]["statement"].startswith("If you might act on thoughts of ending your life")
    lifeline = body["services"][0]
    assert lifeline == {
        "name": "988 Suicide & Crisis Lifeline",
        "phone": "988",
        "text": "988",
        "web": "https://988lifeline.org/",
        "hours": "24 hours a day, every day",
        "languages": ["en", "es"],
        "source": "https://988lifeline.org/",
        "checked": "2026-12-02",
    }
    assert [service["name"] for service in body["services"]] == ["988 Suicide & Crisis Lifeline", "Crisis Text Line"]
    assert body["services"][1]["phone"] is None  # a text line takes no calls
    cache = {part.strip() for part in response["Cache-Control"].split(",")}
    assert cache == {"public", "max-age=3600"}


@pytest.mark.parametrize(
    ("asked", "country", "number"), [("es", "ES", "112"), ("Kr", "KR", "119"), ("GB", "GB", "999")]
)
def test_a_code_in_any_case_is_that_country(db, asked, country, number):
    body = APIClient().get(URL, {"country": asked}).json()
    assert (body["country"], body["emergency"]["number"]) == (country, number)
    assert body["services"]


@pytest.mark.parametrize("query", [{"country": "FR"}, {}, {"country": ""}])
def test_a_country_the_file_lacks_or_none_still_gets_the_statements_never_an_empty_answer(db, query):
    body = APIClient().get(URL, query).json()
    assert body["not_watched"] == NOT_WATCHED
    assert body["emergency"]["statement"]
    assert body["emergency"]["number"] is None
    assert body["services"] == []


@pytest.mark.parametrize(
    "code", ["USA", "U", "1A", "U%ED%A0%80", "%EF%BC%B5%EF%BC%B3", "u+s", "%00%00", "u%C5%BF", "%C4%B1t"]
)
def test_something_that_is_not_a_country_code_is_a_400(db, code):
    response = APIClient().get(f"{URL}?country={code}")  # as sent: a lone surrogate, full-width letters
    assert response.status_code == 400
    assert error_attrs(response) == ["country"]
    assert error_codes(response)[0] in {"invalid_country", "max_length", "invalid", "null_characters_not_allowed"}


@pytest.mark.parametrize(
    ("zone", "country", "number"),
    [
        ("Europe/London", "GB", "999"),
        ("America/Chicago", "US", "911"),  # west of UTC
        ("Asia/Seoul", "KR", "119"),  # east
        ("US/Eastern", "US", "911"),  # an old name a browser may still report
        ("UTC", None, None),  # in no country: the statements only
    ],
)
def test_a_signed_out_app_is_answered_for_its_devices_zone(db, zone, country, number):
    answer = APIClient().get(URL, {"timezone": zone}).json()
    assert (answer["country"], answer["emergency"]["number"]) == (country, number)
    assert bool(answer["services"]) is (country is not None)


def test_a_country_asked_wins_over_the_zone_and_an_unknown_zone_is_a_400(db):
    assert APIClient().get(URL, {"timezone": ""}).json()["country"] is None  # empty: no zone, as for country
    assert APIClient().get(URL, {"country": "es", "timezone": "Europe/London"}).json()["country"] == "ES"
    refused = APIClient().get(URL, {"timezone": "Mars/Olympus"})
    assert refused.status_code == 400
    assert error_codes(refused) == ["unknown_timezone"]


def test_a_stale_token_does_not_stand_between_a_patient_and_help(db, chef):
    response = APIClient().get(URL, {"country": "US"}, HTTP_AUTHORIZATION="Bearer not-a-token-any-more")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]  # an answer to a request with credentials is never kept
    assert client_for(chef).get(URL, {"country": "US"}).status_code == 200


def test_a_browser_with_a_cookie_is_never_sent_a_public_answer(db, therapist):
    """A signed-in dashboard's browser sends its session cookie to /api/ too: a shared cache must
    not keep an answer with that browser's session in it, nor one it answered while signed in."""
    browser = APIClient()
    browser.force_login(therapist)
    response = browser.get(URL, {"country": "US"})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert "public" not in response["Cache-Control"]


def test_every_other_api_answer_stays_uncacheable(db, chef):
    assert "no-store" in client_for(chef).get("/api/v1/me/")["Cache-Control"]
    assert "no-store" in APIClient().get(URL, {"country": "USA"})["Cache-Control"]  # a refusal too


def test_the_shipped_file_covers_the_demos_countries_each_checked_against_an_https_source():
    resources = load(SHIPPED)
    for country in ["US", "ES", "KR"]:  # the demo's patients and therapist: Chicago, Madrid, Seoul
        number, services = resources.for_country(country)
        assert number
        assert services
        for service in services:
            assert service.source.startswith("https://")
            assert service.checked <= date(2026, 12, 2)


# --- The operator's file, checked at start-up -------------------------------------------------

GOOD = SHIPPED.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('code = "US"', 'code = "usa"', "[[country]] 1: `code` = 'usa' is not a two-letter"),
        ('code = "ES"', 'code = "US"', "[[country]] 2: US is listed twice"),
        ('emergency = "911"', 'emergency = "call the police"', "`emergency` = 'call the police' is not a number"),
        ('country = "GB"\nname = "Shout"', 'country = "FR"\nname = "Shout"', "[[service]] 7: country FR has no"),
        ('name = "Shout"\n', "", "[[service]] 7: `name` is missing"),
        ('web = "https://988lifeline.org/"', 'web = "http://988lifeline.org/"', "`web` = 'http://988l"),
        ("checked = 2026-12-02", 'checked = "2026-12-02"', "[[service]] 1: `checked` is not a date"),
        ("checked = 2026-12-02", "checked = 2026-12-02T10:00:00", "[[service]] 1: `checked` is not a date"),
        ('web = "https://988lifeline.org/"', 'web = "https://[x"', "`web` = 'https://[x' is not an https URL"),
        ('web = "https://988lifeline.org/"', 'web = "https://988 lifeline.org/"', "is not an https URL"),
        ('languages = ["en", "es"]', "languages = []", "[[service]] 1: `languages` is not a list"),
        ('languages = ["en", "es"]', 'languages = ["English"]', "[[service]] 1: `languages` holds 'English'"),
        ('phone = "988"', 'phone = "nine-eight-eight"', "`phone` = 'nine-eight-eight' is not a number to dial"),
        ('phone = "988"\ntext = "988"\nweb = "https://988lifeline.org/"\n', "", "[[service]] 1: no way to reach it"),
        ('hours = "24 hours a day, every day"', 'hour = "24/7"', "[[service]] 1: unknown field `hour`"),
        ("[statement]", "[statment]", "the file: unknown field `statment`"),
        ("not_watched = ", "not_wached = ", "[statement]: unknown field `not_wached`"),
        ('name = "Samaritans"', 'name = "Samaritans', "is not TOML"),
        ('name = "Samaritans"', 'name = "   "', "[[service]] 6: `name` is not a non-empty string"),
    ],
)
def test_a_broken_file_is_refused_naming_the_entry_and_the_field(tmp_path, old, new, message):
    broken = tmp_path / "resources.toml"
    entries = "\n".join(line for line in GOOD.splitlines() if not line.startswith("#"))
    assert old in entries, "the change must apply to the shipped file's entries"
    changed = entries.replace(old, new, 1)
    broken.write_text(changed, encoding="utf-8")
    with pytest.raises(ImproperlyConfigured) as refused:
        load(broken)
    assert str(refused.value).startswith(f"SAFETY_CRISIS_RESOURCES ({broken}): ")
    assert message in str(refused.value)


def test_a_missing_file_is_refused_by_name(tmp_path):
    with pytest.raises(ImproperlyConfigured, match=r"cannot be read \(No such file or directory\)"):
        load(tmp_path / "nowhere.toml")


def test_the_server_does_not_start_with_a_broken_file(tmp_path):
    broken = tmp_path / "resources.toml"
    broken.write_text(GOOD.replace('emergency = "911"', 'emergency = ""'), encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env |= {"DEBUG": "1", "GOOD_ENOUGH_VAR_DIR": str(tmp_path), "SAFETY_CRISIS_RESOURCES": str(broken)}
    started = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert started.returncode != 0
    assert (
        f"SAFETY_CRISIS_RESOURCES ({broken}): [[country]] 1: `emergency` is not a non-empty string." in started.stderr
    )


def test_the_file_is_read_once_and_again_when_asked(tmp_path, settings):
    moved = tmp_path / "resources.toml"
    moved.write_text(GOOD.replace("Good Enough is not watched", "This journal is not watched"), encoding="utf-8")
    settings.SAFETY_CRISIS_RESOURCES = moved
    try:
        assert current().not_watched == NOT_WATCHED  # read at start-up, kept
        current.cache_clear()
        assert current().not_watched.startswith("This journal is not watched")
    finally:
        current.cache_clear()
