from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.contrib.auth import authenticate
from django.http import HttpRequest

from accounts.models import User
from core.input import FIRST_YEAR, parse_day

WRONG = "That e-mail and password do not match an account. Check both and try again."
LOCKED_OUT = "Too many failed sign-ins for this e-mail from here. Try again in a quarter of an hour."
NOT_A_THERAPIST = "This sign-in is for therapists. Patients use the Good Enough app on their phone."


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
    """``YYYY-MM-DD`` in ASCII digits from 1900, as the API takes a day (``core.input.parse_day``):
    Django's own parser would read other scripts' digits and any year."""

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


class BriefSinceForm(forms.Form):
    """The brief's first day. Whether the day is too far back or still to come is care.brief's
    rule (``brief_build``): the view shows its refusal beside this field."""

    since = DayField(
        label="Start the brief on",
        required=False,
        help_text="The patient's own day, at most a year back. Empty: since the last session, or four weeks.",
        widget=forms.DateInput(attrs={"type": "date", "aria-describedby": "id_since-hint"}, format="%Y-%m-%d"),
    )
