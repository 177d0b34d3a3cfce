"""A patient's whole journey through the generated Python client, as a client team writes it.

This file is the contract from the client's side: it imports ``good_enough_client``, which
openapi-python-client generates from the served schema (``clients/python-config.yaml``), and
uses only what the generated code offers. The contract test (test_python_client.py)
generates the client, type-checks this file against it with ``mypy --strict``, and runs it
against a live server. If the schema stops saying something the server does (a header, a
typed body, a required field), this file stops type-checking or stops running.
"""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass
from typing import TypeVar

from good_enough_client import AuthenticatedClient, Client
from good_enough_client.api.auth import login, register
from good_enough_client.api.journal import (
    create_experiment,
    create_pride_entry,
    create_reflection,
    delete_experiment,
    update_pride_entry,
    update_reflection,
    upsert_pride_entry,
    upsert_reflection,
)
from good_enough_client.api.me import erase_account, export_account, get_me
from good_enough_client.api.progress import get_progress
from good_enough_client.api.sync import list_sync_changes
from good_enough_client.models import (
    CreateReflectionConflictError,
    CreateReflectionError,
    CreateReflectionErrorCode,
    EraseAccountError,
    EraseAccountErrorCode,
    ExperimentChange,
    ExperimentRequest,
    ExperimentStatusEnum,
    ExperimentWritten,
    ExportDocument,
    LoginError,
    LoginErrorCode,
    PasswordRequest,
    PatchedPrideEntryRequest,
    PatchedReflectionRequest,
    PrideEntryChange,
    PrideEntryRequest,
    PrideEntryWritten,
    ProgressReport,
    ReflectionChange,
    ReflectionRequest,
    ReflectionWritten,
    RegisterRequest,
    RoleEnum,
    SyncPage,
    TokenPair,
    TokenRequest,
    UpdatePrideEntryConflictError,
    UpsertPrideEntryError,
    UpsertPrideEntryErrorCode,
    User,
)
from good_enough_client.types import UNSET, Response

T = TypeVar("T")
R = TypeVar("R")


@dataclass
class Journey:
    """What the flow saw, for the test to check beside what the flow asserts itself."""

    user: User
    reflection: ReflectionWritten
    pride: PrideEntryWritten
    synced: dict[str, int]
    deleted_synced: int
    progress: ProgressReport
    export: ExportDocument
    content_disposition: str


def expect(response: Response[R], status: int, kind: type[T]) -> T:
    """The parsed body, typed: a status or body other than the one expected fails loudly."""
    assert response.status_code == status, (response.status_code, response.content)
    parsed = response.parsed
    assert isinstance(parsed, kind), (type(parsed), response.content)
    return parsed


def journey(base_url: str, *, email: str, password: str, today: datetime.date) -> Journey:
    anonymous = Client(base_url=base_url, raise_on_unexpected_status=True)
    user = expect(
        register.sync_detailed(
            client=anonymous,
            body=RegisterRequest(
                email=email, password=password, display_name="Sam", role=RoleEnum.PATIENT, timezone="Europe/London"
            ),
        ),
        201,
        User,
    )
    tokens = expect(
        login.sync_detailed(client=anonymous, body=TokenRequest(email=email, password=password)), 200, TokenPair
    )
    client = AuthenticatedClient(base_url=base_url, token=tokens.access, raise_on_unexpected_status=True)
    assert expect(get_me.sync_detailed(client=client), 200, User).id == user.id

    # Each kind of entry, created by the server; a reflection in the patient's own words.
    created = create_reflection.sync_detailed(
        client=client,
        body=ReflectionRequest(
            effort="Tried the new recipe even though I was nervous.",
            date=today,
            kind_words="Trying is the point.",
            mood=3,
        ),
    )
    reflection = expect(created, 201, ReflectionWritten)
    assert reflection.safety is None  # nothing in it sounds like crisis: no help block
    assert created.headers["ETag"] == f'"{reflection.version}"'
    experiment = expect(
        create_experiment.sync_detailed(
            client=client,
            body=ExperimentRequest(
                title="A new recipe, just for fun",
                worry="It will flop.",
                outcome="It flopped a bit; we ate it anyway.",
                status=ExperimentStatusEnum.TRIED,
            ),
        ),
        201,
        ExperimentWritten,
    )
    this_week = expect(
        create_pride_entry.sync_detailed(client=client, body=PrideEntryRequest(items=["Cooked", "Rested"])),
        201,
        PrideEntryWritten,
    )

    # Offline: a client-chosen id. The first PUT creates, the second (with If-Match) replaces.
    pride_id = uuid.uuid4()
    last_week = (today - datetime.timedelta(days=7)).strftime("%G-W%V")
    first = upsert_pride_entry.sync_detailed(
        pride_id, client=client, body=PrideEntryRequest(week=last_week, items=["Asked for help"])
    )
    pride = expect(first, 201, PrideEntryWritten)
    etag = first.headers["ETag"]
    replaced = upsert_pride_entry.sync_detailed(
        pride_id,
        client=client,
        body=PrideEntryRequest(week=last_week, items=["Asked for help", "Slept early", "Laughed"]),
        if_match=etag,
    )
    pride = expect(replaced, 200, PrideEntryWritten)
    assert pride.met
    assert pride.version > 1

    # A stale If-Match: a typed 412, and the entry is as it was.
    stale = expect(
        upsert_pride_entry.sync_detailed(
            pride_id, client=client, body=PrideEntryRequest(week=last_week, items=["Lost"]), if_match=etag
        ),
        412,
        UpsertPrideEntryError,
    )
    # Codes are an enum per operation: a typo here is a type error, not a silent mismatch.
    assert [error.code for error in stale.errors] == [UpsertPrideEntryErrorCode.PRECONDITION_FAILED]

    # A typed 409 naming the entry in the way, and a typed 400 naming the field.
    conflict = expect(
        create_reflection.sync_detailed(client=client, body=ReflectionRequest(effort="Again", date=today)),
        409,
        CreateReflectionConflictError,
    )
    assert conflict.existing_id == reflection.id
    assert [error.code for error in conflict.errors] == [CreateReflectionErrorCode.ALREADY_EXISTS]
    future = expect(
        create_reflection.sync_detailed(
            client=client, body=ReflectionRequest(effort="Tomorrow", date=today + datetime.timedelta(days=2))
        ),
        400,
        CreateReflectionError,
    )
    assert [(error.code, error.attr) for error in future.errors] == [(CreateReflectionErrorCode.FUTURE_DATE, "date")]

    # Moving last week's entry onto this week's: a typed 409 from a PATCH too.
    moved = expect(
        update_pride_entry.sync_detailed(pride_id, client=client, body=PatchedPrideEntryRequest(week=this_week.week)),
        409,
        UpdatePrideEntryConflictError,
    )
    assert moved.existing_id == this_week.id

    # A PATCH of the mood alone leaves the patient's own kind words alone.
    reflection = expect(
        update_reflection.sync_detailed(reflection.id, client=client, body=PatchedReflectionRequest(mood=4)),
        200,
        ReflectionWritten,
    )
    assert (reflection.mood, reflection.kind_words) == (4, "Trying is the point.")

    # A PUT of the same id changes what it sends: the words the patient chose stay, as the
    # mood does (the generated request sends no default the patient never chose).
    reflection = expect(
        upsert_reflection.sync_detailed(
            reflection.id, client=client, body=ReflectionRequest(effort="Rewritten offline", date=today)
        ),
        200,
        ReflectionWritten,
    )
    assert (reflection.effort, reflection.mood, reflection.kind_words) == (
        "Rewritten offline",
        4,
        "Trying is the point.",
    )

    # None is sent as null, and null clears a nullable field.
    reflection = expect(
        update_reflection.sync_detailed(reflection.id, client=client, body=PatchedReflectionRequest(mood=None)),
        200,
        ReflectionWritten,
    )
    assert (reflection.mood, reflection.kind_words) == (None, "Trying is the point.")

    expect(delete_experiment.sync_detailed(experiment.id, client=client), 204, type(None))

    # Sync from nothing to the end, every change typed by its kind.
    synced: dict[str, int] = {}
    deleted_synced = 0
    cursor: str | None = None
    while True:
        page = expect(
            list_sync_changes.sync_detailed(client=client, cursor=UNSET if cursor is None else cursor), 200, SyncPage
        )
        for change in page.changes:
            if isinstance(change, ReflectionChange) and change.data is not None:
                assert change.data.effort  # a Reflection, typed: no re-parsing by hand
            elif isinstance(change, PrideEntryChange) and change.data is not None:
                assert change.data.items
            elif isinstance(change, ExperimentChange) and change.deleted:
                assert change.data is None
                deleted_synced += 1
            synced[change.type_.value] = synced.get(change.type_.value, 0) + 1
        cursor = page.cursor
        if not page.has_more:
            break

    progress = expect(get_progress.sync_detailed(client=client, weeks=2), 200, ProgressReport)

    exported = export_account.sync_detailed(client=client)
    export = expect(exported, 200, ExportDocument)
    content_disposition = exported.headers["Content-Disposition"]

    # Erasure asks for the password; afterwards the account cannot log in.
    wrong = expect(
        erase_account.sync_detailed(client=client, body=PasswordRequest(password="not it")), 400, EraseAccountError
    )
    assert [error.code for error in wrong.errors] == [EraseAccountErrorCode.WRONG_PASSWORD]
    expect(erase_account.sync_detailed(client=client, body=PasswordRequest(password=password)), 204, type(None))
    gone = expect(
        login.sync_detailed(client=anonymous, body=TokenRequest(email=email, password=password)), 401, LoginError
    )
    assert [error.code for error in gone.errors] == [LoginErrorCode.NO_ACTIVE_ACCOUNT]

    return Journey(
        user=user,
        reflection=reflection,
        pride=pride,
        synced=synced,
        deleted_synced=deleted_synced,
        progress=progress,
        export=export,
        content_disposition=content_disposition,
    )
