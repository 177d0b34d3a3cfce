from __future__ import annotations

import threading
import uuid
from datetime import date, timedelta

import pytest
from django.db import connections
from django.utils import timezone

from journal.models import Reflection, SyncCounter
from journal.selectors import encode_cursor
from tests.factories import PatientFactory
from tests.helpers import client_for, error_codes, needs_concurrent_transactions

SYNC = "/api/v1/sync/"

pytestmark = pytest.mark.django_db


def follow(client, cursor=None, state=None):
    """Sync from ``cursor`` until has_more is false; apply changes to ``state`` (id -> data)."""
    state = {} if state is None else state
    while True:
        page = client.get(SYNC, {"cursor": cursor} if cursor else {}).json()
        for change in page["changes"]:
            if change["deleted"]:
                state.pop(change["id"], None)
            else:
                state[change["id"]] = (change["type"], change["data"])
        cursor = page["cursor"]
        if not page["has_more"]:
            return state, cursor


def server_state(client):
    state = {}
    for url, kind in [
        ("/api/v1/commitments/", "commitment"),
        ("/api/v1/reflections/", "reflection"),
        ("/api/v1/pride-entries/", "pride_entry"),
        ("/api/v1/experiments/", "experiment"),
    ]:
        next_url = f"{url}?page_size=200"
        while next_url:
            page = client.get(next_url).json()
            state.update({item["id"]: (kind, item) for item in page["results"]})
            next_url = page["next"]
    return state


def test_a_first_sync_brings_everything_and_a_second_only_what_changed(as_chef):
    as_chef.post("/api/v1/commitments/", {"kind": "reflection_daily", "title": "Notice effort"})
    reflection = as_chef.post("/api/v1/reflections/", {"date": "2026-11-20", "effort": "x"}).json()
    as_chef.post("/api/v1/pride-entries/", {"week": "2026-W47", "items": ["a", "b", "c"]})
    state, cursor = follow(as_chef)
    assert state == server_state(as_chef)
    assert {kind for kind, _ in state.values()} == {"commitment", "reflection", "pride_entry"}

    as_chef.patch(f"/api/v1/reflections/{reflection['id']}/", {"mood": 4})
    as_chef.post("/api/v1/experiments/", {"title": "New recipe"})
    page = as_chef.get(SYNC, {"cursor": cursor}).json()
    assert [(c["type"], c["deleted"]) for c in page["changes"]] == [("reflection", False), ("experiment", False)]
    assert page["changes"][0]["data"]["mood"] == 4

    as_chef.delete(f"/api/v1/reflections/{reflection['id']}/")
    tombstone = as_chef.get(SYNC, {"cursor": page["cursor"]}).json()["changes"]
    assert tombstone == [{"type": "reflection", "id": reflection["id"], "deleted": True, "data": None}]
    assert as_chef.get(SYNC, {"cursor": page["cursor"]}).json()["has_more"] is False


def test_a_tombstone_keeps_no_text(as_chef):
    made = as_chef.post("/api/v1/reflections/", {"effort": "something private"}).json()
    as_chef.delete(f"/api/v1/reflections/{made['id']}/")
    tombstone = Reflection.objects.get(id=made["id"])
    assert (tombstone.effort, tombstone.kind_words) == (None, None)


def test_pages_hold_at_most_500_and_follow_on(as_chef, chef, django_assert_max_num_queries):
    start, now = date(2020, 1, 1), timezone.now()
    Reflection.objects.bulk_create(
        [
            Reflection(
                patient=chef, seq=n + 1, date=start + timedelta(days=n), effort="x", created_at=now, updated_at=now
            )
            for n in range(1203)
        ]
    )
    SyncCounter.objects.create(patient=chef, last_seq=1203)
    sizes, cursor, seen = [], None, set()
    while True:
        with django_assert_max_num_queries(8):
            page = as_chef.get(SYNC, {"cursor": cursor} if cursor else {}).json()
        sizes.append(len(page["changes"]))
        seen.update(change["id"] for change in page["changes"])
        cursor = page["cursor"]
        if not page["has_more"]:
            break
    assert sizes == [500, 500, 203]
    assert len(seen) == 1203


def test_an_unreadable_cursor_is_a_400(as_chef):
    for cursor in ["garbage", encode_cursor(5)[:-2] + "!!", "djI6NQ"]:
        response = as_chef.get(SYNC, {"cursor": cursor})
        assert response.status_code == 400, cursor
        assert error_codes(response) == ["invalid_cursor"]


def test_sync_is_the_callers_own(as_chef, as_other_patient, as_therapist, link):
    as_chef.post("/api/v1/reflections/", {"effort": "mine"})
    assert as_other_patient.get(SYNC).json()["changes"] == []
    assert as_therapist.get(SYNC).status_code == 403


@needs_concurrent_transactions
@pytest.mark.django_db(transaction=True)
def test_a_reader_following_cursors_ends_with_the_servers_state_while_two_writers_write():
    patient = PatientFactory(timezone="Europe/London")
    errors: list[BaseException] = []
    stop = threading.Event()

    def writer(offset: int) -> None:
        try:
            client = client_for(patient)
            for n in range(40):
                client_id = uuid.uuid4()
                url = f"/api/v1/experiments/{client_id}/"
                client.put(url, {"title": f"w{offset}-{n}"})
                if n % 3 == 0:
                    client.patch(url, {"status": "tried", "outcome": "fine"})
                if n % 5 == 0:
                    client.delete(url)
        except BaseException as error:  # surfaced by the main thread
            errors.append(error)
        finally:
            connections.close_all()

    reader_state: dict = {}
    cursor_box: list = [None]

    def reader() -> None:
        try:
            client = client_for(patient)
            while not stop.is_set():
                _, cursor_box[0] = follow(client, cursor_box[0], reader_state)
        except BaseException as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(2)]
    read = threading.Thread(target=reader)
    read.start()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    stop.set()
    read.join()
    assert errors == []
    client = client_for(patient)
    follow(client, cursor_box[0], reader_state)
    assert reader_state == server_state(client)
    assert len(reader_state) == 64  # 80 written, 16 deleted
