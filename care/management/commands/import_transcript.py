"""``manage.py import_transcript FILE --therapist EMAIL --patient EMAIL [--held-on DATE]``:
the API's ``POST /api/v1/sessions/``, from a file, for an operator or the demo's seeds."""

from __future__ import annotations

from argparse import ArgumentParser, ArgumentTypeError
from datetime import date
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from accounts.models import User
from care.services import session_record
from core.exceptions import DomainError
from core.input import parse_day


def day(text: str) -> date:
    try:
        return parse_day(text)
    except ValueError:
        raise ArgumentTypeError(f"{text!r} is not a date as YYYY-MM-DD") from None


class Command(BaseCommand):
    help = "Record a session from a transcript file; the commitments it agrees on become drafts."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--therapist", required=True, help="The therapist's e-mail.")
        parser.add_argument("--patient", required=True, help="The patient's e-mail (linked to the therapist).")
        parser.add_argument("--held-on", type=day, help="YYYY-MM-DD; today by default.")
        parser.add_argument("--notes", default="")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            source = options["file"].read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {options['file']}: {error.strerror}.") from None
        therapist = self.user(options["therapist"], "therapist")
        patient = self.user(options["patient"], "patient")
        try:
            recorded = session_record(
                therapist=therapist,
                patient_id=patient.id,
                held_on=options["held_on"],
                notes=options["notes"],
                transcript=source,
                now=timezone.now(),
            )
        except DomainError as error:
            raise CommandError(f"{error.detail} ({error.code})") from None
        session = recorded.session
        self.stdout.write(f"Session {session.id} on {session.held_on}: {session.turns} turns.")
        for draft in recorded.drafts:
            self.stdout.write(
                f"  drafted: {draft.title} ({draft.kind}, {draft.cadence}, {draft.target_count}) — {draft.id}"
            )
        for warning in recorded.warnings:
            self.stderr.write(f"  warning: {warning.detail}")

    def user(self, email: str, role: str) -> User:
        try:
            return User.objects.get(email__iexact=email, role=role)
        except User.DoesNotExist:
            raise CommandError(f"No {role} with the e-mail {email}.") from None
