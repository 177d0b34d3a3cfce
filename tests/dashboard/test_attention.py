"""The dashboard and safety's flags: who might need attention now comes first, their words are
quoted where they share them, "Mark seen" clears it, and the page says what patients are told."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import time_machine

from care.models import AccessLog
from journal import services as journal_services
from journal.models import Reflection
from safety.models import Flag
from safety.resources import current
from safety.services import check_in_request
from tests.dashboard.conftest import NOW, get, signed_in, text
from tests.factories import PASSWORD, CareLinkFactory, PatientFactory

pytestmark = pytest.mark.django_db

RISKY = "Closed the kitchen alone again. i just want to disappear forever and not wake up."


@pytest.fixture
def roster(therapist, chef, link):
    """The chef and two patients who come before "Sam" by name, one of them quiet for weeks."""
    link.created_at = NOW - timedelta(days=60)
    link.save()
    for name in ("Alex", "Zoe"):
        CareLinkFactory(
            therapist=therapist, patient=PatientFactory(display_name=name), created_at=NOW - timedelta(days=30)
        )


def wrote(chef, effort: str, *, shared: bool = True, day: int = 24) -> Reflection:
    return journal_services.entry_create(
        model=Reflection, patient=chef, now=NOW - timedelta(days=25 - day), effort=effort, shared=shared,
        date=date(2026, 11, day),
    )  # fmt: skip


def test_a_flagged_patient_comes_first_warmly_with_a_way_to_see_why(maya, chef, roster):
    wrote(chef, RISKY)
    page = text(get(maya, "/app/?view=cards"))
    assert page.index("Sam (chef)") < page.index("Alex") < page.index("Zoe")  # before the quiet ones too
    assert "Sam (chef) 🤝 Might need your attention now. See why" in page
    html = get(maya, "/app/").content.decode()
    assert f'href="/app/patients/{chef.id}/#attention"' in html
    assert "attention-now" in html


def test_the_patient_page_quotes_the_sentence_and_mark_seen_clears_it(maya, chef, therapist, roster):
    entry = wrote(chef, RISKY)
    page = text(get(maya, f"/app/patients/{chef.id}/"))
    sentence = Flag.objects.get().sentence
    assert "not wake up" in sentence
    assert "kitchen" not in sentence
    said = "Might need your attention now In a shared reflection for Tue 24 Nov (saved Tue 24 Nov, 12:00 their time):"
    assert said in page
    assert sentence in page
    # The entry itself, among what they share, says so too (not an ordinary card with kind words under it).
    assert "Some of what they wrote here might need your attention: see above . Reflection for Tuesday 24 Nov" in page
    assert current().not_watched in page  # what the patient is told, word for word
    flag = Flag.objects.get()
    with time_machine.travel(NOW, tick=False):
        response = maya.post(f"/app/patients/{chef.id}/flags/{flag.id}/seen/")
    assert response.status_code == 302
    assert response["Location"] == f"/app/patients/{chef.id}/"
    after = text(get(maya, f"/app/patients/{chef.id}/"))
    assert "Marked what they wrote seen. Nothing else puts them first now." in after
    assert "Might need your attention now" not in after  # the entry itself is still among what they share
    assert "Might need your attention now" not in text(get(maya, "/app/")).split("Sam (chef)")[1][:60]
    log = AccessLog.objects.get(patient=chef, what="flag_seen")
    assert (log.therapist, log.entries) == (
        therapist,
        [{"type": "reflection", "id": str(entry.id), "date": "2026-11-24"}],
    )


def test_the_brief_quotes_it_and_says_who_saw_it_and_when(maya, chef, roster):
    wrote(chef, RISKY)
    flag = Flag.objects.get()
    with time_machine.travel(NOW, tick=False):
        maya.post(f"/app/patients/{chef.id}/flags/{flag.id}/seen/")
    page = text(get(maya, f"/app/patients/{chef.id}/brief/"))
    assert (
        f"Marked seen In a shared reflection for Tue 24 Nov (saved Tue 24 Nov, 12:00 their time): {flag.sentence}"
        in page
    )
    assert "Might need your attention now" not in page  # seen: no longer urgent
    assert "Seen by you, Wed 25 Nov, 12:00 their time." in page  # 18:00 UTC is noon in Chicago

    check_in_request(patient=chef, now=NOW - timedelta(hours=1))
    page = text(get(maya, f"/app/patients/{chef.id}/brief/"))
    # Open first, with what patients are told (never an empty quotation), then what was seen.
    told = f"What their app tells them, beside crisis lines for where they are: “{current().not_watched}”"
    opened = "Might need your attention now Asked you to check in, Wed 25 Nov, 11:00 their time."
    assert f"{opened} {told} Marked seen In a shared reflection" in page


def test_a_check_in_shows_without_words(maya, chef, roster):
    check_in_request(patient=chef, now=NOW - timedelta(hours=2))
    page = text(get(maya, f"/app/patients/{chef.id}/"))
    assert "Asked you to check in, Wed 25 Nov, 10:00 their time." in page
    assert page.index("Sam (chef)") < page.index("Asked you")


def test_an_unshared_entry_leaves_every_page_as_it_was(maya, chef, roster):
    wrote(chef, RISKY, shared=False)
    for path in ("/app/", f"/app/patients/{chef.id}/", f"/app/patients/{chef.id}/brief/"):
        page = text(get(maya, path))
        assert "disappear" not in page
        assert "Might need your attention now" not in page


def test_another_therapists_mark_seen_is_a_404_and_changes_nothing(chef, roster, stranger_therapist):
    wrote(chef, RISKY)
    flag = Flag.objects.get()
    with time_machine.travel(NOW, tick=False):
        stranger = signed_in(stranger_therapist.email, PASSWORD)
        assert stranger.post(f"/app/patients/{chef.id}/flags/{flag.id}/seen/").status_code == 404
        assert stranger.get(f"/app/patients/{chef.id}/flags/{flag.id}/seen/").status_code in (404, 405)
    assert Flag.objects.get().seen_at is None


def test_the_roster_says_what_patients_are_told_about_real_time_watching(maya, roster):
    page = text(get(maya, "/app/"))
    assert (
        f"What your patients are told Their app says, with crisis lines for where they are: “{current().not_watched}”"
        in page
    )
