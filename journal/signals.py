"""Signals journal sends for the apps above it (reminders connects in its AppConfig.ready)."""

from django.dispatch import Signal

#: Sent inside the transaction that made a commitment active: ``commitment, now``.
#: Reminders creates the patient's default reminder for reflection and pride commitments.
commitment_activated = Signal()
