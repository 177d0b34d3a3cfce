"""The Celery application: configured from Django's settings (the ``CELERY_`` names)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")

app = Celery("good_enough")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.task(name="backend.ping")
def ping() -> str:
    """Answers "pong": the smallest round trip through broker, worker and result backend."""
    return "pong"
