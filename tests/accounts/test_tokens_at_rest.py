"""The refresh-token list keeps what recognises a token (its jti, whose, until when), never the
token itself: a copy of the database holds no token that could be replayed."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.db import connection
from rest_framework.test import APIClient
from rest_framework_simplejwt.token_blacklist.models import OutstandingToken
from rest_framework_simplejwt.tokens import RefreshToken as SimpleJWTRefreshToken

from accounts import tokens
from seeds import personas
from tests.helpers import client_for

pytestmark = pytest.mark.django_db

TOKEN = "/api/v1/auth/token/"
REFRESH = "/api/v1/auth/token/refresh/"
LOGOUT = "/api/v1/auth/logout/"


def every_stored_value() -> list[str]:
    """Every column of every row of simplejwt's tables, read as the file holds them."""
    values = []
    with connection.cursor() as cursor:
        for table in ("token_blacklist_outstandingtoken", "token_blacklist_blacklistedtoken"):
            cursor.execute(f"SELECT * FROM {table}")  # our own table names
            values += [str(value) for row in cursor.fetchall() for value in row if value is not None]
    return values


def assert_no_token_text(*issued: str) -> None:
    stored = every_stored_value()
    assert stored  # the rows are there: the check below looks at something
    for value in stored:
        assert not value.startswith("eyJ"), value  # no JSON Web Token of any kind
        for token in issued:
            assert token not in value
            assert token.split(".")[2] not in value  # nor its signature alone


def log_in(user) -> dict[str, str]:
    response = APIClient().post(TOKEN, {"email": user.email, "password": personas.CHEF.password}, format="json")
    assert response.status_code == 200, response.json()
    return response.json()


def test_a_log_in_leaves_no_token_in_the_database(chef):
    pair = log_in(chef)
    assert_no_token_text(pair["refresh"], pair["access"])
    assert OutstandingToken.objects.get().jti == SimpleJWTRefreshToken(pair["refresh"])["jti"]


def test_a_refresh_and_a_log_out_leave_no_token_in_the_database_and_still_work(chef):
    first = log_in(chef)
    second = APIClient().post(REFRESH, {"refresh": first["refresh"]}, format="json")
    assert second.status_code == 200
    again = APIClient().post(REFRESH, {"refresh": first["refresh"]}, format="json")
    assert again.status_code == 401  # the rotated-out token is blacklisted, recognised by its jti
    new = second.json()
    out = client_for(chef).post(LOGOUT, {"refresh": new["refresh"]}, format="json")
    assert out.status_code == 204
    after = APIClient().post(REFRESH, {"refresh": new["refresh"]}, format="json")
    assert after.status_code == 401
    assert_no_token_text(first["refresh"], new["refresh"], new["access"])


def test_logging_out_everywhere_still_refuses_every_token(chef):
    phone, laptop = log_in(chef), log_in(chef)
    tokens.tokens_revoke_all(user=chef)
    for pair in (phone, laptop):
        assert APIClient().post(REFRESH, {"refresh": pair["refresh"]}, format="json").status_code == 401
    assert_no_token_text(phone["refresh"], laptop["refresh"])


def test_the_migration_blanks_the_token_text_of_rows_written_before_it(chef):
    # A row as simplejwt wrote it before this change: the whole token in the table.
    legacy = SimpleJWTRefreshToken.for_user(chef)
    assert OutstandingToken.objects.filter(token=str(legacy)).exists()
    migration = importlib.import_module("accounts.migrations.0005_forget_refresh_token_text")
    migration.forget_token_text(apps, None)
    assert_no_token_text(str(legacy))
    # Still recognised: it can be refreshed (and is then blacklisted) as before.
    assert APIClient().post(REFRESH, {"refresh": str(legacy)}, format="json").status_code == 200
    assert APIClient().post(REFRESH, {"refresh": str(legacy)}, format="json").status_code == 401
