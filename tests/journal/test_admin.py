import pytest

from journal.models import Commitment, Experiment, PrideEntry, Reflection
from tests.factories import TherapistFactory

pytestmark = pytest.mark.django_db

SECRET = "cried in the walk-in"


def test_staff_list_and_filter_journal_records_but_never_see_their_text(client, as_chef):
    as_chef.post("/api/v1/commitments/", {"kind": "custom", "cadence": "daily", "title": SECRET, "details": SECRET})
    as_chef.post("/api/v1/reflections/", {"effort": SECRET, "kind_words": SECRET, "mood": 2})
    as_chef.post("/api/v1/pride-entries/", {"items": [SECRET], "note": SECRET})
    as_chef.post("/api/v1/experiments/", {"title": SECRET, "worry": SECRET, "status": "tried"})
    client.force_login(TherapistFactory(is_staff=True, is_superuser=True))
    for model, query in [(Commitment, "?status__exact=active"), (Reflection, "?mood=2"), (PrideEntry, ""),
                         (Experiment, "?status__exact=tried")]:  # fmt: skip
        base = f"/admin/journal/{model._meta.model_name}/"
        listing = client.get(base + query)
        assert listing.status_code == 200
        record = model.objects.get()
        assert str(record.id) in listing.content.decode()
        detail = client.get(f"{base}{record.id}/change/")
        assert detail.status_code == 200
        for page in (listing, detail):
            assert "walk-in" not in page.content.decode(), model
