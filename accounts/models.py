from __future__ import annotations

import functools
import hashlib
import hmac
import importlib.resources
import secrets
import uuid
import zoneinfo
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import AnonymousUser, PermissionsMixin
from django.contrib.sessions.base_session import AbstractBaseSession
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone as django_timezone
from django_otp.models import Device, ThrottlingMixin, TimestampMixin
from django_otp.plugins.otp_totp.models import TOTPDevice, default_key

from core.crypto import EncryptedTextField

INVITE_LIFETIME = timedelta(days=7)
INVITE_NOTE_MAX_LENGTH = 500


def validate_timezone(value: str) -> None:
    if value not in available_timezones():
        raise ValidationError(
            "%(value)s is not an IANA time zone name such as Europe/Paris.",
            code="unknown_timezone",
            params={"value": value},
        )


def validate_password(password: str, *, user: User, field: str) -> None:
    """Django's password validators (``AUTH_PASSWORD_VALIDATORS``), their refusals named after
    ``field`` (``password`` at registration, ``new_password`` when it changes)."""
    try:
        password_validation.validate_password(password, user=user)
    except ValidationError as error:
        raise ValidationError({field: error.error_list}) from None


#: Files of the tz database that are not zones: "localtime" means whatever zone the server
#: is in, "posixrules" is a template, "Factory" names no place.
NOT_ZONES = frozenset({"localtime", "posixrules", "Factory"})


@functools.cache
def available_timezones() -> frozenset[str]:
    """The IANA zone names a user may pick (read from disk once: it scans the tz database)."""
    return frozenset(zoneinfo.available_timezones()) - NOT_ZONES


def _tz_table(name: str) -> list[list[str]]:
    """The rows of one of the tz database's tables, from the pinned ``tzdata`` package (the same
    on every machine, unlike the system's /usr/share/zoneinfo)."""
    text = importlib.resources.files("tzdata.zoneinfo").joinpath(name).read_text(encoding="utf-8")
    return [line.split("\t") for line in text.splitlines() if line and not line.startswith("#")]


@functools.cache
def countries() -> dict[str, str]:
    """ISO 3166-1 alpha-2 code -> the country's name, as the tz database spells it."""
    return {row[0]: row[1] for row in _tz_table("iso3166.tab")}


@functools.cache
def _zone_countries() -> dict[str, str]:
    """Each zone's country, old names too: ``zone.tab`` lists the canonical zones, and the
    database's links (``L Asia/Kolkata Asia/Calcutta`` in ``tzdata.zi``) give the names a browser
    may still report ("Asia/Calcutta", "US/Eastern") the country of the zone they stand for."""
    found = {row[2]: row[0] for row in _tz_table("zone.tab")}
    compiled = importlib.resources.files("tzdata.zoneinfo").joinpath("tzdata.zi").read_text(encoding="utf-8")
    for line in compiled.splitlines():
        if line.startswith("L "):
            _, target, name = line.split()
            if target in found:
                found.setdefault(name, found[target])
    return found


def zone_country(zone: str) -> str | None:
    """The country a time zone is in ("Europe/Madrid" -> "ES"), or None for one that is in none
    ("UTC", "Etc/GMT+5"). A zone shared by several countries gives the one the tz database names."""
    return _zone_countries().get(zone)


def validate_country(value: str) -> None:
    if value not in countries():
        raise ValidationError(
            "%(value)s is not a two-letter country code such as GB.", code="unknown_country", params={"value": value}
        )


class Role(models.TextChoices):
    PATIENT = "patient", "Patient"
    THERAPIST = "therapist", "Therapist"


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def get_by_natural_key(self, email: str | None) -> User:
        # E-mail addresses are unique ignoring case, so logging in ignores case too.
        return self.get(email__iexact=email)

    def create_user(self, email: str, password: str | None = None, **fields: Any) -> User:
        if not email:
            raise ValueError("A user needs an e-mail address.")
        user = self.model(email=self.normalize_email(email), **fields)
        user.set_password(password)
        # The unique e-mail index is the database's to enforce (a check here would race anyway):
        # user_register turns its IntegrityError into ``email_taken``.
        user.full_clean(validate_constraints=False)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields: Any) -> User:
        fields.update(is_staff=True, is_superuser=True)
        fields.setdefault("role", Role.THERAPIST)
        fields.setdefault("display_name", "Admin")
        return self.create_user(email, password, **fields)

    def patients_of(self, therapist: User) -> models.QuerySet[User]:
        """The patients a therapist may reach now: the patient ends of ``CareLink.objects.door``.

        Every view and task that acts for a therapist starts from it (or from the selectors
        in ``accounts.selectors`` built on the same door), never from a patient id alone.
        """
        return self.filter(pk__in=CareLink.objects.door(therapist).values("patient_id"))


# django-stubs cannot type the reverse managers of django-otp's (untyped) Device.user on our devices.
class User(AbstractBaseUser, PermissionsMixin):  # type: ignore[django-manager-missing]
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    email = models.EmailField(max_length=254)
    display_name = models.CharField(max_length=100)
    role = models.CharField(max_length=16, choices=Role.choices)
    timezone = models.CharField(max_length=64, default="UTC", validators=[validate_timezone])
    #: Where the user is, for the crisis resources they are shown; blank: the time zone's country.
    country = models.CharField(max_length=2, blank=True, default="", validators=[validate_country])
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=django_timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["display_name"]

    class Meta:
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_unique_ignoring_case"),
            models.CheckConstraint(condition=Q(role__in=Role.values), name="user_role_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.display_name} <{self.email}>"

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)

    @property
    def country_in_effect(self) -> str | None:
        """The country chosen, else the time zone's: a patient in Europe/Madrid who chose
        nothing is shown Spain's crisis lines."""
        return self.country or zone_country(self.timezone)

    @property
    def is_therapist(self) -> bool:
        return self.role == Role.THERAPIST


#: An invite code's letters: digits and capitals without the ones read or typed for another
#: (0 and O, 1, I and L), so a code read aloud or off a screen is typed right.
INVITE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
#: Three groups of four (``K7QX-M3PD-R8TW``): 31^12, about 2^59 codes, far beyond guessing a
#: single-use code that lives a week, even before the join throttle; short enough to read out.
INVITE_GROUPS, INVITE_GROUP_LENGTH = 3, 4


def hash_invite_code(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def invite_code_normalised(code: str) -> str:
    """A code as typed, the way it is kept: capitals, without the dashes and spaces between its
    groups (``k7qx m3pd-r8tw`` is ``K7QXM3PDR8TW``)."""
    return "".join(character for character in code.upper() if character.isalnum())


class InviteQuerySet(models.QuerySet["Invite"]):
    def joinable(self, *, now: datetime) -> InviteQuerySet:
        """Invites a patient could still join with: unused, not cancelled, not expired. The
        rows ``Invite.problem`` finds no problem with, asked of the database."""
        return self.filter(used_at__isnull=True, cancelled_at__isnull=True, expires_at__gt=now)

    def with_code(self, code: str) -> InviteQuerySet:
        """The invite a code opens, however it is typed; a code made before the short codes
        (27 characters, case matters) is still found as it was written."""
        hashes = {hash_invite_code(invite_code_normalised(code)), hash_invite_code(code.strip())}
        return self.filter(code_hash__in=hashes)


class Invite(models.Model):
    """A single-use code a therapist hands a patient to link them.

    Only a hash of the code is stored: a copy of the database does not hold codes that work.
    """

    class Problem(models.TextChoices):
        UNKNOWN = "invite_unknown", "This invite code is not known."
        USED = "invite_used", "This invite code has already been used."
        EXPIRED = "invite_expired", "This invite code has expired; ask your therapist for a new one."
        CANCELLED = "invite_cancelled", "This invite code was cancelled by your therapist; ask them for a new one."

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    therapist = models.ForeignKey(User, on_delete=models.CASCADE, related_name="invites")
    code_hash = models.CharField(max_length=64, unique=True, editable=False)
    note = EncryptedTextField(blank=True, null=True)
    created_at = models.DateTimeField(default=django_timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    used_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    #: When the therapist took the invite back (a code given to the wrong person, or lost):
    #: it is refused at join from then on, with its own answer rather than "unknown".
    cancelled_at = models.DateTimeField(null=True, blank=True)

    objects = InviteQuerySet.as_manager()

    def __str__(self) -> str:
        return f"invite by {self.therapist_id} expiring {self.expires_at:%Y-%m-%d}"

    @staticmethod
    def new_code() -> str:
        """A code to hand over: ``INVITE_GROUPS`` groups of letters from ``INVITE_ALPHABET``."""
        groups = (
            "".join(secrets.choice(INVITE_ALPHABET) for _ in range(INVITE_GROUP_LENGTH)) for _ in range(INVITE_GROUPS)
        )
        return "-".join(groups)

    def problem(self, *, now: datetime) -> Invite.Problem | None:
        if self.used_at is not None:
            return Invite.Problem.USED
        if self.cancelled_at is not None:
            return Invite.Problem.CANCELLED
        if now >= self.expires_at:
            return Invite.Problem.EXPIRED
        return None


class CareLinkQuerySet(models.QuerySet["CareLink"]):
    def active(self) -> CareLinkQuerySet:
        return self.filter(status=CareLink.Status.ACTIVE)

    def of(self, user: User) -> CareLinkQuerySet:
        """The links a user is a side of, whatever their role."""
        return self.filter(Q(patient=user) | Q(therapist=user))

    def door(self, therapist: User | AnonymousUser) -> CareLinkQuerySet:
        """The one door from a therapist to a patient: the therapist's active links, each with
        a therapist at one end and a patient at the other. A caller who is not a signed-in
        therapist reaches nobody, and a link row with the roles wrong opens nothing.

        At most one active link joins a pair (a unique constraint), so no patient comes twice.
        """
        if not therapist.is_authenticated or therapist.role != Role.THERAPIST:
            return self.none()
        return self.active().filter(therapist=therapist, patient__role=Role.PATIENT)


class CareLink(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        ENDED = "ended", "Ended"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # A therapist who erases their account leaves the patient's record of the link, ended.
    therapist = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="care_links_as_therapist")
    patient = models.ForeignKey(User, on_delete=models.CASCADE, related_name="care_links_as_patient")
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.ACTIVE)
    share_entries = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=django_timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    # The patient's name when the link ended: all a former therapist still sees of them.
    patient_name_at_end = models.CharField(max_length=100, blank=True, default="")
    #: When the therapist and the patient meet next, as the therapist set it (``care``'s to
    #: change); None when no session is planned. The roster sorts by it, the brief reads up to it.
    next_session_at = models.DateTimeField(null=True, blank=True)

    objects = CareLinkQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["therapist", "patient"],
                condition=Q(status="active"),
                name="care_link_one_active_per_pair",
            ),
            models.CheckConstraint(
                condition=Q(status="active", ended_at__isnull=True) | Q(status="ended", ended_at__isnull=False),
                name="care_link_ended_at_matches_status",
            ),
        ]
        indexes = [models.Index(fields=["therapist", "status"], name="care_link_therapist_status")]

    def __str__(self) -> str:
        return f"{self.therapist_id} -> {self.patient_id} ({self.status})"

    def patient_name_for(self, viewer_id: uuid.UUID | None) -> str:
        """The patient's name as ``viewer_id`` may see it: a former therapist sees the link
        frozen as it ended, nothing the patient changed afterwards."""
        if self.status == CareLink.Status.ENDED and viewer_id != self.patient_id:
            return self.patient_name_at_end
        return self.patient.display_name


# Importable for drf-spectacular's ENUM_NAME_OVERRIDES (it cannot reach nested classes).
CARE_LINK_STATUS_CHOICES = CareLink.Status.choices


# --- The second factor (rules in accounts.two_factor) -------------------------------------------
#
# django-otp's own TOTP and static-token devices keep their secrets as plain text (the app's key
# in hex, each recovery code as typed), and offer no hook to encrypt them. These two devices are
# theirs with the secret in an encrypted column, under the data keys like every other stored
# secret (so ``manage.py reencrypt`` rotates them too). django-otp finds them as it finds its
# own (any ``Device`` model), and keeps their throttling and last-use times.


class AuthenticatorApp(TimestampMixin, ThrottlingMixin, Device):  # type: ignore[misc]  # django-otp is untyped
    """django-otp's ``TOTPDevice``, its key encrypted. The TOTP check itself is django-otp's own
    code, borrowed below rather than copied: only where the key lives differs."""

    key = EncryptedTextField(default=default_key)  # hex, 20 random bytes, as TOTPDevice's
    step = models.PositiveSmallIntegerField(default=30)
    t0 = models.BigIntegerField(default=0)
    digits = models.PositiveSmallIntegerField(choices=[(6, 6), (8, 8)], default=6)
    tolerance = models.PositiveSmallIntegerField(default=1)
    drift = models.SmallIntegerField(default=0)
    last_t = models.BigIntegerField(default=-1)  # the time step of the last code accepted: none twice

    # TOTPDevice's methods read only the fields above (and django-otp's settings), so they work
    # unchanged on this model: the code check, the throttle factor, the otpauth:// address.
    bin_key = TOTPDevice.bin_key
    verify_token = TOTPDevice.verify_token
    get_throttle_factor = TOTPDevice.get_throttle_factor
    config_url = TOTPDevice.config_url
    _read_str_from_settings = TOTPDevice._read_str_from_settings

    class Meta(Device.Meta):  # type: ignore[misc]
        verbose_name = "authenticator app"


class RecoveryCodes(TimestampMixin, ThrottlingMixin, Device):  # type: ignore[misc]  # django-otp is untyped
    """django-otp's ``StaticDevice`` and its ``StaticToken`` rows in one row: the codes left,
    encrypted together. Each works once; a wrong one counts on the device's throttle."""

    codes = EncryptedTextField(null=True, blank=True)  # the unused codes, space-separated

    class Meta(Device.Meta):  # type: ignore[misc]
        verbose_name = "recovery codes"
        verbose_name_plural = "recovery codes"

    def codes_left(self) -> list[str]:
        return (self.codes or "").split()

    def get_throttle_factor(self) -> int:
        return int(getattr(settings, "OTP_STATIC_THROTTLE_FACTOR", 1))

    def verify_token(self, token: str) -> bool:
        # StaticDevice.verify_token, with the codes in this row rather than a row each. Every
        # code is compared, in constant time, so the time taken tells nothing of a near miss.
        allowed, _ = self.verify_is_allowed()
        if not allowed:
            return False
        left = self.codes_left()
        matches = [code for code in left if hmac.compare_digest(code, token)]
        if not matches:
            self.throttle_increment()
            return False
        left.remove(matches[0])
        self.codes = " ".join(left)
        self.throttle_reset(commit=False)  # pragma: no mutate (commit=True only adds a save before the one below)
        self.set_last_used_timestamp(commit=False)  # pragma: no mutate (the same)
        self.save()
        return True


class UserSession(AbstractBaseSession):
    """A dashboard session, with the user it signs in (Django's own session rows say it only
    inside their encrypted data), so that signing out everywhere and a new password can end
    every session of one user. ``accounts.sessions`` writes ``user_id``; it is not a foreign key,
    as in Django's own example of this: a session saved by a request that raced the user's
    erasure must not fail that request."""

    user_id = models.UUIDField(null=True, db_index=True)

    @classmethod
    def get_session_store_class(cls) -> type[Any]:
        from accounts.sessions import SessionStore  # the store imports this model

        return SessionStore
