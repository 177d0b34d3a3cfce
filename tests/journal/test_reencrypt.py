from __future__ import annotations

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import connection

from journal.models import PrideEntry, Reflection

pytestmark = pytest.mark.django_db

OLD = "test-field-key-old-0123456789abcdef"
NEW = "test-field-key-rotated-0123456789abcdef"


def clear_key_caches():
    # Field keys are derived once per field (cached_property); settings changes need a reset.
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            for name in ("keys", "f"):
                field.__dict__.pop(name, None)


@pytest.fixture
def keys(settings):
    def use(*data_keys):
        settings.FIELD_ENCRYPTION_KEYS = list(data_keys)
        clear_key_caches()

    yield use
    clear_key_caches()


def raw(table: str, column: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table}")
        return cursor.fetchone()[0]


def test_rotation_moves_every_value_to_the_newest_key(as_chef, keys, capsys):
    keys(OLD)
    as_chef.post("/api/v1/reflections/", {"effort": "Burnt the roux, laughed"})
    as_chef.post("/api/v1/pride-entries/", {"items": ["Kept going"], "note": "small"})
    before = raw("journal_reflection", "effort")

    keys(NEW, OLD)  # new key first: old values still read
    assert Reflection.objects.get().effort == "Burnt the roux, laughed"
    call_command("reencrypt")
    assert "could not be read" in capsys.readouterr().out
    assert raw("journal_reflection", "effort") != before

    keys(NEW)  # the old key is gone: everything still reads
    assert Reflection.objects.get().effort == "Burnt the roux, laughed"
    assert PrideEntry.objects.get().items == ["Kept going"]
    assert PrideEntry.objects.get().note == "small"


def test_a_value_no_key_opens_is_reported_and_left_alone(as_chef, keys):
    keys(OLD)
    as_chef.post("/api/v1/reflections/", {"effort": "x"})
    stored = raw("journal_reflection", "effort")
    keys(NEW)
    with pytest.raises(CommandError):
        call_command("reencrypt")
    assert raw("journal_reflection", "effort") == stored


def test_a_value_no_key_opens_is_an_error_never_shown_as_text(as_chef, keys):
    from core.crypto import UndecryptableValue

    keys(OLD)
    as_chef.post("/api/v1/reflections/", {"effort": "private words"})
    keys(NEW)  # the key that wrote it is missing
    with pytest.raises(UndecryptableValue, match=r"journal\.Reflection\.effort"):
        Reflection.objects.get()
