"""Inviting a patient: make an invite, see it again while it is open, list the open ones and
take one back.

Post/redirect/get: the POST makes one invite and answers 303 to that invite's own page, so a
reload or the back button asks for a page, never for a second invite. The database keeps only
the code's hash (as for the API); the code itself waits in the therapist's server-side session
(``accounts.sessions``: encrypted rows, ended by signing out), keyed by the invite's id, so
its page can show it again while the invite is open and the therapist is signed in. Once the
invite is used, cancelled or expired, the code is dropped from the session and the page says
what became of it.
"""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.sessions.backends.base import SessionBase
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import selectors
from accounts import services as account_services
from accounts.models import Invite
from core.exceptions import Conflict
from dashboard.qr import join_link_svg
from dashboard.session_forms import InviteForm
from dashboard.views import _therapist, therapist_required

#: Where the session keeps the codes of the invites this therapist made: ``{invite id: code}``.
CODES = "invite_codes"

#: What an invite's page says once its code no longer joins, in place of the code.
WHAT_BECAME = {
    Invite.Problem.USED: "This invite was used: the patient it was for has joined, and is on your list of patients.",
    Invite.Problem.CANCELLED: "You cancelled this invite, so its code no longer works. "
    "Make a new one if it is still needed.",
    Invite.Problem.EXPIRED: "This invite ran out before it was used: its code no longer works. "
    "Make a new one if it is still needed.",
}


def _see_other(url: str) -> HttpResponseRedirect:
    """A 303: after a POST, the browser asks for the next page with a GET, whatever it is."""
    response = HttpResponseRedirect(url)
    response.status_code = 303
    return response


def _codes(session: SessionBase) -> dict[str, str]:
    return dict(session.get(CODES, {}))


def _forget_code(session: SessionBase, invite_id: uuid.UUID) -> None:
    """Drop one invite's code from the session: it no longer joins."""
    _forget_codes(session, keep=set(_codes(session)) - {str(invite_id)})


def _forget_codes(session: SessionBase, keep: set[str]) -> None:
    """Drop from the session every code but those of ``keep``: a code that no longer joins is
    not kept anywhere."""
    codes = _codes(session)
    kept = {invite_id: code for invite_id, code in codes.items() if invite_id in keep}
    if kept != codes:
        session[CODES] = kept


@require_http_methods(["GET", "POST"])
@therapist_required
def invites(request: HttpRequest) -> HttpResponse:
    """GET: the open invites, newest first, each with its note and expiry and a Cancel
    button, and the form for a new one. POST: one new invite per POST (a double click makes
    two, each with its own page and code, each shown on that page only), then its page."""
    therapist, now = _therapist(request), timezone.now()
    form = InviteForm(request.POST) if request.method == "POST" else InviteForm()
    if request.method == "POST" and form.is_valid():
        invite, code = account_services.invite_create(therapist=therapist, note=form.cleaned_data["note"], now=now)
        request.session[CODES] = {**_codes(request.session), str(invite.id): code}
        return _see_other(reverse("dashboard:invite-page", args=[invite.id]))
    still_open = list(selectors.invites_open(therapist=therapist, now=now))
    _forget_codes(request.session, keep={str(invite.id) for invite in still_open})
    status = 400 if form.is_bound else 200
    context = {"form": form, "invites": still_open, "zone": therapist.timezone}
    return render(request, "dashboard/invites.html", context, status=status)


@require_GET
@therapist_required
def invite_page(request: HttpRequest, invite_id: uuid.UUID) -> HttpResponse:
    """The invite and, while it is open and this session made it, its code, join link and QR
    code. Another therapist's invite is the 404 page (``InviteNotFound``)."""
    invite = selectors.invite_of(therapist=_therapist(request), invite_id=invite_id)
    problem = invite.problem(now=timezone.now())
    code = _codes(request.session).get(str(invite.id)) if problem is None else None
    if problem is not None:
        _forget_code(request.session, invite.id)
    context: dict[str, object] = {"invite": invite, "problem": None if problem is None else WHAT_BECAME[problem]}
    if code is not None:
        join_base = request.build_absolute_uri("/journal/join/")
        join_link = join_base + code
        context |= {"code": code, "join_base": join_base, "join_link": join_link, "qr_code": join_link_svg(join_link)}
    return render(request, "dashboard/invite.html", context)


@require_POST
@therapist_required
def invite_cancel(request: HttpRequest, invite_id: uuid.UUID) -> HttpResponse:
    """Take an invite back; then the list, with a message. Cancelling twice is no error."""
    try:
        invite = account_services.invite_cancel(therapist=_therapist(request), invite_id=invite_id, now=timezone.now())
    except Conflict as refused:  # used in the meantime: news, not a fault
        messages.warning(request, refused.detail)
    else:
        _forget_code(request.session, invite.id)
        named = f" (“{invite.note}”)" if invite.note else ""
        messages.success(request, f"Cancelled the invite{named}: its code no longer works.")
    return _see_other(reverse("dashboard:invite"))
