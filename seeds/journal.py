"""The chef's journal for the demo: the three practices agreed in session T44, and a few
weeks of believable, imperfect practice (gaps included: nothing here is about streaks)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from pathlib import Path

from accounts.models import User
from care.services import session_record
from journal import services
from journal.dates import iso_week, local_date
from journal.models import Commitment, Experiment, PrideEntry, Reflection

#: Session T44 (shared/seeds/T44.txt), imported as a therapist would import it.
T44 = Path(__file__).resolve().parent / "transcripts" / "T44.txt"

EFFORTS = [
    "Prepped the whole line before service without rushing.",
    "Sent a plate that wasn't perfect and let it go.",
    "Asked the sous chef for help instead of doing it all myself.",
    "Tasted as I went instead of checking everything twice.",
    "Left on time and didn't re-plan tomorrow in my head.",
    "Taught the new commis the mother sauces, patiently.",
]
PRIDE = [
    ["Kept calm during a 200-cover Saturday", "Let the team plate without hovering", "Went for a walk on my day off"],
    ["Tried the risotto even though I might fail", "Said 'good enough' out loud once"],
    ["Fixed the walk-in inventory", "Thanked the dishwasher properly", "Slept eight hours twice"],
]


def evening_of(day: date, *, patient: User, now: datetime) -> datetime:
    """When the chef writes about a day: 21:30 their time, or now if that has not come yet."""
    return min(datetime.combine(day, time(21, 30), tzinfo=patient.zone), now)


def load(*, patient: User, therapist: User, now: datetime) -> dict[str, int]:
    made = {"sessions": 0, "commitments": 0, "reflections": 0, "pride_entries": 0, "experiments": 0}
    session_held = now - timedelta(days=28)  # session T44, four weeks of practice ago
    # Through the real importer: the transcript drafts the three practices, the therapist
    # confirms them at the end of the session.
    recorded = session_record(
        therapist=therapist,
        patient_id=patient.id,
        held_on=local_date(session_held, therapist.zone),
        notes="Perfectionism and procrastination in the kitchen. Agreed three small practices.",
        transcript=T44.read_bytes(),
        now=session_held,
    )
    made["sessions"] += 1
    commitments = {}
    for draft in recorded.drafts:
        commitment = services.commitment_confirm(commitment=draft, by=therapist, now=session_held)
        commitments[commitment.kind] = commitment
        made["commitments"] += 1

    today = local_date(now, patient.zone)
    for days_ago in range(27, -1, -1):
        # Most days, not all: a believable practice with gaps nobody is blamed for.
        if days_ago % 4 == 3:
            continue
        day = today - timedelta(days=days_ago)
        services.entry_create(
            model=Reflection,
            patient=patient,
            now=evening_of(day, patient=patient, now=now),
            date=day,
            effort=EFFORTS[days_ago % len(EFFORTS)],
            kind_words="You're doing your best, and that's enough.",
            mood=3 + (days_ago % 3 == 0) - (days_ago % 5 == 0),
            commitment=commitments[Commitment.Kind.REFLECTION_DAILY],
        )
        made["reflections"] += 1
    for weeks_ago, items in zip((3, 2, 1), PRIDE, strict=True):
        sunday = today - timedelta(weeks=weeks_ago, days=today.weekday() - 6)
        services.entry_create(
            model=PrideEntry,
            patient=patient,
            now=evening_of(sunday, patient=patient, now=now),
            week=iso_week(today - timedelta(weeks=weeks_ago)),
            items=items,
            commitment=commitments[Commitment.Kind.PRIDE_WEEKLY],
        )
        made["pride_entries"] += 1
    services.entry_create(
        model=Experiment,
        patient=patient,
        now=evening_of(today - timedelta(days=9), patient=patient, now=now),
        title="Saffron risotto, a recipe I'd never made",
        planned_for=today - timedelta(days=9),
        worry="It would be a mess and I'd feel like a fraud.",
        outcome="Too salty. The team ate it anyway and we laughed.",
        learned="One dish is one dish. Trying felt better than not trying.",
        kind_words="It's okay, you gave it a shot. That's what matters.",
        status=Experiment.Status.TRIED,
        commitment=commitments[Commitment.Kind.EXPERIMENT],
    )
    services.entry_create(
        model=Experiment,
        patient=patient,
        now=now,
        title="Bake sourdough at home, just for fun",
        planned_for=today + timedelta(days=3),
        worry="It won't rise.",
        status=Experiment.Status.PLANNED,
    )
    made["experiments"] += 2
    return made


def load_quiet(*, patient: User, now: datetime) -> dict[str, int]:
    """A patient who practised for a while, then went quiet 16 days ago: the roster's gentle flag."""
    today = local_date(now, patient.zone)
    made = {"reflections": 0, "pride_entries": 0}
    for days_ago in range(40, 15, -3):
        day = today - timedelta(days=days_ago)
        services.entry_create(
            model=Reflection,
            patient=patient,
            now=evening_of(day, patient=patient, now=now),
            date=day,
            effort="Finished the shift without re-checking every chart twice.",
            mood=3,
        )
        made["reflections"] += 1
    last_week_written = today - timedelta(days=21)
    services.entry_create(
        model=PrideEntry,
        patient=patient,
        now=evening_of(last_week_written, patient=patient, now=now),
        week=iso_week(last_week_written),
        items=["Asked for a break when I needed one", "Cooked dinner instead of ordering"],
    )
    made["pride_entries"] += 1
    return made


def load_new(*, patient: User, now: datetime) -> dict[str, int]:
    """A patient linked this week: two reflections so far."""
    today = local_date(now, patient.zone)
    for days_ago in (2, 1):
        day = today - timedelta(days=days_ago)
        services.entry_create(
            model=Reflection,
            patient=patient,
            now=evening_of(day, patient=patient, now=now),
            date=day,
            effort="Handed in a first draft that was only good enough.",
            mood=4,
        )
    return {"reflections": 2}
