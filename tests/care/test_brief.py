"""The pre-session brief on a fixture whose every entry is known, as JSON and as Markdown."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from care import services as care_services
from care.models import AccessLog
from journal.models import Commitment
from tests.factories import CommitmentFactory, ExperimentFactory, PrideEntryFactory, ReflectionFactory
from tests.helpers import error_codes

NOW = datetime(2026, 11, 25, 18, 0, tzinfo=UTC)  # Wednesday 25 November, noon in Chicago
SESSION_DAY = datetime(2026, 11, 11, 20, 0, tzinfo=UTC)  # the Wednesday two weeks before, 14:00 in Chicago

pytestmark = pytest.mark.django_db


def at(day: int, hour: int = 20) -> datetime:
    """A moment of November 2026 (UTC) that is the same day in Chicago."""
    return datetime(2026, 11, day, hour, 0, tzinfo=UTC)


@pytest.fixture
def story(therapist, chef, link):
    link.created_at = NOW - timedelta(days=90)
    link.save()
    care_services.session_record(therapist=therapist, patient_id=chef.id, held_on=date(2026, 11, 11), now=SESSION_DAY)
    commitments = {
        kind: CommitmentFactory(
            patient=chef, author=therapist, kind=kind, title=title, now=SESSION_DAY + timedelta(minutes=n)
        )
        for n, (kind, title) in enumerate(
            [
                ("reflection_daily", "A few minutes each day"),
                ("pride_weekly", "Three things I'm proud of"),
                ("experiment", "Try a new recipe"),
            ]
        )
    }
    CommitmentFactory(
        patient=chef, kind="custom", cadence="once", title="Not agreed yet", status="proposed", now=SESSION_DAY
    )
    for day, mood, shared in [(12, 2, True), (13, 2, True), (19, 4, True), (24, 5, False)]:
        ReflectionFactory(patient=chef, date=date(2026, 11, day), mood=mood, shared=shared, now=at(day))
    ReflectionFactory(patient=chef, date=date(2026, 11, 5), mood=1, now=at(5))  # before the session
    ReflectionFactory(patient=chef, date=date(2026, 11, 10), mood=1, now=at(10))  # its week, the day before
    PrideEntryFactory(
        patient=chef, week="2026-W46", items=["Plated the special", "Asked for help", "Left on time"], now=at(15)
    )
    PrideEntryFactory(patient=chef, week="2026-W47", items=["A *secret* thing"], shared=False, now=at(22))
    ExperimentFactory(
        patient=chef,
        title="Try a new recipe",
        planned_for=date(2026, 11, 14),
        status="tried",
        worry="The team would laugh",
        outcome="It flopped, and that was fine",
        learned="One dish is one dish",
        now=at(14),
    )
    ExperimentFactory(
        patient=chef, title="Hidden plan", planned_for=date(2026, 11, 21), status="skipped", shared=False, now=at(20)
    )
    return commitments


def brief(client, patient, **params):
    with time_machine.travel(NOW, tick=False):
        return client.get(f"/api/v1/patients/{patient.id}/brief/", params)


def test_the_brief_tells_what_was_practised_since_the_last_session(as_therapist, chef, story):
    response = brief(as_therapist, chef)
    assert response.status_code == 200
    body = response.json()
    assert body["period"] == {"since": "2026-11-11", "until": "2026-11-25", "days": 15, "since_reason": "last_session"}
    assert body["last_session_on"] == "2026-11-11"
    assert [(p["commitment"]["kind"], p["done"], p["met"], p["periods"], p["unit"]) for p in body["commitments"]] == [
        ("reflection_daily", 4, 4, 15, "day"),
        ("pride_weekly", 2, 1, 3, "week"),
        ("experiment", 1, 1, 1, "time"),
    ]
    assert body["reflections"]["days"] == 4
    assert body["reflections"]["dates"] == ["2026-11-12", "2026-11-13", "2026-11-19", "2026-11-24"]
    assert body["reflections"]["mood"] == {
        "average": 3.2,  # of the four days with a mood (2, 2, 4, 5), not of the weeks
        "trend": "up",
        "by_week": [
            {"week": "2026-W46", "average": 2.0},
            {"week": "2026-W47", "average": 4.0},
            {"week": "2026-W48", "average": 5.0},
        ],
    }
    assert body["pride_weeks"] == [
        {
            "week": "2026-W46",
            "count": 3,
            "target": 3,
            "met": True,
            "shared": True,
            "items": ["Plated the special", "Asked for help", "Left on time"],
            "note": "",
        },
        {"week": "2026-W47", "count": 1, "target": 3, "met": False, "shared": False, "items": [], "note": ""},
    ]
    recipe, hidden = body["experiments"]
    assert (recipe["title"], recipe["status"], recipe["outcome"]) == (
        "Try a new recipe",
        "tried",
        "It flopped, and that was fine",
    )
    assert (hidden["shared"], hidden["title"], hidden["status"], hidden["planned_for"]) == (
        False,
        "",
        "skipped",
        "2026-11-21",
    )
    assert body["experiments_tried"] == 1
    # Entries on the 12th, 13th, 14th (tried), 15th (pride), 19th, 20th (written), 22nd, 24th.
    assert body["active_days"] == 8
    assert body["quiet_stretches"] == [{"start": "2026-11-16", "end": "2026-11-18", "days": 3}]
    assert "secret" not in response.content.decode()
    assert "Hidden plan" not in response.content.decode()
    assert "fail" not in response.content.decode().replace("flopped", "")


def test_the_brief_reads_as_markdown_with_the_same_story(as_therapist, chef, story):
    response = brief(as_therapist, chef, format="md")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/markdown; charset=utf-8"
    text = response.content.decode()
    assert text.startswith("# Pre-session brief: Sam (chef)\n")
    for line in [
        "Wed 11 Nov 2026 to Wed 25 Nov 2026 (15 days, since the last session).",
        "Days and times are Sam (chef)'s, America/Chicago (UTC-6).",
        "- **A few minutes each day**: reflected on 4 of 15 days.",
        "- **Three things I'm proud of**: wrote in 2 of 3 weeks, 1 reaching 3.",
        "- **Try a new recipe**: tried 1 time.",
        "Mood averaged 3.2 of 5, rising (2026-W46 2.0, 2026-W47 4.0, 2026-W48 5.0).",
        "  - Plated the special",
        "- 2026-W47: 1 thing (toward 3)",
        "  - Not shared.",
        "- **Try a new recipe** (Sat 14 Nov 2026): tried. Worried: “The team would laugh” What happened: “It "
        "flopped, and that was fine” Learned: “One dish is one dish”",
        "- An experiment (Sat 21 Nov 2026): skipped. Not shared.",
        "- Mon 16 Nov 2026 to Wed 18 Nov 2026: 3 days quiet.",
    ]:
        assert line in text.splitlines(), line
    assert "secret" not in text


def test_what_the_patient_wrote_stays_text_in_markdown(as_therapist, chef, link):
    items = ["<img src=x onerror=alert(1)> [click](http://evil.test)", "# Big", "1. listed", "---", "> quoted"]
    PrideEntryFactory(patient=chef, items=items, now=NOW)
    text = brief(as_therapist, chef, format="md").content.decode()
    assert r"\<img src=x onerror=alert(1)\> \[click\](http://evil.test)" in text
    for escaped in [r"  - \# Big", r"  - 1\. listed", r"  - \---", r"  - \> quoted"]:
        assert escaped in text.splitlines(), escaped
    assert not re.search(r"(?<!\\)[<\[]", text.split("proud of\n", 1)[1])  # every < and [ escaped


def test_since_moves_the_start_and_a_day_not_yet_come_is_refused(as_therapist, chef, story):
    body = brief(as_therapist, chef, since="2026-11-19").json()
    assert body["period"] == {"since": "2026-11-19", "until": "2026-11-25", "days": 7, "since_reason": "asked"}
    assert body["reflections"]["dates"] == ["2026-11-19", "2026-11-24"]
    reads = AccessLog.objects.filter(what="brief").count()
    refused = brief(as_therapist, chef, since="2026-11-26")  # already the 26th in UTC, not yet in Chicago
    assert refused.status_code == 400
    assert error_codes(refused) == ["future_date"]
    assert AccessLog.objects.filter(what="brief").count() == reads  # a refused read is not logged
    assert brief(as_therapist, chef, since="26-11-2026", format="md").json()["errors"][0]["attr"] == "since"


def test_without_a_session_it_covers_four_weeks_or_since_the_link(as_therapist, chef, link):
    link.created_at = NOW - timedelta(days=200)
    link.save()
    assert brief(as_therapist, chef).json()["period"]["since"] == "2026-10-29"
    link.created_at = NOW - timedelta(days=3)
    link.save()
    period = brief(as_therapist, chef).json()["period"]
    assert (period["since"], period["since_reason"], period["days"]) == ("2026-11-22", "default", 4)


def test_another_therapists_session_does_not_move_the_start(as_therapist, stranger_therapist, chef, story):
    from tests.factories import CareLinkFactory

    CareLinkFactory(therapist=stranger_therapist, patient=chef)
    care_services.session_record(therapist=stranger_therapist, patient_id=chef.id, held_on=date(2026, 11, 20), now=NOW)
    assert brief(as_therapist, chef).json()["period"]["since"] == "2026-11-11"


def test_a_session_with_another_patient_does_not_move_the_start(as_therapist, therapist, chef, other_patient, story):
    from tests.factories import CareLinkFactory

    CareLinkFactory(therapist=therapist, patient=other_patient)
    care_services.session_record(therapist=therapist, patient_id=other_patient.id, held_on=date(2026, 11, 20), now=NOW)
    body = brief(as_therapist, chef).json()
    assert (body["period"]["since"], body["last_session_on"]) == ("2026-11-11", "2026-11-11")


def test_the_brief_ends_on_the_patients_today_not_the_servers(as_therapist, chef, story):
    late = datetime(2026, 11, 26, 3, 0, tzinfo=UTC)  # the 26th in UTC, still 21:00 on the 25th in Chicago
    with time_machine.travel(late, tick=False):
        body = as_therapist.get(f"/api/v1/patients/{chef.id}/brief/").json()
        refused = as_therapist.get(f"/api/v1/patients/{chef.id}/brief/", {"since": "2026-11-26"})
    assert (body["period"]["until"], body["period"]["days"]) == ("2026-11-25", 15)
    assert error_codes(refused) == ["future_date"]


def test_a_paused_commitment_is_in_the_brief_and_a_dropped_or_proposed_one_is_not(as_therapist, therapist, chef, story):
    from journal import services

    services.commitment_update(commitment=story["experiment"], by=therapist, now=NOW, status="paused")
    services.commitment_update(commitment=story["pride_weekly"], by=therapist, now=NOW, status="dropped")
    kinds = [
        (p["commitment"]["kind"], p["commitment"]["status"]) for p in brief(as_therapist, chef).json()["commitments"]
    ]
    assert kinds == [("reflection_daily", "active"), ("experiment", "paused")]  # the custom one is still proposed
    assert Commitment.objects.filter(kind="custom", status="proposed").exists()


def test_a_brief_covers_at_most_a_year(as_therapist, chef, story):
    assert brief(as_therapist, chef, since="2025-11-24").status_code == 200  # 366 days back
    refused = brief(as_therapist, chef, since="2025-11-23")
    assert refused.status_code == 400
    assert error_codes(refused) == ["too_far_back"]


def test_work_before_a_commitment_began_does_not_count_for_it(as_therapist, therapist, chef, story):
    later = CommitmentFactory(
        patient=chef, author=therapist, kind="experiment", title="Bake bread", now=at(20, hour=23)
    )
    practised = {p["commitment"]["id"]: p["done"] for p in brief(as_therapist, chef).json()["commitments"]}
    assert practised[str(later.id)] == 0  # the recipe was tried on the 14th, before it existed
    assert practised[str(story["experiment"].id)] == 1


def test_a_pride_week_counts_for_the_commitment_it_names_and_only_once_that_began(as_therapist, therapist, chef, story):
    later = CommitmentFactory(
        patient=chef, author=therapist, kind="pride_weekly", title="Two things a week", now=at(20, hour=23)
    )  # Friday of 2026-W47
    PrideEntryFactory(patient=chef, week="2026-W48", items=["Named it"], commitment=later, now=at(23))
    done = {p["commitment"]["id"]: p["done"] for p in brief(as_therapist, chef).json()["commitments"]}
    assert done[str(later.id)] == 2  # W47, which names none, and W48; not W46, before it began
    assert done[str(story["pride_weekly"].id)] == 2  # W46 and W47; W48 names the other one


def test_a_pride_week_naming_no_commitment_meets_the_patients_active_target(as_therapist, therapist, chef, story):
    CommitmentFactory(
        patient=chef, author=therapist, kind="pride_weekly", title="One thing a week", target_count=1, now=at(12)
    )  # the newest active pride commitment: its target is the one weeks are held to
    practised = {p["commitment"]["id"]: p for p in brief(as_therapist, chef).json()["commitments"]}
    pride = practised[str(story["pride_weekly"].id)]
    assert (pride["done"], pride["met"]) == (2, 2)  # W47's single item meets a target of one


def test_a_day_or_a_try_counts_from_the_very_day_a_commitment_began(as_therapist, therapist, chef, story):
    daily = CommitmentFactory(
        patient=chef, author=therapist, kind="reflection_daily", title="Each day", now=at(19, hour=12)
    )  # 06:00 on the 19th in Chicago
    recipe = CommitmentFactory(
        patient=chef, author=therapist, kind="experiment", title="Cook freely", now=at(14, hour=12)
    )  # the morning of the day the recipe was tried
    practised = {p["commitment"]["id"]: p for p in brief(as_therapist, chef).json()["commitments"]}
    assert [practised[str(daily.id)][key] for key in ("done", "periods")] == [2, 7]  # the 19th and the 24th
    assert practised[str(recipe.id)]["done"] == 1


def test_an_entry_naming_one_commitment_does_not_count_for_another_of_its_kind(as_therapist, therapist, chef, story):
    other_daily = CommitmentFactory(
        patient=chef, author=therapist, kind="reflection_daily", title="A line at night", now=SESSION_DAY
    )
    other_try = CommitmentFactory(patient=chef, author=therapist, kind="experiment", title="Ask", now=SESSION_DAY)
    ReflectionFactory(patient=chef, date=date(2026, 11, 16), commitment=other_daily, now=at(16))
    ExperimentFactory(
        patient=chef, title="Ask for help", planned_for=date(2026, 11, 18), commitment=other_try, now=at(18)
    )
    ExperimentFactory(patient=chef, title="Leave on time", planned_for=date(2026, 11, 20), now=at(20))  # names none
    practised = {p["commitment"]["id"]: p for p in brief(as_therapist, chef).json()["commitments"]}
    daily, tried = practised[str(story["reflection_daily"].id)], practised[str(story["experiment"].id)]
    assert (daily["done"], daily["met"]) == (4, 4)  # not the 16th, which names the other
    assert (tried["done"], tried["met"], tried["periods"]) == (2, 1, 1)  # trying at all meets it, once


def test_a_commitment_that_started_before_the_period_counts_from_the_periods_start(
    as_therapist, therapist, chef, story
):
    early = CommitmentFactory(
        patient=chef, author=therapist, kind="reflection_daily", title="Early", starts_on=date(2026, 11, 2), now=at(1)
    )
    practised = {p["commitment"]["id"]: p for p in brief(as_therapist, chef).json()["commitments"]}
    assert [practised[str(early.id)][key] for key in ("done", "periods")] == [4, 15]  # the 11th to the 25th


def test_a_commitment_counts_from_the_day_it_starts_on_in_the_patients_zone(as_therapist, therapist, chef, story):
    planned = CommitmentFactory(
        patient=chef, author=therapist, kind="reflection_daily", title="Later", starts_on=date(2026, 11, 19), now=at(1)
    )
    evening = CommitmentFactory(
        patient=chef, author=therapist, kind="reflection_daily", title="Tonight", now=at(19, hour=3)
    )  # 21:00 on the 18th in Chicago, already the 19th in UTC
    practised = {p["commitment"]["id"]: p for p in brief(as_therapist, chef).json()["commitments"]}
    assert [practised[str(planned.id)][key] for key in ("done", "periods")] == [2, 7]  # the 19th to the 25th
    assert practised[str(evening.id)]["periods"] == 8  # the 18th to the 25th


def test_a_custom_commitment_counts_the_entries_that_name_it(as_therapist, therapist, chef, story):
    walk = CommitmentFactory(
        patient=chef, author=therapist, kind="custom", cadence="weekly", title="Walk after work", now=SESSION_DAY
    )
    ReflectionFactory(patient=chef, date=date(2026, 11, 16), commitment=walk, now=at(16))
    ReflectionFactory(patient=chef, date=date(2026, 11, 17), commitment=story["reflection_daily"], now=at(17))
    PrideEntryFactory(patient=chef, week="2026-W48", items=["Walked twice"], commitment=walk, now=at(23))
    ExperimentFactory(
        patient=chef, title="Walk in the rain", planned_for=date(2026, 11, 18), commitment=walk, now=at(18)
    )
    practised = {p["commitment"]["id"]: p for p in brief(as_therapist, chef).json()["commitments"]}
    custom = practised[str(walk.id)]
    # Three entries name it (a reflection, a pride week, an experiment); the others name another or none.
    assert (custom["done"], custom["met"], custom["periods"], custom["unit"]) == (3, 3, 0, "entry")


def test_a_custom_commitment_counts_nothing_written_before_the_period(as_therapist, therapist, chef, story):
    walk = CommitmentFactory(
        patient=chef, author=therapist, kind="custom", cadence="weekly", title="Walk after work", now=at(1)
    )
    ReflectionFactory(patient=chef, date=date(2026, 11, 3), commitment=walk, now=at(3))
    PrideEntryFactory(patient=chef, week="2026-W45", items=["Walked"], commitment=walk, now=at(4))
    ExperimentFactory(patient=chef, title="Walk far", planned_for=date(2026, 11, 6), commitment=walk, now=at(6))
    ReflectionFactory(patient=chef, date=date(2026, 11, 20), commitment=walk, now=at(20, hour=21))
    practised = {p["commitment"]["id"]: p for p in brief(as_therapist, chef).json()["commitments"]}
    assert practised[str(walk.id)]["done"] == 1  # the brief starts at the session on the 11th


def test_a_custom_commitment_counts_entries_from_the_very_day_it_began(as_therapist, therapist, chef, story):
    walk = CommitmentFactory(
        patient=chef, author=therapist, kind="custom", cadence="weekly", title="Walk after work", now=at(23)
    )  # Monday 23 November, the first day of 2026-W48
    ReflectionFactory(patient=chef, date=date(2026, 11, 22), commitment=walk, now=at(23, hour=21))  # the day before
    ReflectionFactory(patient=chef, date=date(2026, 11, 23), commitment=walk, now=at(23, hour=22))
    PrideEntryFactory(patient=chef, week="2026-W48", items=["Walked"], commitment=walk, now=at(23, hour=22))
    ExperimentFactory(patient=chef, title="Walk home", planned_for=date(2026, 11, 23), commitment=walk, now=at(23))
    practised = {p["commitment"]["id"]: p for p in brief(as_therapist, chef).json()["commitments"]}
    # The reflection, the pride week and the experiment of that first day; not the day before.
    assert practised[str(walk.id)]["done"] == 3


def test_the_brief_costs_the_same_queries_after_a_year_of_entries(as_therapist, chef, link):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert brief(as_therapist, chef).status_code == 200
        return len(captured)

    start = NOW - timedelta(days=365)
    proud = CommitmentFactory(patient=chef, kind=Commitment.Kind.PRIDE_WEEKLY, title="Three things", now=start)
    empty = queries()
    for n in range(365):
        day = start + timedelta(days=n)
        ReflectionFactory(patient=chef, date=day.astimezone(chef.zone).date(), mood=1 + n % 5, now=day)
        if n % 7 == 0:
            PrideEntryFactory(patient=chef, commitment=proud, now=day)  # its target is its commitment's
            ExperimentFactory(patient=chef, now=day)
    assert queries() == empty


def test_an_error_of_the_markdown_brief_is_json_as_the_schema_says(as_therapist, chef, story, other_patient):
    refused = brief(as_therapist, chef, format="md", since="2026-11-26")
    assert (refused.status_code, refused["Content-Type"]) == (400, "application/json")
    assert error_codes(refused) == ["future_date"]
    not_linked = brief(as_therapist, other_patient, format="md")
    assert (not_linked.status_code, not_linked["Content-Type"]) == (404, "application/json")
    assert error_codes(not_linked) == ["not_found"]


def test_another_patients_journal_never_enters_the_brief(as_therapist, therapist, chef, other_patient, story):
    from tests.factories import CareLinkFactory

    before = brief(as_therapist, chef).json()
    CareLinkFactory(therapist=therapist, patient=other_patient)  # the same therapist's other patient
    CommitmentFactory(patient=other_patient, kind="reflection_daily", title="Theirs", now=at(12))
    ReflectionFactory(patient=other_patient, date=date(2026, 11, 17), mood=1, now=at(17))
    PrideEntryFactory(patient=other_patient, week="2026-W47", items=["Theirs"], now=at(17))
    ExperimentFactory(patient=other_patient, title="Theirs", planned_for=date(2026, 11, 17), status="tried", now=at(17))
    assert brief(as_therapist, chef).json() == before


def test_what_was_written_for_days_outside_the_period_stays_out(as_therapist, chef, story):
    before = brief(as_therapist, chef).json()
    PrideEntryFactory(patient=chef, week="2026-W45", items=["Before"], now=at(9))
    ExperimentFactory(patient=chef, title="Before", planned_for=date(2026, 11, 9), status="tried", now=at(8))
    ExperimentFactory(patient=chef, title="Next week", planned_for=date(2026, 11, 30), now=at(24))
    # Written in Tokyo, where it was already the 26th; the patient is back in Chicago's 25th.
    chef.timezone = "Asia/Tokyo"
    chef.save()
    ReflectionFactory(patient=chef, date=date(2026, 11, 26), now=NOW)
    chef.timezone = "America/Chicago"
    chef.save()
    after = brief(as_therapist, chef).json()
    # The chart's twelve weeks reach past the period by design (the patient page's chart); the rest is the period's.
    assert {**after, "weeks": None} == {**before, "weeks": None}


def test_a_brief_may_start_today_and_a_refusal_says_why(as_therapist, chef, story):
    body = brief(as_therapist, chef, since="2026-11-25").json()
    assert (body["period"]["since"], body["period"]["days"]) == ("2026-11-25", 1)
    tomorrow = brief(as_therapist, chef, since="2026-11-26").json()["errors"]
    assert [e["detail"] for e in tomorrow] == ["That day has not come yet for the patient."]
    too_far = brief(as_therapist, chef, since="2025-11-01").json()["errors"]
    assert [e["detail"] for e in too_far] == ["A brief covers at most a year."]


def test_a_new_link_starts_the_brief_on_its_day_in_the_patients_zone(as_therapist, chef, link):
    link.created_at = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)  # the 20th in UTC, the 19th in Chicago
    link.save()
    period = brief(as_therapist, chef).json()["period"]
    assert (period["since"], period["since_reason"]) == ("2026-11-19", "default")


def test_active_days_are_the_patients_days(as_therapist, chef, link):
    link.created_at = NOW - timedelta(days=60)
    link.save()
    # Written at 21:00 on the 16th in Chicago (the 17th in UTC).
    PrideEntryFactory(patient=chef, week="2026-W47", items=["Late"], now=datetime(2026, 11, 17, 3, 0, tzinfo=UTC))
    # Planned for the 20th, tried, and written down on the 22nd: both days were active.
    ExperimentFactory(patient=chef, title="Try", planned_for=date(2026, 11, 20), status="tried", now=at(22))
    body = brief(as_therapist, chef).json()
    assert body["active_days"] == 3
    assert [(q["start"], q["end"]) for q in body["quiet_stretches"]] == [
        ("2026-10-29", "2026-11-15"),
        ("2026-11-17", "2026-11-19"),
        ("2026-11-23", "2026-11-25"),
    ]


def test_commitments_are_listed_by_when_agreed_not_when_last_edited(as_therapist, therapist, chef, story):
    from journal import services

    services.commitment_update(commitment=story["reflection_daily"], by=therapist, now=at(24), title="Edited")
    kinds = [p["commitment"]["kind"] for p in brief(as_therapist, chef).json()["commitments"]]
    assert kinds == ["reflection_daily", "pride_weekly", "experiment"]


def test_experiments_are_listed_by_the_day_each_was_written_on(as_therapist, chef, link):
    link.created_at = NOW - timedelta(days=60)
    link.save()
    # Synced from a phone that was offline: the one written later reached the server first.
    later = ExperimentFactory(patient=chef, title="Later", now=at(20, hour=22))
    earlier = ExperimentFactory(patient=chef, title="Earlier", now=at(20, hour=21))
    # Written from Tokyo, where it was already the 22nd, before one written back in Chicago on the 21st.
    chef.timezone = "Asia/Tokyo"
    chef.save()
    tokyo = ExperimentFactory(patient=chef, title="In Tokyo", now=datetime(2026, 11, 21, 16, 0, tzinfo=UTC))
    chef.timezone = "America/Chicago"
    chef.save()
    chicago = ExperimentFactory(patient=chef, title="In Chicago", now=at(21))
    ids = [e["id"] for e in brief(as_therapist, chef).json()["experiments"]]
    assert ids == [str(e.id) for e in [earlier, later, chicago, tokyo]]


def test_a_pride_week_written_from_a_zone_already_in_next_week_waits_for_it(as_therapist, chef, story):
    sunday = datetime(2026, 11, 29, 20, 0, tzinfo=UTC)  # Sunday of W48 in Chicago, Monday of W49 in Tokyo
    chef.timezone = "Asia/Tokyo"
    chef.save()
    PrideEntryFactory(patient=chef, week="2026-W49", items=["Early"], now=sunday)
    chef.timezone = "America/Chicago"
    chef.save()
    with time_machine.travel(sunday, tick=False):
        body = as_therapist.get(f"/api/v1/patients/{chef.id}/brief/").json()
    assert [week["week"] for week in body["pride_weeks"]] == ["2026-W46", "2026-W47"]


def test_a_sessions_practices_are_listed_as_they_came_up_whatever_order_they_were_confirmed(as_therapist, chef, link):
    from pathlib import Path

    link.created_at = NOW - timedelta(days=30)
    link.save()
    transcript = (Path(__file__).resolve().parents[2] / "seeds" / "transcripts" / "T44.txt").read_text()
    with time_machine.travel(at(20), tick=False):
        session = as_therapist.post(
            "/api/v1/sessions/", {"patient": str(chef.id), "held_on": "2026-11-20", "transcript": transcript}
        ).json()
    drafts = [d["id"] for d in session["draft_commitments"]]
    assert len(drafts) == 3
    for n, draft in enumerate(reversed(drafts)):  # the last one agreed is confirmed first
        with time_machine.travel(at(21, hour=10 + n), tick=False):
            assert as_therapist.post(f"/api/v1/commitments/{draft}/confirm/").status_code == 200
    listed = [p["commitment"]["id"] for p in brief(as_therapist, chef).json()["commitments"]]
    assert listed == drafts


def test_a_pride_weeks_note_shows_only_when_the_entry_and_the_link_share_it(as_therapist, chef, link):
    link.created_at = NOW - timedelta(days=90)
    link.save()
    PrideEntryFactory(patient=chef, week="2026-W46", items=["Plated it"], note="A proud week", now=at(15))
    PrideEntryFactory(patient=chef, week="2026-W47", items=["Kept"], note="Only mine", shared=False, now=at(22))
    weeks = brief(as_therapist, chef, since="2026-11-09").json()["pride_weeks"]
    assert [(week["week"], week["note"], week["items"]) for week in weeks] == [
        ("2026-W46", "A proud week", ["Plated it"]),
        ("2026-W47", "", []),
    ]
    link.share_entries = False
    link.save()
    weeks = brief(as_therapist, chef, since="2026-11-09").json()["pride_weeks"]
    assert [(week["note"], week["items"]) for week in weeks] == [("", []), ("", [])]
    assert "Only mine" not in brief(as_therapist, chef, since="2026-11-09", format="md").content.decode()
