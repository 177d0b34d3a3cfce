"""What a patient shares, on their page: newest first, ten at a time, and nothing they keep
to themselves."""

from __future__ import annotations

import base64
import json
import re
import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine

from accounts import services as account_services
from care.models import AccessLog
from care.selectors import Position
from dashboard.views import CURSOR_MAX_LENGTH, ENTRIES_PAGE_SIZE
from tests.dashboard.conftest import NOW, get, signed_in, text
from tests.factories import PASSWORD, ExperimentFactory, PrideEntryFactory, ReflectionFactory

GARBLED = "That link to more entries is not one this page gave out"

pytestmark = pytest.mark.django_db


def links(response) -> dict[str, str]:
    """The pager's links by their words, as a therapist would click them."""
    pager = re.search(r'<nav class="pager".*?</nav>', response.content.decode(), re.S)
    if pager is None:
        return {}
    return {
        words: href.replace("&amp;", "&") for href, words in re.findall(r'<a href="([^"]*)"[^>]*>([^<]*)</a>', pager[0])
    }


def reads(patient) -> list[str]:
    """Each kind of read, once for every time it was read (a day's reads of a kind are one row with a count)."""
    return sorted(
        what
        for what, count in AccessLog.objects.filter(patient=patient).values_list("what", "count")
        for _ in range(count)
    )


@pytest.fixture
def twelve_days(chef, link):
    """A reflection a day from 14 Nov to 25 Nov, each written that evening (Chicago)."""
    link.created_at = NOW - timedelta(days=60)
    link.save()
    for n in range(12):
        day = date(2026, 11, 14) + timedelta(days=n)
        written = datetime(day.year, day.month, day.day, 1, 0, tzinfo=UTC) + timedelta(days=1)
        ReflectionFactory(patient=chef, date=day, effort=f"Effort of {day:%d %b}", mood=3, now=min(written, NOW))


def test_shared_entries_come_newest_first_ten_at_a_time(maya, chef, twelve_days):
    response = get(maya, f"/app/patients/{chef.id}/")
    assert response.status_code == 200
    page = text(response)
    shown = re.findall(r"Effort of (\d\d Nov)", page)
    assert ENTRIES_PAGE_SIZE == 10
    assert shown == [f"{day} Nov" for day in range(25, 15, -1)]
    assert "Reflection for Wednesday 25 Nov 2026" in page
    assert list(links(response)) == ["Older entries"]


def test_the_older_link_shows_the_rest_and_leads_back(maya, chef, twelve_days):
    first = get(maya, f"/app/patients/{chef.id}/")
    older = get(maya, links(first)["Older entries"])
    assert older.status_code == 200
    assert re.findall(r"Effort of (\d\d Nov)", text(older)) == ["15 Nov", "14 Nov"]
    assert list(links(older)) == ["Newest", "Newer entries"]
    newer = get(maya, links(older)["Newer entries"])
    assert re.findall(r"Effort of (\d\d Nov)", text(newer)) == [f"{day} Nov" for day in range(25, 15, -1)]
    assert links(older)["Newest"] == f"/app/patients/{chef.id}/#entries"


def test_the_pager_links_stay_on_this_server_and_name_the_entries_section(maya, chef, twelve_days):
    href = links(get(maya, f"/app/patients/{chef.id}/"))["Older entries"]
    assert href.startswith(f"/app/patients/{chef.id}/?before=")
    assert href.endswith("#entries")


def test_every_kind_shows_what_the_patient_wrote(maya, chef, link):
    ReflectionFactory(
        patient=chef,
        date=date(2026, 11, 23),
        effort="Tasted before plating",
        kind_words="Enough",
        mood=4,
        now=NOW - timedelta(hours=3),
    )
    PrideEntryFactory(
        patient=chef,
        week="2026-W47",
        items=["Plated the special", "Asked for help"],
        note="A good week",
        now=NOW - timedelta(hours=2),
    )
    ExperimentFactory(
        patient=chef,
        title="Try a new recipe",
        worry="It flops",
        outcome="It half flopped",
        learned="Still fun",
        now=NOW - timedelta(hours=1),
    )
    page = text(get(maya, f"/app/patients/{chef.id}/"))
    entries = page[page.index("What Sam (chef) shares with you") :]
    assert (
        entries.index("Experiment : Try a new recipe Tried")
        < entries.index("Proud of , week of 16 Nov 2026")
        < entries.index("Reflection for Monday 23 Nov 2026")
    )
    assert "Worried It flops What happened It half flopped Learned Still fun" in entries
    assert "Plated the special Asked for help Note: A good week" in entries
    assert "Tasted before plating Kind words to self: Enough Mood 4 of 5" in entries


def test_an_entry_kept_private_is_not_shown(maya, chef, link):
    ReflectionFactory(
        patient=chef, date=date(2026, 11, 24), effort="Only for me", shared=False, now=NOW - timedelta(hours=2)
    )
    ReflectionFactory(patient=chef, date=date(2026, 11, 23), effort="For Maya too", now=NOW - timedelta(hours=3))
    page = text(get(maya, f"/app/patients/{chef.id}/"))
    assert "For Maya too" in page
    assert "Only for me" not in page


def test_a_link_that_does_not_share_shows_no_text_and_says_so_gently(maya, chef, link):
    link.share_entries = False
    link.save()
    ReflectionFactory(
        patient=chef, date=date(2026, 11, 24), effort="Shared, but not with the link", now=NOW - timedelta(hours=2)
    )
    response = get(maya, f"/app/patients/{chef.id}/")
    assert response.status_code == 200
    page = text(response)
    assert "Shared, but not with the link" not in page
    assert "Sam (chef) is not sharing entries with you at the moment, so no text is shown here." in page
    assert "The weeks above still count everything they write." in page
    assert links(response) == {}


def test_nothing_shared_yet_says_so(maya, chef, link):
    assert "Nothing shared yet." in text(get(maya, f"/app/patients/{chef.id}/"))


def test_the_page_reads_the_entries_as_the_api_logs_them(maya, chef, twelve_days):
    first = get(maya, f"/app/patients/{chef.id}/")
    get(maya, links(first)["Older entries"])
    assert reads(chef) == ["entries", "entries", "patient", "patient", "sessions", "sessions"]


def test_the_log_names_the_entries_each_page_showed_so_the_patient_sees_what_was_read(maya, chef, twelve_days):
    first = get(maya, f"/app/patients/{chef.id}/")
    AccessLog.objects.all().delete()
    get(maya, links(first)["Older entries"])
    (read,) = AccessLog.objects.filter(patient=chef, what=AccessLog.What.ENTRIES)
    assert [(entry["type"], entry["date"]) for entry in read.entries] == [
        ("reflection", "2026-11-15"),
        ("reflection", "2026-11-14"),
    ]


def forged(parts: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(parts).encode()).decode().rstrip("=")


GOOD_AFTER = Position(datetime(2026, 11, 20, tzinfo=UTC), uuid.UUID(int=1), forward=False).encode()
GOOD_BEFORE = Position(datetime(2026, 11, 20, tzinfo=UTC), uuid.UUID(int=1)).encode()


@pytest.mark.parametrize(
    "query",
    [
        "before=not-a-cursor",
        "before=%00%00",
        "before=%ED%A0%80",  # a lone surrogate, as UTF-8 bytes
        "before=" + "A" * 10_000,
        "before=" + forged(["2026-11-20T00:00:00", "00000000-0000-0000-0000-000000000001", True]),  # a naive time
        "before=" + forged(["9999-12-31T23:59:59-23:00", "00000000-0000-0000-0000-000000000001", True]),
        "before=" + forged(["2026-11-20T00:00:00+00:00", "not-a-uuid", True]),
        "before=" + forged({"at": "2026-11-20"}),
        "before=" + forged(5),  # JSON, but no list
        "before=" + GOOD_AFTER,  # a newer-entries cursor in the older-entries slot
        "after=" + GOOD_BEFORE,
        f"before={GOOD_BEFORE}&after={GOOD_AFTER}",
    ],
)
def test_a_cursor_this_page_did_not_give_out_is_a_400_page_that_reads_no_entries(maya, chef, twelve_days, query):
    response = get(maya, f"/app/patients/{chef.id}/?{query}")
    assert response.status_code == 400
    page = text(response)
    assert GARBLED in page
    assert "Sam (chef)" in page
    assert "The last 12 weeks" in page
    assert "Effort of" not in page
    assert f'href="/app/patients/{chef.id}/#entries">Show the newest entries' in response.content.decode()
    assert reads(chef) == ["patient", "sessions"]


def test_a_cursor_longer_than_any_this_page_gives_out_is_refused_unread(maya, chef, twelve_days):
    """The bound comes before decoding: padding the decoder would skip does not get a long one past it."""
    cursor = links(get(maya, f"/app/patients/{chef.id}/"))["Older entries"].partition("?before=")[2]
    at_the_bound = cursor.removesuffix("#entries").ljust(CURSOR_MAX_LENGTH, "=")
    older = get(maya, f"/app/patients/{chef.id}/?before={at_the_bound}")
    assert re.findall(r"Effort of (\d\d Nov)", text(older)) == ["15 Nov", "14 Nov"]
    AccessLog.objects.all().delete()
    too_long = get(maya, f"/app/patients/{chef.id}/?before={at_the_bound}=")
    assert too_long.status_code == 400
    assert GARBLED in text(too_long)
    assert reads(chef) == ["patient", "sessions"]


def test_an_empty_cursor_is_the_first_page(maya, chef, twelve_days):
    response = get(maya, f"/app/patients/{chef.id}/?before=")
    assert response.status_code == 200
    assert "Effort of 25 Nov" in text(response)


def test_a_second_therapist_cannot_page_the_first_ones_patient(maya, chef, twelve_days, stranger_therapist):
    cursor = links(get(maya, f"/app/patients/{chef.id}/"))["Older entries"]
    with time_machine.travel(NOW, tick=False):
        stranger = signed_in(stranger_therapist.email, PASSWORD)
    for path in (cursor, f"/app/patients/{chef.id}/?before=garbled"):
        response = get(stranger, path)
        assert response.status_code == 404
        assert "Effort of" not in text(response)
        assert "Sam (chef)" not in text(response)


def test_an_ended_link_shows_no_entries(maya, chef, twelve_days, link):
    cursor = links(get(maya, f"/app/patients/{chef.id}/"))["Older entries"]
    account_services.care_link_end(link=link, now=NOW)
    assert get(maya, cursor).status_code == 404
