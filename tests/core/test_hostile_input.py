"""Hostile input through every writable field of every endpoint: a 4xx, and nothing written.

The fields come from each endpoint's request serializer, so a field added tomorrow is
attacked tomorrow; a new endpoint with a body fails ``test_every_endpoint_with_a_body_is_here``
until it has a valid body below. After the attack, the patient's lists, sync and export
still answer 200: nothing stored can break them later.
"""

from __future__ import annotations

import json
import re
import uuid
from datetime import timedelta
from typing import Any

import pytest
from django.apps import apps
from django.utils import timezone
from rest_framework import serializers

from accounts.serializers import (
    CareLinkAcceptSerializer,
    CareLinkUpdateSerializer,
    InviteCreateSerializer,
    LogoutSerializer,
    NoFieldsSerializer,
    PasswordChangeSerializer,
    PasswordResetConfirmSerializer,
    PasswordResetSerializer,
    PasswordSerializer,
    RefreshSerializer,
    RegisterSerializer,
    TokenSerializer,
    UserSerializer,
)
from care.serializers import NextSessionSerializer, SessionCreateSerializer, SessionUpdateSerializer
from care.services import session_record
from journal.serializers import (
    CommitmentSerializer,
    CommitmentUpdateSerializer,
    ExperimentSerializer,
    PrideEntrySerializer,
    ReflectionSerializer,
)
from reminders.serializers import (
    DeviceSerializer,
    ReminderCreateSerializer,
    ReminderSettingsSerializer,
    ReminderUpdateSerializer,
)
from safety.serializers import CheckInRequestSerializer
from tests.factories import (
    CareLinkFactory,
    CommitmentFactory,
    ExperimentFactory,
    PatientFactory,
    PrideEntryFactory,
    ReflectionFactory,
    ReminderFactory,
    TherapistFactory,
)
from tests.helpers import client_for

pytestmark = pytest.mark.django_db

#: Strings every text field must refuse: lone surrogates (valid JSON escapes, invalid text)
#: and a NUL byte.
BAD_TEXT = ["a\ud800", "\udfff", "\ud800\udc00\udfff", "x\x00y"]
#: Digits that are digits to Python's ``isdigit`` or ``int``, but not ASCII.
ODD_DIGITS = [
    "\u00b2",  # superscript two
    "\u0663",  # Arabic-Indic three
    "\uff13",  # fullwidth three
    "\U0001d7d1",  # mathematical bold three
    "\u0662\u0660\u0662\u0666-\u0661\u0661-\u0662\u0665",  # 2026-11-25 in Arabic-Indic digits
    "\uff12\uff10\uff12\uff16-\uff11\uff11-\uff12\uff15",  # 2026-11-25 in fullwidth digits
    "\u0662\u0660\u0662\u0666-W\u0664\u0668",  # 2026-W48 in Arabic-Indic digits
]
#: Dates and weeks before 1900, and numbers no field wants.
ODD_VALUES = ["0001-01-01", "1899-12-31", "0001-W01", "1899-W52", 1e308, -(2**63), 2**64, True, {"a": "b"}]
DEEP = json.loads("[" * 30 + "]" * 30)  # deep, but under the parser's 32: the field must refuse it
HOSTILE: list[Any] = [*BAD_TEXT, *ODD_DIGITS, *ODD_VALUES, DEEP, ["a\ud800"], {"k\ud800": 1}]


def writable(serializer: type[serializers.BaseSerializer]) -> list[tuple[str, list[Any]]]:
    """Each writable field with the hostile values it must refuse. Arabic digits and old
    dates are fair words in a text field, so text fields get the rest."""
    fields = []
    for name, field in serializer().fields.items():
        if field.read_only:
            continue
        is_text = isinstance(field, serializers.CharField) and not isinstance(field, serializers.EmailField)
        values = [value for value in HOSTILE if not (is_text and isinstance(value, str) and value not in BAD_TEXT)]
        if isinstance(field, serializers.BooleanField):
            values.remove(True)  # a fair answer to a yes-or-no question
        fields.append((name, values))
    return fields


class World:
    """A linked patient with a little of everything, and the ids the endpoints need."""

    def __init__(self) -> None:
        self.patient = PatientFactory(password="a-new-recipe-2026")
        self.therapist = TherapistFactory()
        self.link = CareLinkFactory(patient=self.patient, therapist=self.therapist)
        self.commitment = CommitmentFactory(patient=self.patient, author=self.therapist, status="proposed")
        self.reflection = ReflectionFactory(patient=self.patient)
        self.pride = PrideEntryFactory(patient=self.patient, week="2026-W30")
        self.experiment = ExperimentFactory(patient=self.patient)
        self.reminder = ReminderFactory(patient=self.patient)
        self.session = session_record(
            therapist=self.therapist, patient_id=self.patient.id, notes="kept", now=timezone.now()
        ).session
        self.as_patient = client_for(self.patient)
        self.as_therapist = client_for(self.therapist)


#: (who, method, path, serializer, a valid body). Each body is answered 2xx as it stands.
def endpoints(world: World) -> list[tuple[str, str, str, type[serializers.BaseSerializer], dict[str, Any]]]:
    new = uuid.uuid4()
    return [
        (
            "anon",
            "post",
            "/api/v1/auth/register/",
            RegisterSerializer,
            {
                "email": "new@example.test",
                "password": "a-long-enough-pass-2026",
                "display_name": "N",
                "role": "patient",
                "timezone": "Europe/Paris",
            },
        ),
        ("anon", "post", "/api/v1/auth/token/", TokenSerializer, {"email": world.patient.email, "password": "x"}),
        ("anon", "post", "/api/v1/auth/token/refresh/", RefreshSerializer, {"refresh": "x"}),
        ("patient", "post", "/api/v1/auth/logout/", LogoutSerializer, {"refresh": "x"}),
        ("anon", "post", "/api/v1/auth/web/token/", TokenSerializer, {"email": world.patient.email, "password": "x"}),
        ("anon", "post", "/api/v1/auth/web/token/refresh/", NoFieldsSerializer, {}),
        ("anon", "post", "/api/v1/auth/web/logout/", NoFieldsSerializer, {}),
        ("patient", "patch", "/api/v1/me/", UserSerializer, {"display_name": "Sam", "timezone": "Asia/Tokyo"}),
        ("patient", "delete", "/api/v1/me/", PasswordSerializer, {"password": "wrong-password"}),
        (
            "patient",
            "post",
            "/api/v1/auth/password/change/",
            PasswordChangeSerializer,
            {"current_password": "wrong-password", "new_password": "a-long-enough-pass-2026"},
        ),
        ("anon", "post", "/api/v1/auth/password/reset/", PasswordResetSerializer, {"email": "nobody@example.test"}),
        (
            "anon",
            "post",
            "/api/v1/auth/password/reset/confirm/",
            PasswordResetConfirmSerializer,
            {"uid": "MTIz", "token": "abc-def", "new_password": "a-long-enough-pass-2026"},
        ),
        ("patient", "post", "/api/v1/auth/logout-everywhere/", NoFieldsSerializer, {}),
        ("patient", "post", "/api/v1/check-ins/", CheckInRequestSerializer, {}),
        ("therapist", "post", "/api/v1/invites/", InviteCreateSerializer, {"note": "for Sam"}),
        (
            "patient",
            "post",
            "/api/v1/care-links/",
            CareLinkAcceptSerializer,
            {"code": "unknown", "share_entries": True},
        ),
        (
            "patient",
            "patch",
            f"/api/v1/care-links/{world.link.id}/",
            CareLinkUpdateSerializer,
            {"share_entries": False},
        ),
        (
            "patient",
            "post",
            "/api/v1/commitments/",
            CommitmentSerializer,
            {
                "kind": "custom",
                "title": "Walk",
                "cadence": "daily",
                "target_count": 1,
                "starts_on": "2026-11-01",
                "ends_on": "2026-12-01",
                "details": "d",
                "status": "active",
                "patient": str(world.patient.id),
            },
        ),
        (
            "therapist",
            "patch",
            f"/api/v1/commitments/{world.commitment.id}/",
            CommitmentUpdateSerializer,
            {"title": "Walk more", "target_count": 2},
        ),
        (
            "patient",
            "post",
            "/api/v1/reflections/",
            ReflectionSerializer,
            {
                "date": "2026-11-02",
                "effort": "e",
                "kind_words": "k",
                "mood": 3,
                "shared": True,
                "commitment": str(world.commitment.id),
            },
        ),
        (
            "patient",
            "put",
            f"/api/v1/reflections/{new}/",
            ReflectionSerializer,
            {"date": "2026-11-03", "effort": "e", "mood": 2},
        ),
        (
            "patient",
            "patch",
            f"/api/v1/reflections/{world.reflection.id}/",
            ReflectionSerializer,
            {"effort": "edited", "mood": 4},
        ),
        (
            "patient",
            "post",
            "/api/v1/pride-entries/",
            PrideEntrySerializer,
            {"week": "2026-W40", "items": ["a", "b"], "note": "n", "shared": False, "commitment": None},
        ),
        ("patient", "put", f"/api/v1/pride-entries/{new}/", PrideEntrySerializer, {"week": "2026-W41", "items": ["a"]}),
        (
            "patient",
            "post",
            "/api/v1/experiments/",
            ExperimentSerializer,
            {
                "title": "Risotto",
                "planned_for": "2026-11-04",
                "worry": "w",
                "outcome": "o",
                "learned": "l",
                "kind_words": "k",
                "status": "tried",
                "shared": True,
                "commitment": None,
            },
        ),
        ("patient", "put", f"/api/v1/experiments/{new}/", ExperimentSerializer, {"title": "Bread"}),
        ("patient", "patch", f"/api/v1/pride-entries/{world.pride.id}/", PrideEntrySerializer, {"items": ["c"]}),
        ("patient", "patch", f"/api/v1/experiments/{world.experiment.id}/", ExperimentSerializer, {"outcome": "Ok"}),
        (
            "patient",
            "post",
            "/api/v1/reminders/",
            ReminderCreateSerializer,
            {
                "kind": "pride_weekly",
                "commitment": str(world.commitment.id),
                "local_time": "18:00",
                "weekdays": [5, 6],
                "enabled": True,
            },
        ),
        (
            "patient",
            "patch",
            f"/api/v1/reminders/{world.reminder.id}/",
            ReminderUpdateSerializer,
            {"local_time": "07:30", "weekdays": [1], "enabled": False, "commitment": None},
        ),
        (
            "patient",
            "put",
            "/api/v1/reminders/settings/",
            ReminderSettingsSerializer,
            {"quiet_start": "22:00", "quiet_end": "07:00", "paused_until": "2026-12-24", "channels": ["push", "email"]},
        ),
        ("therapist", "post", "/api/v1/devices/", DeviceSerializer, {"platform": "ios", "token": "apns-token-0123"}),
        (
            "therapist",
            "post",
            "/api/v1/sessions/",
            SessionCreateSerializer,
            {
                "patient": str(world.patient.id),
                "held_on": "2026-01-20",
                "notes": "n",
                "transcript": "Therapist: Would you be willing to write three things you're proud of each week?\n"
                "Patient: I can try.",
            },
        ),
        (
            "therapist",
            "patch",
            f"/api/v1/sessions/{world.session.id}/",
            SessionUpdateSerializer,
            {"held_on": "2026-01-21", "notes": "changed"},
        ),
        (
            "therapist",
            "put",
            f"/api/v1/patients/{world.patient.id}/next-session/",
            NextSessionSerializer,
            {"at": (timezone.now() + timedelta(days=7)).isoformat()},
        ),
    ]


def rows() -> dict[str, int]:
    """Every table's row count, but django-axes' log of failed log-ins (refusing is logging)."""
    return {model._meta.label: model.objects.count() for model in apps.get_models() if model._meta.app_label != "axes"}


def send(client: Any, method: str, path: str, body: Any) -> Any:
    # ensure_ascii (the default) writes a lone surrogate as the escape "\ud800": valid JSON.
    return getattr(client, method)(path, data=json.dumps(body), content_type="application/json")


def client_of(world: World, who: str) -> Any:
    from rest_framework.test import APIClient

    return {"anon": APIClient(), "patient": world.as_patient, "therapist": world.as_therapist}[who]


def test_every_endpoint_with_a_body_is_here(world, as_chef):
    schema = as_chef.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    # Every path parameter as ``{id}``, as ``_template`` writes a path sent (``{patient_id}`` too).
    with_body = {
        (method, re.sub(r"\{[a-z_]+\}", "{id}", path))
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
        if "requestBody" in operation
    }
    covered = {(method, _template(path)) for _, method, path, _, _ in endpoints(world)}
    assert with_body - covered == set()


def _template(path: str) -> str:
    parts = path.strip("/").split("/")
    return "/" + "/".join("{id}" if _is_uuid(part) else part for part in parts) + "/"


def _is_uuid(text: str) -> bool:
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True


def test_each_valid_body_is_accepted_as_it_stands(world):
    # Otherwise the attacks below would pass for the wrong reason.
    refused_on_purpose = {  # a wrong password, an unknown code or token: refused, so they cannot write
        ("post", "/api/v1/auth/token/"),
        ("post", "/api/v1/auth/token/refresh/"),
        ("post", "/api/v1/auth/logout/"),
        ("post", "/api/v1/auth/web/token/"),
        ("post", "/api/v1/auth/web/token/refresh/"),
        ("post", "/api/v1/auth/password/change/"),
        ("post", "/api/v1/auth/password/reset/confirm/"),
        ("delete", "/api/v1/me/"),
        ("post", "/api/v1/care-links/"),
    }
    for who, method, path, _, body in endpoints(world):
        response = send(client_of(world, who), method, path, body)
        if (method, path) in refused_on_purpose:
            assert response.status_code in {400, 401}, (method, path, response.content)
        else:
            assert response.status_code < 300, (method, path, response.content)


def test_hostile_values_in_every_writable_field_are_refused_and_write_nothing(world):
    before = rows()
    attacked = 0
    for who, method, path, serializer, body in endpoints(world):
        client = client_of(world, who)
        for field, values in writable(serializer):
            for value in values:
                response = send(client, method, path, {**body, field: value})
                assert 400 <= response.status_code < 500, (method, path, field, value, response.content)
                assert response.json()["type"] in {"client_error", "validation_error"}
                attacked += 1
        # Hostile keys: the same refusal whatever the field.
        response = send(client, method, path, {**body, "\ud800": 1})
        assert response.status_code == 400, (method, path, response.content)
    assert attacked > 500
    assert rows() == before
    for path in ("/api/v1/reflections/", "/api/v1/pride-entries/", "/api/v1/experiments/", "/api/v1/sync/",
                 "/api/v1/me/export/", "/api/v1/progress/", "/api/v1/commitments/", "/api/v1/reminders/",
                 "/api/v1/reminders/settings/", "/api/v1/reminders/deliveries/", "/api/v1/devices/"):  # fmt: skip
        assert world.as_patient.get(path).status_code == 200, path


@pytest.mark.parametrize(
    ("body", "why"),
    [
        ('{"items": ["a\\ud800"]}', "a lone high surrogate"),
        ('{"items": ["\\udfff"]}', "a lone low surrogate"),
        ('{"items": ["a\\u0000b"]}', "a NUL"),
        ('{"items": ["a"], "note": "\\ud83d"}', "half an emoji"),
        ('{"items": ["a"], "x": NaN}', "NaN is not JSON"),
        ('{"items": ["a"], "x": Infinity}', "nor is Infinity"),
        ("[" * 1000 + "]" * 1000, "1,000 levels deep, in 2 KB"),
        ('{"items": ' + "[" * 33 + "]" * 33 + "}", "33 levels deep"),
        ('{"items": ["a"]}\xff', "not UTF-8"),
    ],
)
def test_the_parser_refuses_what_no_field_should_see(as_chef, chef, body, why):
    response = as_chef.post(
        "/api/v1/pride-entries/", data=body.encode("utf-8", "surrogatepass"), content_type="application/json"
    )
    assert response.status_code == 400, why
    assert response.json()["type"] in {"client_error", "validation_error"}
    assert as_chef.get("/api/v1/pride-entries/").json()["results"] == []
    assert as_chef.get("/api/v1/sync/").status_code == 200


def test_a_nest_of_32_is_still_json(as_chef):
    response = as_chef.post(
        "/api/v1/pride-entries/", data='{"items": ' + "[" * 31 + "]" * 31 + "}", content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == "items"  # the field refused it, not the parser


@pytest.mark.parametrize("signed_in", [True, False])
def test_a_body_over_the_upload_limit_is_a_413_before_anything_else(as_chef, anon, settings, signed_in):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    client = as_chef if signed_in else anon
    body = json.dumps({"email": "a@example.test", "password": "x" * 20_000})
    response = client.post("/api/v1/auth/token/", data=body, content_type="application/json")
    assert response.status_code == 413
    assert response.json() == {
        "type": "client_error",
        "errors": [{"code": "request_too_large", "detail": response.json()["errors"][0]["detail"], "attr": None}],
    }


def test_a_limit_counts_what_was_sent_not_what_is_left_after_trimming(as_therapist, as_chef):
    # "\x1c" is whitespace to Python: 600 of them would trim to "" and pass a 500 limit.
    response = as_therapist.post("/api/v1/invites/", {"note": "\x1c" * 600})
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "max_length"
    response = as_chef.post("/api/v1/pride-entries/", {"items": ["x" * 500 + "  "]})
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "item_too_long"


def test_an_empty_number_in_a_query_is_refused_not_defaulted(as_chef):
    response = as_chef.get("/api/v1/progress/", {"weeks": ""})
    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == "weeks"
