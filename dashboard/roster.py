"""The roster: the therapist's caseload a page at a time, as a compact table or as cards.

Search, filter, order and page live in the address (``?q=&show=&sort=&page=``), so a view can
be bookmarked and the back button works; the layout (``?view=table|cards``) is remembered in
a cookie of this browser's (a year, across sign-ins), since it is how this therapist likes to
read, not what they are looking for.
What is read, and logged, is ``care.selectors.roster_page``'s: the page's patients only.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from care import selectors
from care.selectors import RosterPage, RosterQuery, RosterShow, RosterSort
from dashboard.forms import ROSTER_VIEW_KEY, ROSTER_VIEWS, RosterForm
from dashboard.views import _therapist, therapist_required
from safety.selectors import crisis_answer

DEFAULT_VIEW = "table"
#: How long the layout chosen is remembered, in seconds.
REMEMBERED_FOR = 365 * 24 * 3600


@dataclass(frozen=True)
class Choice:
    """One of the page's links that changes one thing about the roster (a filter, a layout, a page)."""

    label: str
    url: str
    current: bool = False
    count: int | None = None


def roster_url(query: RosterQuery, **changes: object) -> str:
    """The roster's address for ``query`` with ``changes``; defaults are left out, and any
    change but the page's starts again at page one."""
    fields: dict[str, object] = {"q": query.search.strip(), "show": query.show, "sort": query.sort, "page": query.page}
    if "page" not in changes:
        fields["page"] = 1
    fields.update(changes)
    defaults = {"q": "", "show": RosterShow.ALL, "sort": RosterSort.LOOK, "page": 1}
    kept = {name: value for name, value in fields.items() if value != defaults.get(name)}
    base = reverse("dashboard:roster")
    return f"{base}?{urlencode(kept)}" if kept else base


def choices(found: RosterPage, layout: str) -> dict[str, object]:
    """The filter, layout and page links the page shows around the rows."""
    query = found.query
    shows = [
        Choice(label=label, url=roster_url(query, show=value), current=query.show == value, count=found.counts[value])
        for value, label in RosterShow.choices
    ]
    layouts = [
        Choice(label=label, url=roster_url(query, page=found.page, view=value), current=layout == value)
        for value, label in ROSTER_VIEWS.items()
    ]
    previous = roster_url(query, page=found.page - 1) if found.page > 1 else None
    following = roster_url(query, page=found.page + 1) if found.page < found.pages else None
    return {"show_choices": shows, "layout_choices": layouts, "previous_page": previous, "next_page": following}


@require_GET
@therapist_required
def roster(request: HttpRequest) -> HttpResponse:
    """A field the page does not offer (``?sort=shoe``, a page that is no number) is a 400 page
    that says so, over the roster as it is without any of the address's asks: never empty.
    A page past the last shows the last."""
    therapist = _therapist(request)
    form = RosterForm(request.GET)
    valid = form.is_valid()
    chosen = form.cleaned_data.get("view") if valid else None
    remembered = request.COOKIES.get(ROSTER_VIEW_KEY)
    layout = chosen or (remembered if remembered in ROSTER_VIEWS else DEFAULT_VIEW)
    with transaction.atomic():
        found = selectors.roster_page(
            therapist=therapist, query=form.query() if valid else RosterQuery(), now=timezone.now()
        )
        context = {
            "roster": found,
            "rows": found.rows,
            "form": form,
            "layout": layout,
            **choices(found, layout),
            "not_watched": crisis_answer(None)["not_watched"],
        }
        response = render(request, "dashboard/roster.html", context, status=200 if valid else 400)
    if chosen:
        response.set_cookie(
            ROSTER_VIEW_KEY, chosen, max_age=REMEMBERED_FOR, secure=request.is_secure(), httponly=True, samesite="Lax"
        )
    return response
