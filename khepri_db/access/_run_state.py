"""What the parts of one verify-access run share (:class:`RunState`): the run's state, set once by
:class:`khepri_db.access._runner.Runner`, and the methods one part offers the others. Each part
(:mod:`._table_cells`, :mod:`._storage_cells`, :mod:`._function_cells`, :mod:`._handover`) derives from it,
so what it may use of the run is declared in one place instead of being found through ``self``."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import psycopg
    from psycopg import sql

    from khepri_db.access._attempts import Attempt
    from khepri_db.access._catalog import DeclaredObjects
    from khepri_db.access._fixtures import Fixtures
    from khepri_db.access._fresh_keys import InsertPlan
    from khepri_db.access._owner_calls import OwnerData
    from khepri_db.access._preconditions import Need
    from khepri_db.access.declaration import Declaration, TableDeclaration


class RunState:
    """The state and the shared methods of one verify-access run (annotations only: ``Runner.__init__``
    sets every attribute; the methods are defined by the part named beside them).

    Attributes:
        conn: the run's connection (one transaction, rolled back at the end).
        decl: the declaration probed.
        objects: the declared objects as the catalog has them (:mod:`._catalog`).
        fixtures: the owners, users and rows made for the run (:mod:`._fixtures`).
        owners_data_calls: also call functions with the owner's own data (False: only the declared calls).
    """

    conn: psycopg.Connection
    decl: Declaration
    objects: DeclaredObjects
    fixtures: Fixtures
    owners_data_calls: bool

    # caches of the run, each filled by the part that reads it first
    _mogrifier: psycopg.ClientCursor[Any]
    _owned_memo: dict[str, bool]  # table cells: whether a table's rows are the owner's
    _key_facts: dict[str, Any]  # table cells: the unique keys of every declared table (read_key_facts)
    _insert_plans: dict[str, InsertPlan]  # table cells: how each insert probe avoids the owner's row
    _owner_data: OwnerData | None  # function cells: the owner's rows, for calls with the owner's data
    _needs: dict[int, tuple[list[str], list[Need]]] | None  # function cells: the rows a body looks up
    _recording: list[list[tuple[sql.Composable, Sequence[Any]]]]  # handover: statements being recorded
    _undeletable: dict[tuple[str, tuple[str, ...]], str]  # handover: rows the connecting role cannot delete
    _foreign_keys: dict[tuple[str, ...], tuple[list[str], list[str]] | None]  # handover: a constraint's columns
    _cleared: dict[tuple[Any, ...], list[tuple[sql.Composable, Sequence[Any]]] | None]  # handover: replays

    # offered by Runner (_runner.py): acting as an actor, progress, savepoints, the connecting role
    _act: Callable[..., Attempt]
    _progress: Callable[[str, str], None]
    _rolled_back: Callable[[], AbstractContextManager[None]]
    _claims: Callable[[str], tuple[str, dict[str, Any]]]
    _admin_try: Callable[[sql.Composable, Sequence[Any]], psycopg.Error | None]
    _as_admin: Callable[[sql.Composable, Sequence[Any]], str | None]
    _rendered: Callable[[tuple[str, str], Callable[[], tuple[sql.Composable, Sequence[Any]]]], str]
    # offered by Handover (_handover.py): clearing what blocks a probe, and re-parenting probes
    _admin_delete: Callable[..., str | None]
    _clear_dependents: Callable[[TableDeclaration, Attempt, sql.Composable, Sequence[Any]], bool]
    _delete_referencing: Callable[..., bool]
    _replayed: Callable[[tuple[Any, ...], Callable[[], bool]], bool]
    _handover: Callable[..., str | None]
    # offered by TableCells (_table_cells.py)
    _read_key_facts: Callable[[], None]
