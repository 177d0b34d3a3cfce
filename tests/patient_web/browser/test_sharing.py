"""What my therapist sees, in the patient's app: sharing turned off hides the entries from the
therapist at once, and a read the therapist makes in the dashboard shows in the patient's words."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client
from playwright.sync_api import expect

from accounts.models import User
from care.models import AccessLog
from dashboard.views import ENTRIES_PAGE_SIZE
from journal.dates import week_monday
from journal.models import Reflection
from seeds import personas
from tests.helpers import client_for
from tests.patient_web.browser import journal
from tests.patient_web.browser.test_screens import chef, shoot  # noqa: F401  (the demo's chef, as a fixture)

pytestmark = pytest.mark.browser


def in_words(entry: dict[str, str]) -> str:
    """An entry of the access log as the app names it, in the browser's en-US (its start)."""
    if entry["type"] == "pride_entry":
        return f"your pride entry for the week of {week_monday(entry['week']):%b %-d} "
    day = date.fromisoformat(entry["date"])
    return f"your {'reflection' if entry['type'] == 'reflection' else 'experiment'} of {day:%a, %b %-d}"


def test_sharing_off_hides_the_entries_at_once_and_reads_show_in_words(new_tab, chef, screenshots_dir):  # noqa: F811
    therapist = User.objects.get(email=personas.THERAPIST.email)
    entries = f"/api/v1/patients/{chef.id}/entries/"
    assert client_for(therapist).get(entries).json()["results"]  # the demo's chef shares entries
    AccessLog.objects.filter(patient=chef).delete()  # that read was the test's, not the therapist's

    dashboard = Client()
    dashboard.force_login(therapist)
    for _ in range(2):  # reads as the therapist makes them
        assert dashboard.get(f"/app/patients/{chef.id}/").status_code == 200

    page = new_tab()
    journal.signed_in(page, email=chef.email, password=personas.CHEF.password)
    page.get_by_role("link", name="Account").click()
    journal.screen(page, "Account")
    page.get_by_role("link", name="What my therapist sees").click()
    journal.screen(page, "What my therapist sees")
    reads = page.locator("ul.reads > li")
    # Twice the same day is one line, with how many times and the last time.
    line = reads.filter(has_text="Dr. Maya Okafor looked at your profile and your practices 2 times on")
    expect(line).to_have_count(1)
    expect(line).to_contain_text(", last at ")
    # Each entry the page showed is named once under its line, as the patient would name it: the newest first.
    (read,) = AccessLog.objects.filter(patient=chef, what=AccessLog.What.ENTRIES)
    assert (read.count, len(read.entries)) == (2, ENTRIES_PAGE_SIZE)  # both showed the same page
    line = reads.filter(has_text="Dr. Maya Okafor looked at the entries you share 2 times on")
    expect(line).to_have_count(1)
    expect(line.locator("li")).to_have_count(ENTRIES_PAGE_SIZE)
    expect(line.locator("li").first).to_contain_text(in_words(read.entries[0]))
    expect(page.get_by_role("heading", name="Shared with Dr. Maya Okafor")).to_be_visible()
    reflections = page.locator("details", has_text="daily reflections").first
    reflections.locator("summary").click()
    newest = Reflection.objects.filter(patient=chef, shared=True, deleted_at=None).order_by("-date").first()
    expect(reflections.locator("li").first).to_have_text(newest.date.strftime("%a, %b %-d"))
    shoot(page, screenshots_dir, "sharing")

    share = page.get_by_label("Share my entries")
    expect(share).to_be_checked()
    share.uncheck()
    expect(page.locator("#status")).to_have_text("Dr. Maya Okafor no longer sees your entries.")
    assert client_for(therapist).get(entries).json()["results"] == []
    journal.check(page)

    share.check()
    expect(page.locator("#status")).to_have_text("Dr. Maya Okafor can read your shared entries again.")
    assert client_for(therapist).get(entries).json()["results"]
