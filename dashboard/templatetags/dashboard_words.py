"""``{{ moment|ago }}``: how long ago, in the words a person uses; ``{% signed_out_notice request %}``:
why the sign-in page was reached from a form; ``{{ flag|flagged_entry }}``: the entry a flag is about."""

from __future__ import annotations

from datetime import datetime, timedelta

from django import template
from django.http import HttpRequest
from django.utils import timezone
from django.utils.timesince import timesince

from care import brief_markdown
from dashboard.views import SIGNED_OUT, SIGNED_OUT_FLAG
from safety.models import Flag

register = template.Library()


@register.filter
def ago(moment: datetime) -> str:
    """ "just now" under a minute (Django's ``timesince`` says "0 minutes"), else "2 days ago".
    A moment a little ahead of the server's clock (a phone's) is "just now" too."""
    now = timezone.now()
    if now - moment < timedelta(minutes=1):
        return "just now"
    return f"{timesince(moment, now)} ago"


@register.filter
def ago_short(moment: datetime) -> str:
    """As ``ago``, in its largest unit only ("2 weeks ago", not "2 weeks, 3 days ago"): for a
    table's cell, where the order says the rest."""
    now = timezone.now()
    if now - moment < timedelta(minutes=1):
        return "just now"
    return f"{timesince(moment, now, depth=1)} ago"


@register.simple_tag
def signed_out_notice(request: HttpRequest) -> str:
    """The words for a therapist sent to sign in by a form they sent (``dashboard.views``), else ""."""
    return SIGNED_OUT if request.GET.get(SIGNED_OUT_FLAG) else ""


@register.filter
def flagged_entry(flag: Flag) -> str:
    """ "reflection for Tue 1 Dec", "pride entry for the week of Mon 30 Nov": the entry a flag is about."""
    return brief_markdown.flagged_entry(flag, day=lambda day: f"{day:%a} {day.day} {day:%b}")


_DAY_NAMES = {1: "Mon", 2: "Tue", 3: "Wed", 4: "Thu", 5: "Fri", 6: "Sat", 7: "Sun"}


@register.filter
def weekday_names(days: list[int]) -> str:
    """``[2, 5]`` as "Tue and Fri"; weekdays and weekends by those names."""
    days = sorted(days)
    if days == [1, 2, 3, 4, 5]:
        return "weekdays"
    if days == [6, 7]:
        return "weekends"
    names = [_DAY_NAMES[day] for day in days if day in _DAY_NAMES]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
