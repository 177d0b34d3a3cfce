"""The dashboard's pages. Thin, as ``care.views`` is: each page reads through one care
selector inside one transaction (the access-log row and the answer commit together) and
renders one template. A patient the therapist is not linked to now is a 404 page: the
selector raises the domain's ``NotLinked`` (a ``NotFound``), and ``therapist_required``, which
every page passes through, turns any ``NotFound`` into the 404 page in one place.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render, resolve_url
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import csrf, defaults
from django.views.decorators.http import require_GET, require_POST

from accounts import two_factor
from accounts.models import User
from care import selectors
from care.attention import flag_mark_seen
from care.brief import patient_brief
from core.exceptions import DomainError, NotFound
from dashboard.forms import BriefSinceForm, next_session_form, refusal_shown
from dashboard.patient_sessions import recent_sessions
from dashboard.security import error_page
from safety.selectors import crisis_answer

View = Callable[..., HttpResponse]


#: Dashboard pages that answer a POST only (a GET of them is a 405): never a page to return to.
POST_ONLY = frozenset(
    {
        "sign-out",
        "two-step-set-up",
        "two-step-recovery-codes",
        "two-step-off",
        "draft-ok",
        "draft-drop",
        "invite-cancel",
        "flag-seen",
        "practice-status",
        "next-session",
    }
)
#: Not a page to come back to after signing in: it would only ask again.
SIGN_IN_PAGES = frozenset({"sign-in", "sign-in-code"})
#: Why the sign-in page was reached from a form: a flag in its query (``?signed_out=1``).
SIGNED_OUT_FLAG = "signed_out"
SIGNED_OUT = (
    f"You were signed out after {settings.SESSION_COOKIE_AGE // 60} minutes without activity, or from another tab: "
    "what you sent was not saved. Sign in, then send it again."
)


def page_to_return_to(request: HttpRequest, url: str) -> str | None:
    """``url``'s path and query if it is a dashboard page on this site that a GET opens, else
    None. ``url`` may be a path (``?next=``) or a full address (a ``Referer``): either way the
    answer never leads to another site, nor to a page answering only a POST."""
    if not url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return None
    parts = urlsplit(url)
    try:
        match = resolve(parts.path)
    except Resolver404:
        return None
    if match.namespace != "dashboard" or match.url_name in POST_ONLY or match.url_name in SIGN_IN_PAGES:
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _to_sign_in(request: HttpRequest) -> HttpResponse:
    """A GET comes back to its own page after signing in. What a form sent cannot be replayed,
    and its address may answer a POST only: after signing in, the page the form was on (the
    ``Referer``, when it is one of ours) or the roster; the sign-in page says what happened.
    Pages answer a GET or a POST only: a HEAD is a 405 before it gets here."""
    if request.method == "GET":
        return redirect_to_login(request.get_full_path())
    # Headers are named in any case; a default other than "" is no page of ours either.
    referer = request.headers.get("Referer", "")  # pragma: no mutate (as the line above says)
    back = page_to_return_to(request, referer) or reverse("dashboard:roster")
    return redirect_to_login(back, f"{resolve_url(settings.LOGIN_URL)}?{SIGNED_OUT_FLAG}=1")


def therapist_required(view: View) -> View:
    """Signed out, or signed in as anyone but a therapist (an admin session, say), or as a
    therapist with a second factor whose session has not given a code: to sign-in.
    Signed in: times on the page are shown in the therapist's own zone, and what the domain
    could not find for them (``NotFound``: a patient not linked, a session not theirs) is the
    404 page, never told apart from what does not exist."""

    @wraps(view)
    def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = request.user
        if not (user.is_authenticated and isinstance(user, User) and user.is_therapist) or two_factor.needs_code(user):
            return _to_sign_in(request)
        with timezone.override(user.zone):
            try:
                return view(request, *args, **kwargs)
            except NotFound as error:
                raise Http404(error.detail) from None

    return guarded


def _therapist(request: HttpRequest) -> User:
    assert isinstance(request.user, User)  # therapist_required
    return request.user


#: Shared entries on a patient's page at a time.
ENTRIES_PAGE_SIZE = 10
#: Longer than any cursor this page gives out (about 110 characters): refused before decoding.
CURSOR_MAX_LENGTH = 500
GARBLED_CURSOR = (
    "That link to more entries is not one this page gave out (it may have been cut short when copied). "
    "The newest entries are one click away."
)


class NotOurCursor(ValueError):
    """A cursor this page did not give out, or one in the wrong parameter."""


def entries_position(query: QueryDict) -> selectors.Position | None:
    """Where the page of shared entries starts: ``?before=`` older than an entry, ``?after=``
    newer, neither the newest. ValueError for a cursor this page did not give out, or one in
    the wrong parameter (each link names its own direction)."""
    before, after = query.get("before") or None, query.get("after") or None
    cursor = before or after
    if cursor is None:
        return None
    if (before and after) or len(cursor) > CURSOR_MAX_LENGTH:
        raise NotOurCursor
    position = selectors.Position.decode(cursor)
    if position.forward != (before is not None):
        raise NotOurCursor
    return position


@require_GET
@therapist_required
def patient(request: HttpRequest, patient_id: uuid.UUID) -> HttpResponse:
    """The patient, their last twelve weeks, their commitments and a page of what they share.

    Three reads, each logged as the API logs it: the patient (``patient``), their sessions
    (``sessions``) and their shared entries (``entries``).
    A garbled cursor reads no entries and is a 400 page that says so.
    """
    therapist, now = _therapist(request), timezone.now()
    try:
        position, problem = entries_position(request.GET), None
    except ValueError:
        position, problem = None, GARBLED_CURSOR
    with transaction.atomic():
        detail = selectors.patient_detail(
            therapist=therapist, patient_id=patient_id, now=now, weeks=selectors.CHART_WEEKS
        )
        entries = None
        if problem is None:
            entries = selectors.shared_entries(
                therapist=therapist,
                patient_id=patient_id,
                types=list(selectors.ENTRY_TYPES),
                start=None,
                end=None,
                position=position,
                limit=ENTRIES_PAGE_SIZE,
                now=now,
            )
        sessions = recent_sessions(therapist=therapist, patient_id=patient_id, now=now)
        next_at = detail.link.next_session_at
        context = {
            "detail": detail,
            "next_session_at": next_at,
            "next_session_form": next_session_form(at=next_at, now=now),
            "patient": detail.link.patient,
            "entries": entries,
            "entries_problem": problem,
            "entries_paged": position is not None,
            "sessions": sessions,
            "not_watched": crisis_answer(None)["not_watched"],
            "flagged": {flag.entry_id for flag in detail.flags},
        }
        return render(request, "dashboard/patient.html", context, status=400 if problem else 200)


@require_GET
@therapist_required
def brief(request: HttpRequest, patient_id: uuid.UUID) -> HttpResponse:
    """The brief since the last session, or since ``?since=``. A day care.brief refuses (still
    to come, more than a year back) or cannot read is a 400: the refusal beside the field, and
    the usual brief under it, so the page is never empty."""
    therapist, now = _therapist(request), timezone.now()
    form = BriefSinceForm(request.GET if "since" in request.GET else None)
    since = form.cleaned_data["since"] if form.is_valid() else None
    with transaction.atomic():
        try:
            found = patient_brief(therapist=therapist, patient_id=patient_id, since=since, now=now)
        except NotFound:
            raise  # the 404 page (therapist_required)
        except DomainError as refused:
            # The refused read wrote no access-log row (it is written once an answer is built): the one
            # below is the read shown.
            refusal_shown(form, refused)
            found = patient_brief(therapist=therapist, patient_id=patient_id, since=None, now=now)
        if since is None and not form.errors:  # no day asked, or ?since= left empty: show where it starts
            form = BriefSinceForm(initial={"since": found.period.since})
        form.fields["since"].widget.attrs["max"] = found.period.until.isoformat()
        context = {
            "brief": found,
            "patient": found.patient,
            "form": form,
            "not_watched": crisis_answer(None)["not_watched"],
        }
        return render(request, "dashboard/brief.html", context, status=400 if form.errors else 200)


@require_POST
@therapist_required
def flag_seen(request: HttpRequest, patient_id: uuid.UUID, flag_id: uuid.UUID) -> HttpResponse:
    """Mark a flag seen, then back to the patient's page (a 404 page for a flag not theirs to see)."""
    with transaction.atomic():
        flag, still_open = flag_mark_seen(
            therapist=_therapist(request), patient_id=patient_id, flag_id=flag_id, now=timezone.now()
        )
    what = "their request for a check-in" if flag.is_check_in else "what they wrote"
    rest = (
        f"{still_open} more still {'needs' if still_open == 1 else 'need'} a look."
        if still_open
        else "Nothing else puts them first now."
    )
    messages.success(request, f"Marked {what} seen. {rest}")
    return redirect("dashboard:patient", patient_id)


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """``handler404``: the dashboard's own page under ``/app/``, Django's everywhere else."""
    if request.path.startswith("/app/"):
        return error_page(request, 404)
    return defaults.page_not_found(request, exception)  # pragma: no mutate (Django's page shows no exception)


def csrf_failure(request: HttpRequest, reason: str) -> HttpResponse:
    """``CSRF_FAILURE_VIEW``: under ``/app/``, a form whose token is stale (the therapist signed
    in again in another tab, which gives a new one) says what happened and what to do, in
    our page; Django's plain page everywhere else. Nothing was written: the check runs before
    the view."""
    if request.path.startswith("/app/"):
        return render(request, "dashboard/csrf_failure.html", status=403)
    return csrf.csrf_failure(request, reason)  # pragma: no mutate (Django's page never reads the request)
