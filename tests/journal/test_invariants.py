"""Rules of the journal a patient would notice breaking, each pinned by the behaviour it guards.

A deleted record stays gone; a stale ``If-Match`` stops a delete as it stops an edit; an
ended commitment stays ended; one reflection a day and one pride entry a week hold even
when two devices write at once; a pride entry's count follows its items.
"""

from __future__ import annotations

import threading
import uuid
from datetime import date

import pytest
import time_machine
from django.db import IntegrityError, connections, transaction
from django.utils import timezone

from journal.models import Commitment, Experiment, PrideEntry, Reflection
from tests.factories import PatientFactory
from tests.helpers import client_for, error_codes, needs_concurrent_transactions

COMMITMENTS = "/api/v1/commitments/"
REFLECTIONS = "/api/v1/reflections/"
PRIDE = "/api/v1/pride-entries/"
EXPERIMENTS = "/api/v1/experiments/"

#: One entry of each kind, and a change that bumps its version.
ENTRIES = {
    "reflection": (REFLECTIONS, {"date": "2026-11-20", "effort": "Tasted before plating"}, {"mood": 4}),
    "pride": (PRIDE, {"week": "2026-W40", "items": ["Plated calmly"]}, {"note": "A good week"}),
    "experiment": (EXPERIMENTS, {"title": "Try a new recipe"}, {"status": "tried"}),
}


def detail(base: str, record: dict) -> str:
    return f"{base}{record['id']}/"


def listed_ids(client, base: str) -> list[str]:
    return [item["id"] for item in client.get(base).json()["results"]]


# --- A deleted record is gone --------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("kind", list(ENTRIES))
def test_a_deleted_entry_answers_404_and_leaves_the_list(as_chef, kind):
    base, body, change = ENTRIES[kind]
    made = as_chef.post(base, body).json()
    kept = as_chef.post(EXPERIMENTS, {"title": "Still here"}).json()
    assert as_chef.delete(detail(base, made)).status_code == 204

    assert as_chef.get(detail(base, made)).status_code == 404
    assert made["id"] not in listed_ids(as_chef, base)
    assert as_chef.patch(detail(base, made), change).status_code == 404
    assert as_chef.put(detail(base, made), body).status_code == 404
    assert as_chef.delete(detail(base, made)).status_code == 404
    assert as_chef.get(detail(EXPERIMENTS, kept)).status_code == 200


@pytest.mark.django_db
def test_a_deleted_commitment_answers_404_to_the_patient_and_their_therapist(as_chef, as_therapist, chef, link):
    made = as_chef.post(COMMITMENTS, {"kind": "experiment", "title": "Try a new recipe"}).json()
    kept = as_chef.post(COMMITMENTS, {"kind": "reflection_daily", "title": "Notice effort"}).json()
    assert as_chef.delete(detail(COMMITMENTS, made)).status_code == 204

    for client in (as_chef, as_therapist):
        assert client.get(detail(COMMITMENTS, made)).status_code == 404
        assert client.patch(detail(COMMITMENTS, made), {"title": "back"}).status_code == 404
        assert listed_ids(client, COMMITMENTS) == [kept["id"]]
    assert [c["id"] for c in as_therapist.get(COMMITMENTS, {"patient": str(chef.id)}).json()["results"]] == [kept["id"]]
    assert as_chef.post(f"{detail(COMMITMENTS, made)}confirm/").status_code == 404
    assert Commitment.objects.get(id=made["id"]).title is None  # the tombstone stayed a tombstone


# --- A stale If-Match stops a delete -------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("kind", list(ENTRIES))
def test_deleting_an_entry_with_a_stale_if_match_is_a_412_and_keeps_it(as_chef, kind):
    base, body, change = ENTRIES[kind]
    made = as_chef.post(base, body).json()
    assert as_chef.patch(detail(base, made), change).status_code == 200  # now version 2

    response = as_chef.delete(detail(base, made), HTTP_IF_MATCH='"1"')
    assert response.status_code == 412
    assert error_codes(response) == ["precondition_failed"]
    still = as_chef.get(detail(base, made))
    assert still.status_code == 200
    assert still["ETag"] == '"2"'
    assert made["id"] in listed_ids(as_chef, base)

    assert as_chef.delete(detail(base, made), HTTP_IF_MATCH='"2"').status_code == 204


@pytest.mark.django_db
def test_deleting_a_commitment_with_a_stale_if_match_is_a_412_and_keeps_it(as_chef, as_therapist, link):
    made = as_chef.post(COMMITMENTS, {"kind": "experiment", "title": "Try a new recipe"}).json()
    as_chef.patch(detail(COMMITMENTS, made), {"title": "Try a new recipe, for fun"})

    for client in (as_chef, as_therapist):
        response = client.delete(detail(COMMITMENTS, made), HTTP_IF_MATCH='"1"')
        assert response.status_code == 412
        assert error_codes(response) == ["precondition_failed"]
    still = as_chef.get(detail(COMMITMENTS, made))
    assert still.status_code == 200
    assert (still.json()["title"], still["ETag"]) == ("Try a new recipe, for fun", '"2"')
    assert Commitment.objects.get(id=made["id"]).deleted_at is None


# --- An ended commitment stays ended -------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("ending", ["done", "dropped"])
@pytest.mark.parametrize("revival", ["active", "paused", "proposed"])
def test_a_done_or_dropped_commitment_cannot_come_back_and_the_400_changes_nothing(as_chef, ending, revival):
    made = as_chef.post(COMMITMENTS, {"kind": "reflection_daily", "title": "Notice effort"}).json()
    assert as_chef.patch(detail(COMMITMENTS, made), {"status": ending}).status_code == 200
    before = as_chef.get(detail(COMMITMENTS, made))

    response = as_chef.patch(detail(COMMITMENTS, made), {"status": revival, "title": "Start again"})
    assert response.status_code == 400
    assert error_codes(response) == ["invalid_transition"]
    after = as_chef.get(detail(COMMITMENTS, made))
    assert (after.json()["status"], after.json()["title"]) == (ending, "Notice effort")
    assert after["ETag"] == before["ETag"] == '"2"'
    assert as_chef.post(f"{detail(COMMITMENTS, made)}confirm/").status_code == 400


# --- One reflection a day, one pride entry a week ------------------------------------------


#: Rows made straight through the ORM, as a racing writer would, need their timestamps.
STAMPS = {"created_at": timezone.now(), "updated_at": timezone.now()}


@pytest.mark.django_db
def test_the_database_refuses_a_second_living_pride_entry_for_a_week(chef):
    PrideEntry.objects.create(patient=chef, seq=1, week="2026-W40", items=["a"], item_count=1, **STAMPS)
    with pytest.raises(IntegrityError), transaction.atomic():
        PrideEntry.objects.create(patient=chef, seq=2, week="2026-W40", items=["b"], item_count=1, **STAMPS)
    # A tombstone does not hold the week.
    PrideEntry.objects.filter(patient=chef).update(deleted_at=timezone.now())
    PrideEntry.objects.create(patient=chef, seq=3, week="2026-W40", items=["c"], item_count=1, **STAMPS)
    assert PrideEntry.objects.filter(patient=chef, deleted_at__isnull=True).count() == 1


@pytest.mark.django_db
def test_the_database_refuses_a_second_living_reflection_for_a_day(chef):
    Reflection.objects.create(patient=chef, seq=1, date=date(2026, 11, 20), effort="a", **STAMPS)
    with pytest.raises(IntegrityError), transaction.atomic():
        Reflection.objects.create(patient=chef, seq=2, date=date(2026, 11, 20), effort="b", **STAMPS)
    Reflection.objects.filter(patient=chef).update(deleted_at=timezone.now())
    Reflection.objects.create(patient=chef, seq=3, date=date(2026, 11, 20), effort="c", **STAMPS)
    assert Reflection.objects.filter(patient=chef, deleted_at__isnull=True).count() == 1


def race(patient, url_and_bodies: list[tuple[str, dict]]) -> list[int]:
    """Every (url, body) PUT at once from its own thread and connection; their statuses."""
    statuses: list[int] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(len(url_and_bodies))

    def put(url: str, body: dict) -> None:
        try:
            client = client_for(patient)
            barrier.wait()
            statuses.append(client.put(url, body).status_code)
        except BaseException as error:  # surfaced by the main thread
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=put, args=pair) for pair in url_and_bodies]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    return sorted(statuses)


@needs_concurrent_transactions
@pytest.mark.django_db(transaction=True)
def test_four_devices_writing_one_week_at_once_leave_one_pride_entry():
    patient = PatientFactory(timezone="Europe/London")
    for week in range(10, 16):
        body = {"week": f"2026-W{week}", "items": ["from one of four devices"]}
        bodies = [(f"{PRIDE}{uuid.uuid4()}/", body) for _ in range(4)]
        assert race(patient, bodies) == [201, 409, 409, 409], week
        assert PrideEntry.objects.filter(patient=patient, week=f"2026-W{week}").count() == 1
    assert len(listed_ids(client_for(patient), PRIDE)) == 6


@needs_concurrent_transactions
@pytest.mark.django_db(transaction=True)
def test_four_devices_writing_one_day_at_once_leave_one_reflection():
    patient = PatientFactory(timezone="Europe/London")
    for day in range(10, 16):
        body = {"date": f"2026-11-{day}", "effort": "from one of four devices"}
        bodies = [(f"{REFLECTIONS}{uuid.uuid4()}/", body) for _ in range(4)]
        assert race(patient, bodies) == [201, 409, 409, 409], day
        assert Reflection.objects.filter(patient=patient, date=f"2026-11-{day}").count() == 1
    assert len(listed_ids(client_for(patient), REFLECTIONS)) == 6


# --- A pride entry's count follows its items -----------------------------------------------


@pytest.mark.django_db
def test_patching_a_pride_entrys_items_moves_it_across_the_target(as_chef):
    made = as_chef.post(PRIDE, {"week": "2026-W40", "items": ["Plated calmly", "Asked for help"]}).json()
    assert (made["target"], made["met"]) == (3, False)
    url = detail(PRIDE, made)

    patched = as_chef.patch(url, {"items": ["Plated calmly", "Asked for help", "Rested"]})
    assert patched.status_code == 200
    assert patched.json()["met"] is True
    assert as_chef.get(url).json()["met"] is True

    patched = as_chef.patch(url, {"items": ["Plated calmly", "Asked for help"]})
    assert patched.json()["met"] is False
    assert as_chef.get(url).json()["met"] is False


@pytest.mark.django_db
def test_putting_a_pride_entrys_items_moves_it_across_the_target(as_chef):
    url = f"{PRIDE}{uuid.uuid4()}/"
    made = as_chef.put(url, {"week": "2026-W40", "items": ["a", "b"]})
    assert made.status_code == 201
    assert (made.json()["target"], made.json()["met"]) == (3, False)

    replaced = as_chef.put(url, {"week": "2026-W40", "items": ["a", "b", "c"]})
    assert replaced.status_code == 200
    assert replaced.json()["met"] is True
    assert as_chef.get(url).json()["met"] is True

    replaced = as_chef.put(url, {"week": "2026-W40", "items": ["a", "b"]})
    assert replaced.json()["met"] is False
    assert as_chef.get(url).json()["met"] is False


@pytest.mark.django_db
@time_machine.travel("2026-11-25T18:00:00Z", tick=False)
def test_progress_counts_a_pride_entrys_items_as_they_are_now(as_chef):
    this_week = as_chef.post(PRIDE, {"items": ["one"]}).json()

    def pride_this_week() -> dict:
        weeks = as_chef.get("/api/v1/progress/", {"weeks": 1}).json()["weeks"]
        assert weeks[0]["week"] == this_week["week"] == "2026-W48"
        return weeks[0]["pride"]

    assert pride_this_week() == {"count": 1, "target": 3, "met": False}
    as_chef.patch(detail(PRIDE, this_week), {"items": ["one", "two", "three", "four"]})
    assert pride_this_week() == {"count": 4, "target": 3, "met": True}


@needs_concurrent_transactions
@pytest.mark.django_db(transaction=True)
def test_two_devices_moving_two_reflections_onto_one_day_get_a_409_not_a_500():
    patient = PatientFactory(timezone="Europe/London")
    client = client_for(patient)
    for round_ in range(5):
        first = client.post(REFLECTIONS, {"date": f"2026-10-{10 + 2 * round_}", "effort": "a"}).json()["id"]
        second = client.post(REFLECTIONS, {"date": f"2026-10-{11 + 2 * round_}", "effort": "b"}).json()["id"]
        target = {"date": f"2026-09-{10 + round_}", "effort": "moved"}
        assert race(patient, [(f"{REFLECTIONS}{first}/", target), (f"{REFLECTIONS}{second}/", target)]) == [200, 409]
        assert Reflection.objects.filter(patient=patient, date=target["date"]).count() == 1


@needs_concurrent_transactions
@pytest.mark.django_db(transaction=True)
def test_the_same_offline_put_sent_twice_at_once_creates_once_and_replaces_once():
    patient = PatientFactory(timezone="Europe/London")
    for _ in range(5):
        url = f"{EXPERIMENTS}{uuid.uuid4()}/"
        assert race(patient, [(url, {"title": "Bread, retried"}), (url, {"title": "Bread, retried"})]) == [200, 201]
    assert Experiment.objects.filter(patient=patient).count() == 5
