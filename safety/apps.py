from __future__ import annotations

from django.apps import AppConfig


class SafetyConfig(AppConfig):
    name = "safety"

    def ready(self) -> None:
        # Read the crisis resources now: a broken file stops start-up (web, worker and beat
        # alike), naming what is wrong, instead of failing the first patient who needs it.
        from accounts import export
        from safety.export import SECTION
        from safety.resources import current

        current()
        export.register("safety", SECTION)
