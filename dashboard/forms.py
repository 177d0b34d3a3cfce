from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django import forms
from django.contrib.auth import authenticate
from django.http import HttpRequest
from django.utils import timezone

from accounts import two_factor
from accounts.models import User
from care.selectors import RosterQuery, RosterShow, RosterSort
from core.exceptions import DomainError
from core.input import FIRST_YEAR, parse_day

WRONG = "That e-mail and password do not match an account. Check both and try again."
LOCKED_OUT = "Too many failed sign-ins for this e-mail from here. Try again in a quarter of an hour."
NOT_A_THERAPIST = "This sign-in is for therapists. Patients write their journal at /journal/."
THROTTLED = "Too many sign-in attempts from here just now. Wait a minute, then try again."
ACCOUNT_THROTTLED = (
    "Too many failed sign-ins to this account just now, from places it has not signed in from before. "
    "Try again in an hour, or from where you usually sign in."
)
CODE_SHAPE = "A code is the six digits your app shows now, or one of your eight-letter recovery codes."
APP_CODE_SHAPE = "A code is the six digits your app shows now."
WRONG_CODE = "That code is not right. Check your app's clock is set automatically, and try the newest code."
USED_OR_WRONG = "That code is not right, or it has been used. Try the newest code from your app."
TOO_FAST = "Too many wrong codes just now. Wait a few seconds, then try the newest code from your app."
#: The code field's label on the two-step page, by the form's prefix there.
CODE_LABELS = {"recovery": "Code to make new recovery codes", "off": "Code to turn it off"}
#: What the form says for each way ``accounts.two_factor.code_verify`` refuses a code.
CODE_REFUSED = {"wrong_code": WRONG_CODE, "used_or_wrong": USED_OR_WRONG, "too_fast": TOO_FAST}


class SignInForm(forms.Form):
    """E-mail and password, checked by ``authenticate`` so that django-axes counts failures.

    A patient who gives their right password is told this page is for therapists: only
    someone who already knows the password learns the account is a patient's, and a patient
    is not left retrying a password that is right until axes locks them out.
    """

    email = forms.EmailField(label="E-mail", max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    password = forms.CharField(
        label="Password", strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )

    def __init__(self, request: HttpRequest, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.request = request
        self.user: User | None = None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        email, password = data.get("email"), data.get("password")
        if not email or not password:
            return data  # the field's own error says what is missing
        user = authenticate(self.request, email=email, password=password)
        if user is None:
            if getattr(self.request, "axes_locked_out", False):
                raise forms.ValidationError(LOCKED_OUT, code="locked_out")
            raise forms.ValidationError(WRONG, code="wrong_credentials")
        assert isinstance(user, User)
        if not user.is_therapist:
            raise forms.ValidationError(NOT_A_THERAPIST, code="not_a_therapist")
        self.user = user
        return data


class DayField(forms.DateField):
    """``YYYY-MM-DD`` in ASCII digits from ``FIRST_YEAR`` on, as the API takes a day
    (``core.input.parse_day``): Django's own parser would also read other scripts' digits,
    "11/20/26" and any year. Every day a dashboard form asks for is one of these."""

    widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    default_error_messages = {"invalid": f"A date as YYYY-MM-DD, from {FIRST_YEAR} on."}

    def to_python(self, value: Any) -> date | None:
        if value in self.empty_values:
            return None
        if not isinstance(value, str):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        try:
            return parse_day(value.strip())
        except ValueError:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None


#: The roster's two layouts: a compact table (a row a patient) and the cards.
ROSTER_VIEWS = {"table": "Table", "cards": "Cards"}
ROSTER_VIEW_KEY = "roster_view"  # the cookie that remembers the layout
#: Longest search taken: a name is at most 100 characters.
ROSTER_SEARCH_MAX = 100


class RosterForm(forms.Form):
    """The roster's search, filter, order, page and layout: all in the address, so a view can
    be bookmarked, shared between tabs, and gone back to. Empty fields are the defaults."""

    q = forms.CharField(label="Find a patient", required=False, max_length=ROSTER_SEARCH_MAX)
    show = forms.ChoiceField(label="Show", required=False, choices=RosterShow.choices)
    sort = forms.ChoiceField(label="Order by", required=False, choices=RosterSort.choices)
    page = forms.IntegerField(required=False, min_value=1, max_value=10_000)
    view = forms.ChoiceField(required=False, choices=list(ROSTER_VIEWS.items()))

    def query(self) -> RosterQuery:
        """What to read: the valid fields as asked, any other field its default."""
        data = self.cleaned_data if self.is_bound else {}
        return RosterQuery(
            search=data.get("q") or "",
            show=data.get("show") or RosterShow.ALL,
            sort=data.get("sort") or RosterSort.LOOK,
            page=data.get("page") or 1,
        )


class BriefSinceForm(forms.Form):
    """The brief's first day. Whether the day is too far back or still to come is care.brief's
    rule (``brief_build``): the view shows its refusal beside this field."""

    since = DayField(
        label="Start the brief on",
        required=False,
        help_text="The patient's own day, at most a year back. Empty: since the last session, or four weeks.",
        widget=forms.DateInput(attrs={"type": "date", "aria-describedby": "id_since-hint"}, format="%Y-%m-%d"),
    )


#: How a browser's ``datetime-local`` sends a moment: no seconds, no zone (the page says whose).
LOCAL_MOMENT = "%Y-%m-%dT%H:%M"


class LocalMomentField(forms.DateTimeField):
    """A day and time as the browser's picker sends it, in ASCII digits (``strptime`` reads
    any script's: fullwidth or Arabic-Indic digits would pass)."""

    def to_python(self, value: Any) -> datetime | None:
        if isinstance(value, str) and not value.isascii():
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return super().to_python(value)


class NextSessionForm(forms.Form):
    """When the therapist meets the patient next, on the therapist's own clock: the page is in
    their zone (``therapist_required``), and Django reads the time in it. Whether it is past
    or too far ahead is care's rule (``next_session_set``): the view shows its refusal here."""

    at = LocalMomentField(
        label="Next session",
        input_formats=[LOCAL_MOMENT],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=LOCAL_MOMENT),
        error_messages={
            "required": "Choose the day and time you meet next.",
            "invalid": "A day and a time, such as 8 December, 10:00.",
        },
    )


def next_session_form(*, at: datetime | None, now: datetime) -> NextSessionForm:
    """The form as the patient's page shows it: the time set, if any, in the page's zone, and no
    moment before now offered by the browser's picker (the service refuses one all the same)."""
    form = NextSessionForm(initial={"at": timezone.localtime(at) if at else None})
    form.fields["at"].widget.attrs["min"] = timezone.localtime(now).strftime(LOCAL_MOMENT)
    return form


class CodeForm(forms.Form):
    """A code from the therapist's authenticator app, or (where ``recovery``) one of their
    recovery codes, checked against the one device its shape belongs to.

    Run it inside a transaction: the device is locked while its code is checked, so that two
    requests cannot both spend one recovery code. A wrong code counts on the device's own
    throttle (django-otp's); the view counts it towards the sign-in lockout as well.
    """

    code = forms.CharField(
        label="Code",
        max_length=40,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autocapitalize": "none", "spellcheck": "false"}
        ),
    )

    def __init__(
        self, *args: Any, user: User, recovery: bool = True, device: two_factor.Device | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.recovery = recovery
        self.given_device = device
        self.device: two_factor.Device | None = None
        self.fields["code"].help_text = (
            "The six digits your authenticator app shows now, or a recovery code."
            if recovery
            else "The six digits your authenticator app shows now."
        )
        # A page with two code fields (the two-step page) labels each by what it is for: a
        # screen reader lists fields by their labels.
        self.fields["code"].label = CODE_LABELS.get(self.prefix or "", "Code")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        code = data.get("code")
        if not code:
            return data  # the field's own error says what is missing
        try:
            self.device = two_factor.code_verify(
                user=self.user, code=code, recovery=self.recovery, device=self.given_device
            )
        except two_factor.CodeRefused as refused:
            if refused.code == "code_shape":
                self.add_error("code", forms.ValidationError(self.shape_message, code="code_shape"))
            else:
                raise forms.ValidationError(CODE_REFUSED[refused.code], code=refused.code) from None
        return data

    @property
    def shape_message(self) -> str:
        return CODE_SHAPE if self.recovery else APP_CODE_SHAPE


def refusal_shown(form: forms.Form, refused: DomainError) -> None:
    """A service's refusal on the page: beside the field it names, or above the form when the
    form has no such field. Every service refuses with a ``DomainError`` (``core.exceptions``),
    so this is the one way a page shows one."""
    field = refused.attr if refused.attr in form.fields else None
    form.add_error(field, forms.ValidationError(refused.detail, code=refused.code))


RESET_THROTTLED = "Too many requests for a new password just now. Wait a while, then try again."
LINK_NOT_VALID = "This link to set a new password does not work any more: it was used, or it ran out."


class PasswordForgottenForm(forms.Form):
    email = forms.EmailField(label="E-mail", max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"}))


class NewPasswordForm(forms.Form):
    """The new password twice; Django's validators run in the service, on the account's own data."""

    new_password = forms.CharField(
        label="New password",
        strip=False,
        max_length=128,
        help_text="At least ten characters, not a common one, not like your name or e-mail.",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    again = forms.CharField(
        label="The new password again",
        strip=False,
        max_length=128,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("new_password") and data.get("again") and data["new_password"] != data["again"]:
            self.add_error("again", forms.ValidationError("The two passwords differ.", code="password_mismatch"))
        return data
