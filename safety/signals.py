"""Signals safety sends for the apps above it (reminders connects in its AppConfig.ready)."""

from django.dispatch import Signal

#: Sent inside the transaction that opened a flag the patient's therapists may see and have not
#: been told of (a shared entry that sounds like crisis, a request for a check-in): ``flag, now``.
#: Reminders tells the therapists once the transaction commits; a flag is told of once.
flag_raised = Signal()
