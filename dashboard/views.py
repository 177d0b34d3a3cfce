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

from django.contrib.auth.views import redirect_to_login
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views import defaults
from django.views.decorators.http import require_GET

from accounts.exceptions import NotLinked
from accounts.models import User
from care import selectors
from care.brief import patient_brief
from care.selectors import RosterRow
from dashboard import two_factor

View = Callable[..., HttpResponse]


def therapist_required(view: View) -> View:
    """Signed out, or signed in as anyone but a therapist (an admin session, say), or as a
    therapist with a second factor whose session has not given a code: to sign-in.
    Signed in: times on the page are shown in the therapist's own zone."""

    @wraps(view)
    def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = request.user
        if not (user.is_authenticated and isinstance(user, User) and user.is_therapist) or two_factor.needs_code(user):
            return redirect_to_login(request.get_full_path(), reverse("dashboard:sign-in"))
        with timezone.override(user.zone):
            return view(request, *args, **kwargs)

    return guarded


def _therapist(request: HttpRequest) -> User:
    assert isinstance(request.user, User)  # therapist_required
    return request.user


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
        return render(request, "dashboard/patient.html", {"detail": detail, "patient": detail.link.patient})


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
