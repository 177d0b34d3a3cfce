"""``{{ moment|ago }}``: how long ago, in the words a person uses."""

from __future__ import annotations

from datetime import datetime, timedelta

from django import template
from django.utils import timezone
from django.utils.timesince import timesince

register = template.Library()


@register.filter
def ago(moment: datetime) -> str:
    """ "just now" under a minute (Django's ``timesince`` says "0 minutes"), else "2 days ago".
    A moment a little ahead of the server's clock (a phone's) is "just now" too."""
    now = timezone.now()
    if now - moment < timedelta(minutes=1):
        return "just now"
    return f"{timesince(moment, now)} ago"
