"""Optimistic concurrency, in the domain's terms: which versions of an object a writer read.

A client that read version 3 of an object says so (over HTTP, ``If-Match: "3"``); a write
from a version that is no longer current is refused with ``StaleVersion`` and changes
nothing. Saying nothing (``None``) lets the write through, as the contract allows.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.exceptions import StaleVersion


def etag_for(version: int) -> str:
    return f'"{version}"'


@dataclass(frozen=True)
class IfMatch:
    """The versions a writer accepts: the entity tags of ``If-Match``, or any (``*``)."""

    tags: frozenset[str]

    @classmethod
    def parse(cls, header: str | None) -> IfMatch | None:
        if header is None:
            return None
        # A weak tag (W/"3") names the same version here: representations never differ by encoding.
        return cls(frozenset(tag.strip().removeprefix("W/") for tag in header.split(",")))

    def allows(self, version: int) -> bool:
        return "*" in self.tags or etag_for(version) in self.tags


def check_version(if_match: IfMatch | None, version: int) -> None:
    """Raise ``StaleVersion`` unless the writer read ``version`` (or said nothing)."""
    if if_match is not None and not if_match.allows(version):
        raise StaleVersion()
