"""The parts of a verify-access run use only what RunState declares of the run (or what they define
themselves): the state they share is written down in one place, and this keeps it true."""

from __future__ import annotations

import ast
import inspect
import textwrap

import pytest

from khepri_db.access import _function_cells, _handover, _run_state, _storage_cells, _table_cells
from khepri_db.access._runner import Runner

_PARTS = {
    "TableCells": _table_cells,
    "StorageCells": _storage_cells,
    "FunctionCells": _function_cells,
    "Handover": _handover,
}


def _undeclared_uses(source: str, name: str) -> dict[str, int]:
    """``self.<attr>`` uses in class ``name`` of ``source`` that the class neither defines nor RunState
    declares: attr -> first line."""
    [cls] = [n for n in ast.parse(source).body if isinstance(n, ast.ClassDef) and n.name == name]
    defined = {n.name for n in cls.body if isinstance(n, ast.FunctionDef)} | set(_run_state.RunState.__annotations__)
    used: dict[str, int] = {}
    for node in ast.walk(cls):
        is_self = isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "self"
        if is_self and node.attr not in defined:
            used.setdefault(node.attr, node.lineno)
    return used


@pytest.mark.parametrize("name", list(_PARTS))
def test_a_part_uses_only_what_run_state_declares(name: str) -> None:
    module = _PARTS[name]
    undeclared = _undeclared_uses(inspect.getsource(module), name)
    assert not undeclared, f"{module.__name__}.{name} uses what RunState does not declare (line): {undeclared}"


def test_an_undeclared_use_is_caught() -> None:
    source = "class TableCells:\n    def f(self):\n        return self.conn, self.f, self._nowhere\n"
    assert _undeclared_uses(source, "TableCells") == {"_nowhere": 3}


def test_every_declared_name_is_set_by_the_runner_or_a_method_of_one() -> None:
    init = ast.parse(textwrap.dedent(inspect.getsource(Runner.__init__)))
    set_in_init = {n.attr for n in ast.walk(init) if isinstance(n, ast.Attribute) and isinstance(n.ctx, ast.Store)}
    missing = [
        name
        for name in _run_state.RunState.__annotations__
        if name not in set_in_init and not callable(getattr(Runner, name, None))
    ]
    assert not missing, f"RunState declares what no Runner has: {missing}"
