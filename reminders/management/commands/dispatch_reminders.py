"""``manage.py dispatch_reminders [--now RFC3339]``: one dispatcher pass, by hand.

Operators replay a pass after an outage; tests pin the clock with ``--now``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from reminders.dispatcher import dispatch_due
from reminders.tasks import enqueue_sends


def rfc3339(value: str) -> datetime:
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        raise ValueError("needs a UTC offset or Z")
    return moment


class Command(BaseCommand):
    help = "Run one reminder dispatcher pass."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--now", help="The pass's clock, RFC 3339 (e.g. 2026-11-26T20:00:00Z); default: now.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            now = rfc3339(options["now"]) if options["now"] else timezone.now()
        except ValueError as error:
            raise CommandError(f"--now: {error}: {options['now']!r}") from None
        result = dispatch_due(now=now, enqueue=enqueue_sends)
        self.stdout.write(
            f"due {result.due}: to send {result.to_send}, skipped {result.skipped}, "
            f"missed {result.missed}; re-enqueued {result.requeued}"
        )
