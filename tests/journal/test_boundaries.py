"""Each patient's journal is theirs alone, in every read that gathers it: progress, sync,
the export, the one-per-slot rule. Written against mutants that dropped a filter."""

from __future__ import annotations

import base64
import json
from datetime import UTC, date, datetime, timedelta

import pytest

from journal import selectors, services
from journal.exceptions import SlotTaken
from journal.models import Commitment, Reflection, SyncCounter
from tests.factories import (
    CommitmentFactory,
    ExperimentFactory,
    PatientFactory,
    PrideEntryFactory,
    ReflectionFactory,
)

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 25, 18, 0, tzinfo=UTC)  # Wednesday of 2026-W48


@pytest.fixture
def neighbour():
    """Another patient who writes a lot in the same weeks: none of it is the chef's."""
    other = PatientFactory(timezone="America/Chicago")
    CommitmentFactory(patient=other, kind=Commitment.Kind.PRIDE_WEEKLY, target_count=1)
    ReflectionFactory(patient=other, now=NOW, mood=1)
    PrideEntryFactory(patient=other, items=["theirs"], now=NOW)
    ExperimentFactory(patient=other, now=NOW)
    return other


class TestProgress:
    def test_another_patients_practice_never_counts(self, chef, neighbour):
        week = selectors.progress(patient=chef, weeks=1, now=NOW).weeks[0]
        assert (week.reflection_days, week.pride.count, week.experiments_tried, week.mood_avg) == (0, 0, 0, None)
        assert week.pride.target == 3  # the neighbour's target of 1 is theirs
        assert selectors.progress(patient=chef, weeks=1, now=NOW).last_active_at is None

    def test_deleted_entries_do_not_count(self, chef):
        for entry in (
            ReflectionFactory(patient=chef, now=NOW),
            PrideEntryFactory(patient=chef, now=NOW),
            ExperimentFactory(patient=chef, now=NOW),
        ):
            services.record_delete(record=entry, now=NOW)
        progress = selectors.progress(patient=chef, weeks=1, now=NOW)
        week = progress.weeks[0]
        assert (week.reflection_days, week.pride.count, week.experiments_tried) == (0, 0, 0)
        assert progress.practice_streak_weeks == 0

    def test_each_tried_experiment_counts_and_only_tried_ones(self, chef):
        for status in ("tried", "tried", "planned", "skipped"):
            ExperimentFactory(patient=chef, status=status, now=NOW)
        assert selectors.progress(patient=chef, weeks=1, now=NOW).weeks[0].experiments_tried == 2

    def test_the_mood_average_keeps_one_decimal(self, chef):
        for days_ago, mood in ((0, 3), (1, 3), (2, 4)):
            ReflectionFactory(patient=chef, now=NOW - timedelta(days=days_ago), mood=mood)
        assert selectors.progress(patient=chef, weeks=1, now=NOW).weeks[0].mood_avg == 3.3

    def test_only_an_active_pride_commitment_sets_the_target(self, chef):
        CommitmentFactory(patient=chef, kind=Commitment.Kind.PRIDE_WEEKLY, target_count=5, status="proposed")
        CommitmentFactory(patient=chef, kind=Commitment.Kind.REFLECTION_DAILY, target_count=7)
        assert selectors.progress(patient=chef, weeks=1, now=NOW).weeks[0].pride.target == 3

    @pytest.mark.parametrize(
        ("active_weeks", "expected"),
        [
            ({"2026-W48", "2026-W47", "2026-W46"}, 3),
            ({"2026-W47", "2026-W46"}, 2),  # a quiet this-week so far does not break the run
            ({"2026-W48", "2026-W46"}, 1),  # a gap does
            ({"2026-W46", "2026-W45"}, 0),  # nor does a run that ended before last week count
            (set(), 0),
        ],
    )
    def test_the_streak_counts_weeks_in_a_row_up_to_now(self, active_weeks, expected):
        assert selectors.streak(active_weeks, "2026-W48") == expected


class TestSync:
    def test_a_patient_syncs_only_their_own_changes(self, chef, neighbour):
        mine = ReflectionFactory(patient=chef, now=NOW)
        page = selectors.sync_page(patient=chef, after=0)
        assert [record.id for _, record in page.changes] == [mine.id]
        assert (page.cursor, page.has_more) == (1, False)

    def test_sequence_numbers_follow_each_other_without_gaps(self, chef):
        entries = [ReflectionFactory(patient=chef, now=NOW - timedelta(days=n)) for n in range(3)]
        assert [entry.seq for entry in entries] == [1, 2, 3]
        assert SyncCounter.objects.get(patient=chef).last_seq == 3

    def test_a_page_of_exactly_the_limit_has_no_more(self, chef):
        for n in range(3):
            ReflectionFactory(patient=chef, now=NOW - timedelta(days=n))
        full = selectors.sync_page(patient=chef, after=0, limit=3)
        assert (len(full.changes), full.has_more, full.cursor) == (3, False, 3)
        partial = selectors.sync_page(patient=chef, after=0, limit=2)
        assert (len(partial.changes), partial.has_more, partial.cursor) == (2, True, 2)

    def test_nothing_above_the_committed_counter_is_handed_out(self, chef):
        ReflectionFactory(patient=chef, now=NOW)
        # A row whose seq is above the counter (its writer has not committed the counter yet).
        Reflection.objects.create(
            patient=chef, seq=9, date=date(2026, 1, 1), effort="x", created_at=NOW, updated_at=NOW
        )
        page = selectors.sync_page(patient=chef, after=0)
        assert [record.seq for _, record in page.changes] == [1]
        assert page.cursor == 1

    def test_an_empty_journal_syncs_to_cursor_zero(self, chef):
        assert selectors.sync_page(patient=chef, after=0).cursor == 0

    def test_a_cursor_is_unpadded_base64_of_its_version_and_seq(self):
        cursor = selectors.encode_cursor(7)
        assert "=" not in cursor
        assert base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)) == b"v1:7"
        assert selectors.decode_cursor(cursor) == 7
        assert selectors.decode_cursor(selectors.encode_cursor(123456)) == 123456


class TestExport:
    def test_the_export_holds_only_the_patients_living_records(self, as_chef, chef, neighbour):
        kept = ReflectionFactory(patient=chef, now=NOW, effort="kept")
        gone = ReflectionFactory(patient=chef, now=NOW - timedelta(days=1), effort="gone")
        services.record_delete(record=gone, now=NOW)
        journal = json.loads(as_chef.get("/api/v1/me/export/").content)["journal"]
        assert [entry["id"] for entry in journal["reflections"]] == [str(kept.id)]
        assert journal["pride_entries"] == journal["experiments"] == journal["commitments"] == []


class TestOnePerSlot:
    def test_another_patients_entry_does_not_take_my_day(self, chef, neighbour):
        today = Reflection.objects.get(patient=neighbour).date
        mine = ReflectionFactory(patient=chef, date=today, now=NOW)
        assert mine.date == today

    def test_the_conflict_names_the_slot_and_the_entry_in_the_way(self, as_chef, chef):
        first = ReflectionFactory(patient=chef, date=date(2026, 11, 20), now=NOW)
        response = as_chef.post("/api/v1/reflections/", {"date": "2026-11-20", "effort": "again"})
        assert response.status_code == 409
        assert response.json() == {
            "type": "client_error",
            "errors": [
                {
                    "code": "already_exists",
                    "detail": f"There is already an entry for 2026-11-20: {first.id}.",
                    "attr": "date",
                }
            ],
            "existing_id": str(first.id),
        }
        with pytest.raises(SlotTaken):
            ReflectionFactory(patient=chef, date=date(2026, 11, 20), now=NOW)


class TestCommitmentDates:
    @pytest.mark.parametrize(
        ("starts_on", "ends_on", "allowed"),
        [
            (date(2026, 12, 1), date(2026, 12, 1), True),  # a one-day commitment
            (date(2026, 12, 1), None, True),
            (None, date(2026, 12, 1), True),
            (date(2026, 12, 2), date(2026, 12, 1), False),
        ],
    )
    def test_a_commitment_may_not_end_before_it_starts(self, chef, starts_on, ends_on, allowed):
        from core.exceptions import DomainError

        if allowed:
            made = CommitmentFactory(patient=chef, starts_on=starts_on, ends_on=ends_on)
            assert (made.starts_on, made.ends_on) == (starts_on, ends_on)
        else:
            with pytest.raises(DomainError) as refused:
                CommitmentFactory(patient=chef, starts_on=starts_on, ends_on=ends_on)
            assert (refused.value.code, refused.value.attr) == ("ends_before_start", "ends_on")
            assert not Commitment.objects.exists()


class TestMoreRules:
    def test_the_newest_active_pride_commitment_sets_each_patients_target(self, chef, neighbour):
        CommitmentFactory(patient=chef, kind=Commitment.Kind.PRIDE_WEEKLY, target_count=4, now=NOW - timedelta(days=9))
        CommitmentFactory(patient=chef, kind=Commitment.Kind.PRIDE_WEEKLY, target_count=2, now=NOW - timedelta(days=1))
        CommitmentFactory(patient=chef, kind=Commitment.Kind.PRIDE_WEEKLY, target_count=6, now=NOW - timedelta(days=5))
        stranger = PatientFactory()  # asked about nobody but these two
        CommitmentFactory(patient=stranger, kind=Commitment.Kind.PRIDE_WEEKLY, target_count=9)
        assert selectors.active_pride_targets(patient_ids=[chef.id, neighbour.id]) == {chef.id: 2, neighbour.id: 1}

    def test_a_neighbours_practice_is_not_mine_to_skip_a_reminder_for(self, chef, neighbour):
        for kind in (Commitment.Kind.REFLECTION_DAILY, Commitment.Kind.PRIDE_WEEKLY, Commitment.Kind.EXPERIMENT):
            assert selectors.period_practised(patient=neighbour, kind=kind, now=NOW)
            assert not selectors.period_practised(patient=chef, kind=kind, now=NOW)

    def test_an_experiment_counts_in_its_own_week_only(self, chef):
        kind = Commitment.Kind.EXPERIMENT
        ExperimentFactory(patient=chef, planned_for=date(2026, 11, 30), now=NOW)  # next Monday
        ExperimentFactory(patient=chef, now=NOW - timedelta(days=7))  # written, and tried, last week
        assert not selectors.period_practised(patient=chef, kind=kind, now=NOW)
        ExperimentFactory(patient=chef, planned_for=date(2026, 11, 29), now=NOW - timedelta(days=20))  # this Sunday
        assert selectors.period_practised(patient=chef, kind=kind, now=NOW)

    def test_any_practice_keeps_the_streak_alive(self, chef):
        PrideEntryFactory(patient=chef, week="2026-W47", now=NOW)  # only pride last week
        ExperimentFactory(patient=chef, planned_for=date(2026, 11, 10), now=NOW)  # only an experiment in W46
        progress = selectors.progress(patient=chef, weeks=3, now=NOW)
        assert (progress.patient_id, progress.practice_streak_weeks) == (chef.id, 2)
        assert [week.practised for week in progress.weeks] == [False, True, True]

    def test_cursors_round_trip_for_any_sequence_number(self):
        for seq in [*range(0, 3000), 2**31, 2**62]:
            cursor = selectors.encode_cursor(seq)
            assert "=" not in cursor
            assert selectors.decode_cursor(cursor) == seq

    def test_the_pride_list_loads_each_commitment_in_the_same_query(self, as_chef, chef, django_assert_max_num_queries):
        for n in range(6):
            commitment = CommitmentFactory(patient=chef, kind=Commitment.Kind.PRIDE_WEEKLY, target_count=n + 1)
            PrideEntryFactory(patient=chef, week=f"2026-W{30 + n}", commitment=commitment, now=NOW)
        with django_assert_max_num_queries(4):
            results = as_chef.get("/api/v1/pride-entries/").json()["results"]
        assert sorted(entry["target"] for entry in results) == [1, 2, 3, 4, 5, 6]

    def test_weeks_start_in_1900(self):
        from journal.dates import parse_week

        assert parse_week("1900-W01") == "1900-W01"
        with pytest.raises(ValueError, match="1900"):
            parse_week("1899-W52")

    def test_the_item_list_field_reads_json_and_lists(self):
        from journal.models import PrideEntry

        field = PrideEntry._meta.get_field("items")
        assert field.to_python(None) is None
        assert field.to_python(["a", "b"]) == ["a", "b"]
        assert field.to_python('["a", "b"]') == ["a", "b"]
