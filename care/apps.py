from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING

from django.apps import AppConfig

if TYPE_CHECKING:
    from accounts.models import User


class CareConfig(AppConfig):
    name = "care"

    def ready(self) -> None:
        # The seams from the apps below (STYLE.md, "The shape"): explicit signals they send.
        from accounts import export
        from accounts.models import User
        from care.access import access_log
        from care.export import SECTION
        from care.models import AccessLog
        from journal import signals as journal_signals

        export.register("care", SECTION)

        def commitments_read(*, reader: User, patient_ids: Iterable[uuid.UUID], now: datetime, **_: object) -> None:
            # Their zones, for the day each read is counted on: one query, whatever their number.
            patients = User.objects.filter(id__in=list(patient_ids)).only("id", "timezone")
            access_log(therapist=reader, patients=patients, what=AccessLog.What.COMMITMENTS, now=now)

        journal_signals.commitments_read.connect(commitments_read, weak=False, dispatch_uid="care.commitments_read")
