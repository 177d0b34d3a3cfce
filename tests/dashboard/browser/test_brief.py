"""The brief of a busy patient in a real browser: set the next session from the patient's page,
read the brief for it, print it on one A4 sheet."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from journal.models import Reflection
from safety.services import check_in_request
from seeds import personas
from tests.dashboard.browser import pages
from tests.dashboard.browser.conftest import NOW
from tests.factories import ExperimentFactory, ReflectionFactory

pytestmark = pytest.mark.browser

MAYA = personas.THERAPIST
#: A reflection as long as a patient might write on a good day.
LONG = (
    "Noticed I was rushing the mise en place again and slowed down for a minute; asked Jo to taste the sauce "
    "instead of redoing it myself, and it was fine. Still tired, but less hard on myself about the tickets."
)


@pytest.fixture
def busy(demo):
    """The demo's chef, busier: a shared reflection most days of the period, each long, and
    experiments planned for the days to come."""
    chef = demo.chef
    written = set(Reflection.objects.filter(patient=chef).values_list("date", flat=True))
    for back in range(1, 13):
        day = NOW - timedelta(days=back)
        if day.astimezone(chef.zone).date() in written:
            continue
        ReflectionFactory(
            patient=chef, date=day.astimezone(chef.zone).date(), effort=LONG, kind_words=LONG[:90], mood=3, now=day
        )
    for n, title in enumerate(["Ask for Sunday off", "Leave the pass at ten", "Say the special is good enough"]):
        ExperimentFactory(
            patient=chef,
            title=title,
            worry="They will think I am lazy",
            planned_for=date(2026, 11, 27 + n),
            status="planned",
            now=NOW,
        )
    check_in_request(patient=chef, now=NOW)
    return demo


def test_a_next_session_set_on_the_patient_page_heads_the_brief_which_prints_on_one_a4_sheet(page, busy):
    pages.sign_in(page, MAYA.email, MAYA.password)
    pages.visit(page, f"/app/patients/{busy.chef.id}/")
    page.get_by_label("Change to").fill("2026-12-02T10:00")  # the demo's next week, brought forward
    pages.press(page, "Change")
    assert "Next session: Wednesday 2 December, 10:00 (your time)." in pages.text(page)

    pages.follow(page, "Read the pre-session brief")
    text = pages.text(page)
    assert "For the session on Wednesday 2 December, 10:00." in text  # the chef's Chicago, as the therapist's
    assert "Days and times are Sam (chef)\u2019s, America/Chicago (UTC-6)." in text
    assert "In their words, newest first" in text
    assert "Planned for days to come" in text

    page.emulate_media(media="print")
    assert page.get_by_role("heading", name="The last 12 weeks").is_visible()
    pdf = page.pdf(format="A4", prefer_css_page_size=True)
    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) == 1
