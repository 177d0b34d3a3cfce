"""A patient's practices by the therapist's hand: add one the drafter missed, change one, pause,
resume or end it. Thin, as ``dashboard.sessions`` is: care's selectors find the practice (a
patient linked now, else the 404 page), the journal's services change it, one transaction each,
then post/redirect/get with a short message. A therapist changes only what a therapist set:
a practice the patient set for themself answers with the journal's refusal, in its words.
"""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from care import selectors, services
from care.access import patient_read
from care.models import AccessLog, Session
from core.exceptions import DomainError
from dashboard.forms import refusal_shown
from dashboard.session_forms import PracticeForm, QuoteForm
from dashboard.views import _therapist, therapist_required
from journal import services as journal_services
from journal.models import Commitment

#: What each button on an active or paused practice does: the status it sets, and the words after.
STATUS_ACTIONS = {
    "pause": (Commitment.Status.PAUSED, "Paused “{title}”: its reminders are off until you resume it."),
    "resume": (Commitment.Status.ACTIVE, "Resumed “{title}”: its reminders are back as they were."),
    "end": (Commitment.Status.DONE, "Ended “{title}”: it is kept in their history as done."),
}


def _session_choices(therapist_sessions: list[Session]) -> list[tuple[str, str]]:
    return [
        (str(session.id), f"{session.held_on:%d %b %Y}" + (f": {session.title}" if session.title else ""))
        for session in therapist_sessions
        if session.transcript
    ]


@require_http_methods(["GET", "POST"])
@therapist_required
def practice_new(request: HttpRequest, patient_id: uuid.UUID) -> HttpResponse:
    therapist, now = _therapist(request), timezone.now()
    with transaction.atomic():
        with patient_read(therapist=therapist, patient_id=patient_id, what=AccessLog.What.SESSIONS, now=now) as read:
            patient = read.link.patient
            choices = _session_choices(list(selectors.sessions_of(therapist=therapist, patient=patient)[:20]))
        if request.method != "POST":
            form, quote = PracticeForm(), QuoteForm(sessions=choices, initial={"session": request.GET.get("session")})
            return _page(request, "dashboard/practice_new.html", patient, form, quote=quote)
        form, quote = PracticeForm(request.POST), QuoteForm(request.POST, sessions=choices)
        if form.is_valid() and quote.is_valid():
            session_id = quote.cleaned_data.get("session") or None
            lines = (quote.cleaned_data["first_line"], quote.cleaned_data.get("last_line")) if session_id else None
            try:
                with transaction.atomic():
                    practice = services.practice_add(
                        therapist=therapist,
                        patient_id=patient.id,
                        now=now,
                        session_id=uuid.UUID(session_id) if session_id else None,
                        lines=lines,
                        **form.cleaned_data,
                    )
            except DomainError as refused:
                refusal_shown(quote if refused.attr in quote.fields else form, refused)
            else:
                messages.success(request, f"Added “{practice.title}”: it is an active practice in their app now.")
                return redirect("dashboard:patient", patient.id)
        return _page(request, "dashboard/practice_new.html", patient, form, quote=quote, status=400)


@require_http_methods(["GET", "POST"])
@therapist_required
def practice_edit(request: HttpRequest, patient_id: uuid.UUID, commitment_id: uuid.UUID) -> HttpResponse:
    """Change an active or paused practice: words, how often, days, reminder time, planned day.
    Its reminder moves with them (``reminders.plans``)."""
    therapist, now = _therapist(request), timezone.now()
    # The page shows the practice: a read of the patient's commitments, logged as the API's is.
    with patient_read(therapist=therapist, patient_id=patient_id, what=AccessLog.What.COMMITMENTS, now=now):
        practice = selectors.patient_practice(therapist=therapist, patient_id=patient_id, commitment_id=commitment_id)
        if request.method != "POST":
            form = PracticeForm(initial=PracticeForm.initial_of(practice), kind_fixed=True)
            return _page(request, "dashboard/practice_edit.html", practice.patient, form, practice=practice)
        form = PracticeForm(request.POST, kind_fixed=True)
        if form.is_valid():
            try:
                with transaction.atomic():
                    journal_services.commitment_update(commitment=practice, by=therapist, now=now, **form.cleaned_data)
            except DomainError as refused:
                refusal_shown(form, refused)
            else:
                messages.success(request, f"Saved “{practice.title}”.")
                return redirect("dashboard:patient", patient_id)
        return _page(request, "dashboard/practice_edit.html", practice.patient, form, practice=practice, status=400)


@require_POST
@therapist_required
def practice_status(request: HttpRequest, patient_id: uuid.UUID, commitment_id: uuid.UUID) -> HttpResponse:
    """Pause, resume or end a practice (the button's ``action``)."""
    action = STATUS_ACTIONS.get(str(request.POST.get("action", "")))
    if action is None:
        messages.error(request, "That button does nothing here; reload the page and try again.")
        return redirect("dashboard:patient", patient_id)
    status, done = action
    therapist = _therapist(request)
    with transaction.atomic():
        practice = selectors.patient_practice(therapist=therapist, patient_id=patient_id, commitment_id=commitment_id)
        try:
            with transaction.atomic():
                journal_services.commitment_update(commitment=practice, by=therapist, now=timezone.now(), status=status)
        except DomainError as refused:
            messages.error(request, refused.detail)
        else:
            messages.success(request, done.format(title=practice.title))
    return redirect("dashboard:patient", patient_id)


def _page(
    request: HttpRequest,
    template: str,
    patient: object,
    form: PracticeForm,
    *,
    status: int = 200,
    **context: object,
) -> HttpResponse:
    return render(request, template, {"patient": patient, "form": form, **context}, status=status)
