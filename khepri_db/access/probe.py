"""The declared access matrix: what every actor may do with every exposed table and RPC, checked for real.

A project declares in ``supabase/access.toml`` (format: ``docs/access.md``), per table and per
function (RPC), which *actors* may do which *operations*:

* actors: ``anon`` (the anon key, no user), ``owner`` (the signed-in user who owns the row),
  ``other`` (another signed-in user), any declared custom actor such as ``coach`` (a user the
  owner's rows point at, e.g. through an active coach link) or ``admin`` (a user with
  ``app_metadata``), and ``service_role``;
* operations: ``select``, ``insert``, ``update``, ``delete`` on tables, ``execute`` on functions.

:func:`verify_access` builds two owners' worth of rows from the declaration's per-table factories
(``owner`` and ``other`` each get a user, one user per custom actor, and one row per table), then
tries every actor x operation x table inside its own rolled-back savepoint, acting exactly as a
PostgREST request does (:mod:`khepri_db.access.session`), and compares what happened with what is
declared. Each cell verifies the role switch (not superuser, no BYPASSRLS except service_role, not
the tables' owner) and records the rights it ran with. Everything happens in one transaction that is
rolled back: nothing is left behind (sequences aside, which Postgres never rolls back).

What counts as *allowed* (the target is always the ``owner``'s row of the table):

* ``select``: the statement returns the target row. Zero rows (RLS filtered it) or SQLSTATE 42501
  (no privilege) is *denied*.
* ``insert``: the actor inserts the factory row again (``insert_row`` if declared) with fresh keys
  (:mod:`khepri_db.access._fresh_keys`: keys from volatile defaults, text or uuid values naming nobody
  given a new value), or, when a unique key is made of references, after the owner's row is deleted (by
  the connecting role, in the savepoint): one row inserted is *allowed*; 42501 (no privilege, or a
  ``with check`` violation) or zero rows is *denied*.
* ``update``: ``set c = c`` on the ``update_columns`` (default: the row's literal columns) of the
  target row: at least one row updated is *allowed*; zero rows (``using`` filtered it) or 42501 is
  *denied*. When an update is allowed (except for service_role), more probes try to hand the row
  over to every owner the actor could aim at (its reference columns set to that owner's values):
  the other owner; for a custom actor, the actor's own rows and another owner the same actor
  reaches (a second athlete of the same coach); for the owner, an owner they reach as a custom
  actor (an athlete they coach). If any succeeds the cell fails as a *leak*: the ``with check``
  does not pin the owner.
* ``delete``: at least one row deleted is *allowed*; zero rows or 42501 is *denied*.
* ``execute``: the declared ``call`` completes: *allowed*; 42501 (no EXECUTE, or the function
  refusing the caller with insufficient_privilege), or a SQLSTATE the function lists in
  ``denied_sqlstates`` (e.g. P0002 from RPCs that answer "not found" for another user's row), is
  *denied*.

Any other error (a check or foreign-key violation, a syntax error in a snippet) makes the cell an
*error*: the declaration cannot be decided and counts as a failure, with Postgres' message.

Underneath: :mod:`._runner` (one run) with :mod:`._table_cells`, :mod:`._storage_cells`,
:mod:`._function_cells` and :mod:`._handover`; :mod:`._attempts` (what an attempt did).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Collection, Iterable, Sequence
from pathlib import Path
from typing import Any

import psycopg

from khepri_db.access._runner import Runner
from khepri_db.access.declaration import (
    Declaration,
    load_declaration,
)
from khepri_db.access.report import AccessReport, CellResult
from khepri_db.core.db import STANDBY, connect, read_only_reason, redact
from khepri_db.core.errors import UsageError
from khepri_db.core.project import Project
from khepri_db.core.schemas import resolve_exposed_schemas
from khepri_db.core.target import TargetInfo, detect


def require_api_roles(conn: psycopg.Connection, url: str) -> TargetInfo:
    """The target's :class:`TargetInfo`, after checking it has Supabase's API roles.

    Raises:
        UsageError: anon, authenticated, service_role or authenticator is missing.
    """
    target = detect(conn)
    if target.missing_roles:
        raise UsageError(
            f"{redact(url)} lacks the Supabase API roles {', '.join(target.missing_roles)}",
            hint="run `khepri-db migrate` (it installs the compatibility layer on vanilla Postgres)",
        )
    return target


def verify_access(
    url: str,
    declaration: Declaration | Path,
    *,
    project: Project | None = None,
    exposed_schemas: Sequence[str] | None = None,
    progress: Callable[[str], None] | None = None,
    only: Collection[str] | None = None,
) -> AccessReport:
    """Check the database at ``url`` against an access declaration.

    Args:
        url: a database migrated with the project's schema. Connect as the role that owns the
            tables (the migrating role: ``postgres``), which may create users and rows for the run.
        declaration: a :class:`Declaration`, or the path of an ``access.toml`` to load.
        project: the Supabase project, for ``[api] schemas`` (default: discovered from the cwd).
        exposed_schemas: schemas whose tables, views and functions must all be declared (default:
            :func:`khepri_db.core.schemas.resolve_exposed_schemas`: config.toml, ``pgrst.db_schemas``,
            else ``public``); Supabase-managed schemas are skipped as doctor skips them.
        progress: called with a line such as ``probing 40/144 objects (table public.x)`` at most
            every two seconds while cells run (the CLI prints it on stderr).
        only: probe only the cells of these objects (``schema.table``, or ``schema.name(argtypes)``
            for functions, as :attr:`CellResult.object` names them); the report then holds only
            theirs (``access init`` re-verifying the objects whose cells changed from run to run).

    Returns:
        The :class:`AccessReport`. Cells the declaration marks ``undecided`` (or whose table is
        ``unbuildable``) are probed all the same and reported with their reason: never as passed
        (``ok`` is false), never as a mismatch. Nothing is left in the database: the run is one transaction
        that is rolled back (so it also runs through a transaction-mode pooler, on one server
        connection). On a read-only hot standby nothing can be probed: the declaration is still
        checked against the catalog (missing objects, undeclared exposed ones) and every cell is
        reported ``undecided`` ("not checked"), with why.

    Raises:
        AccessDeclarationError: the declaration is invalid, names tables or functions the database
            lacks, or a row factory fails (exit 2).
        ConnectionFailedError: the database cannot be reached.
        RoleSwitchError: a request context kept rights that bypass RLS (the API roles are
            misconfigured), so no cell could prove anything.
        UsageError: the API roles do not exist.
    """
    started = time.perf_counter()
    decl = declaration if isinstance(declaration, Declaration) else load_declaration(declaration)
    project = project or Project.discover()
    with connect(url) as conn:
        read_only = read_only_reason(conn)
        standby = read_only == STANDBY
        if read_only is not None and not standby:
            # Read-only mode (default_transaction_read_only): this run's one transaction, rolled
            # back at the end, may still write its users and rows.
            conn.execute("set transaction read write")
        target = require_api_roles(conn, url)
        exposed = resolve_exposed_schemas(conn, project, exposed_schemas)
        runner = Runner(conn, decl, progress)
        notes: list[str] = []
        try:
            runner.load_catalog()
            undeclared = runner.undeclared(exposed.schemas)
            if standby:
                cells = runner.not_checked_cells(
                    f"not checked: the target {read_only}; the probes need users and rows written in a "
                    "transaction that is rolled back, which a standby refuses (run verify-access on the primary)"
                )
            else:
                notes = runner.setup()
                cells = [*runner.table_cells(only), *runner.function_cells(only), *runner.storage_cells(only)]
        finally:
            conn.rollback()
    specs: dict[str, Any] = {t.name: t.spec for t in decl.tables}
    specs.update({f.cell_name: f.spec for f in decl.functions})
    specs.update({b.name: b.spec for b in decl.storage})
    for cell in cells:
        spec = specs.get(cell.id.rsplit(":", 2)[0])
        if spec is not None and cell.risk is not None:
            cell.risk_accepted = decl.accepted_risk(spec, cell.actor, cell.operation)
    return AccessReport(
        access_file=str(decl.path),
        target=target.to_dict(),
        exposed_schemas=exposed,
        actors=list(decl.actors),
        cells=cells,
        undeclared=undeclared,
        duration_ms=(time.perf_counter() - started) * 1000,
        notes=notes,
    )


def matrix_rows(report: AccessReport) -> Iterable[tuple[str, str, dict[str, list[CellResult]]]]:
    """The report as matrix rows: ``(object, kind, {actor: cells in operation order})``."""
    seen: dict[str, tuple[str, dict[str, list[CellResult]]]] = {}
    for cell in report.cells:
        kind, by_actor = seen.setdefault(cell.object, (cell.kind, {a: [] for a in report.actors}))
        by_actor[cell.actor].append(cell)
    for name, (kind, by_actor) in seen.items():
        yield name, kind, by_actor
