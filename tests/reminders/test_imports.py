"""The reminders' modules depend one way: the task module at the top, nothing imports it back.

A module-level cycle (dispatcher -> tasks -> dispatcher) was hidden by an import inside a
function, which loads on first use, not at start-up; these read the source, so a cycle that
only a rarely taken path would trigger still fails here.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import reminders

PACKAGE = Path(reminders.__file__).parent
#: The modules the workers run; apps.py imports in ready() on purpose (Django's app loading).
WORKER_MODULES = ["dispatcher.py", "sending.py", "tasks.py", "services.py", "plans.py", "schedule.py"]


def imported(path: Path) -> list[tuple[str, bool]]:
    """``(module, at_top)`` for each import in the file; ``at_top``: not inside a def or class."""
    tree = ast.parse(path.read_text())
    top = {id(node) for node in tree.body}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        else:
            continue
        found += [(name, id(node) in top) for name in names]
    return found


@pytest.mark.parametrize("module", sorted(path.name for path in PACKAGE.glob("*.py") if path.name != "tasks.py"))
def test_no_module_of_the_app_imports_the_task_module(module):
    assert "reminders.tasks" not in {name for name, _ in imported(PACKAGE / module)}


@pytest.mark.parametrize("module", WORKER_MODULES)
def test_the_worker_modules_import_at_their_top(module):
    assert [name for name, at_top in imported(PACKAGE / module) if not at_top] == []
