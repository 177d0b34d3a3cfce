"""Pages of a list: the neighbours' cursors as fields, and a cursor the server did not give refused on ``cursor``."""

from __future__ import annotations

import base64
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.factories import CommitmentFactory

pytestmark = pytest.mark.django_db

REFLECTIONS = "/api/v1/reflections/"


def cursor_in(link: str) -> str:
    return parse_qs(urlsplit(link).query)["cursor"][0]


def forged(query: str) -> str:
    """A cursor as DRF writes one (base64 of a query string), holding what the server never gave out."""
    return base64.b64encode(query.encode()).decode()


@pytest.mark.parametrize(
    "cursor",
    [
        "garbage",
        forged("p=garbage"),  # a position that is no timestamp: Django's own 400 echoed it, on no attr
        forged("o=5&p=2026-13-45"),
        forged("r=1&p=" + "9" * 400),
        forged("p=\x00"),
        forged("o=-1"),
    ],
)
@pytest.mark.parametrize("path", [REFLECTIONS, "/api/v1/commitments/", "/api/v1/care-links/"])
def test_a_forged_list_cursor_is_a_400_on_cursor(as_chef, path, cursor):
    response = as_chef.get(path, {"cursor": cursor})
    assert response.status_code == 400
    assert response.json() == {
        "type": "validation_error",
        "errors": [{"code": "invalid_cursor", "detail": "Not a cursor this server gave out.", "attr": "cursor"}],
    }


def test_a_page_gives_its_neighbours_cursors_so_a_client_parses_no_url(as_chef, chef):
    for title in ("one", "two", "three"):
        CommitmentFactory(patient=chef, title=title)
    first = as_chef.get("/api/v1/commitments/", {"page_size": 2}).json()
    assert first["previous_cursor"] is None
    assert first["next_cursor"] == cursor_in(first["next"])
    second = as_chef.get("/api/v1/commitments/", {"page_size": 2, "cursor": first["next_cursor"]}).json()
    assert [c["title"] for c in first["results"] + second["results"]] == ["three", "two", "one"]
    assert second["next"] is None
    assert second["next_cursor"] is None
    assert second["previous_cursor"] == cursor_in(second["previous"])
    back = as_chef.get("/api/v1/commitments/", {"page_size": 2, "cursor": second["previous_cursor"]}).json()
    assert [c["title"] for c in back["results"]] == ["three", "two"]
