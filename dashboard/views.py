"""The dashboard's pages. Thin, as ``care.views`` is: each page reads through one care
selector inside one transaction (the access-log row and the answer commit together) and
renders one template. A patient the therapist is not linked to now is a 404 page; the
selector raises the domain's ``NotLinked`` and only this layer turns it into HTTP.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth import login, logout
from django.contrib.auth.views import redirect_to_login
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import defaults
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.exceptions import NotLinked
from accounts.models import User
from care import selectors
from care.brief import patient_brief
from care.selectors import RosterRow
from dashboard.forms import SignInForm
from dashboard.patient_sessions import recent_sessions

View = Callable[..., HttpResponse]


def therapist_required(view: View) -> View:
    """Signed out, or signed in as anyone but a therapist (an admin session, say): to sign-in.
    Signed in: times on the page are shown in the therapist's own zone."""

    @wraps(view)
    def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = request.user
        if not (user.is_authenticated and isinstance(user, User) and user.is_therapist):
            return redirect_to_login(request.get_full_path(), reverse("dashboard:sign-in"))
        with timezone.override(user.zone):
            return view(request, *args, **kwargs)

    return guarded


def _therapist(request: HttpRequest) -> User:
    assert isinstance(request.user, User)  # therapist_required
    return request.user


def _next_page(request: HttpRequest) -> str:
    """Where to go after signing in: a dashboard page asked for, never another site."""
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    safe = url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return wanted if safe and wanted.startswith("/app/") else reverse("dashboard:roster")


@require_http_methods(["GET", "POST"])
def sign_in(request: HttpRequest) -> HttpResponse:
    form = SignInForm(request, data=request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        assert form.user is not None
        login(request, form.user)  # a new session key: a session fixed before sign-in is worthless
        return redirect(_next_page(request))
    locked_out = getattr(request, "axes_locked_out", False)
    context = {"form": form, "next": _next_page(request)}
    return render(request, "dashboard/sign_in.html", context, status=429 if locked_out else 200)


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


def by_who_needs_a_look(rows: list[RosterRow]) -> list[RosterRow]:
    """Those who might like a check-in first, then the longest quiet, then by name."""
    return sorted(rows, key=lambda row: (not row.needs_attention, row.quiet_since, row.patient.display_name))


@require_GET
@therapist_required
def roster(request: HttpRequest) -> HttpResponse:
    therapist = _therapist(request)
    with transaction.atomic():
        links = list(selectors.roster_links(therapist))
        rows = selectors.roster(therapist=therapist, links=links, now=timezone.now())
        return render(request, "dashboard/roster.html", {"rows": by_who_needs_a_look(rows)})


@require_GET
@therapist_required
def patient(request: HttpRequest, patient_id: uuid.UUID) -> HttpResponse:
    with transaction.atomic():
        try:
            detail = selectors.patient_detail(therapist=_therapist(request), patient_id=patient_id, now=timezone.now())
        except NotLinked:
            raise Http404("No such patient.") from None
        sessions = recent_sessions(therapist=_therapist(request), patient_id=patient_id, now=timezone.now())
        return render(
            request, "dashboard/patient.html", {"detail": detail, "patient": detail.link.patient, "sessions": sessions}
        )


@require_GET
@therapist_required
def brief(request: HttpRequest, patient_id: uuid.UUID) -> HttpResponse:
    with transaction.atomic():
        try:
            found = patient_brief(therapist=_therapist(request), patient_id=patient_id, since=None, now=timezone.now())
        except NotLinked:
            raise Http404("No such patient.") from None
        return render(request, "dashboard/brief.html", {"brief": found, "patient": found.patient})


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """``handler404``: the dashboard's own page under ``/app/``, Django's everywhere else."""
    if request.path.startswith("/app/"):
        return render(request, "dashboard/404.html", status=404)
    return defaults.page_not_found(request, exception)
