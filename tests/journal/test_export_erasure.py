from __future__ import annotations

import json

import pytest

from journal.models import Commitment
from tests.accounts.test_me import rows_mentioning

pytestmark = pytest.mark.django_db


@pytest.fixture
def written(as_chef):
    as_chef.post("/api/v1/commitments/", {"kind": "pride_weekly", "title": "Three proud things"})
    as_chef.post("/api/v1/reflections/", {"effort": "Noticed I tried"})
    as_chef.post("/api/v1/pride-entries/", {"items": ["a", "b", "c"]})
    as_chef.post("/api/v1/experiments/", {"title": "New recipe", "status": "tried"})
    return as_chef


def test_the_export_carries_every_journal_record(written):
    document = json.loads(written.get("/api/v1/me/export/").content)
    journal = document["journal"]
    assert [len(journal[key]) for key in ("commitments", "reflections", "pride_entries", "experiments")] == [1, 1, 1, 1]
    assert journal["reflections"][0]["effort"] == "Noticed I tried"
    assert journal["pride_entries"][0]["items"] == ["a", "b", "c"]


def test_a_patients_erasure_leaves_no_journal_row(written, chef):
    assert rows_mentioning(chef)
    assert written.delete("/api/v1/me/", {"password": "a-new-recipe-2026"}).status_code == 204
    assert rows_mentioning(chef) == []


def test_a_therapists_erasure_leaves_the_commitments_they_wrote(as_therapist, therapist, chef, link):
    made = as_therapist.post("/api/v1/commitments/", {"patient": str(chef.id), "kind": "experiment", "title": "x"})
    assert made.status_code == 201
    as_therapist.delete("/api/v1/me/", {"password": "listen-kindly-2026"})
    commitment = Commitment.objects.get()
    assert (commitment.patient_id, commitment.created_by_id) == (chef.id, None)
