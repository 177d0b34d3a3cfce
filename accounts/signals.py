"""Signals accounts sends so that the apps above it can react without accounts knowing them.

Receivers connect in their own ``AppConfig.ready()``: the one visible seam between layers.
"""

from django.dispatch import Signal

#: Sent inside the transaction that changed a user's zone: ``sender=User, user, old, new, now``.
#: Reminders re-plan every ``next_fire_at`` from it.
timezone_changed = Signal()
