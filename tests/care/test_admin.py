"""Staff see that a session was held and who read what, never what was said."""

import pytest
from django.utils import timezone

from care.access import access_log
from care.models import AccessLog, Session
from care.services import session_record
from tests.factories import TherapistFactory

pytestmark = pytest.mark.django_db

SAID = "Patient: I worry the walk-in fridge is judging me"


@pytest.fixture
def staff(client):
    client.force_login(TherapistFactory(is_staff=True, is_superuser=True))
    return client


def test_staff_see_sessions_and_reads_but_not_what_was_said(staff, therapist, chef, link):
    now = timezone.now()
    session = session_record(
        therapist=therapist, patient_id=chef.id, notes="Private note", transcript=f"Therapist: Hi\n{SAID}", now=now
    ).session
    access_log(therapist=therapist, patients=[chef], what=AccessLog.What.BRIEF, now=now)
    for url in [
        "/admin/care/session/",
        f"/admin/care/session/{session.pk}/change/",
        "/admin/care/accesslog/",
        f"/admin/care/accesslog/{AccessLog.objects.get().pk}/change/",
    ]:
        page = staff.get(url, {"q": chef.email} if url.endswith("/session/") else {})
        assert page.status_code == 200, url
        text = page.content.decode()
        assert "walk-in fridge" not in text, url
        assert "Private note" not in text, url
    assert "Dr. Maya Okafor" in staff.get("/admin/care/accesslog/").content.decode()


def test_staff_change_and_delete_nothing_here(staff, therapist, chef, link):
    session = session_record(therapist=therapist, patient_id=chef.id, now=timezone.now()).session
    access_log(therapist=therapist, patients=[chef], what=AccessLog.What.ROSTER, now=timezone.now())
    row = AccessLog.objects.get()
    assert staff.get("/admin/care/session/add/").status_code == 403
    assert staff.get(f"/admin/care/session/{session.pk}/delete/").status_code == 403
    assert staff.post(f"/admin/care/accesslog/{row.pk}/delete/", {"post": "yes"}).status_code == 403
    staff.post(f"/admin/care/session/{session.pk}/change/", {"turns": "99"})
    assert Session.objects.get().turns == 0
    assert AccessLog.objects.count() == 1
