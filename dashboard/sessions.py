"""The sessions pages: record a session with its transcript, review the commitments it
drafted (confirm, edit or drop each). Invites are ``dashboard.invites``'.

Thin, as ``dashboard.views`` is. Reads go through care's selectors (link checked, access
log written); writes through care's and the journal's services, each action in one
transaction, then post/redirect/get with a short message. A refusal from a service becomes
a form error beside its field, in the service's own words.
"""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from care import selectors, services
from care.access import patient_read
from care.models import AccessLog, Session
from care.transcripts import TranscriptError, transcript_lines, transcript_parse, transcript_text
from core.exceptions import DomainError, NotFound
from dashboard.forms import refusal_shown
from dashboard.session_forms import PracticeForm, SessionEditForm, SessionForm, SpeakerRolesForm
from dashboard.views import _therapist, therapist_required
from journal import services as journal_services
from journal.dates import local_date
from journal.models import Commitment

GONE = "That draft is no longer here: it was dropped, perhaps from the app."


def no_longer_a_draft(draft: Commitment) -> str:
    """Why a draft cannot be acted on once it is confirmed (here, in the API or in the app)."""
    return f"“{draft.title}” is no longer a draft: it is {draft.get_status_display().lower()} now."


# --- Recording a session ----------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@therapist_required
def session_new(request: HttpRequest, patient_id: uuid.UUID) -> HttpResponse:
    """A body over the upload limit never reaches here: ``dashboard.security`` answers it
    with the 413 page before the CSRF check or the form reads it."""
    therapist, now = _therapist(request), timezone.now()
    if request.method != "POST":
        form = SessionForm(initial={"held_on": local_date(now, therapist.zone)})
        return _record_page(request, patient_id, form, status=200)
    form = SessionForm(request.POST, request.FILES)
    roles: SpeakerRolesForm | None = None
    if form.is_valid():
        field, transcript = form.transcript_given()
        try:
            if transcript is not None:
                services.transcript_check_new(therapist=therapist, patient_id=patient_id, transcript=transcript)
            roles = _who_is_who(request, form, transcript)
            if roles is None or roles.is_valid():
                recorded = services.session_record(
                    therapist=therapist,
                    patient_id=patient_id,
                    held_on=form.cleaned_data["held_on"],
                    notes=form.cleaned_data["notes"],
                    transcript=transcript,
                    speaker_roles=roles.cleaned_roles() if roles is not None else None,
                    now=now,
                )
                count = len(recorded.drafts)
                drafted = f"{count} practice{'s' if count != 1 else ''} drafted" if count else "no practice drafted"
                messages.success(request, f"Session recorded, {drafted}.")
                return redirect("dashboard:session", recorded.session.id)
        except NotFound:
            raise  # the 404 page (therapist_required)
        except services.AlreadyRecorded as repeated:
            form.add_error(field, forms.ValidationError(repeated.detail, code=repeated.code))
            return _record_page(request, patient_id, form, status=409, earlier=repeated.session)
        except TranscriptError as error:  # about whichever of the two transcript fields was given
            form.add_error(field, forms.ValidationError(error.detail, code=error.code))
            # Said at the top too: at phone width the field is a long scroll below where the page opens.
            form.add_error(
                None, forms.ValidationError("The transcript could not be read: why is said beside it, below.")
            )
        except DomainError as refused:
            refusal_shown(form, refused)
        if roles is not None and not roles.is_bound:
            return _record_page(request, patient_id, form, status=200, roles=roles)
    return _record_page(request, patient_id, form, status=400, roles=roles)


def _who_is_who(request: HttpRequest, form: SessionForm, transcript: str | bytes | None) -> SpeakerRolesForm | None:
    """Where the transcript names people rather than roles, the step that asks who is who.

    None when there is nothing to ask (no transcript, or its speakers are roles). Otherwise the
    form: bound to what was posted when the page asked already (``who_is_who`` in the post),
    else unbound with the parser's proposal ticked, and the transcript moved into the paste box
    as read (an uploaded file, a .docx even, is not sent twice)."""
    if transcript is None:
        return None
    parsed = transcript_parse(transcript)
    if not parsed.roles_proposed and "who_is_who" not in request.POST:
        return None
    counts: dict[str, int] = {}
    for turn in parsed.turns:
        counts[turn.name] = counts.get(turn.name, 0) + 1
    speakers = [(name, str(role), counts.get(name, 0)) for name, role in parsed.speaker_roles.items()]
    if "who_is_who" in request.POST:
        return SpeakerRolesForm(request.POST, speakers=speakers)
    posted = request.POST.copy()
    posted["transcript"] = transcript_text(transcript)
    form.data = posted
    return SpeakerRolesForm(speakers=speakers)


def _record_page(
    request: HttpRequest, patient_id: uuid.UUID, form: SessionForm, *, status: int, **more: Any
) -> HttpResponse:
    therapist = _therapist(request)
    with patient_read(
        therapist=therapist, patient_id=patient_id, what=AccessLog.What.SESSIONS, now=timezone.now()
    ) as read:
        context = {"form": form, "patient": read.link.patient, "zone": therapist.timezone, **more}
        return render(request, "dashboard/session_new.html", context, status=status)


# --- One session and its drafts ---------------------------------------------------------------


def _session_read(request: HttpRequest, session_id: uuid.UUID) -> tuple[Session, list[Commitment]]:
    """The session and its drafts through care (logged as a read of ``sessions``); another
    therapist's session, or one whose patient is no longer linked, is the 404 page."""
    return selectors.session_detail(therapist=_therapist(request), session_id=session_id, now=timezone.now())


@require_GET
@therapist_required
def session_page(request: HttpRequest, session_id: uuid.UUID) -> HttpResponse:
    with transaction.atomic():
        session, drafts = _session_read(request, session_id)
        kept = selectors.practices_in_place(patient_id=session.patient_id, drafts=drafts)
        # Each draft with the practice the patient already keeps like it, if any.
        context = {
            "session": session,
            "patient": session.patient,
            "drafts": [(d, kept.get(d.id)) for d in drafts],
            # Numbered as an editor numbers them: what "add a practice by hand" asks to quote.
            "lines": transcript_lines(session.transcript) if session.transcript else [],
        }
        return render(request, "dashboard/session.html", context)


def _draft(request: HttpRequest, session_id: uuid.UUID, commitment_id: uuid.UUID) -> Commitment | HttpResponse:
    """The draft, locked; or the session page with a message saying why it cannot be changed.

    Another therapist, or a patient no longer linked, gets the 404 page: the session is not
    theirs to reach. A draft confirmed or dropped elsewhere (the API, another tab) is not an
    error, only news."""
    draft = selectors.session_draft(therapist=_therapist(request), session_id=session_id, commitment_id=commitment_id)
    if draft is None:
        messages.warning(request, GONE)
        return redirect("dashboard:session", session_id)
    if draft.status != Commitment.Status.PROPOSED:
        messages.warning(request, no_longer_a_draft(draft))
        return redirect("dashboard:session", session_id)
    return draft


@require_POST
@therapist_required
def draft_confirm(request: HttpRequest, session_id: uuid.UUID, commitment_id: uuid.UUID) -> HttpResponse:
    with transaction.atomic():
        draft = _draft(request, session_id, commitment_id)
        if isinstance(draft, HttpResponse):
            return draft
        journal_services.commitment_confirm(commitment=draft, by=_therapist(request), now=timezone.now())
    messages.success(request, f"Confirmed “{draft.title}”: it is an active practice in their app now.")
    return redirect("dashboard:session", session_id)


@require_POST
@therapist_required
def draft_drop(request: HttpRequest, session_id: uuid.UUID, commitment_id: uuid.UUID) -> HttpResponse:
    with transaction.atomic():
        draft = _draft(request, session_id, commitment_id)
        if isinstance(draft, HttpResponse):
            return draft
        title = draft.title  # a dropped commitment keeps no text
        journal_services.commitment_delete(commitment=draft, by=_therapist(request), now=timezone.now())
    messages.success(request, f"Dropped “{title}”.")
    return redirect("dashboard:session", session_id)


@require_http_methods(["GET", "POST"])
@therapist_required
def draft_edit(request: HttpRequest, session_id: uuid.UUID, commitment_id: uuid.UUID) -> HttpResponse:
    """Every field of the practice (``PracticeForm``). "Save" keeps it a draft; "Save and confirm" does both, in
    one transaction: a therapist who has just fixed a draft usually means to confirm it."""
    if request.method == "GET":
        return _edit_page_for_reading(request, session_id, commitment_id)
    therapist = _therapist(request)
    with transaction.atomic():
        draft = _draft(request, session_id, commitment_id)
        if isinstance(draft, HttpResponse):
            return draft
        form = PracticeForm(request.POST)
        if form.is_valid():
            confirm = "confirm" in request.POST
            try:
                with transaction.atomic():  # a refused confirm undoes the edit too
                    now = timezone.now()
                    journal_services.commitment_update(commitment=draft, by=therapist, now=now, **form.cleaned_data)
                    if confirm:
                        journal_services.commitment_confirm(commitment=draft, by=therapist, now=now)
            except DomainError as refused:
                refusal_shown(form, refused)
            else:
                done = "Saved and confirmed" if confirm else "Saved"
                still = "" if confirm else " It is still a draft until you confirm it."
                messages.success(request, f"{done} “{draft.title}”.{still}")
                return redirect("dashboard:session", session_id)
        # The page shows the patient's name, the draft and its quoted turns: a read of the
        # patient, logged as the session page is (``_draft`` is a write's lookup, unlogged).
        session, _drafts = _session_read(request, session_id)
        context = {"form": form, "draft": draft, "session_id": session.id, "patient": session.patient}
        return render(request, "dashboard/draft_edit.html", context, status=400)


def _edit_page_for_reading(request: HttpRequest, session_id: uuid.UUID, commitment_id: uuid.UUID) -> HttpResponse:
    """The edit form shows the draft and its evidence: a read of the patient, logged as the
    session page is."""
    with transaction.atomic():
        session, drafts = _session_read(request, session_id)
        draft = next((d for d in drafts if d.id == commitment_id), None)
        if draft is None or draft.status != Commitment.Status.PROPOSED:
            messages.warning(request, GONE if draft is None else no_longer_a_draft(draft))
            return redirect("dashboard:session", session_id)
        form = PracticeForm(initial=PracticeForm.initial_of(draft))
        context = {"form": form, "draft": draft, "session_id": session.id, "patient": session.patient}
        return render(request, "dashboard/draft_edit.html", context)


# --- Changing or deleting a session ---------------------------------------------------------


@require_http_methods(["GET", "POST"])
@therapist_required
def session_edit(request: HttpRequest, session_id: uuid.UUID) -> HttpResponse:
    """The session's day and notes; its transcript and drafts stay as recorded."""
    therapist, now = _therapist(request), timezone.now()
    with transaction.atomic():
        session, _drafts = _session_read(request, session_id)
        if request.method != "POST":
            form = SessionEditForm(initial={"held_on": session.held_on, "notes": session.notes or ""})
            return render(request, "dashboard/session_edit.html", {"form": form, "session": session})
        form = SessionEditForm(request.POST)
        if form.is_valid():
            try:
                with transaction.atomic():
                    services.session_update(therapist=therapist, session_id=session.id, now=now, **form.cleaned_data)
            except DomainError as refused:
                refusal_shown(form, refused)
            else:
                messages.success(request, "Saved the session's day and notes.")
                return redirect("dashboard:session", session.id)
        return render(request, "dashboard/session_edit.html", {"form": form, "session": session}, status=400)


@require_http_methods(["GET", "POST"])
@therapist_required
def session_delete(request: HttpRequest, session_id: uuid.UUID) -> HttpResponse:
    """A page that says what goes and what stays, then the delete (a POST from it)."""
    therapist = _therapist(request)
    with transaction.atomic():
        session, drafts = _session_read(request, session_id)
        if request.method != "POST":
            waiting = [draft for draft in drafts if draft.status == Commitment.Status.PROPOSED]
            kept = [draft for draft in drafts if draft.status != Commitment.Status.PROPOSED]
            context = {"session": session, "waiting": waiting, "kept": kept}
            return render(request, "dashboard/session_delete.html", context)
        patient_id = session.patient_id
        gone = services.session_delete(therapist=therapist, session_id=session.id, now=timezone.now())
    drafts_gone = f" and its {gone} draft{'s' if gone != 1 else ''}" if gone else ""
    messages.success(request, f"Deleted the session of {session.held_on:%d %b %Y}{drafts_gone}.")
    return redirect("dashboard:patient", patient_id)
