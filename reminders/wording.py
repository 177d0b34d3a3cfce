"""What a reminder says: a few gentle, varied messages per kind, never any journal text.

The product comes from a therapy practice for a perfectionist: "You're doing your best, and
that's enough", three proud things a week, small experiments tried just for fun with
permission to have them go sideways. A reminder invites; it never counts, scolds or
mentions what was not done. It can show on a lock screen, so it carries nothing the
patient wrote.

The choice is a hash of a seed (the delivery's id), not a random draw: a retried send
repeats the same words, and different days still read differently.
"""

from __future__ import annotations

import hashlib
from typing import NamedTuple

from reminders.models import Reminder


class Wording(NamedTuple):
    title: str
    body: str


Kind = Reminder.Kind

MESSAGES: dict[str, tuple[Wording, ...]] = {
    Kind.REFLECTION_DAILY: (
        Wording("A moment for you", "No pressure: a few minutes to notice what you tried today?"),
        Wording("Evening check-in", "You're doing your best, and that's enough. One thing from today, if you like?"),
        Wording("Just a few minutes", "Whatever today looked like, there's room to notice it. A short note is plenty."),
        Wording("Here when you're ready", "One line about your day counts. It doesn't need to be perfect."),
        Wording("A kind look back", "Good enough is good enough. Want to jot down how today went?"),
    ),
    Kind.PRIDE_WEEKLY: (
        Wording("Three proud things", "What are three things from this week you're proud of? Small ones count too."),
        Wording("A look at your week", "Anything this week you handled with care? Big or tiny, it counts."),
        Wording("Proud moments", "You did things this week worth noticing. Want to name a few?"),
        Wording("Your week, kindly", "Take a moment to gather what went okay this week. Three small wins are plenty."),
        Wording("Something to be proud of", "However the week went, something in it was yours. What comes to mind?"),
    ),
    Kind.EXPERIMENT_DAY: (
        Wording("Today's little experiment", "Today's the day to try, just for fun. However it goes is fine."),
        Wording("Experiment day", "A small try today, just to see what happens. It's allowed to be messy."),
        Wording("Just for fun", "Today's experiment is only an experiment: curiosity first, no right outcome."),
        Wording("Ready when you are", "Your experiment is planned for today. Try it lightly; imperfect counts."),
    ),
    Kind.EXPERIMENT_FOLLOW_UP: (
        Wording("How did it go?", "However it went, trying counts. Want to note what you noticed?"),
        Wording("A gentle follow-up", "Tried it or not, there's something to learn. A line or two is enough."),
        Wording("Looking back, kindly", "Experiments are for learning, not for getting right. What did you notice?"),
        Wording("About your experiment", "Whatever happened, it's all useful. Want to jot down how it went?"),
    ),
    Kind.CUSTOM: (
        Wording("A gentle reminder", "Here's the nudge you asked for. Take it at your own pace."),
        Wording("A moment for you", "You set this reminder for yourself. No pressure, just a nudge."),
        Wording("Checking in", "A small nudge, as you asked. Whatever you can do today is enough."),
        Wording("Your reminder", "This is the reminder you set. Go gently."),
    ),
}


def message_for(kind: str, seed: str) -> Wording:
    """The words for one delivery of a reminder of ``kind``, the same every time for ``seed``.

    An unknown kind is a bug upstream, so it raises ``KeyError`` rather than sending
    something generic that hides it.
    """
    choices = MESSAGES[kind]
    digest = hashlib.sha256(f"{kind}:{seed}".encode()).digest()
    return choices[int.from_bytes(digest[:8], "big") % len(choices)]
