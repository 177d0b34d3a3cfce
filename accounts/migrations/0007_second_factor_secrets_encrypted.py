"""Move every enrolment from django-otp's plaintext devices into ours, whose secrets are
encrypted (``accounts.models.AuthenticatorApp``, ``RecoveryCodes``), and delete the plaintext
rows. Each keeps its user, name, confirmation, throttle and TOTP state, so every therapist
signs in with the same app and the same unused recovery codes as before. (A dashboard session
verified before the move is asked for a code once more: django-otp remembers the device by its
model's name.)

Reversible: going back writes the secrets into django-otp's rows again, in plain text.
"""

from django.db import migrations

TIMES = ("throttling_failure_timestamp", "throttling_failure_count", "created_at", "last_used_at")
TOTP_STATE = ("key", "step", "t0", "digits", "tolerance", "drift", "last_t")


def _copy(source, target_model, **fields):
    target = target_model.objects.create(
        user_id=source.user_id,
        name=source.name,
        confirmed=source.confirmed,
        **{name: getattr(source, name) for name in TIMES if name != "created_at"},
        **fields,
    )
    # created_at is auto_now_add, which create() would overwrite with now.
    target_model.objects.filter(pk=target.pk).update(created_at=source.created_at)


def encrypt_second_factors(apps, schema_editor):
    TOTPDevice = apps.get_model("otp_totp", "TOTPDevice")
    StaticDevice = apps.get_model("otp_static", "StaticDevice")
    AuthenticatorApp = apps.get_model("accounts", "AuthenticatorApp")
    RecoveryCodes = apps.get_model("accounts", "RecoveryCodes")
    for device in TOTPDevice.objects.all():
        _copy(device, AuthenticatorApp, **{name: getattr(device, name) for name in TOTP_STATE})
    for device in StaticDevice.objects.all():
        codes = " ".join(device.token_set.values_list("token", flat=True))
        _copy(device, RecoveryCodes, codes=codes)
    TOTPDevice.objects.all().delete()
    StaticDevice.objects.all().delete()  # and their tokens, which cascade


def decrypt_second_factors(apps, schema_editor):
    TOTPDevice = apps.get_model("otp_totp", "TOTPDevice")
    StaticDevice = apps.get_model("otp_static", "StaticDevice")
    StaticToken = apps.get_model("otp_static", "StaticToken")
    AuthenticatorApp = apps.get_model("accounts", "AuthenticatorApp")
    RecoveryCodes = apps.get_model("accounts", "RecoveryCodes")
    for device in AuthenticatorApp.objects.all():
        _copy(device, TOTPDevice, **{name: getattr(device, name) for name in TOTP_STATE})
    for device in RecoveryCodes.objects.all():
        static = StaticDevice.objects.create(user_id=device.user_id, name=device.name, confirmed=device.confirmed)
        StaticToken.objects.bulk_create(StaticToken(device=static, token=code) for code in (device.codes or "").split())
    AuthenticatorApp.objects.all().delete()
    RecoveryCodes.objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0006_second_factor_devices"),
        ("otp_totp", "0003_add_timestamps"),
        ("otp_static", "0003_add_timestamps"),
    ]

    operations = [migrations.RunPython(encrypt_second_factors, decrypt_second_factors, elidable=False)]
