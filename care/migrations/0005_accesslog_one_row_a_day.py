"""The access log becomes one row per reader, patient, kind of read and day (in the patient's
zone), with a count and the first and last time: the rows written one per read are merged.

Backwards the fields go and the merged rows stay merged: a count cannot be turned back into
the reads it counted, and the log still says who read what, and when last.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Iterable
from typing import Any

from django.db import migrations, models


def merged(rows: Iterable[dict[str, Any]], *, zone: str) -> list[tuple[dict[str, Any], list[Any]]]:
    """One patient's rows (oldest first) merged per reader, kind and day in ``zone``: each
    group's last row, carrying the group's count, first and last time, the reader's last name
    and the union of its entries (each once, in the order first shown), with the ids of the
    group's other rows, to delete. A row that was already merged counts for its own count."""
    try:
        tz = zoneinfo.ZoneInfo(zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        tz = zoneinfo.ZoneInfo("UTC")
    groups: dict[tuple[Any, ...], list[dict[str, Any]]] = {}
    for row in rows:
        # An erased reader's rows (no id) are told apart by the name they read under.
        reader = row["therapist_id"] if row["therapist_id"] is not None else ("erased", row["therapist_name"])
        groups.setdefault((reader, row["what"], row["at"].astimezone(tz).date()), []).append(row)
    result = []
    for (_, _, day), group in groups.items():
        last = group[-1]
        entries: list[dict[str, str]] = []
        for row in group:
            entries += [entry for entry in row["entries"] or [] if entry not in entries]
        kept = {
            **last,
            "day": day,
            "count": sum(row.get("count") or 1 for row in group),
            "first_at": min(row.get("first_at") or row["at"] for row in group),
            "at": max(row["at"] for row in group),
            "entries": entries,
        }
        result.append((kept, [row["id"] for row in group[:-1]]))
    return result


FIELDS = ["id", "therapist_id", "therapist_name", "what", "at", "entries", "count", "first_at"]


def merge_reads(apps: Any, schema_editor: Any) -> None:
    AccessLog = apps.get_model("care", "AccessLog")
    User = apps.get_model("accounts", "User")
    patient_ids = AccessLog.objects.order_by().values_list("patient_id", flat=True).distinct()
    for patient_id in list(patient_ids):
        zone = User.objects.filter(id=patient_id).values_list("timezone", flat=True).first() or "UTC"
        rows = AccessLog.objects.filter(patient_id=patient_id).order_by("at", "id").values(*FIELDS)
        kept, dropped = [], []
        for row, others in merged(rows, zone=zone):
            kept.append(AccessLog(patient_id=patient_id, **row))
            dropped += others
        AccessLog.objects.filter(id__in=dropped).delete()
        AccessLog.objects.bulk_update(
            kept, ["therapist_name", "day", "count", "first_at", "at", "entries"], batch_size=500
        )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),  # the patient's zone, for the day of a read
        ("care", "0004_session_roles_digests_idempotency"),
    ]

    operations = [
        migrations.AddField(model_name="accesslog", name="day", field=models.DateField(null=True)),
        migrations.AddField(model_name="accesslog", name="count", field=models.PositiveIntegerField(default=1)),
        migrations.AddField(model_name="accesslog", name="first_at", field=models.DateTimeField(null=True)),
        migrations.RunPython(merge_reads, migrations.RunPython.noop, elidable=False),
        migrations.AlterField(model_name="accesslog", name="day", field=models.DateField()),
        migrations.AlterField(model_name="accesslog", name="first_at", field=models.DateTimeField()),
        migrations.AddConstraint(
            model_name="accesslog",
            constraint=models.UniqueConstraint(
                fields=("patient", "therapist", "what", "day"), name="access_log_one_a_day"
            ),
        ),
        migrations.AddConstraint(
            model_name="accesslog",
            constraint=models.CheckConstraint(condition=models.Q(count__gte=1), name="access_log_count_positive"),
        ),
    ]
