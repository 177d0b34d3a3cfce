"""Signing in and out of the dashboard: therapists only, sessions that end."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client

from dashboard.forms import LOCKED_OUT, NOT_A_THERAPIST, WRONG
from seeds import personas
from tests.dashboard.conftest import signed_in
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

PAGES = ["/app/", "/app/patients/{id}/", "/app/patients/{id}/brief/"]


@pytest.mark.parametrize("page", PAGES)
def test_a_signed_out_visitor_is_sent_to_sign_in(chef, link, page):
    path = page.format(id=chef.id)
    response = Client().get(path)
    assert response.status_code == 302
    assert response["Location"] == f"/app/sign-in/?next={path}"


def test_the_sign_in_page_has_labelled_fields(db):
    page = Client().get("/app/sign-in/").content.decode()
    assert '<label for="id_email">E-mail</label>' in page
    assert '<label for="id_password">Password</label>' in page
    assert 'name="csrfmiddlewaretoken"' in page


def test_the_therapist_signs_in_and_lands_on_the_roster(therapist):
    client = Client()
    response = client.post(
        "/app/sign-in/", {"email": "MAYA@demo.good-enough.test", "password": personas.THERAPIST.password}
    )
    assert response.status_code == 302
    assert response["Location"] == "/app/"
    assert client.get("/app/").status_code == 200


def test_sign_in_returns_to_the_dashboard_page_asked_for_and_nowhere_else(therapist, chef, link):
    wanted = f"/app/patients/{chef.id}/"
    for next_page, lands in [(wanted, wanted), ("https://evil.example/", "/app/"), ("/admin/", "/app/")]:
        response = Client().post(
            "/app/sign-in/",
            {"email": personas.THERAPIST.email, "password": personas.THERAPIST.password, "next": next_page},
        )
        assert response["Location"] == lands


def test_a_wrong_password_shows_the_problem_and_opens_no_session(therapist):
    client = Client()
    response = client.post("/app/sign-in/", {"email": personas.THERAPIST.email, "password": "not-the-password"})
    assert response.status_code == 200
    assert WRONG in response.content.decode()
    assert settings.SESSION_COOKIE_NAME not in response.cookies
    assert Session.objects.count() == 0
    assert client.get("/app/").status_code == 302


def test_a_missing_e_mail_is_said_beside_its_field(db):
    page = Client().post("/app/sign-in/", {"email": "", "password": "x"}).content.decode()
    assert '<p class="field-problem" id="id_email-problem">This field is required.</p>' in page


def test_a_patient_with_the_right_password_is_told_this_is_for_therapists(chef):
    client = Client()
    response = client.post("/app/sign-in/", {"email": personas.CHEF.email, "password": personas.CHEF.password})
    assert response.status_code == 200
    assert NOT_A_THERAPIST in response.content.decode()
    assert Session.objects.count() == 0
    assert client.get("/app/").status_code == 302


def test_repeated_failures_lock_the_e_mail_out_even_with_the_right_password(therapist):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/app/sign-in/", {"email": personas.THERAPIST.email, "password": "not-the-password"})
    response = client.post(
        "/app/sign-in/", {"email": personas.THERAPIST.email, "password": personas.THERAPIST.password}
    )
    assert response.status_code == 429
    assert LOCKED_OUT in response.content.decode()
    assert '<label for="id_email">E-mail</label>' in response.content.decode()  # the page, not a bare refusal
    assert Session.objects.count() == 0


def test_a_locked_out_admin_log_in_gets_a_plain_refusal(therapist):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT + 1):
        response = client.post("/admin/login/", {"username": personas.THERAPIST.email, "password": "not-it"})
    assert response.status_code == 429
    assert response.content.decode().startswith("Too many failed log-ins")


def test_sign_in_refuses_a_post_without_the_csrf_token(therapist):
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        "/app/sign-in/", {"email": personas.THERAPIST.email, "password": personas.THERAPIST.password}
    )
    assert response.status_code == 403
    assert Session.objects.count() == 0


def test_sign_out_ends_the_session_on_the_server(as_maya):
    old_cookie = as_maya.cookies[settings.SESSION_COOKIE_NAME].value
    assert as_maya.get("/app/sign-out/").status_code == 405  # a link cannot sign anyone out
    response = as_maya.post("/app/sign-out/")
    assert response["Location"] == "/app/sign-in/"
    assert not Session.objects.filter(session_key=old_cookie).exists()
    replay = Client()
    replay.cookies[settings.SESSION_COOKIE_NAME] = old_cookie
    assert replay.get("/app/").status_code == 302


def test_a_session_ends_after_thirty_idle_minutes_and_each_page_extends_it(as_maya):
    session = Session.objects.get()
    first_end = session.expire_date
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    Session.objects.filter(pk=session.pk).update(expire_date=first_end - timedelta(minutes=10))
    as_maya.get("/app/")
    assert Session.objects.get().expire_date >= first_end  # pushed back by the read
    Session.objects.update(expire_date=first_end - timedelta(hours=1))  # 30 idle minutes have passed
    assert as_maya.get("/app/").status_code == 302


def test_an_admin_session_of_a_patient_does_not_open_the_dashboard(chef):
    chef.is_staff = True
    chef.save()
    client = Client()
    client.force_login(chef)
    assert client.get("/app/").status_code == 302


def test_an_api_log_in_opens_no_session(chef):
    response = Client().post(
        "/api/v1/auth/token/",
        {"email": personas.CHEF.email, "password": personas.CHEF.password},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert settings.SESSION_COOKIE_NAME not in response.cookies
    assert Session.objects.count() == 0


def test_another_factory_therapist_signs_in_too(stranger_therapist):
    assert signed_in("dr.stranger@example.test", PASSWORD).get("/app/").status_code == 200
