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
        from django.core.exceptions import ValidationError

        if allowed:
            made = CommitmentFactory(patient=chef, starts_on=starts_on, ends_on=ends_on)
            assert (made.starts_on, made.ends_on) == (starts_on, ends_on)
        else:
            with pytest.raises(ValidationError):
                CommitmentFactory(patient=chef, starts_on=starts_on, ends_on=ends_on)
            assert not Commitment.objects.exists()
