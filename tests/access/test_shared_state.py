"""The parts of a verify-access run (RunState) and of access init's generator (InitState) use only what
their shared-state class declares (or what they define themselves): what they share is written down in one
place, and this keeps it true."""

from __future__ import annotations

import ast
import inspect
import textwrap

import pytest

from khepri_db.access import (
    _function_cells,
    _handover,
    _init_calls,
    _init_state,
    _init_values,
    _init_variants,
    _run_state,
    _storage_cells,
    _table_cells,
)
from khepri_db.access._init_rows import Generator
from khepri_db.access._runner import Runner

_RUN = _run_state.RunState.__annotations__
_INIT = _init_state.InitState.__annotations__
_PARTS = [
    (_table_cells, "TableCells", _RUN),
    (_storage_cells, "StorageCells", _RUN),
    (_function_cells, "FunctionCells", _RUN),
    (_handover, "Handover", _RUN),
    (_init_values, "ValueCandidates", _INIT),
    (_init_variants, "BranchRows", _INIT),
    (_init_calls, "CallInference", _INIT),
]


def _undeclared_uses(source: str, name: str, declared: object) -> dict[str, int]:
    """``self.<attr>`` uses in class ``name`` of ``source`` that the class neither defines nor ``declared``
    names: attr -> first line."""
    [cls] = [n for n in ast.parse(source).body if isinstance(n, ast.ClassDef) and n.name == name]
    defined = {n.name for n in cls.body if isinstance(n, ast.FunctionDef)} | set(declared)  # type: ignore[call-overload]
    used: dict[str, int] = {}
    for node in ast.walk(cls):
        is_self = isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "self"
        if is_self and node.attr not in defined:
            used.setdefault(node.attr, node.lineno)
    return used


@pytest.mark.parametrize(("module", "name", "declared"), _PARTS, ids=[name for _, name, _ in _PARTS])
def test_a_part_uses_only_what_its_shared_state_declares(module: object, name: str, declared: object) -> None:
    undeclared = _undeclared_uses(inspect.getsource(module), name, declared)  # type: ignore[arg-type]
    assert not undeclared, f"{name} uses what its shared state does not declare (line): {undeclared}"


def test_an_undeclared_use_is_caught() -> None:
    source = "class TableCells:\n    def f(self):\n        return self.conn, self.f, self._nowhere\n"
    assert _undeclared_uses(source, "TableCells", _RUN) == {"_nowhere": 3}


@pytest.mark.parametrize(("owner", "declared"), [(Runner, _RUN), (Generator, _INIT)], ids=["Runner", "Generator"])
def test_every_declared_name_is_set_by_the_owner_or_a_method_of_it(owner: type, declared: object) -> None:
    init = ast.parse(textwrap.dedent(inspect.getsource(owner.__init__)))
    set_in_init = {n.attr for n in ast.walk(init) if isinstance(n, ast.Attribute) and isinstance(n.ctx, ast.Store)}
    missing = [
        name
        for name in declared  # type: ignore[attr-defined]
        if name not in set_in_init and not callable(getattr(owner, name, None))
    ]
    assert not missing, f"{owner.__name__}'s shared state declares what it does not have: {missing}"
