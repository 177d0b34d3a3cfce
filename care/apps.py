from django.apps import AppConfig


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

        def commitments_read(*, reader, patient_ids, now, **_) -> None:
            access_log(therapist=reader, patient_ids=patient_ids, what=AccessLog.What.COMMITMENTS, now=now)

        journal_signals.commitments_read.connect(commitments_read, weak=False, dispatch_uid="care.commitments_read")
