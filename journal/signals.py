"""Signals journal sends for the apps above it (reminders connects in its AppConfig.ready)."""

from django.dispatch import Signal

#: Sent inside the transaction that made a commitment active: ``commitment, now``.
#: Reminders creates the patient's default reminder for reflection and pride commitments.
commitment_activated = Signal()

#: Sent inside the transaction that took an active commitment out of practice (paused, done,
#: dropped or deleted): ``commitment, now``. Reminders stop its reminders.
commitment_deactivated = Signal()

#: Sent inside the transaction that changed an active commitment's days, reminder time or
#: planned day: ``commitment, now``. Reminders move its reminder with them.
commitment_rescheduled = Signal()

#: Sent inside the transaction that created, changed or deleted a journal record, with the
#: record's model as ``sender``: ``record, now``. Reminders plans an experiment's nudges.
record_saved = Signal()

#: Sent by ``selectors.commitments_read`` inside the transaction of a therapist's read of
#: patients' commitments, before the answer is built: ``reader, patient_ids, now``. Care
#: writes the access log from it.
commitments_read = Signal()
