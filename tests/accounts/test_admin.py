import pytest

from accounts.models import Invite
from accounts.services import invite_create
from tests.factories import TherapistFactory
from tests.helpers import client_for

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


def test_no_admin_page_shows_a_credential(staff_client, as_chef, chef, therapist, link):
    """Every list and every object page of every model, as staff: no token, hash or code."""
    from django.contrib import admin

    tokens = as_chef.post("/api/v1/auth/token/", {"email": chef.email, "password": "a-new-recipe-2026"}).json()
    as_chef.post("/api/v1/auth/logout/", {"refresh": tokens["refresh"]})  # one outstanding, one blacklisted
    code = client_for(therapist).post("/api/v1/invites/", {"note": "for Sam"}).json()["code"]
    secrets = [tokens["refresh"], tokens["access"], code, chef.password, therapist.password]
    secrets += [part for token in (tokens["refresh"], tokens["access"]) for part in token.split(".")[1:]]

    pages = 0
    for model in admin.site._registry:
        opts = model._meta
        changelist = staff_client.get(f"/admin/{opts.app_label}/{opts.model_name}/")
        assert changelist.status_code == 200, opts.label
        urls = [f"/admin/{opts.app_label}/{opts.model_name}/{obj.pk}/change/" for obj in model.objects.all()[:20]]
        for response in [changelist, *(staff_client.get(url) for url in urls)]:
            html = response.content.decode()
            for secret in secrets:
                assert secret not in html, (opts.label, response.request["PATH_INFO"])
            pages += 1
    assert pages > 15
