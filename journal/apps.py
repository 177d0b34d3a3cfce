from django.apps import AppConfig


class JournalConfig(AppConfig):
    name = "journal"

    def ready(self) -> None:
        from accounts import export
        from journal.selectors import journal_export

        export.register("journal", journal_export)
