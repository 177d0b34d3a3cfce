"""The one table of the shared plumbing: when each periodic job last finished a run."""

from __future__ import annotations

from datetime import datetime

from django.db import models


class Heartbeat(models.Model):
    """A periodic job's last run, by the job's name (``core.health.DISPATCHER``).

    Kept in the database, not the cache: a Redis restart empties the cache, and health would
    then call a job late that ran a minute ago. Core names no job of its own; the job writes
    its row (reminders' dispatcher after each pass) and health reads it.
    """

    name = models.CharField(primary_key=True, max_length=100)
    at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} at {self.at.isoformat()}"

    @staticmethod
    def record(name: str, *, at: datetime) -> None:
        """``name`` ran at ``at``: one ``INSERT ... ON CONFLICT (name) DO UPDATE``, so two
        processes recording at once never collide on the first run, nor read before writing."""
        Heartbeat.objects.bulk_create(
            [Heartbeat(name=name, at=at)], update_conflicts=True, unique_fields=["name"], update_fields=["at"]
        )
