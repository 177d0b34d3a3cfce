"""Signing in and out of the dashboard, and the second factor's pages.

Sign-in is two steps for a therapist who has enrolled a second factor: the password, then a
code. Between the two the session holds only who is half-way (``PENDING``); it is not signed
in, so no page opens, and django-axes' count of failures is not reset by a right password
alone. Every POST of either step, and of the two-step pages that take a code, first draws on
the API login's limits (one budget per address, one bound per account that spares addresses
the account signed in from: ``accounts.auth.login_try_refused``); a wrong code counts as a
failed log-in, so five wrong codes lock the e-mail out from that address as five wrong
passwords do, and each counts toward the account's bound.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib.auth import login, logout
from django.contrib.auth.signals import user_login_failed
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login

from accounts import two_factor
from accounts.auth import known_device_mark, login_try_refused
from accounts.models import User
from dashboard import qr
from dashboard.forms import ACCOUNT_THROTTLED, LOCKED_OUT, THROTTLED, CodeForm, SignInForm
from dashboard.password_views import PASSWORD_SET
from dashboard.views import _therapist, page_to_return_to, therapist_required

#: The session key that holds a sign-in waiting for its code: the user, when, and where to.
PENDING = "dashboard_sign_in_pending"
#: Long enough to find the phone; a half-way session left on a shared computer goes stale.
PENDING_FOR = timedelta(minutes=10)


def _next_page(request: HttpRequest) -> str:
    """Where to go after signing in: a dashboard page asked for (``views.page_to_return_to``:
    never another site, nor a page that answers only a POST), else the roster."""
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    return page_to_return_to(request, wanted) or reverse("dashboard:roster")


def _refusal(request: HttpRequest, *, email: str | None, now: datetime) -> str | None:
    """What to say when the log-in limits refuse this try before its password or code is
    looked at (the try then tells the caller nothing), or ``None`` to go ahead."""
    refused = login_try_refused(request, email=email, now=now)
    if refused is None:
        return None
    return ACCOUNT_THROTTLED if refused.account else THROTTLED


def _sign_in_page(request: HttpRequest, form: SignInForm, *, status: int = 200, problem: str = "") -> HttpResponse:
    context = {
        "form": form,
        "next": _next_page(request),
        "problem": problem,
        "password_set": bool(request.GET.get(PASSWORD_SET)),
    }
    return render(request, "dashboard/sign_in.html", context, status=status)


@require_http_methods(["GET", "POST"])
def sign_in(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    if request.method == "POST":
        email = request.POST.get("email")
        if problem := _refusal(request, email=email, now=now):
            return _sign_in_page(request, SignInForm(request, initial={"email": email}), status=429, problem=problem)
    form = SignInForm(request, data=request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        assert form.user is not None
        if two_factor.is_enrolled(form.user):
            # A new, empty session: one fixed before sign-in, or someone else's left signed in
            # on this browser, carries nothing into the half-way state.
            request.session.flush()
            request.session[PENDING] = {
                "user": str(form.user.pk),
                "backend": form.user.backend,  # set by authenticate(), as login() needs it
                "at": now.isoformat(),
                "next": _next_page(request),
            }
            return redirect("dashboard:sign-in-code")
        login(request, form.user)  # a new session key: a session fixed before sign-in is worthless
        response = redirect(_next_page(request))
        known_device_mark(response, email=form.user.email)
        return response
    if getattr(request, "axes_locked_out", False):
        return _sign_in_page(request, form, status=429)
    # A form sent back with its problem is a 400, as the code step's is: bad input is a 4xx.
    return _sign_in_page(request, form, status=400 if request.method == "POST" else 200)


def _pending(request: HttpRequest, *, now: datetime) -> tuple[User, str, str] | None:
    """The therapist half-way through signing in on this session, and where they go next."""
    pending = request.session.get(PENDING)
    if not isinstance(pending, dict):
        return None
    since = parse_datetime(str(pending.get("at", "")))
    if since is None or not (now - PENDING_FOR <= since <= now):
        return None
    backend = pending.get("backend")
    if backend not in settings.AUTHENTICATION_BACKENDS:
        return None
    try:
        user_id = uuid.UUID(str(pending.get("user")))
    except ValueError:
        return None
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or not user.is_therapist:
        return None
    return user, backend, str(pending.get("next") or reverse("dashboard:roster"))


def _code_page(request: HttpRequest, form: CodeForm, *, status: int = 200, problem: str = "") -> HttpResponse:
    return render(request, "dashboard/sign_in_code.html", {"form": form, "problem": problem}, status=status)


def _locked_out_page(request: HttpRequest) -> HttpResponse:
    request.session.pop(PENDING, None)
    return _sign_in_page(request, SignInForm(request), status=429, problem=LOCKED_OUT)


@require_http_methods(["GET", "POST"])
def sign_in_code(request: HttpRequest) -> HttpResponse:
    """The second step: a code from the app, or a recovery code, for the password given."""
    now = timezone.now()
    pending = _pending(request, now=now)
    if pending is None:
        request.session.pop(PENDING, None)
        return redirect("dashboard:sign-in")
    user, backend, next_page = pending
    if request.method == "GET":
        return _code_page(request, CodeForm(user=user))
    credentials = {"email": user.email}
    if problem := _refusal(request, email=user.email, now=now):
        return _code_page(request, CodeForm(user=user), status=429, problem=problem)
    if AxesProxyHandler.is_locked(request, credentials):
        return _locked_out_page(request)
    with transaction.atomic():
        form = CodeForm(request.POST, user=user)
        right = form.is_valid()
    if right:
        del request.session[PENDING]
        login(request, user, backend=backend)  # resets django-axes' count of failures for this address and e-mail
        otp_login(request, form.device)
        response = redirect(next_page)
        known_device_mark(response, email=user.email)
        return response
    user_login_failed.send(sender=__name__, credentials=credentials, request=request)
    if getattr(request, "axes_locked_out", False):
        return _locked_out_page(request)
    return _code_page(request, form, status=400)


def locked_out(request: HttpRequest, original_response: HttpResponse | None, credentials: Any) -> HttpResponse:
    """``AXES_LOCKOUT_CALLABLE``: the sign-in page already says why (and is a 429); a locked-out
    Django admin log-in gets a plain answer. The API's lockout never reaches here (its view
    answers it in the API's own body)."""
    if request.path.startswith("/app/") and original_response is not None:
        return original_response
    return HttpResponse(
        "Too many failed log-ins for this e-mail from this address. Try again later.",
        status=429,
        content_type="text/plain",
    )


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    logout(request)  # deletes the session row: the old cookie opens nothing
    return redirect("dashboard:sign-in")


# --- The second factor's own pages ----------------------------------------------------------


def _two_step_page(
    request: HttpRequest,
    *,
    status: int = 200,
    forms: dict[str, CodeForm] | None = None,
    problems: dict[str, str] | None = None,
) -> HttpResponse:
    """The two-step page; ``forms`` (sent back with their problems) and ``problems`` (a
    refusal to show above a form) by the form's prefix."""
    therapist = _therapist(request)
    enrolled = two_factor.is_enrolled(therapist)
    forms = forms or {}
    context: dict[str, Any] = {
        "enrolled": enrolled,
        "codes_left": two_factor.recovery_codes_left(therapist) if enrolled else None,
        "recovery_form": forms.get("recovery") or CodeForm(user=therapist, prefix="recovery"),
        "off_form": forms.get("off") or CodeForm(user=therapist, prefix="off"),
        "problems": problems or {},
    }
    return render(request, "dashboard/two_step.html", context, status=status)


def _code_try(request: HttpRequest, *, prefix: str, act: Callable[[User], HttpResponse]) -> HttpResponse:
    """A two-step page's POST: a current code, then ``act``. The code is guessed as a sign-in
    code is (from a session left open, say), so it counts toward the same limits, and while
    they hold this caller back even a right code does nothing."""
    therapist = _therapist(request)
    credentials = {"email": therapist.email}
    problem = _refusal(request, email=therapist.email, now=timezone.now())
    if problem is None and AxesProxyHandler.is_locked(request, credentials):
        problem = LOCKED_OUT
    if problem:
        return _two_step_page(request, status=429, problems={prefix: problem})
    with transaction.atomic():
        form = CodeForm(request.POST, user=therapist, prefix=prefix)
        if not two_factor.is_enrolled(therapist):
            return redirect("dashboard:two-step")
        if form.is_valid():
            return act(therapist)
    user_login_failed.send(sender=__name__, credentials=credentials, request=request)
    if getattr(request, "axes_locked_out", False):
        return _two_step_page(request, status=429, problems={prefix: LOCKED_OUT})
    return _two_step_page(request, status=400, forms={prefix: form})


def _codes_page(request: HttpRequest, codes: list[str]) -> HttpResponse:
    """The recovery codes, shown this once: no page shows them again."""
    return render(request, "dashboard/recovery_codes.html", {"codes": codes})


@require_http_methods(["GET"])
@therapist_required
def two_step(request: HttpRequest) -> HttpResponse:
    return _two_step_page(request)


@require_POST
@therapist_required
def two_step_set_up(request: HttpRequest) -> HttpResponse:
    therapist = _therapist(request)
    if not two_factor.is_enrolled(therapist):
        two_factor.enrolment_start(user=therapist)
        return redirect("dashboard:two-step-confirm")
    return redirect("dashboard:two-step")


@require_http_methods(["GET", "POST"])
@therapist_required
def two_step_confirm(request: HttpRequest) -> HttpResponse:
    """The QR code and the secret of the device being enrolled, and a code to prove the app has it."""
    therapist = _therapist(request)
    with transaction.atomic():
        device = two_factor.unconfirmed_device(therapist)
        if device is None or two_factor.is_enrolled(therapist):
            return redirect("dashboard:two-step")
        status, codes = 200, None
        if request.method == "POST":
            form = CodeForm(request.POST, user=therapist, recovery=False, device=device)
            if form.is_valid():
                codes = two_factor.enrolment_confirm(device=device)
            else:
                status = 400
        else:
            form = CodeForm(user=therapist, recovery=False)
    if codes is not None:
        otp_login(request, device)  # this session gave the code: it stays signed in
        return _codes_page(request, codes)
    context = {
        "form": form,
        "qr_code": qr.qr_code_svg(device),
        "secret": qr.secret_for_typing(device),
    }
    return render(request, "dashboard/two_step_confirm.html", context, status=status)


@require_POST
@therapist_required
def two_step_recovery_codes(request: HttpRequest) -> HttpResponse:
    """New recovery codes in place of the old, for a current code."""
    return _code_try(
        request, prefix="recovery", act=lambda user: _codes_page(request, two_factor.recovery_codes_new(user=user))
    )


def _off(therapist: User) -> HttpResponse:
    two_factor.two_factor_off(user=therapist)
    return redirect("dashboard:two-step")


@require_POST
@therapist_required
def two_step_off(request: HttpRequest) -> HttpResponse:
    """Turn the second factor off, for a current code (a recovery code will do, for a lost phone)."""
    return _code_try(request, prefix="off", act=_off)
