"""Services, selectors and the rules models check refuse in one idiom, the domain's errors
(``core.exceptions``), so that any caller needs one ``except`` (the dashboard, commands,
tasks) and the API maps them in one place. Django's ``ValidationError`` stays with Django's
own field validators. Read from the sources, as tests/reminders/test_imports.py reads imports."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOMAIN_MODULES = sorted(
    path
    for app in ("accounts", "care", "journal", "reminders", "safety")
    for pattern in ("services.py", "selectors.py", "models.py", "brief.py", "access.py")
    for path in (ROOT / app).glob(pattern)
)
#: Django's validators, of fields and of passwords: they speak Django's ``ValidationError``.
FIELD_VALIDATORS = {
    ("accounts/models.py", "validate_timezone"),
    ("accounts/models.py", "validate_country"),
    ("accounts/models.py", "validate_password"),
}


def raised_names(path: Path) -> list[tuple[str, str]]:
    """(function, exception) for each ``raise ValidationError(...)`` in the file."""
    tree = ast.parse(path.read_text())
    found = []
    for function in ast.walk(tree):
        if not isinstance(function, ast.FunctionDef):
            continue
        for node in ast.walk(function):
            if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call):
                called = node.exc.func
                name = called.attr if isinstance(called, ast.Attribute) else getattr(called, "id", "")
                if name == "ValidationError":
                    found.append((function.name, name))
    return found


def test_there_are_domain_modules_to_read():
    assert len(DOMAIN_MODULES) >= 10


@pytest.mark.parametrize("path", DOMAIN_MODULES, ids=lambda path: str(path.relative_to(ROOT)))
def test_a_domain_module_refuses_with_domain_errors_only(path):
    relative = str(path.relative_to(ROOT))
    hand_built = [
        (function, name) for function, name in raised_names(path) if (relative, function) not in FIELD_VALIDATORS
    ]
    assert hand_built == []
