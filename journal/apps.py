from django.apps import AppConfig


class JournalConfig(AppConfig):
    name = "journal"

    def ready(self) -> None:
        from accounts import export
        from journal.export import SECTION

        export.register("journal", SECTION)
