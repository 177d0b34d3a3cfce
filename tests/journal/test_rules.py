"""The journal's rules, each with one home, called directly beside the HTTP tests.

Selectors and services are what care and reminders will call; these tests pin what they
answer, including the numbers of queries the roster depends on.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.db import IntegrityError, transaction
from drf_spectacular.generators import SchemaGenerator

from accounts.exceptions import NotLinked
from core.concurrency import IfMatch
from core.exceptions import StaleVersion
from journal import selectors, services
from journal.dates import iso_week
from journal.exceptions import NotLinkable, NotYours, PatientRequired, RecordNotFound, SlotTaken
from journal.models import (
    MOOD_MAX,
    MOOD_MIN,
    PRIDE_ITEM_MAX_LENGTH,
    PRIDE_ITEMS_MAX,
    PRIDE_ITEMS_MIN,
    Commitment,
    Experiment,
    PrideEntry,
    Reflection,
)
from reminders.models import Reminder
from tests.factories import (
    CareLinkFactory,
    CommitmentFactory,
    ExperimentFactory,
    PatientFactory,
    PrideEntryFactory,
    ReflectionFactory,
    ReminderFactory,
    TherapistFactory,
)

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 25, 18, 0, tzinfo=UTC)  # Wednesday of 2026-W48; noon in Chicago


class TestThePrideTarget:
    """One rule: the entry's commitment's target, else the active pride commitment's, else 3."""

    @pytest.fixture
    def two_is_enough(self, chef):
        return CommitmentFactory(patient=chef, kind=Commitment.Kind.PRIDE_WEEKLY, target_count=2)

    def test_an_entry_naming_no_commitment_meets_the_active_commitments_target_everywhere(self, as_chef, two_is_enough):
        with time_machine.travel(NOW, tick=False):
            written = as_chef.post("/api/v1/pride-entries/", {"items": ["Plated calmly", "Asked for help"]})
            listed = as_chef.get("/api/v1/pride-entries/").json()["results"][0]
            week = as_chef.get("/api/v1/progress/", {"weeks": 1}).json()["weeks"][0]
            synced = next(c for c in as_chef.get("/api/v1/sync/").json()["changes"] if c["type"] == "pride_entry")
        assert written.status_code == 201
        assert (written.json()["target"], written.json()["met"]) == (2, True)
        assert (listed["target"], listed["met"]) == (2, True)
        assert week["pride"] == {"count": 2, "target": 2, "met": True}
        assert (synced["data"]["target"], synced["data"]["met"]) == (2, True)

    def test_an_entrys_own_commitment_wins_over_the_active_one(self, as_chef, chef, two_is_enough):
        mine = CommitmentFactory(patient=chef, kind=Commitment.Kind.PRIDE_WEEKLY, target_count=4, status="proposed")
        with time_machine.travel(NOW, tick=False):
            written = as_chef.post("/api/v1/pride-entries/", {"items": ["a", "b", "c"], "commitment": str(mine.id)})
            week = as_chef.get("/api/v1/progress/", {"weeks": 1}).json()["weeks"][0]
        assert (written.json()["target"], written.json()["met"]) == (4, False)
        assert week["pride"] == {"count": 3, "target": 4, "met": False}

    def test_with_no_pride_commitment_three_things_meet_a_week(self, chef):
        entry = PrideEntryFactory(patient=chef, items=["a", "b"], now=NOW)
        assert entry.target(active_target=selectors.active_pride_target(patient=chef)) == 3
        assert not entry.met(active_target=None)

    def test_a_paused_or_deleted_pride_commitment_sets_no_target(self, chef, two_is_enough):
        services.commitment_update(commitment=two_is_enough, by=chef, now=NOW, status="paused")
        assert selectors.active_pride_target(patient=chef) is None
        newer = CommitmentFactory(patient=chef, kind=Commitment.Kind.PRIDE_WEEKLY, target_count=5)
        assert selectors.active_pride_target(patient=chef) == 5
        services.record_delete(record=newer, now=NOW)
        assert selectors.active_pride_target(patient=chef) is None


class TestWeekSummaries:
    def test_the_roster_reads_any_number_of_patients_in_five_queries(self, django_assert_num_queries):
        patients = [PatientFactory(timezone=zone) for zone in ("Pacific/Kiritimati", "Pacific/Pago_Pago", "UTC")]
        for n, patient in enumerate(patients):
            CommitmentFactory(patient=patient, kind=Commitment.Kind.PRIDE_WEEKLY, target_count=n + 1)
            ReflectionFactory(patient=patient, now=NOW - timedelta(days=n), mood=n + 1)
            PrideEntryFactory(patient=patient, items=["a", "b"], now=NOW)
            ExperimentFactory(patient=patient, now=NOW)
        with django_assert_num_queries(5):
            summaries = selectors.week_summaries(patients=patients, weeks=12, now=NOW)
        assert [summaries[p.id].weeks[0].pride.met for p in patients] == [True, True, False]
        assert len(summaries[patients[0].id].weeks) == 12

    def test_each_patient_is_summed_up_in_their_own_zone(self):
        east, west = PatientFactory(timezone="Pacific/Kiritimati"), PatientFactory(timezone="Pacific/Pago_Pago")
        sunday_night_utc = datetime(2026, 11, 29, 23, 0, tzinfo=UTC)  # Monday in Kiritimati, Sunday in Pago Pago
        for patient in (east, west):
            ReflectionFactory(patient=patient, now=sunday_night_utc)
        summaries = selectors.week_summaries(patients=[east, west], weeks=2, now=sunday_night_utc)
        assert summaries[east.id].this_week == "2026-W49"
        assert summaries[east.id].weeks[0].reflection_dates == (date(2026, 11, 30),)
        assert summaries[west.id].this_week == "2026-W48"
        assert summaries[west.id].weeks[0].reflection_dates == (date(2026, 11, 29),)

    def test_an_old_entry_changed_today_counts_as_activity_today_but_stays_in_its_week(self, chef):
        old = ReflectionFactory(patient=chef, date=date(2025, 11, 3), now=NOW - timedelta(days=387))
        services.entry_update(entry=old, now=NOW, effort="Rewritten a year later")
        summary = selectors.week_summaries(patients=[chef], weeks=4, now=NOW)[chef.id]
        assert summary.last_active_at == NOW
        assert not any(week.reflection_dates for week in summary.weeks)

    def test_the_streak_reads_back_past_the_weeks_shown(self, chef):
        for weeks_ago in range(10):
            ReflectionFactory(patient=chef, date=date(2026, 11, 24) - timedelta(weeks=weeks_ago), now=NOW)
        progress = selectors.progress(patient=chef, weeks=2, now=NOW)
        assert len(progress.weeks) == 2
        assert progress.practice_streak_weeks == 10

    def test_a_patient_with_nothing_written_has_quiet_weeks_not_failed_ones(self, chef):
        progress = selectors.progress(patient=chef, weeks=2, now=NOW)
        assert progress.practice_streak_weeks == 0
        assert progress.last_active_at is None
        assert [week.practised for week in progress.weeks] == [False, False]


class TestPeriodPractised:
    @pytest.mark.parametrize(
        ("zone", "written", "asked", "practised"),
        [
            ("America/Chicago", "2026-11-25T18:00:00Z", "2026-11-26T05:59:00Z", True),  # 23:59 the same evening
            ("America/Chicago", "2026-11-25T18:00:00Z", "2026-11-26T06:01:00Z", False),  # 00:01 the next day
            ("Pacific/Kiritimati", "2026-11-25T09:59:00Z", "2026-11-25T10:01:00Z", False),  # midnight at UTC+14
            ("Europe/London", "2026-03-29T00:30:00Z", "2026-03-29T22:30:00Z", True),  # the day clocks go forward
        ],
    )
    def test_a_daily_reflection_counts_for_the_local_day_it_was_written(self, zone, written, asked, practised):
        patient = PatientFactory(timezone=zone)
        ReflectionFactory(patient=patient, now=datetime.fromisoformat(written))
        kind = Commitment.Kind.REFLECTION_DAILY
        assert selectors.period_practised(patient=patient, kind=kind, now=datetime.fromisoformat(asked)) is practised

    def test_a_pride_entry_counts_for_its_iso_week_however_short(self, chef):
        PrideEntryFactory(patient=chef, items=["just one"], now=NOW)
        kind = Commitment.Kind.PRIDE_WEEKLY
        assert selectors.period_practised(patient=chef, kind=kind, now=NOW)
        # Sunday 23:59 in Chicago is still W48; Monday 00:01 is W49.
        assert selectors.period_practised(patient=chef, kind=kind, now=datetime(2026, 11, 30, 5, 59, tzinfo=UTC))
        assert not selectors.period_practised(patient=chef, kind=kind, now=datetime(2026, 11, 30, 6, 1, tzinfo=UTC))

    def test_an_experiment_counts_once_tried_in_the_week_it_was_planned_for(self, chef):
        kind = Commitment.Kind.EXPERIMENT
        ExperimentFactory(patient=chef, status="planned", now=NOW)
        assert not selectors.period_practised(patient=chef, kind=kind, now=NOW)
        ExperimentFactory(patient=chef, status="tried", planned_for=date(2026, 11, 16), now=NOW)  # last week
        assert not selectors.period_practised(patient=chef, kind=kind, now=NOW)
        ExperimentFactory(patient=chef, status="tried", now=NOW)
        assert selectors.period_practised(patient=chef, kind=kind, now=NOW)

    def test_a_deleted_entry_does_not_count(self, chef):
        reflection = ReflectionFactory(patient=chef, now=NOW)
        services.record_delete(record=reflection, now=NOW)
        assert not selectors.period_practised(patient=chef, kind=Commitment.Kind.REFLECTION_DAILY, now=NOW)

    def test_a_custom_commitment_is_never_skipped_as_done(self, chef):
        assert not selectors.period_practised(patient=chef, kind=Commitment.Kind.CUSTOM, now=NOW)

    def test_patients_asked_together_each_count_in_their_own_week(self):
        # The dispatcher asks about many patients at once. At this instant it is already Monday
        # of W49 in Kiritimati and still Sunday of W48 in Honolulu: both practised, each in
        # their own week, and neither's practice may be lost for being in the other's week.
        now = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
        kiritimati = PatientFactory(timezone="Pacific/Kiritimati")
        honolulu = PatientFactory(timezone="Pacific/Honolulu")
        for patient in (kiritimati, honolulu):
            ReflectionFactory(patient=patient, now=now)
            PrideEntryFactory(patient=patient, items=["mine"], now=now)
            ExperimentFactory(patient=patient, status="tried", now=now)
        both = {kiritimati.id, honolulu.id}
        for kind in (Commitment.Kind.REFLECTION_DAILY, Commitment.Kind.PRIDE_WEEKLY, Commitment.Kind.EXPERIMENT):
            assert selectors.patients_who_practised(patients=[kiritimati, honolulu], kind=kind, now=now) == both, kind

    def test_another_patients_practice_that_day_is_no_answer_about_the_patients_asked(self, chef):
        neighbour = PatientFactory(timezone=chef.timezone)
        ReflectionFactory(patient=neighbour, now=NOW)
        PrideEntryFactory(patient=neighbour, items=["theirs"], now=NOW)
        ExperimentFactory(patient=neighbour, status="tried", now=NOW)
        for kind in (Commitment.Kind.REFLECTION_DAILY, Commitment.Kind.PRIDE_WEEKLY, Commitment.Kind.EXPERIMENT):
            assert selectors.patients_who_practised(patients=[chef], kind=kind, now=NOW) == set(), kind


class TestTheDayAnExperimentCountsOn:
    """One rule (``Experiment.day_counted``): the day it was planned for, else the day it was
    written. Its query forms (``in_days``, ``in_week``) must pick exactly the experiments the
    rule places there, or progress, reminders and the brief would count different things."""

    WRITTEN = (date(2026, 11, 23), date(2026, 11, 29), date(2026, 11, 30))  # W48's Monday and Sunday, W49
    PLANNED = (None, date(2026, 11, 22), date(2026, 11, 23), date(2026, 11, 29), date(2026, 11, 30))

    @pytest.fixture
    def experiments(self, chef):
        made = []
        for written in self.WRITTEN:
            for planned_for in self.PLANNED:
                experiment = ExperimentFactory(patient=chef, planned_for=planned_for, now=NOW)
                Experiment.objects.filter(pk=experiment.pk).update(date=written)  # written on another day
                experiment.date = written
                made.append(experiment)
        return made

    def test_an_experiment_counts_on_the_day_it_was_planned_for_else_the_day_it_was_written(self):
        planned = Experiment(planned_for=date(2026, 11, 30), date=date(2026, 11, 25))
        unplanned = Experiment(planned_for=None, date=date(2026, 11, 25))
        assert (planned.counts_on, unplanned.counts_on) == (date(2026, 11, 30), date(2026, 11, 25))
        assert Experiment.week_of(planned_for=planned.planned_for, written_on=planned.date) == "2026-W49"
        assert Experiment.week_of(planned_for=None, written_on=unplanned.date) == "2026-W48"

    @pytest.mark.parametrize(
        ("start", "end"),
        [
            (date(2026, 11, 23), date(2026, 11, 29)),
            (date(2026, 11, 29), date(2026, 11, 29)),
            (date(2026, 11, 24), None),
            (None, date(2026, 11, 28)),
            (None, None),
        ],
    )
    def test_the_days_filter_picks_what_the_rule_places_in_those_days(self, experiments, start, end):
        found = set(Experiment.objects.filter(Experiment.in_days(start, end)).values_list("id", flat=True))
        expected = {
            e.id for e in experiments if (start is None or e.counts_on >= start) and (end is None or e.counts_on <= end)
        }
        assert found == expected

    @pytest.mark.parametrize("week", ["2026-W47", "2026-W48", "2026-W49"])
    def test_the_week_filter_picks_what_the_rule_places_in_that_week(self, experiments, week):
        found = set(Experiment.objects.filter(Experiment.in_week(week)).values_list("id", flat=True))
        expected = {e.id for e in experiments if iso_week(e.counts_on) == week}
        assert found == expected
        assert found  # each week holds some: the comparison is not between two empty sets


class TestASettledExperiment:
    """One rule (``Experiment.settled``): tried, skipped or deleted; its nudges stop by it."""

    @pytest.mark.parametrize(
        ("status", "deleted", "settled"),
        [("planned", False, False), ("tried", False, True), ("skipped", False, True), ("planned", True, True)],
    )
    def test_an_experiment_is_settled_once_tried_skipped_or_deleted(self, status, deleted, settled):
        experiment = Experiment(status=status, deleted_at=NOW if deleted else None)
        assert experiment.settled is settled


@pytest.fixture(scope="module")
def components():
    return SchemaGenerator().get_schema(request=None, public=True)["components"]["schemas"]


class TestTheMoodAndPrideScales:
    """Each scale has one home (journal.models): the database, the API's checks and messages,
    and the schema a generated client reads all say the same numbers."""

    def test_mood_runs_from_the_lowest_to_the_highest_everywhere(self, as_chef, chef, components):
        for name in ("Reflection", "ReflectionRequest"):
            mood = components[name]["properties"]["mood"]
            assert (mood["minimum"], mood["maximum"]) == (MOOD_MIN, MOOD_MAX), name
        with time_machine.travel(NOW, tick=False):
            too_high = as_chef.post("/api/v1/reflections/", {"effort": "x", "mood": MOOD_MAX + 1})
            too_low = as_chef.post("/api/v1/reflections/", {"effort": "x", "mood": MOOD_MIN - 1})
            highest = as_chef.post("/api/v1/reflections/", {"effort": "x", "mood": MOOD_MAX})
        assert (too_high.status_code, too_low.status_code, highest.status_code) == (400, 400, 201)
        assert str(MOOD_MAX) in too_high.json()["errors"][0]["detail"]
        assert str(MOOD_MIN) in too_low.json()["errors"][0]["detail"]
        with pytest.raises(IntegrityError), transaction.atomic():
            Reflection.objects.filter(id=highest.json()["id"]).update(mood=MOOD_MAX + 1)

    def test_a_pride_entry_holds_from_the_fewest_to_the_most_things_everywhere(self, as_chef, components):
        for name in ("PrideEntry", "PrideEntryRequest"):
            items = components[name]["properties"]["items"]
            assert (items["minItems"], items["maxItems"]) == (PRIDE_ITEMS_MIN, PRIDE_ITEMS_MAX), name
            assert items["items"]["maxLength"] == PRIDE_ITEM_MAX_LENGTH, name
        with time_machine.travel(NOW, tick=False):
            too_many = as_chef.post("/api/v1/pride-entries/", {"items": ["a"] * (PRIDE_ITEMS_MAX + 1)})
            too_long = as_chef.post("/api/v1/pride-entries/", {"items": ["a" * (PRIDE_ITEM_MAX_LENGTH + 1)]})
            most = as_chef.post("/api/v1/pride-entries/", {"items": ["a" * PRIDE_ITEM_MAX_LENGTH] * PRIDE_ITEMS_MAX})
        assert (too_many.status_code, too_long.status_code, most.status_code) == (400, 400, 201)
        assert str(PRIDE_ITEMS_MAX) in too_many.json()["errors"][0]["detail"]
        assert str(PRIDE_ITEM_MAX_LENGTH) in too_long.json()["errors"][0]["detail"]
        with pytest.raises(IntegrityError), transaction.atomic():
            PrideEntry.objects.filter(id=most.json()["id"]).update(item_count=PRIDE_ITEMS_MAX + 1)


class TestWhoMaySeeAndWrite:
    def test_a_therapist_sees_the_commitments_of_linked_patients_only(self, therapist, chef, link, other_patient):
        mine = CommitmentFactory(patient=chef)
        CommitmentFactory(patient=other_patient)
        assert list(selectors.commitments_visible_to(user=therapist)) == [mine]
        assert list(selectors.commitments_visible_to(user=therapist, patient_id=chef.id)) == [mine]
        with pytest.raises(NotLinked):
            selectors.commitments_visible_to(user=therapist, patient_id=other_patient.id)

    def test_an_ended_link_closes_the_door(self, therapist, chef, link):
        CommitmentFactory(patient=chef)
        link.status, link.ended_at = "ended", NOW
        link.save()
        assert not selectors.commitments_visible_to(user=therapist).exists()

    def test_a_patient_sees_their_own_and_nothing_when_naming_another(self, chef, other_patient):
        mine = CommitmentFactory(patient=chef)
        CommitmentFactory(patient=other_patient)
        assert list(selectors.commitments_visible_to(user=chef)) == [mine]
        assert not selectors.commitments_visible_to(user=chef, patient_id=other_patient.id).exists()

    def test_who_a_commitment_may_be_written_for(self, therapist, chef, link, other_patient):
        assert services.commitment_patient_for(author=therapist, patient_id=chef.id) == chef
        assert services.commitment_patient_for(author=chef, patient_id=None) == chef
        with pytest.raises(NotLinked):
            services.commitment_patient_for(author=therapist, patient_id=other_patient.id)
        with pytest.raises(PatientRequired):
            services.commitment_patient_for(author=therapist, patient_id=None)
        with pytest.raises(NotYours):
            services.commitment_patient_for(author=chef, patient_id=other_patient.id)

    def test_a_therapist_writes_as_themself_for_the_patient(self, therapist, chef, link):
        commitment = services.commitment_create(
            author=therapist, patient_id=chef.id, now=NOW, kind="pride_weekly", title="Three things"
        )
        assert (commitment.patient, commitment.created_by) == (chef, therapist)
        assert (commitment.cadence, commitment.target_count) == ("weekly", 3)


class TestWhichCommitmentAnEntryOrReminderMayName:
    """One rule (``selectors.linkable_commitments``): the patient's own, living commitments.
    The API offers only those; the services hold every other caller to the same rule."""

    @pytest.fixture
    def not_linkable(self, chef, other_patient):
        deleted = CommitmentFactory(patient=chef, now=NOW)
        services.commitment_delete(commitment=deleted, by=chef, now=NOW)
        return {"another patient's": CommitmentFactory(patient=other_patient, now=NOW), "a deleted": deleted}

    def test_an_entry_written_through_the_service_names_only_the_patients_own_living_commitment(
        self, chef, not_linkable
    ):
        for what, commitment in not_linkable.items():
            with pytest.raises(NotLinkable):
                services.entry_create(model=Reflection, patient=chef, now=NOW, effort="x", commitment=commitment)
            assert not Reflection.objects.exists(), what
        mine = CommitmentFactory(patient=chef, now=NOW)
        made = services.entry_create(model=Reflection, patient=chef, now=NOW, effort="x", commitment=mine)
        assert made.commitment == mine

    def test_an_entry_changed_through_the_service_cannot_name_one_either(self, chef, not_linkable):
        entry = ExperimentFactory(patient=chef, now=NOW)
        for commitment in not_linkable.values():
            with pytest.raises(NotLinkable):
                services.entry_update(entry=entry, now=NOW, commitment=commitment)
        entry.refresh_from_db()
        assert (entry.commitment, entry.version) == (None, 1)

    def test_a_reminder_is_held_to_the_same_rule(self, chef, not_linkable):
        before = Reminder.objects.count()
        for commitment in not_linkable.values():
            with pytest.raises(NotLinkable):
                ReminderFactory(patient=chef, commitment=commitment, now=NOW)
        assert Reminder.objects.count() == before

    def test_the_api_offers_an_entry_the_same_choices(self, as_chef, not_linkable):
        for what, commitment in not_linkable.items():
            response = as_chef.post("/api/v1/experiments/", {"title": "x", "commitment": str(commitment.id)})
            assert response.status_code == 400, what
            assert response.json()["errors"][0]["code"] == "does_not_exist"


class TestPutCreateOrReplace:
    def test_a_new_id_creates_and_the_same_id_replaces(self, chef):
        entry_id = uuid.uuid4()
        made, created = services.entry_put(
            model=Reflection, patient=chef, entry_id=entry_id, now=NOW, if_match=None, effort="first"
        )
        assert created
        assert (made.id, made.version) == (entry_id, 1)
        again, created = services.entry_put(
            model=Reflection, patient=chef, entry_id=entry_id, now=NOW, if_match=IfMatch.parse('"1"'), effort="second"
        )
        assert not created
        assert (again.effort, again.version) == ("second", 2)

    def test_a_stale_version_changes_nothing(self, chef):
        entry = ReflectionFactory(patient=chef, effort="kept", now=NOW)
        with pytest.raises(StaleVersion):
            services.entry_put(
                model=Reflection, patient=chef, entry_id=entry.id, now=NOW, if_match=IfMatch.parse('"7"'), effort="x"
            )
        entry.refresh_from_db()
        assert (entry.effort, entry.version) == ("kept", 1)

    def test_another_patients_id_or_a_deleted_one_is_not_found(self, chef, other_patient):
        theirs = ReflectionFactory(patient=other_patient, now=NOW)
        mine = ReflectionFactory(patient=chef, now=NOW - timedelta(days=1))
        services.record_delete(record=mine, now=NOW)
        for entry_id in (theirs.id, mine.id):
            with pytest.raises(RecordNotFound):
                services.entry_put(
                    model=Reflection, patient=chef, entry_id=entry_id, now=NOW, if_match=None, effort="x"
                )
        theirs.refresh_from_db()
        assert theirs.version == 1


class TestStamps:
    def test_created_and_updated_come_from_the_services_now(self, chef):
        written, edited = NOW - timedelta(days=3), NOW
        entry = PrideEntryFactory(patient=chef, items=["a"], now=written)
        services.entry_update(entry=entry, now=edited, items=["a", "b", "c"])
        entry.refresh_from_db()
        assert (entry.created_at, entry.updated_at, entry.item_count) == (written, edited, 3)

    def test_a_second_entry_for_a_taken_week_names_the_first(self, chef):
        first = PrideEntryFactory(patient=chef, week="2026-W40", now=NOW)
        with pytest.raises(SlotTaken) as raised:
            PrideEntryFactory(patient=chef, week="2026-W40", now=NOW)
        assert (raised.value.attr, raised.value.existing_id) == ("week", str(first.id))
        assert PrideEntry.objects.count() == 1


def test_a_link_to_another_therapist_opens_no_door(therapist, chef):
    other = TherapistFactory()
    CareLinkFactory(therapist=other, patient=chef)
    with pytest.raises(NotLinked):
        services.commitment_patient_for(author=therapist, patient_id=chef.id)
