"""Fixtures of the tests that send every endpoint hostile or edge input (tests/core/test_*)."""

from __future__ import annotations

import pytest

from tests.core.test_hostile_input import World


@pytest.fixture
def world(db, settings) -> World:
    """A patient and a therapist, linked, with one of everything; the throttle and the lockout
    turned up so that every attack reaches the fields instead of stopping at them."""
    settings.AUTH_THROTTLE_RATE = "100000/min"
    settings.AXES_FAILURE_LIMIT = 100000
    return World()
