from django.apps import AppConfig


class CoreConfig(AppConfig):
    """The bottom of the stack: API plumbing every app shares, and no domain of its own.

    Errors and their mapping to HTTP, strict JSON fields, paging, versions (ETag/If-Match),
    the OpenAPI schema class, encrypted text, ``/healthz`` and ``/healthz/reminders`` (with the
    one table of its own, ``Heartbeat``: when each periodic job last ran) and ``manage.py reencrypt``.
    Every app may import it; it imports none of them.
    """

    name = "core"
    verbose_name = "Shared plumbing"

    def ready(self) -> None:
        from django.core.signals import got_request_exception

        from core.errors import outage_note

        # An outage met anywhere in a request is noted on it, to be answered as a 503.
        got_request_exception.connect(outage_note, dispatch_uid="core.errors.outage_note")
