"""When a therapist meets a patient next, set or cleared from the patient's page. Thin, as
``dashboard.practices`` is: care's service checks the link (a patient not linked now is the
404 page) and the time, in one transaction, then post/redirect/get with a short message. A
time refused is the form again, its reason beside the field (a 400)."""

from __future__ import annotations

import uuid
from datetime import datetime

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import dateformat, timezone
from django.views.decorators.http import require_POST

from accounts.selectors import linked_care
from care import services
from core.exceptions import DomainError, NotFound
from dashboard.forms import LOCAL_MOMENT, NextSessionForm, refusal_shown
from dashboard.views import _therapist, therapist_required


def your_time(moment: datetime) -> str:
    """ "Tuesday 8 December, 10:00 (your time)": in the zone the page is in, the therapist's."""
    return f"{dateformat.format(timezone.localtime(moment), 'l j F, H:i')} (your time)"


@require_POST
@therapist_required
def next_session(request: HttpRequest, patient_id: uuid.UUID) -> HttpResponse:
    therapist, now = _therapist(request), timezone.now()
    if request.POST.get("action") == "clear":
        with transaction.atomic():
            services.next_session_set(therapist=therapist, patient_id=patient_id, at=None, now=now)
        messages.success(request, "No next session set now. The brief covers what happened since the last one.")
        return redirect("dashboard:patient", patient_id)
    form = NextSessionForm(request.POST)
    if form.is_valid():
        try:
            with transaction.atomic():
                link = services.next_session_set(
                    therapist=therapist, patient_id=patient_id, at=form.cleaned_data["at"], now=now
                )
        except NotFound:
            raise  # the 404 page (therapist_required)
        except DomainError as refused:
            refusal_shown(form, refused)
        else:
            assert link.next_session_at is not None
            messages.success(
                request, f"Next session: {your_time(link.next_session_at)}. The brief is now for that session."
            )
            return redirect("dashboard:patient", patient_id)
    # Only a patient linked now has a form to show again; anyone else is the 404 page.
    patient = linked_care(therapist=therapist, patient_id=patient_id).patient
    form.fields["at"].widget.attrs["min"] = timezone.localtime(now).strftime(LOCAL_MOMENT)
    context = {"patient": patient, "form": form, "zone": therapist.timezone}
    return render(request, "dashboard/next_session.html", context, status=400)
