"""What ``verify-access`` and ``access init`` would do to a database, without doing it (``--dry-run``).

Both commands write while they probe: users in ``auth.users``, a row per declared table and owner,
the requests of every actor, the declared function calls. All of it happens in one transaction that
is rolled back, but on a hosted project a team wants to see it first. A dry run connects, reads the
catalog (nothing else: it works on a read replica and through a transaction-mode pooler) and says what
the run would write and call, and what the target would change about it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import psycopg
from pydantic import BaseModel, Field

from khepri_db.access._catalog import exposed_objects, read_declared_objects
from khepri_db.access.declaration import API_ROLE, Declaration, load_declaration
from khepri_db.access.probe import require_api_roles
from khepri_db.core.db import STANDBY, connect, read_only_reason, redact, transaction_pooler_evidence
from khepri_db.core.project import Project
from khepri_db.core.schemas import ExposedSchemas, resolve_exposed_schemas
from khepri_db.core.target import TargetInfo

_T = TypeVar("_T")


class PlannedTable(BaseModel):
    """A declared table or view and what the run would do with it."""

    name: str
    rows: int = Field(description="rows the run would insert before probing (one per owner; one if shared; 0)")
    probes: int = Field(description="requests the run would make against it (actors x operations)")


class PlannedFunction(BaseModel):
    """A declared function and the call each actor would make."""

    name: str
    call: str = Field(description="the SQL each actor would run (the declaration's ``call``)")
    actors: list[str]


class AccessPlan(BaseModel):
    """What one ``verify-access`` (or ``access init``) run would do; see :func:`plan_verify_access`.

    Attributes:
        command: ``"verify-access"`` or ``"access init"``.
        target: :meth:`TargetInfo.to_dict` of the database.
        url: the redacted URL.
        read_only: why the target cannot write (a hot standby, read-only mode), or None.
        transaction_pooler: evidence that the URL leads to a transaction-mode pooler, or None (the
            run works there all the same: it is one transaction).
        outcome: what would happen, in one sentence (rolled back; or refused; or not checked).
        users: the actors that would get a user in ``auth.users`` (owner, other, custom actors).
        roles: the API roles the requests would switch to.
        tables: the tables and views, in the order their rows would be made.
        functions: the functions that would be called, with their calls.
        cells: how many cells would be probed.
    """

    command: str
    target: dict[str, Any]
    url: str
    read_only: str | None
    transaction_pooler: str | None
    outcome: str
    users: list[str]
    roles: list[str]
    tables: list[PlannedTable]
    functions: list[PlannedFunction]
    cells: int


def _read(
    url: str,
    project: Project | None,
    exposed_schemas: Sequence[str] | None,
    read: Callable[[psycopg.Connection, ExposedSchemas], _T],
) -> tuple[str | None, str | None, TargetInfo, _T]:
    """What both plans read: (transaction-pooler evidence, why the target cannot write, the target,
    ``read(conn, exposed schemas)``), in one transaction that is rolled back.

    Raises:
        ConnectionFailedError: the database cannot be reached.
        UsageError: the API roles do not exist.
    """
    project = project or Project.discover()
    pooler = transaction_pooler_evidence(url)
    with connect(url) as conn:
        read_only = read_only_reason(conn)
        target = require_api_roles(conn, url)
        exposed = resolve_exposed_schemas(conn, project, exposed_schemas)
        try:
            found = read(conn, exposed)
        finally:
            conn.rollback()
    return pooler, read_only, target, found


def plan_verify_access(
    url: str,
    declaration: Declaration | Path,
    *,
    project: Project | None = None,
    exposed_schemas: Sequence[str] | None = None,
) -> AccessPlan:
    """Say what :func:`khepri_db.access.probe.verify_access` would do on ``url``, without doing it.

    Reads the catalog only (one transaction, rolled back): it checks the declaration against the
    database as the real run does, so a declaration naming a missing object fails here too.

    Args:
        url: the target database.
        declaration: a :class:`Declaration` or the path of an ``access.toml``.
        project: the Supabase project (default: discovered from the cwd).
        exposed_schemas: as for ``verify_access`` (used only to resolve the project's settings).

    Returns:
        The :class:`AccessPlan`.

    Raises:
        AccessDeclarationError: the declaration is invalid or names objects the database lacks.
        ConnectionFailedError: the database cannot be reached.
        UsageError: the API roles do not exist.
    """
    decl = declaration if isinstance(declaration, Declaration) else load_declaration(declaration)
    pooler, read_only, target, objects = _read(
        url, project, exposed_schemas, lambda conn, _exposed: read_declared_objects(conn, decl)
    )
    standby = read_only == STANDBY
    users = ["owner", "other", *decl.custom_actors]
    tables = [
        PlannedTable(
            name=t.name,
            rows=0 if t.spec.unbuildable is not None or not t.spec.row else 1 if t.spec.shared else 2,
            probes=len(decl.actors) * 4,
        )
        for t in decl.factory_order
    ]
    functions = []
    for function in decl.functions:
        _, display, _ = objects.functions[function.key]
        call = function.spec.call or f"select {function.name}()"
        functions.append(PlannedFunction(name=display, call=call, actors=list(decl.actors)))
    if standby:
        outcome = (
            f"the target {read_only}: nothing would be probed; the declaration would be checked against the "
            "catalog and every cell reported undecided (not checked)"
        )
    else:
        outcome = (
            "everything below would run in one transaction that is rolled back at the end: no user, row or "
            "setting stays (sequences aside, which PostgreSQL never rolls back)"
        )
    return AccessPlan(
        command="verify-access",
        target=target.to_dict(),
        url=redact(url),
        read_only=read_only,
        transaction_pooler=pooler,
        outcome=outcome,
        users=[] if standby else users,
        roles=sorted({API_ROLE.get(a, "authenticated") for a in decl.actors}),
        tables=[] if standby else tables,
        functions=[] if standby else functions,
        cells=len(decl.cell_ids()),
    )


def plan_access_init(
    url: str, *, project: Project | None = None, exposed_schemas: Sequence[str] | None = None
) -> AccessPlan:
    """Say what ``access init`` would do on ``url``: which exposed objects it would declare and probe.

    Args:
        url: the target database.
        project: the Supabase project (default: discovered from the cwd).
        exposed_schemas: schemas whose objects to declare (default: as ``access init`` resolves them).

    Returns:
        An :class:`AccessPlan` (``command = "access init"``); its tables and functions are the exposed
        objects (row counts and calls are decided by the real run, from the catalog and its probes).

    Raises:
        ConnectionFailedError: the database cannot be reached.
        UsageError: the API roles do not exist.
    """
    pooler, read_only, target, found = _read(
        url, project, exposed_schemas, lambda conn, exposed: exposed_objects(conn, exposed.schemas)
    )
    actors = ["anon", "owner", "other", "service_role"]
    if read_only is not None:
        outcome = f"refused: access init writes rows while it probes, and the target {read_only}"
    else:
        outcome = (
            "it would infer a row per table, then probe every actor x operation in one transaction that is "
            "rolled back at the end, and write the declaration file (the only thing that stays)"
        )
    return AccessPlan(
        command="access init",
        target=target.to_dict(),
        url=redact(url),
        read_only=read_only,
        transaction_pooler=pooler,
        outcome=outcome,
        users=[] if read_only else ["owner", "other"],
        roles=["anon", "authenticated", "service_role"],
        tables=[PlannedTable(name=o.name, rows=0, probes=len(actors) * 4) for o in found if o.kind != "function"],
        functions=[
            PlannedFunction(name=o.name, call="(inferred by the run)", actors=actors)
            for o in found
            if o.kind == "function"
        ],
        cells=sum(len(actors) * (4 if o.kind != "function" else 1) for o in found),
    )


def render_plan(plan: AccessPlan) -> list[str]:
    """The plan as lines for people: the outcome, then users, tables, calls and the cell count."""
    lines = [f"Dry run: {plan.command} on {plan.url} ({plan.target.get('description', '')})", f"  {plan.outcome}"]
    if plan.transaction_pooler:
        lines.append(
            f"  through a transaction-mode pooler ({plan.transaction_pooler}): fine, the run is one transaction"
        )
    if plan.users:
        lines.append(f"  users made in auth.users: {', '.join(plan.users)}")
    lines.append(f"  requests as the API roles {', '.join(plan.roles)}: {plan.cells} cell(s)")
    if plan.tables and plan.command == "access init":
        lines.append(
            f"  {len(plan.tables)} table(s) and view(s) to declare and probe (a row each where it can build one):"
        )
        lines.extend(f"    {t.name}" for t in plan.tables)
    elif plan.tables:
        made = [t for t in plan.tables if t.rows]
        lines.append(f"  {len(plan.tables)} table(s) and view(s) probed; rows inserted in {len(made)}:")
        lines.extend(f"    {t.name}: {t.rows} row(s), {t.probes} probe(s)" for t in plan.tables)
    if plan.functions:
        lines.append(f"  {len(plan.functions)} function(s) called by every actor:")
        lines.extend(
            f"    {f.name}: {f.call}" if plan.command != "access init" else f"    {f.name}" for f in plan.functions
        )
    return lines
