"""What the parts of ``access init``'s generator share (:class:`InitState`): the state
:class:`khepri_db.access._init_rows.Generator` sets once, and the methods one part offers the others. Each
part (:mod:`._init_values`, :mod:`._init_variants`, :mod:`._init_calls`) derives from it, so what it may use
of the generator is declared in one place instead of being found through ``self``."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import psycopg
    from psycopg import sql

    from khepri_db.access import _branches
    from khepri_db.access._catalog import ExposedObject
    from khepri_db.access._init_catalog import CatTable


class InitState:
    """The state and the shared methods of one ``access init`` generator (annotations only:
    ``Generator.__init__`` sets every attribute; the methods are defined by the part named beside them).

    Attributes:
        conn: the connection (one transaction, rolled back at the end).
        path: the declaration file being written.
        objects: the exposed objects (:func:`khepri_db.access._catalog.exposed_objects`).
        catalog: ``schema.table`` -> what the row factories need of it (:mod:`._init_catalog`).
        reasons: table -> why it has no row factory.
        keys: table -> its key in the file.
        notes: table or function key -> the notes written beside it.
        variant_failures: variant name -> why its row could not be made.
    """

    conn: psycopg.Connection
    path: Path
    objects: list[ExposedObject]
    catalog: dict[str, CatTable]
    reasons: dict[str, str]
    keys: dict[str, str]
    notes: dict[str, list[str]]
    variant_failures: dict[str, str]

    # kept across the attempts of init_access (the same transaction, the same catalog)
    _mogrifier: psycopg.ClientCursor[Any]
    _single: sql.Identifier | None  # the copy of the table being filled with single-column checks
    _probe_tables: int  # how many probe copies of tables were made (their names)
    _signatures: dict[int, tuple[Any, ...]]  # calls: what a generated call needs of each function
    _branches: dict[str, list[_branches.Branch]] | None  # variants: the policy branches of each table
    _variants: dict[tuple[str, str], tuple[dict[str, Any], list[str], list[tuple[str, dict[str, Any], list[str], str]]]]

    # offered by ValueCandidates (_init_values.py): trial rows, rendered and checked against the table's CHECKs
    _rendered: Callable[[Mapping[str, Any], CatTable], tuple[list[str], list[sql.Composable], list[Any]]]
    _fits: Callable[[sql.Identifier, Mapping[str, Any], CatTable], tuple[str, str] | None]
