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
        from care.access import access_log
        from care.export import SECTION
        from care.models import AccessLog
        from journal import signals as journal_signals

        export.register("care", SECTION)

        def commitments_read(*, reader: User, patient_ids: Iterable[uuid.UUID], now: datetime, **_: object) -> None:
            access_log(therapist=reader, patient_ids=patient_ids, what=AccessLog.What.COMMITMENTS, now=now)

        journal_signals.commitments_read.connect(commitments_read, weak=False, dispatch_uid="care.commitments_read")
