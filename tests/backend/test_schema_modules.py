"""The schema's prose lives in each app's ``schema.py``, its numbers taken from the constants.

``views.py`` holds behaviour only; a view's summary, description, parameters and declared
error codes are one decorator from its app's schema module. A number in that prose (a
lifetime, a limit, a count) is formatted from the constant or setting that enforces it, so
the schema cannot go on promising what the server has stopped doing.
"""

from __future__ import annotations

import ast
import importlib
import re
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from django.conf import settings
from django.test import override_settings
from django.urls import get_resolver, path
from drf_spectacular.generators import SchemaGenerator

import accounts.models
import accounts.schema
from accounts.views import InviteView, TokenView

ROOT = Path(__file__).resolve().parents[2]
#: Where the API's views live: each app's views.py, and /healthz.
VIEW_MODULES = [
    *("accounts/views.py", "care/views.py", "journal/views.py", "reminders/views.py", "safety/views.py"),
    "core/health.py",
]
SCHEMA_MODULES = sorted(ROOT.glob("*/schema.py"))
#: Numbers that are no limit, count or period of ours, so no constant holds them.
NOT_OUR_NUMBERS = [
    r"\b[2-5][0-9]{2}\b",  # an HTTP status
    r"\b[0-9]{2}:[0-9]{2}\b",  # an example time of day
    r'`"[0-9]+"`',  # an example ETag
    r"ISO, 1 = Monday",  # ISO's numbering of weekdays
    r"`version` 0",  # settings never saved: the contract's version of nothing (If-Match: "0")
    r"ISO 3166-1 alpha-2",  # the standard's name
]


def string_literals(source: str) -> Iterator[str]:
    """Every string written in ``source`` (the literal parts of f-strings too), docstrings aside."""
    tree = ast.parse(source)
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
            yield node.value


@pytest.mark.parametrize("module", VIEW_MODULES)
def test_no_view_module_writes_schema_prose(module: str) -> None:
    tree = ast.parse((ROOT / module).read_text())
    imported = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert not {name for name in imported if name and name.startswith(("drf_spectacular", "drf_standardized_errors"))}
    prose = [
        keyword.arg
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        for keyword in node.keywords
        if keyword.arg in {"summary", "description", "help_text", "examples"}
    ]
    assert prose == [], f"{module}: schema prose belongs in its app's schema.py"
    # A view says what it does in its docstring, to us; a long string is prose for someone else.
    assert [text for text in string_literals((ROOT / module).read_text()) if len(text) > 100] == []


def test_there_is_a_schema_module_for_each_app_with_an_api() -> None:
    assert {module.parent.name for module in SCHEMA_MODULES} >= {"accounts", "care", "core", "journal", "reminders"}


@pytest.mark.parametrize("module", SCHEMA_MODULES, ids=lambda module: module.parent.name)
def test_no_number_in_the_schemas_prose_is_typed_by_hand(module: Path) -> None:
    typed = []
    for text in string_literals(module.read_text()):
        for allowed in NOT_OUR_NUMBERS:
            text = re.sub(allowed, "", text)
        if re.search(r"[0-9]", text):
            typed.append(text)
    assert typed == [], "format the number from the constant that enforces it"


@pytest.fixture
def reloaded(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[ModuleType], Any]]:
    """Imports a schema module again (its prose is formatted at import), and once more after
    the test's patches are undone, so that no other test sees the patched prose."""
    modules: list[ModuleType] = []

    def reload(module: ModuleType) -> Any:
        modules.append(module)
        return importlib.reload(module)

    yield reload
    monkeypatch.undo()
    for module in modules:
        importlib.reload(module)


def description_of(view: Any, method: str) -> str:
    """The description of ``view``'s operation, in the whole API's schema (whose hooks expect it)."""
    patterns = [*get_resolver().url_patterns, path("api/v1/probe/", view.as_view())]
    schema = SchemaGenerator(patterns=patterns).get_schema(request=None, public=True)
    description: str = schema["paths"]["/api/v1/probe/"][method]["description"]
    return description


def test_the_invite_lifetime_in_the_schema_follows_its_constant(monkeypatch, reloaded) -> None:
    monkeypatch.setattr(accounts.models, "INVITE_LIFETIME", timedelta(days=3))
    schema = reloaded(accounts.schema)
    view = schema.invite(type("ProbeInviteView", (InviteView,), {}))
    assert "a single-use code, valid 3 days," in description_of(view, "post")


def test_the_lockout_and_the_token_lifetime_in_the_schema_follow_their_settings(reloaded) -> None:
    simple_jwt = {**settings.SIMPLE_JWT, "ACCESS_TOKEN_LIFETIME": timedelta(minutes=5)}
    # Restored before the fixture imports the module again.
    with override_settings(AXES_FAILURE_LIMIT=3, SIMPLE_JWT=simple_jwt):
        schema = reloaded(accounts.schema)
        description = description_of(schema.login(type("ProbeTokenView", (TokenView,), {})), "post")
    assert "an access token (5 minutes)" in description
    assert "three failures lock that address out" in description
