"""Each key rotates on its own, and everything written before still reads.

The data keys (``FIELD_ENCRYPTION_KEYS``) encrypt stored text; ``SECRET_KEY`` signs Django's
sessions; ``JWT_SIGNING_KEY`` signs the API's tokens (its rotation, and the tokens' indifference
to ``SECRET_KEY``, are in test_settings.py: simplejwt reads its key once per process).
"""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection
from rest_framework.test import APIClient

from accounts import two_factor
from core import crypto
from journal.models import Reflection
from seeds import personas
from tests.dashboard.conftest import NOW, get, signed_in
from tests.helpers import totp_code
from tests.journal.test_reencrypt import clear_key_caches, raw

pytestmark = pytest.mark.django_db

OLD_SECRET = "the-secret-key-before-the-leak-0123456789abcdefghijklmnopqrstuvwxyz"
NEW_SECRET = "the-secret-key-after-the-leak-9876543210zyxwvutsrqponmlkjihgfedcba"
NEW_DATA_KEY = "a-data-key-from-this-year-0123456789abcdef"


def signs_in(user, code: str, at) -> bool:
    """The API's log-in with the therapist's password and a second-factor code, at ``at``."""
    body = {"email": user.email, "password": personas.THERAPIST.password, "code": code}
    with time_machine.travel(at, tick=False):
        return APIClient().post("/api/v1/auth/token/", body, format="json").status_code == 200


@pytest.fixture
def rotate(settings):
    """Change key settings as a deployment would (a restart derives the field keys afresh)."""
    settings.SECRET_KEY = OLD_SECRET
    settings.SECRET_KEY_FALLBACKS = []
    clear_key_caches()

    def use(**values):
        for name, value in values.items():
            setattr(settings, name, value)
        clear_key_caches()

    yield use
    clear_key_caches()


def test_a_journal_survives_secret_key_being_replaced_outright(as_chef, rotate):
    as_chef.post("/api/v1/reflections/", {"effort": "Burnt the roux, laughed"})
    rotate(SECRET_KEY=NEW_SECRET, SECRET_KEY_FALLBACKS=[])  # leaked: gone, not kept as a fallback
    assert Reflection.objects.get().effort == "Burnt the roux, laughed"


def test_text_from_before_the_data_keys_stood_alone_reads_until_reencrypt_moves_it(as_chef, settings, rotate):
    as_chef.post("/api/v1/reflections/", {"effort": "placeholder"})
    # As the library wrote it: under a key derived from SECRET_KEY and the first data key.
    library_key = crypto._derived(OLD_SECRET, settings.FIELD_ENCRYPTION_KEYS[0].encode())
    legacy = Fernet(library_key).encrypt(b"Written last year").decode()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE journal_reflection SET effort = %s", [legacy])
    assert Reflection.objects.get().effort == "Written last year"

    rotate(SECRET_KEY=NEW_SECRET, SECRET_KEY_FALLBACKS=[OLD_SECRET])  # the old one a fallback
    assert Reflection.objects.get().effort == "Written last year"

    call_command("reencrypt")
    assert raw("journal_reflection", "effort") != legacy
    # Finished: the old SECRET_KEY dropped, the library's keys off; the text reads as before.
    rotate(SECRET_KEY_FALLBACKS=[], FIELD_ENCRYPTION_LEGACY_KEYS=False)
    assert Reflection.objects.get().effort == "Written last year"


def test_legacy_text_is_unreadable_once_the_legacy_keys_are_off_before_reencrypt(as_chef, settings, rotate):
    # The switch does something: it is what keeps text from before readable until reencrypt.
    as_chef.post("/api/v1/reflections/", {"effort": "placeholder"})
    library_key = crypto._derived(OLD_SECRET, settings.FIELD_ENCRYPTION_KEYS[0].encode())
    with connection.cursor() as cursor:
        cursor.execute("UPDATE journal_reflection SET effort = %s", [Fernet(library_key).encrypt(b"x").decode()])
    rotate(FIELD_ENCRYPTION_LEGACY_KEYS=False)
    with pytest.raises(crypto.UndecryptableValue):
        Reflection.objects.get()


def test_a_dashboard_session_signed_before_secret_key_rotated_stays_signed_in(rotate, therapist):
    with time_machine.travel(NOW, tick=False):
        visits, stays_away = (signed_in(personas.THERAPIST.email, personas.THERAPIST.password) for _ in range(2))
    rotate(SECRET_KEY=NEW_SECRET, SECRET_KEY_FALLBACKS=[OLD_SECRET])
    assert get(visits, "/app/").status_code == 200  # and Django re-signs the session with the new key
    rotate(SECRET_KEY_FALLBACKS=[])
    assert get(visits, "/app/").status_code == 200
    assert get(stays_away, "/app/").status_code == 302  # signed only with the dropped key: signed out


def test_rotating_the_data_keys_keeps_journals_and_second_factors_readable(as_chef, therapist, settings, rotate):
    old_keys = list(settings.FIELD_ENCRYPTION_KEYS)
    as_chef.post("/api/v1/reflections/", {"effort": "Burnt the roux, laughed"})
    app = two_factor.enrolment_start(user=therapist)
    codes = two_factor.enrolment_confirm(device=app)
    stored_key = raw("accounts_authenticatorapp", "key")
    stored_codes = raw("accounts_recoverycodes", "codes")

    rotate(FIELD_ENCRYPTION_KEYS=[NEW_DATA_KEY, *old_keys])  # a new data key first
    assert Reflection.objects.get().effort == "Burnt the roux, laughed"
    assert signs_in(therapist, totp_code(app, NOW), NOW)

    call_command("reencrypt")
    assert raw("accounts_authenticatorapp", "key") != stored_key
    assert raw("accounts_recoverycodes", "codes") != stored_codes

    rotate(FIELD_ENCRYPTION_KEYS=[NEW_DATA_KEY], FIELD_ENCRYPTION_LEGACY_KEYS=False)  # the old keys gone
    assert Reflection.objects.get().effort == "Burnt the roux, laughed"
    later = NOW + timedelta(seconds=60)
    assert signs_in(therapist, totp_code(app, later), later)
    assert signs_in(therapist, codes[0], later + timedelta(seconds=1))
    assert two_factor.recovery_codes_left(therapist) == two_factor.RECOVERY_CODE_COUNT - 1
