"""The sections of a user's data export, contributed by every app that stores something.

accounts cannot import the apps above it, so each app registers the part of the export it
owns from its ``AppConfig.ready()``; ``GET /api/v1/me/export/`` gathers them all.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Section = Callable[[Any], Any]

_sections: dict[str, Section] = {}


def register(name: str, section: Section) -> None:
    if name in _sections and _sections[name] is not section:
        raise ValueError(f"Export section {name!r} is registered twice.")
    _sections[name] = section


def sections() -> dict[str, Section]:
    return dict(_sections)
