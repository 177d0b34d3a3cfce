"""Signing in and out of the dashboard: therapists only, sessions that end."""

from __future__ import annotations

import hashlib
import html
import uuid
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.urls import reverse

from accounts.auth import KNOWN_DEVICE_COOKIE
from accounts.models import UserSession
from dashboard import urls as dashboard_urls
from dashboard.forms import ACCOUNT_THROTTLED, LOCKED_OUT, NOT_A_THERAPIST, THROTTLED, WRONG
from dashboard.views import POST_ONLY, SIGNED_OUT
from seeds import personas
from tests.dashboard.conftest import signed_in
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

MAYA = {"email": personas.THERAPIST.email, "password": personas.THERAPIST.password}
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
    cancel = f"/app/invites/{uuid.uuid4()}/cancel/"  # answers a POST only
    refused = ["https://evil.example/", "//evil.example/app/", "/admin/", cancel, "/app/no-such-page/"]
    refused += ["/app/sign-in/", "/app/sign-in/?next=/app/", "/app/sign-in/code/"]
    for next_page, lands in [(wanted, wanted), *((page, "/app/") for page in refused)]:
        response = Client().post(
            "/app/sign-in/",
            {"email": personas.THERAPIST.email, "password": personas.THERAPIST.password, "next": next_page},
        )
        assert response["Location"] == lands


def test_a_wrong_password_shows_the_problem_and_opens_no_session(therapist):
    client = Client()
    response = client.post("/app/sign-in/", {"email": personas.THERAPIST.email, "password": "not-the-password"})
    assert response.status_code == 400
    assert WRONG in response.content.decode()
    assert settings.SESSION_COOKIE_NAME not in response.cookies
    assert UserSession.objects.count() == 0
    assert client.get("/app/").status_code == 302


def test_a_missing_e_mail_is_said_beside_its_field(db):
    response = Client().post("/app/sign-in/", {"email": "", "password": "x"})
    assert response.status_code == 400
    page = response.content.decode()
    assert '<div id="id_email_error"><p class="field-problem">This field is required.</p></div>' in page
    assert 'aria-invalid="true" aria-describedby="id_email_error" id="id_email"' in page  # read with the field


def test_a_patient_with_the_right_password_is_told_this_is_for_therapists(chef):
    client = Client()
    response = client.post("/app/sign-in/", {"email": personas.CHEF.email, "password": personas.CHEF.password})
    assert response.status_code == 400
    assert NOT_A_THERAPIST in response.content.decode()
    assert UserSession.objects.count() == 0
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
    assert UserSession.objects.count() == 0


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
    assert UserSession.objects.count() == 0


def test_sign_out_ends_the_session_on_the_server(as_maya):
    old_cookie = as_maya.cookies[settings.SESSION_COOKIE_NAME].value
    assert as_maya.get("/app/sign-out/").status_code == 405  # a link cannot sign anyone out
    response = as_maya.post("/app/sign-out/")
    assert response["Location"] == "/app/sign-in/"
    assert not UserSession.objects.filter(session_key=old_cookie).exists()
    replay = Client()
    replay.cookies[settings.SESSION_COOKIE_NAME] = old_cookie
    assert replay.get("/app/").status_code == 302


def test_a_session_ends_after_thirty_idle_minutes_and_each_page_extends_it(as_maya):
    session = UserSession.objects.get()
    first_end = session.expire_date
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    UserSession.objects.filter(pk=session.pk).update(expire_date=first_end - timedelta(minutes=10))
    as_maya.get("/app/")
    assert UserSession.objects.get().expire_date >= first_end  # pushed back by the read
    UserSession.objects.update(expire_date=first_end - timedelta(hours=1))  # 30 idle minutes have passed
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
    assert UserSession.objects.count() == 0


def test_another_factory_therapist_signs_in_too(stranger_therapist):
    assert signed_in("dr.stranger@example.test", PASSWORD).get("/app/").status_code == 200


# --- The throttle the API's log-in has, on one budget with it -------------------------------


def api_log_in(email: str, password: str = "not-the-password", address: str = "127.0.0.1"):
    return Client(REMOTE_ADDR=address).post(
        "/api/v1/auth/token/", {"email": email, "password": password}, content_type="application/json"
    )


def test_a_throttled_sign_in_is_a_429_page_and_the_password_is_not_checked(therapist, settings):
    settings.AUTH_THROTTLE_RATE = "3/min"
    for n in range(3):  # three different e-mails: no lockout, only the address's budget spent
        Client().post("/app/sign-in/", {"email": f"someone{n}@example.test", "password": "guess"})
    client = Client()
    response = client.post(
        "/app/sign-in/", {"email": personas.THERAPIST.email, "password": personas.THERAPIST.password}
    )
    assert response.status_code == 429
    page = response.content.decode()
    assert html.escape(THROTTLED) in page
    assert '<label for="id_password">Password</label>' in page
    assert UserSession.objects.count() == 0
    assert client.get("/app/").status_code == 302


def test_the_sign_in_page_itself_is_never_throttled(therapist, settings):
    settings.AUTH_THROTTLE_RATE = "1/min"
    Client().post("/app/sign-in/", {"email": "someone@example.test", "password": "guess"})
    assert Client().get("/app/sign-in/").status_code == 200


def test_api_log_ins_spend_the_dashboards_budget(therapist, settings):
    settings.AUTH_THROTTLE_RATE = "3/min"
    for n in range(3):
        api_log_in(f"someone{n}@example.test")
    assert api_log_in("someone@example.test").status_code == 429  # the API's own refusal, as before
    response = Client().post(
        "/app/sign-in/", {"email": personas.THERAPIST.email, "password": personas.THERAPIST.password}
    )
    assert response.status_code == 429


def test_dashboard_sign_ins_spend_the_apis_budget(therapist, settings):
    settings.AUTH_THROTTLE_RATE = "3/min"
    for n in range(3):
        Client().post("/app/sign-in/", {"email": f"someone{n}@example.test", "password": "guess"})
    response = api_log_in(personas.THERAPIST.email, personas.THERAPIST.password)
    assert response.status_code == 429
    assert response.json()["errors"][0]["code"] == "throttled"


def test_wrong_passwords_from_three_other_addresses_leave_the_owner_signing_in(therapist):
    at = datetime(2026, 11, 25, 18, 0, tzinfo=UTC)
    with time_machine.travel(at, tick=False):
        for n in range(4):
            for address in ["10.0.0.1", "10.0.0.2", "10.0.0.3"]:
                if n % 2:
                    api_log_in(personas.THERAPIST.email, address=address)
                else:
                    Client(REMOTE_ADDR=address).post("/app/sign-in/", {**MAYA, "password": "guess"})
        client = Client(REMOTE_ADDR="192.0.2.10")
        assert client.post("/app/sign-in/", MAYA)["Location"] == "/app/"
        assert client.get("/app/").status_code == 200


def test_past_the_accounts_bound_only_where_the_owner_signed_in_before_is_open(therapist, settings):
    limit = int(settings.AUTH_ACCOUNT_FAILURE_RATE.split("/")[0])
    at = datetime(2026, 11, 25, 18, 0, tzinfo=UTC)
    home = "198.51.100.7"
    with time_machine.travel(at - timedelta(days=2), tick=False):
        assert Client(REMOTE_ADDR=home).post("/app/sign-in/", MAYA).status_code == 302
    with time_machine.travel(at, tick=False):
        for n in range(limit):  # half through the API, half here, each from an address of its own
            address = f"10.0.{n}.1"
            if n % 2:
                api_log_in(personas.THERAPIST.email, address=address)
            else:
                Client(REMOTE_ADDR=address).post("/app/sign-in/", {**MAYA, "password": "guess"})
        elsewhere = Client(REMOTE_ADDR="203.0.113.50")
        refused = elsewhere.post("/app/sign-in/", MAYA)
        assert refused.status_code == 429
        assert html.escape(ACCOUNT_THROTTLED) in refused.content.decode()
        assert elsewhere.get("/app/").status_code == 302
        at_home = Client(REMOTE_ADDR=home)
        assert at_home.post("/app/sign-in/", MAYA)["Location"] == "/app/"
        assert at_home.get("/app/").status_code == 200


def test_past_the_accounts_bound_a_browser_that_signed_in_before_is_let_through_from_a_new_address(therapist, settings):
    limit = int(settings.AUTH_ACCOUNT_FAILURE_RATE.split("/")[0])
    at = datetime(2026, 11, 25, 18, 0, tzinfo=UTC)
    laptop = Client(REMOTE_ADDR="198.51.100.7")
    with time_machine.travel(at - timedelta(days=2), tick=False):
        assert laptop.post("/app/sign-in/", MAYA).status_code == 302
        laptop.post("/app/sign-out/")
    known = laptop.cookies[KNOWN_DEVICE_COOKIE].value
    assert personas.THERAPIST.email not in known.lower()
    # Nor a plain hash of it, which anyone with a list of e-mail addresses could match.
    assert hashlib.sha256(personas.THERAPIST.email.encode()).hexdigest() not in known
    with time_machine.travel(at, tick=False):
        for n in range(limit):
            api_log_in(personas.THERAPIST.email, address=f"10.0.{n}.1")
        laptop.defaults["REMOTE_ADDR"] = "203.0.113.80"  # the same laptop, on a train
        on_the_train = laptop.post("/app/sign-in/", MAYA)
        assert on_the_train.status_code == 302, (on_the_train.status_code, laptop.cookies)
        assert on_the_train["Location"] == "/app/"
        forged = Client(REMOTE_ADDR="203.0.113.81")
        forged.cookies[KNOWN_DEVICE_COOKIE] = known.replace(known[-3:], "abc")
        assert forged.post("/app/sign-in/", MAYA).status_code == 429
        someone_elses = Client(REMOTE_ADDR="203.0.113.82")
        assert someone_elses.post("/app/sign-in/", MAYA).status_code == 429


def test_the_budget_comes_back_after_a_minute(therapist, settings):
    settings.AUTH_THROTTLE_RATE = "1/min"
    start = datetime(2026, 11, 25, 18, 0, tzinfo=UTC)
    with time_machine.travel(start, tick=False):
        Client().post("/app/sign-in/", {"email": "someone@example.test", "password": "guess"})
        assert Client().post("/app/sign-in/", {"email": "x@example.test", "password": "y"}).status_code == 429
    with time_machine.travel(start + timedelta(seconds=61), tick=False):
        response = Client().post("/app/sign-in/", MAYA)
    assert response.status_code == 302


def test_a_hostile_e_mail_is_a_form_error_and_still_counted(therapist, settings):
    settings.AUTH_THROTTLE_RATE = "2/min"
    for email in ["a\x00b@example.test", "x" * 100_000]:
        response = Client().post("/app/sign-in/", {"email": email, "password": "guess"})
        assert response.status_code == 400
        assert "field-problem" in response.content.decode()
    assert Client().post("/app/sign-in/", MAYA).status_code == 429


def test_sign_in_returns_to_the_page_asked_for_with_its_query(therapist, chef, link):
    wanted = f"/app/patients/{chef.id}/brief/?since=2026-11-01"
    response = Client().post("/app/sign-in/", {**MAYA, "next": wanted})
    assert response["Location"] == wanted


def test_over_https_sign_in_never_returns_to_a_plain_http_address_even_of_this_site(therapist, chef, link):
    page = f"/app/patients/{chef.id}/"
    over_http = Client().post("/app/sign-in/", {**MAYA, "next": f"http://testserver{page}"})
    assert over_http["Location"] == page  # our own address, in full: the path and query are kept
    over_https = Client().post("/app/sign-in/", {**MAYA, "next": f"http://testserver{page}"}, secure=True)
    assert over_https["Location"] == "/app/"  # a downgrade to http is not a page to return to


# --- Signed out while a form was open -------------------------------------------------------------


def signed_out_meanwhile(client: Client) -> None:
    """The session has been idle for longer than it lives: the server no longer knows it."""
    UserSession.objects.update(expire_date=datetime.now(UTC) - timedelta(minutes=1))


def test_a_form_sent_after_the_session_ended_comes_back_to_its_page_after_signing_in(as_maya, chef, link):
    page = f"/app/patients/{chef.id}/"
    signed_out_meanwhile(as_maya)
    response = as_maya.post("/app/invites/", {"note": "For Sam"}, HTTP_REFERER=f"http://testserver{page}")
    assert response.status_code == 302
    assert response["Location"] == f"/app/sign-in/?signed_out=1&next={page}"
    sign_in = as_maya.get(response["Location"])
    shown = html.unescape(sign_in.content.decode())
    assert SIGNED_OUT in shown
    assert "30 minutes without activity" in SIGNED_OUT
    assert f'name="next" value="{page}"' in shown
    back = as_maya.post("/app/sign-in/", {**MAYA, "next": page})
    assert back["Location"] == page
    assert as_maya.get(page).status_code == 200  # the page the form was on


@pytest.mark.parametrize(
    "referer",
    [
        None,
        "https://evil.example/app/",  # another site
        "http://testserver/admin/",  # ours, but not the dashboard
        "http://testserver/app/invites/00000000-0000-4000-8000-000000000000/cancel/",  # answers a POST only
        "http://testserver/app/no-such-page/",
        "/app/\u0000",
    ],
)
def test_without_a_page_of_ours_to_return_to_a_form_sent_signed_out_leads_to_the_roster(db, referer):
    extra = {} if referer is None else {"HTTP_REFERER": referer}
    response = Client().post("/app/invites/", {"note": "x"}, **extra)
    assert response["Location"] == "/app/sign-in/?signed_out=1&next=/app/"


def test_the_sign_in_page_gives_no_reason_when_none_was_asked_for(db):
    for path in ["/app/sign-in/", "/app/sign-in/?next=/app/"]:
        assert SIGNED_OUT not in html.unescape(Client().get(path).content.decode())


def test_the_pages_that_answer_only_a_post_are_those_the_sign_in_never_returns_to(as_maya):
    """``POST_ONLY`` says which pages a GET cannot open: it must agree with the pages themselves."""
    for pattern in dashboard_urls.urlpatterns:
        kwargs = {name: uuid.uuid4() for name in pattern.pattern.converters}
        path = reverse(f"dashboard:{pattern.name}", kwargs=kwargs)
        assert (as_maya.get(path).status_code == 405) == (pattern.name in POST_ONLY), path
