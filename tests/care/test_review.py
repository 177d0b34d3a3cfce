"""A therapist reviewing linked patients: roster, patient, progress, shared entries.

Every read is of a patient linked now; anyone else, or a link that ended, is a 404.
"""

from __future__ import annotations

import base64
import json
import re
import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import CareLink
from care.models import AccessLog
from journal import services
from journal.models import Commitment, Experiment, PrideEntry, Reflection
from tests.factories import (
    CareLinkFactory,
    CommitmentFactory,
    ExperimentFactory,
    PatientFactory,
    PrideEntryFactory,
    ReflectionFactory,
)
from tests.helpers import error_codes

NOW = datetime(2026, 11, 25, 18, 0, tzinfo=UTC)  # Wednesday of 2026-W48, noon in Chicago

pytestmark = pytest.mark.django_db


def get(client, url, **params):
    with time_machine.travel(NOW, tick=False):
        return client.get(url, params)


@pytest.fixture
def linked(link):
    link.created_at = NOW - timedelta(days=60)
    link.save()
    return link


def review_urls(patient_id) -> list[str]:
    base = f"/api/v1/patients/{patient_id}/"
    return [base, f"{base}progress/", f"{base}entries/", f"{base}brief/", f"{base}brief/?format=md"]


class TestRoster:
    def test_it_shows_this_week_the_four_before_and_who_needs_a_look(self, as_therapist, chef, linked, therapist):
        ReflectionFactory(patient=chef, date=date(2026, 11, 24), now=NOW, mood=4)
        ReflectionFactory(patient=chef, date=date(2026, 11, 17), now=NOW - timedelta(days=8))
        PrideEntryFactory(patient=chef, week="2026-W46", items=["a", "b", "c"], now=NOW - timedelta(days=15))
        quiet = CareLinkFactory(therapist=therapist, patient=PatientFactory(display_name="Ana", timezone="Asia/Tokyo"))
        quiet.created_at = NOW - timedelta(days=30)
        quiet.save()
        fresh = CareLinkFactory(therapist=therapist, patient=PatientFactory(display_name="Zed"))
        fresh.created_at = NOW - timedelta(days=3)
        fresh.save()
        CareLinkFactory(patient=PatientFactory(display_name="Not mine"))  # another therapist's patient

        response = get(as_therapist, "/api/v1/patients/")
        assert response.status_code == 200
        rows = response.json()["results"]
        assert [row["display_name"] for row in rows] == ["Ana", "Sam (chef)", "Zed"]
        ana, sam, zed = rows
        assert sam["id"] == str(chef.id)
        assert sam["timezone"] == "America/Chicago"
        assert sam["this_week"]["week"] == "2026-W48"
        assert sam["this_week"]["reflections"] == {"days": 1, "dates": ["2026-11-24"]}
        assert sam["last_4_weeks"] == {"pride_weeks_met": 1, "reflection_days": 1}
        assert sam["needs_attention"] is False
        assert ana["needs_attention"] is True  # linked a month ago, never wrote
        assert ana["this_week"]["week"] == "2026-W48"
        assert ana["last_active_at"] is None
        assert zed["needs_attention"] is False  # linked three days ago: not quiet for 14 days yet

    def test_fourteen_quiet_days_make_a_patient_need_attention(self, as_therapist, chef, linked):
        ReflectionFactory(patient=chef, date=date(2026, 11, 11), now=NOW - timedelta(days=14, seconds=1))
        assert get(as_therapist, "/api/v1/patients/").json()["results"][0]["needs_attention"] is True
        ReflectionFactory(patient=chef, date=date(2026, 11, 12), now=NOW - timedelta(days=13))
        assert get(as_therapist, "/api/v1/patients/").json()["results"][0]["needs_attention"] is False

    @pytest.mark.parametrize("count", [1, 10, 200])
    def test_it_costs_the_same_queries_for_1_10_and_200_patients(
        self, count, therapist, as_therapist, django_assert_num_queries
    ):
        for n in range(count):
            patient = PatientFactory(timezone=["UTC", "Asia/Tokyo", "America/Los_Angeles"][n % 3])
            CareLinkFactory(therapist=therapist, patient=patient)
            ReflectionFactory(patient=patient, now=NOW, mood=3)
            PrideEntryFactory(patient=patient, now=NOW)
            ExperimentFactory(patient=patient, now=NOW)
        # The user; savepoint; the page of links; the journal's five (three reads of the weeks,
        # pride targets, last activity); the access log's one upsert; savepoint release. The
        # second look counts itself into the day's rows with the same one statement.
        for looks in (1, 2):
            with django_assert_num_queries(10):
                response = get(as_therapist, "/api/v1/patients/", page_size=200)
            assert len(response.json()["results"]) == count
            rows = AccessLog.objects.filter(what="roster")
            assert sorted(rows.values_list("count", flat=True)) == [looks] * count

    def test_it_pages_by_name(self, therapist, as_therapist):
        for name in ["Bo", "Al", "Cy"]:
            CareLinkFactory(therapist=therapist, patient=PatientFactory(display_name=name))
        first = get(as_therapist, "/api/v1/patients/", page_size=2).json()
        assert [row["display_name"] for row in first["results"]] == ["Al", "Bo"]
        with time_machine.travel(NOW, tick=False):
            second = as_therapist.get(first["next"]).json()
        assert [row["display_name"] for row in second["results"]] == ["Cy"]

    def test_a_patient_may_not_see_a_roster(self, as_chef):
        assert as_chef.get("/api/v1/patients/").status_code == 403


class TestOnePatient:
    def test_the_patient_comes_with_every_commitment(self, as_therapist, therapist, chef, linked):
        own = CommitmentFactory(
            patient=chef, kind=Commitment.Kind.PRIDE_WEEKLY, title="Three things", now=NOW - timedelta(days=1)
        )
        draft = CommitmentFactory(
            patient=chef, author=therapist, kind="experiment", title="Try a recipe", status="proposed", now=NOW
        )
        body = get(as_therapist, f"/api/v1/patients/{chef.id}/").json()
        assert (body["id"], body["display_name"], body["share_entries"]) == (str(chef.id), "Sam (chef)", True)
        assert [(c["id"], c["status"]) for c in body["commitments"]] == [
            (str(draft.id), "proposed"),
            (str(own.id), "active"),
        ]

    def test_the_patient_says_when_they_last_wrote_and_whether_they_need_a_look(self, as_therapist, chef, linked):
        body = get(as_therapist, f"/api/v1/patients/{chef.id}/").json()
        assert (body["last_active_at"], body["needs_attention"]) == (None, True)  # linked 60 days, never wrote
        ReflectionFactory(patient=chef, date=date(2026, 11, 24), now=NOW - timedelta(hours=3))
        body = get(as_therapist, f"/api/v1/patients/{chef.id}/").json()
        assert (body["last_active_at"], body["needs_attention"]) == ("2026-11-25T15:00:00Z", False)

    def test_commitments_are_newest_first_by_when_written_not_by_when_last_edited(self, as_therapist, chef, linked):
        older = CommitmentFactory(patient=chef, title="Older", now=NOW - timedelta(days=2))
        newer = CommitmentFactory(patient=chef, title="Newer", now=NOW - timedelta(days=1))
        services.commitment_update(commitment=older, by=chef, now=NOW, title="Older, edited")
        same_instant = [CommitmentFactory(patient=chef, title=f"Same {n}", now=NOW) for n in range(3)]
        body = get(as_therapist, f"/api/v1/patients/{chef.id}/").json()
        # Written at one instant: the last written first, as the patient's sync order has them.
        expected = [c.id for c in reversed(same_instant)] + [newer.id, older.id]
        assert [c["id"] for c in body["commitments"]] == [str(i) for i in expected]

    def test_progress_is_the_patients_own_report(self, as_therapist, as_chef, chef, linked):
        ReflectionFactory(patient=chef, date=date(2026, 11, 23), mood=2, now=NOW, shared=False)
        PrideEntryFactory(patient=chef, week="2026-W47", items=["a"], now=NOW)
        theirs = get(as_therapist, f"/api/v1/patients/{chef.id}/progress/", weeks=3)
        assert theirs.status_code == 200
        assert theirs.json() == get(as_chef, "/api/v1/progress/", weeks=3).json()  # counts unshared too, no text
        assert error_codes(get(as_therapist, f"/api/v1/patients/{chef.id}/progress/", weeks=60)) == ["max_value"]

    def test_a_stranger_an_ended_link_and_a_non_uuid_answer_404(self, as_therapist, as_stranger, chef, linked):
        for url in review_urls(chef.id):
            assert get(as_stranger, url).status_code == 404, url
        with time_machine.travel(NOW, tick=False):
            assert as_therapist.delete(f"/api/v1/care-links/{linked.id}/").status_code == 204
        for url in [*review_urls(chef.id), f"/api/v1/commitments/?patient={chef.id}"]:
            response = get(as_therapist, url)
            assert response.status_code == 404, url
            assert error_codes(response) == ["not_found"]
        assert get(as_therapist, "/api/v1/patients/").json()["results"] == []
        assert get(as_therapist, "/api/v1/patients/not-a-uuid/").status_code == 404
        assert not AccessLog.objects.exclude(what="roster").exists()  # a 404 reads and logs nothing

    def test_a_patient_is_refused_every_review_endpoint(self, as_chef, chef):
        for url in review_urls(chef.id):
            assert get(as_chef, url).status_code == 403, url


class TestSharedEntries:
    @pytest.fixture
    def written(self, chef, linked):
        return {
            "reflection": ReflectionFactory(patient=chef, date=date(2026, 11, 20), now=NOW - timedelta(days=5)),
            "hidden": ReflectionFactory(
                patient=chef, date=date(2026, 11, 21), now=NOW - timedelta(days=4), shared=False
            ),
            "pride": PrideEntryFactory(patient=chef, week="2026-W47", now=NOW - timedelta(days=3)),
            "experiment": ExperimentFactory(patient=chef, planned_for=date(2026, 11, 24), now=NOW - timedelta(days=2)),
        }

    def entries(self, client, patient, **params):
        return get(client, f"/api/v1/patients/{patient.id}/entries/", **params)

    def test_only_shared_entries_newest_written_first(self, as_therapist, chef, written):
        body = self.entries(as_therapist, chef).json()
        assert body["shared"] is True
        assert [(e["type"], e["id"]) for e in body["results"]] == [
            ("experiment", str(written["experiment"].id)),
            ("pride_entry", str(written["pride"].id)),
            ("reflection", str(written["reflection"].id)),
        ]
        assert body["results"][2]["data"]["effort"] == written["reflection"].effort
        assert str(written["hidden"].id) not in str(body)

    def test_another_patients_shared_entries_never_mix_in(self, as_therapist, therapist, chef, other_patient, written):
        CareLinkFactory(therapist=therapist, patient=other_patient)  # the same therapist's other patient
        theirs = [
            ReflectionFactory(patient=other_patient, date=date(2026, 11, 22), now=NOW - timedelta(hours=3)),
            PrideEntryFactory(patient=other_patient, week="2026-W47", now=NOW - timedelta(hours=2)),
            ExperimentFactory(patient=other_patient, now=NOW - timedelta(hours=1)),
        ]
        mine = [e["id"] for e in self.entries(as_therapist, chef).json()["results"]]
        assert mine == [str(written[name].id) for name in ["experiment", "pride", "reflection"]]
        other = [e["id"] for e in self.entries(as_therapist, other_patient).json()["results"]]
        assert other == [str(entry.id) for entry in reversed(theirs)]

    def test_unsharing_an_entry_or_the_link_takes_it_out_of_the_next_read(
        self, as_therapist, as_chef, chef, written, linked
    ):
        with time_machine.travel(NOW, tick=False):
            assert as_chef.patch(f"/api/v1/pride-entries/{written['pride'].id}/", {"shared": False}).status_code == 200
        ids = [e["id"] for e in self.entries(as_therapist, chef).json()["results"]]
        assert str(written["pride"].id) not in ids
        assert len(ids) == 2
        with time_machine.travel(NOW, tick=False):
            assert as_chef.patch(f"/api/v1/care-links/{linked.id}/", {"share_entries": False}).status_code == 200
        body = self.entries(as_therapist, chef).json()
        assert (body["shared"], body["results"], body["next"]) == (False, [], None)
        brief = get(as_therapist, f"/api/v1/patients/{chef.id}/brief/").json()
        assert brief["entries_shared"] is False
        assert all(not e["title"] and not e["shared"] for e in brief["experiments"])

    def test_type_and_range_narrow_the_list(self, as_therapist, chef, written):
        only = self.entries(as_therapist, chef, type=["reflection", "experiment"]).json()["results"]
        assert [e["type"] for e in only] == ["experiment", "reflection"]
        ranged = self.entries(as_therapist, chef, **{"from": "2026-W48"}).json()["results"]
        assert [e["type"] for e in ranged] == ["experiment"]  # planned for Tuesday of W48
        upto = self.entries(as_therapist, chef, to="2026-11-20").json()["results"]
        assert [e["type"] for e in upto] == ["pride_entry", "reflection"]  # W47 reaches the 20th

    def test_pages_follow_on_both_ways_across_kinds(self, as_therapist, chef, linked):
        for n in range(7):
            ReflectionFactory(patient=chef, date=date(2026, 11, 1 + n), now=NOW - timedelta(days=20 - n))
            ExperimentFactory(patient=chef, now=NOW - timedelta(days=20 - n, hours=1))
        seen, page = [], self.entries(as_therapist, chef, page_size=4).json()
        pages = [page]
        while page["next"]:
            with time_machine.travel(NOW, tick=False):
                page = as_therapist.get(page["next"]).json()
            pages.append(page)
        for page in pages:
            seen += [e["id"] for e in page["results"]]
        assert len(seen) == len(set(seen)) == 14
        assert [len(p["results"]) for p in pages] == [4, 4, 4, 2]
        assert pages[0]["previous"] is None
        assert (pages[0]["previous_cursor"], pages[-1]["next_cursor"]) == (None, None)
        with time_machine.travel(NOW, tick=False):
            back = as_therapist.get(pages[2]["previous"]).json()
            # The same page by the cursor given as a field: a client parses no URL.
            by_field = self.entries(as_therapist, chef, page_size=4, cursor=pages[2]["previous_cursor"]).json()
            onward = self.entries(as_therapist, chef, page_size=4, cursor=pages[0]["next_cursor"]).json()
        assert [e["id"] for e in back["results"]] == [e["id"] for e in pages[1]["results"]]
        assert by_field["results"] == back["results"]
        assert onward["results"] == pages[1]["results"]

    def test_pages_follow_on_from_entries_written_at_any_instant(self, as_therapist, chef, linked):
        # A phone's clock gives microseconds, and a cursor's length (so its base64 padding)
        # depends on them and on its direction: every cursor given out must read back.
        for n in range(6):
            ReflectionFactory(
                patient=chef, date=date(2026, 11, 1 + n), now=NOW - timedelta(days=20 - n, microseconds=n * 123_457)
            )
        pages = [self.entries(as_therapist, chef, page_size=2).json()]
        while pages[-1]["next"]:
            with time_machine.travel(NOW, tick=False):
                pages.append(as_therapist.get(pages[-1]["next"]).json())
        assert [len(page["results"]) for page in pages] == [2, 2, 2]
        with time_machine.travel(NOW, tick=False):
            back = [as_therapist.get(page["previous"]).json() for page in pages[1:]]
        assert [b["results"] for b in back] == [page["results"] for page in pages[:-1]]

    def test_paging_back_from_the_last_page_reaches_the_first(self, as_therapist, chef, linked):
        for n in range(7):
            ReflectionFactory(patient=chef, date=date(2026, 11, 1 + n), now=NOW - timedelta(days=20 - n))
        pages = [self.entries(as_therapist, chef, page_size=3).json()]
        while pages[-1]["next"]:
            with time_machine.travel(NOW, tick=False):
                pages.append(as_therapist.get(pages[-1]["next"]).json())
        assert [len(page["results"]) for page in pages] == [3, 3, 1]
        back = [pages[-1]]
        while back[-1]["previous"]:
            with time_machine.travel(NOW, tick=False):
                back.append(as_therapist.get(back[-1]["previous"]).json())
        back.reverse()
        assert [page["results"] for page in back] == [page["results"] for page in pages]
        # Reached going back, the newest page has nothing newer and the others lead on again.
        assert back[0]["previous"] is None
        assert all(page["next"] for page in back[:-1])
        with time_machine.travel(NOW, tick=False):
            onward = as_therapist.get(back[1]["next"]).json()
        assert onward["results"] == pages[2]["results"]

    def test_entries_written_at_one_instant_are_paged_through_both_ways(self, as_therapist, chef, linked):
        # One sync writes several entries at the same instant: a page may end among them.
        for n in range(3):
            ReflectionFactory(patient=chef, date=date(2026, 11, 1 + n), now=NOW - timedelta(days=3))
            ExperimentFactory(patient=chef, now=NOW - timedelta(days=3))
        pages = [self.entries(as_therapist, chef, page_size=4).json()]
        with time_machine.travel(NOW, tick=False):
            pages.append(as_therapist.get(pages[0]["next"]).json())
            back = as_therapist.get(pages[1]["previous"]).json()
        assert [len(page["results"]) for page in pages] == [4, 2]
        assert len({e["id"] for page in pages for e in page["results"]}) == 6
        assert back["results"] == pages[0]["results"]

    def test_a_page_boundary_holds_whatever_order_the_ids_fall_in(self, as_therapist, chef, linked):
        """The cursor is (written at, id): the id breaks ties only among entries written at one
        instant. Here the newest entry has the smallest id and the oldest the largest."""
        written = {}
        for n, (name, hex_digit) in enumerate([("oldest", "f"), ("middle", "5"), ("newest", "1")]):
            written[name] = ReflectionFactory(
                patient=chef, id=uuid.UUID(hex_digit * 32), date=date(2026, 11, 1 + n), now=NOW - timedelta(days=5 - n)
            )
        pages = [self.entries(as_therapist, chef, page_size=1).json()]
        while pages[-1]["next"] and len(pages) < 5:  # a cursor that repeats a page would never end
            with time_machine.travel(NOW, tick=False):
                pages.append(as_therapist.get(pages[-1]["next"]).json())
        order = [str(written[name].id) for name in ("newest", "middle", "oldest")]
        assert [[e["id"] for e in page["results"]] for page in pages] == [[id_] for id_ in order]
        with time_machine.travel(NOW, tick=False):
            back = as_therapist.get(pages[2]["previous"]).json()
            first = as_therapist.get(back["previous"]).json()
        assert [e["id"] for e in back["results"]] == [order[1]]
        assert [e["id"] for e in first["results"]] == [order[0]]

    def test_a_page_costs_the_same_queries_for_one_pride_week_as_for_ten(self, as_therapist, chef, linked):
        # Each week shows its target, its commitment's: read with the entries, not one by one.
        proud = CommitmentFactory(patient=chef, kind=Commitment.Kind.PRIDE_WEEKLY, title="Two things", now=NOW)
        proud.target_count = 2
        proud.save()

        def queries(weeks: range) -> int:
            for week in weeks:
                PrideEntryFactory(patient=chef, commitment=proud, week=f"2026-W{week}", items=["a", "b"], now=NOW)
            with CaptureQueriesContext(connection) as captured:
                results = self.entries(as_therapist, chef).json()["results"]
            assert [(e["data"]["target"], e["data"]["met"]) for e in results] == [(2, True)] * (weeks.stop - 37)
            return len(captured)

        assert queries(range(37, 38)) == queries(range(38, 47))

    def test_a_cursor_travels_in_a_link_as_it_is(self, as_therapist, chef, linked):
        # Base64's padding ("=") would be escaped in a query string; a cursor has none.
        for n in range(4):
            written_at = NOW - timedelta(days=20 - n, microseconds=n)  # cursors of more than one length
            ReflectionFactory(patient=chef, date=date(2026, 11, 1 + n), now=written_at)
        page = self.entries(as_therapist, chef, page_size=1).json()
        cursors = []
        while page["next"]:
            with time_machine.travel(NOW, tick=False):
                page = as_therapist.get(page["next"]).json()
            cursors += [page["next_cursor"], page["previous_cursor"]]
        assert {len(c) % 4 for c in cursors if c} >= {2, 3}, cursors  # lengths that padding would fill
        assert all(re.fullmatch(r"[A-Za-z0-9_-]+", c) for c in cursors if c), cursors

    def test_a_week_as_the_end_reaches_its_sunday_and_no_further(self, as_therapist, chef, written):
        sunday = ReflectionFactory(patient=chef, date=date(2026, 11, 22), now=NOW - timedelta(days=1))
        ReflectionFactory(patient=chef, date=date(2026, 11, 23), now=NOW - timedelta(hours=1))  # Monday of W48
        upto = self.entries(as_therapist, chef, to="2026-W47").json()["results"]
        assert [e["id"] for e in upto] == [str(sunday.id), str(written["pride"].id), str(written["reflection"].id)]

    @pytest.mark.parametrize(
        ("params", "attr"),
        [
            ({"cursor": "bm90LWEtY3Vyc29y"}, "cursor"),
            *[
                ({"cursor": base64.urlsafe_b64encode(json.dumps(forged).encode()).decode()}, "cursor")
                for forged in [
                    ["2026-11-26T03:30:00+00:00", 123, True],
                    ["2026-11-26T03:30:00+00:00", ["x"], True],
                    ["0001-01-01T00:00:00+01:00", "6f1c2f53-4b43-4d4b-9a59-1b8fbd0f6b1e", True],
                    ["9999-12-31T23:59:59-01:00", "6f1c2f53-4b43-4d4b-9a59-1b8fbd0f6b1e", False],
                    ["2026-11-26T03:30:00", "6f1c2f53-4b43-4d4b-9a59-1b8fbd0f6b1e", True],
                    ["2026-11-26T03:30:00+00:00", "6f1c2f53-4b43-4d4b-9a59-1b8fbd0f6b1e", 1],
                    {"a": 1},
                    "x",
                    5,  # JSON, but no list: has no length
                    None,
                ]
            ],
            ({"type": "commitment"}, "type"),
            ({"from": "2026-13-01"}, "from"),
            ({"to": "2026-W54"}, "to"),
            ({"page_size": "0"}, "page_size"),
        ],
    )
    def test_bad_parameters_are_a_400(self, as_therapist, chef, linked, params, attr):
        response = self.entries(as_therapist, chef, **params)
        assert response.status_code == 400
        assert [e["attr"] for e in response.json()["errors"]] == [attr]


def test_unshared_text_never_reaches_a_therapist(as_therapist, chef, linked):
    secret = "my secret worry about the walk-in fridge"
    ReflectionFactory(patient=chef, effort=secret, now=NOW, shared=False)
    PrideEntryFactory(patient=chef, items=[secret], now=NOW, shared=False)
    ExperimentFactory(patient=chef, title=secret, worry=secret, now=NOW, shared=False)
    for url in [*review_urls(chef.id), "/api/v1/patients/"]:
        response = get(as_therapist, url)
        assert response.status_code == 200, url
        assert secret not in response.content.decode(), url


@pytest.mark.parametrize("model", [Reflection, PrideEntry, Experiment], ids=lambda model: model.__name__)
def test_a_deleted_entry_is_not_shown(as_therapist, chef, linked, model):
    factory = {Reflection: ReflectionFactory, PrideEntry: PrideEntryFactory, Experiment: ExperimentFactory}[model]
    entry = factory(patient=chef, now=NOW)
    services.record_delete(record=entry, now=NOW)
    assert get(as_therapist, f"/api/v1/patients/{chef.id}/entries/").json()["results"] == []


def test_an_ended_link_frozen_in_place_is_not_reopened_by_a_new_one(as_therapist, therapist, chef, linked):
    linked.status, linked.ended_at = CareLink.Status.ENDED, NOW
    linked.save()
    assert get(as_therapist, f"/api/v1/patients/{chef.id}/").status_code == 404
    CareLinkFactory(therapist=therapist, patient=chef)  # linked again through a new invite
    assert get(as_therapist, f"/api/v1/patients/{chef.id}/").status_code == 200
