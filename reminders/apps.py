from celery import current_app
from django.apps import AppConfig
from django.db import transaction


class RemindersConfig(AppConfig):
    name = "reminders"

    def ready(self) -> None:
        # The seams from the apps below (STYLE.md, "The shape"): explicit signals they send.
        from accounts import export
        from accounts import signals as accounts_signals
        from journal import signals as journal_signals
        from journal.models import Experiment
        from reminders import plans
        from reminders.export import SECTION
        from safety import signals as safety_signals

        export.register("reminders", SECTION)

        def started(*, commitment, now, **_) -> None:
            plans.commitment_reminders_start(commitment=commitment, now=now)

        def stopped(*, commitment, now, **_) -> None:
            plans.commitment_reminders_stop(commitment=commitment, now=now)

        def rescheduled(*, commitment, now, **_) -> None:
            plans.commitment_reminders_reschedule(commitment=commitment, now=now)

        def experiment_saved(*, record, now, **_) -> None:
            plans.experiment_nudges_plan(experiment=record, now=now)

        def zone_changed(*, user, now, **_) -> None:
            plans.reminders_replan(user=user, now=now)

        def flag_raised(*, flag, **_) -> None:
            # By the task's name: tasks.py is the top of the app's imports, and nothing imports it.
            # Robust: a broker that is down must not turn the patient's saved words into a 500 (the
            # beat's sweep, reminders.tell_flags, tells the therapist once it is back).
            flag_id = str(flag.id)
            transaction.on_commit(lambda: current_app.send_task("reminders.tell_flag", args=[flag_id]), robust=True)

        journal_signals.commitment_activated.connect(started, weak=False, dispatch_uid="reminders.started")
        journal_signals.commitment_deactivated.connect(stopped, weak=False, dispatch_uid="reminders.stopped")
        journal_signals.commitment_rescheduled.connect(rescheduled, weak=False, dispatch_uid="reminders.rescheduled")
        journal_signals.record_saved.connect(
            experiment_saved, sender=Experiment, weak=False, dispatch_uid="reminders.experiment"
        )
        accounts_signals.timezone_changed.connect(zone_changed, weak=False, dispatch_uid="reminders.zone")
        safety_signals.flag_raised.connect(flag_raised, weak=False, dispatch_uid="reminders.flag")
