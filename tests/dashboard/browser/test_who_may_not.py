"""Who the dashboard keeps out, seen from their own browser."""

from __future__ import annotations

import pytest

from seeds import personas
from tests.dashboard.browser import pages
from tests.factories import PASSWORD, TherapistFactory

pytestmark = pytest.mark.browser


def test_a_second_therapist_gets_the_404_page_for_the_first_ones_patient(page, demo):
    TherapistFactory(email="dr.stranger@example.test", display_name="Dr. Stranger")
    pages.sign_in(page, "dr.stranger@example.test", PASSWORD)
    assert pages.heading(page) == "Your patients"
    assert "No patients are linked to you yet." in pages.text(page)

    for path in (f"/app/patients/{demo.chef.id}/", f"/app/patients/{demo.chef.id}/brief/"):
        response = pages.visit(page, path)
        assert response is not None
        assert response.status == 404
        assert pages.heading(page) == "Not found"
        assert "no patient linked to you here" in pages.text(page)
        assert "Sam" not in page.content()
    pages.follow(page, "Back to your patients")
    assert pages.heading(page) == "Your patients"


def test_a_patient_with_the_right_password_is_told_the_dashboard_is_for_therapists(page, demo):
    pages.sign_in(page, personas.CHEF.email, personas.CHEF.password)
    assert pages.heading(page) == "Sign in"
    assert page.get_by_role("alert").inner_text() == (
        "This sign-in is for therapists. Patients write their journal at /journal/."
    )
    pages.visit(page, "/app/")
    assert pages.path(page) == "/app/sign-in/?next=/app/"
