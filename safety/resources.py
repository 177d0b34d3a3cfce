"""Crisis resources: the services a patient can reach when things are very hard, by country.

They come from an operator-edited TOML file (``SAFETY_CRISIS_RESOURCES``; the shipped one is
``safety/crisis_resources.toml``), read once when the app starts. A file that is missing, is
not TOML, or has an entry with a field missing or wrong stops start-up with a message that
names the file, the entry and the field: a server that would show a patient in crisis a broken
or empty list must not run.
"""

from __future__ import annotations

import functools
import re
import tomllib
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, NoReturn

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.validators import URLValidator

#: An ISO 3166-1 alpha-2 code, as ``?country=`` and the file spell it.
COUNTRY_CODE = re.compile(r"[A-Z]{2}")
#: ``?country=`` as the schema says it: two letters in any case, or empty (no country).
COUNTRY_QUERY = r"^([A-Za-z]{2})?$"
#: A BCP 47 language tag, loosely: "en", "es", "pt-BR", "zh-Hant".
LANGUAGE_TAG = re.compile(r"[a-z]{2,3}(-[A-Za-z0-9]{2,8})*")
#: A dialled number: digits, spaces, and the "+", "-", "(" and ")" people write them with.
DIALLED = re.compile(r"\+?[0-9][0-9 ()\-]{1,30}")


@dataclass(frozen=True)
class Service:
    name: str
    phone: str | None  # what to dial
    text: str | None  # what to text, and where ("Text HOME to 741741", or a number)
    web: str | None  # https
    hours: str
    languages: tuple[str, ...]
    source: str  # the page the entry was taken from
    checked: date  # the day it was last checked against ``source``


@dataclass(frozen=True)
class Resources:
    """The file, read: every answer's two sentences, and each country's number and services."""

    not_watched: str
    emergency: str
    emergency_numbers: dict[str, str]  # country -> what to dial in an emergency
    services: dict[str, tuple[Service, ...]]  # country -> its services, in the file's order

    def for_country(self, country: str | None) -> tuple[str | None, tuple[Service, ...]]:
        """The country's emergency number and services; (None, ()) for a country the file lacks."""
        if country is None:
            return None, ()
        return self.emergency_numbers.get(country), self.services.get(country, ())


class _Entry:
    """One table of the file, read field by field; each refusal names the file, table and field."""

    def __init__(self, path: Path, where: str, table: Any) -> None:
        self.path, self.where = path, where
        if not isinstance(table, dict):
            self.refuse(f"{where} is not a table")
        self.table: dict[str, Any] = table

    def refuse(self, problem: str) -> NoReturn:
        raise ImproperlyConfigured(f"SAFETY_CRISIS_RESOURCES ({self.path}): {problem}.")

    def text(self, field: str, *, required: bool = True, pattern: re.Pattern[str] | None = None) -> str | None:
        value = self.table.get(field)
        if value is None and not required:
            return None
        if not isinstance(value, str) or not value.strip():
            self.refuse(f"{self.where}: `{field}` is {'missing' if value is None else 'not a non-empty string'}")
        if pattern is not None and not pattern.fullmatch(value):
            self.refuse(f"{self.where}: `{field}` = {value!r} is not {_PATTERN_WORDS[pattern]}")
        return value.strip()

    def url(self, field: str, *, required: bool) -> str | None:
        value = self.text(field, required=required)
        if value is not None:
            try:
                _HTTPS(value)
            except ValidationError:
                self.refuse(f"{self.where}: `{field}` = {value!r} is not an https URL")
        return value

    def day(self, field: str) -> date:
        value = self.table.get(field)
        if type(value) is not date:  # a TOML date-time is a datetime, which is a date too
            self.refuse(f"{self.where}: `{field}` is not a date such as 2026-12-02 (unquoted)")
        return value

    def languages(self, field: str) -> tuple[str, ...]:
        value = self.table.get(field)
        if not isinstance(value, list) or not value or not all(isinstance(tag, str) for tag in value):
            self.refuse(f'{self.where}: `{field}` is not a list of language tags such as ["en", "es"]')
        for tag in value:
            if not LANGUAGE_TAG.fullmatch(tag):
                self.refuse(f"{self.where}: `{field}` holds {tag!r}, not a language tag such as en or pt-BR")
        return tuple(value)

    def no_other_fields(self, known: set[str]) -> None:
        unknown = sorted(set(self.table) - known)
        if unknown:
            self.refuse(f"{self.where}: unknown field `{unknown[0]}` (known: {', '.join(sorted(known))})")


_HTTPS = URLValidator(schemes=["https"])
_PATTERN_WORDS = {
    COUNTRY_CODE: "a two-letter country code in capitals (ISO 3166-1 alpha-2, such as US)",
    DIALLED: "a number to dial",
}
_SERVICE_FIELDS = {"country", "name", "phone", "text", "web", "hours", "languages", "source", "checked"}


def load(path: Path) -> Resources:
    """Read and check the file at ``path``; ``ImproperlyConfigured`` names the first problem."""
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise ImproperlyConfigured(f"SAFETY_CRISIS_RESOURCES ({path}): cannot be read ({error.strerror}).") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise ImproperlyConfigured(f"SAFETY_CRISIS_RESOURCES ({path}): is not TOML ({error}).") from None
    top = _Entry(path, "the file", document)
    top.no_other_fields({"statement", "country", "service"})
    statement = _Entry(path, "[statement]", document.get("statement"))
    statement.no_other_fields({"not_watched", "emergency"})

    numbers: dict[str, str] = {}
    for n, table in enumerate(_tables(top, "country"), start=1):
        entry = _Entry(path, f"[[country]] {n}", table)
        entry.no_other_fields({"code", "emergency"})
        code = entry.text("code", pattern=COUNTRY_CODE)
        assert code is not None
        if code in numbers:
            entry.refuse(f"{entry.where}: {code} is listed twice")
        numbers[code] = entry.text("emergency", pattern=DIALLED) or ""

    services: dict[str, list[Service]] = {}
    for n, table in enumerate(_tables(top, "service"), start=1):
        entry = _Entry(path, f"[[service]] {n}", table)
        entry.no_other_fields(_SERVICE_FIELDS)
        country = entry.text("country", pattern=COUNTRY_CODE)
        assert country is not None
        if country not in numbers:
            entry.refuse(f"{entry.where}: country {country} has no [[country]] entry with its emergency number")
        service = Service(
            name=entry.text("name") or "",
            phone=entry.text("phone", required=False, pattern=DIALLED),
            text=entry.text("text", required=False),
            web=entry.url("web", required=False),
            hours=entry.text("hours") or "",
            languages=entry.languages("languages"),
            source=entry.url("source", required=True) or "",
            checked=entry.day("checked"),
        )
        if not (service.phone or service.text or service.web):
            entry.refuse(f"{entry.where}: no way to reach it (give `phone`, `text` or `web`)")
        services.setdefault(country, []).append(service)

    return Resources(
        not_watched=statement.text("not_watched") or "",
        emergency=statement.text("emergency") or "",
        emergency_numbers=numbers,
        services={country: tuple(found) for country, found in services.items()},
    )


def _tables(top: _Entry, name: str) -> list[Any]:
    """The file's ``[[name]]`` tables (none: an empty list)."""
    tables = top.table.get(name, [])
    if not isinstance(tables, list):
        top.refuse(f"`{name}` must be written [[{name}]], one table per entry")
    return list(tables)


@functools.cache
def current() -> Resources:
    """The resources of ``settings.SAFETY_CRISIS_RESOURCES``, read once (``current.cache_clear()``
    reads the file again)."""
    return load(Path(settings.SAFETY_CRISIS_RESOURCES))
