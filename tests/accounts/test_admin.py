import pytest

from accounts.models import Invite
from accounts.services import invite_create
from tests.factories import TherapistFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client):
    staff = TherapistFactory(is_staff=True, is_superuser=True)
    client.force_login(staff)
    return client


def test_staff_see_users_and_links(staff_client, link):
    assert link.patient.email in staff_client.get("/admin/accounts/user/").content.decode()
    assert staff_client.get("/admin/accounts/carelink/").status_code == 200
    assert staff_client.get(f"/admin/accounts/carelink/{link.id}/change/").status_code == 200


def test_an_invites_note_never_shows_in_the_admin(staff_client, therapist):
    from django.utils import timezone

    invite, _ = invite_create(therapist=therapist, note="for Sam, who is anxious about work", now=timezone.now())
    for url in ["/admin/accounts/invite/", f"/admin/accounts/invite/{invite.id}/change/"]:
        page = staff_client.get(url)
        assert page.status_code == 200
        assert "anxious" not in page.content.decode()
    assert Invite.objects.get().note == "for Sam, who is anxious about work"
