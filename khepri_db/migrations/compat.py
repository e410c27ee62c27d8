"""The Supabase compatibility layer: what vanilla PostgreSQL lacks for Supabase migrations to run.

``sql/compat/install/*.sql`` creates, idempotently, what a Supabase database has before any
project migration runs: Supabase's roles with their attributes and memberships, the
``extensions`` schema, the ``auth``, ``storage``, ``realtime``, ``supabase_functions``,
``graphql_public`` and ``pgbouncer`` schemas in the final state Supabase Auth, Storage, Realtime
and the supabase/postgres image leave them today (tables, enums, indexes, functions, history
tables, grants), Supabase's privileges on ``public``, and the ``supabase_realtime`` publication.
``sql/compat/manifest.json`` lists those objects as Supabase has them; :func:`manifest_gap`
compares a database with it. ``docs/compat.md`` says what is exact, simplified or missing.

It is never installed on a real Supabase database: :func:`khepri_db.core.target.detect` tells the two
apart (re-exported here as :func:`detect`, with :class:`TargetInfo` and :class:`TargetKind`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import psycopg

from khepri_db.core.errors import CompatError
from khepri_db.core.project import bundled_path
from khepri_db.core.sqltext import split_statements
from khepri_db.core.target import TargetInfo as TargetInfo  # target detection lives in core; kept here for callers
from khepri_db.core.target import TargetKind as TargetKind
from khepri_db.core.target import detect as detect

COMPAT_VERSION = 3
"""Version of the layer in ``sql/compat/install``; the marker comment on schema ``auth`` and the
database setting ``khepri_db.compat_version`` record it. A database with an older version is
upgraded in place by the next ``khepri-db migrate`` (v1: roles, ``auth.users``, a minimal storage; v2: the
platform schemas as Supabase has them; v3: privileged extensions created as ``supabase_admin``, as
supautils does, with Supabase's default privileges in ``extensions``)."""


def install(conn: psycopg.Connection) -> None:
    """Install (or upgrade in place) the compatibility layer, in one transaction.

    Every file in ``sql/compat/install`` is idempotent, so this is safe to repeat.

    Args:
        conn: a connection with no transaction open, as a superuser (or a role with CREATEROLE
            that may create schemas in the database).

    Raises:
        CompatError: a statement failed; names the file, line and Postgres' message. Nothing of
            the layer remains (the transaction is rolled back).
    """
    files = sorted(bundled_path("sql", "compat", "install").glob("*.sql"))
    if not files:
        raise CompatError(f"no compatibility layer files in {bundled_path('sql', 'compat', 'install')}")
    with conn.transaction():
        for path in files:
            sql_text = path.read_text(encoding="utf-8")
            try:
                # One round trip per file (the layer is ~700 statements); a savepoint keeps the
                # transaction usable to locate a failure statement by statement below.
                with conn.transaction():
                    conn.execute(sql_text)
                continue
            except psycopg.Error:
                pass
            for statement in split_statements(sql_text):
                try:
                    conn.execute(statement.text)
                except psycopg.Error as exc:
                    diag = exc.diag
                    raise CompatError(
                        f"installing the Supabase compatibility layer failed at {path.name}:{statement.line}: "
                        f"{diag.message_primary or exc} [SQLSTATE {diag.sqlstate}]",
                        hint="The layer needs a superuser (or CREATEROLE and CREATE on the database). "
                        "Pass --no-compat to skip it.",
                    ) from exc


@dataclass(frozen=True)
class ManifestGap:
    """One fact of ``sql/compat/manifest.json`` the database does not match.

    Attributes:
        kind: ``schema``, ``table``, ``column``, ``constraint``, ``index``, ``trigger``, ``type``,
            ``function``, ``grant``, ``role`` or ``membership``.
        name: the object, e.g. ``auth.users.email`` or ``storage.search(prefix text, ...)``.
        expected: the fact as Supabase has it, e.g. ``character varying(255)``; ``None`` for an
            object Supabase does not have (an extra object).
        actual: the same fact read from the database; ``None`` when the object is missing.
        documented: why the layer deliberately differs (the manifest's ``differences``), or
            ``None`` for an undocumented gap.
    """

    kind: str
    name: str
    expected: str | None
    actual: str | None
    documented: str | None


@dataclass(frozen=True)
class ManifestReport:
    """How a database compares with the manifest of Supabase's objects.

    Attributes:
        facts: how many facts the manifest lists.
        gaps: every missing, different or extra fact, documented or not.
    """

    facts: int
    gaps: list[ManifestGap]

    @property
    def undocumented(self) -> list[ManifestGap]:
        """Gaps the manifest does not explain: a defect of the layer (or of the manifest)."""
        return [g for g in self.gaps if g.documented is None]

    @property
    def documented(self) -> list[ManifestGap]:
        """Gaps the manifest lists under ``differences``: deliberate."""
        return [g for g in self.gaps if g.documented is not None]


def load_manifest() -> dict[str, Any]:
    """The manifest ``sql/compat/manifest.json``: ``schemas``, ``roles``, ``differences``
    (``"<kind> <name>"`` to the reason) and ``facts`` (kind to name to detail)."""
    import json

    return json.loads(bundled_path("sql", "compat", "manifest.json").read_text(encoding="utf-8"))


def catalog_facts(conn: psycopg.Connection, schemas: list[str], roles: list[str]) -> dict[tuple[str, str], str]:
    """Read the facts ``sql/compat/catalog.sql`` gives for ``schemas`` and ``roles``.

    Returns:
        ``{(kind, name): detail}``, e.g. ``{("column", "auth.users.id"): "uuid not null"}``.
    """
    query = bundled_path("sql", "compat", "catalog.sql").read_text(encoding="utf-8")
    with conn.transaction():
        conn.execute("select set_config('khepri_db.compat_schemas', %s, true)", (",".join(schemas),))
        conn.execute("select set_config('khepri_db.compat_roles', %s, true)", (",".join(roles),))
        rows = conn.execute(query).fetchall()
    return {(row[0], row[1]): row[2] for row in rows}


def manifest_gap(conn: psycopg.Connection) -> ManifestReport:
    """Compare the database with the manifest of what Supabase has; changes nothing.

    Every manifest fact (schemas, tables, columns with type, nullability and default,
    constraints, indexes, triggers, enums and composite types, functions with argument and
    result types, table grants to the API roles, role attributes, memberships) is looked up in
    the database's catalog; a fact that is missing or reads differently is a gap, and so is an
    object in the manifest's schemas that Supabase does not have. Memberships the manifest does
    not list are not gaps (a cluster has its own roles).

    Args:
        conn: a connection to the database to check (any role that may read the catalog).

    Returns:
        A :class:`ManifestReport`; ``report.undocumented`` is empty for khepri-db's layer.
    """
    manifest = load_manifest()
    expected = {(kind, name): detail for kind, items in manifest["facts"].items() for name, detail in items.items()}
    actual = catalog_facts(conn, manifest["schemas"], manifest["roles"])
    reasons: dict[str, str] = manifest["differences"]
    gaps = [
        ManifestGap(kind, name, detail, actual.get((kind, name)), reasons.get(f"{kind} {name}"))
        for (kind, name), detail in sorted(expected.items())
        if actual.get((kind, name)) != detail
    ]
    gaps += [
        ManifestGap(kind, name, None, detail, reasons.get(f"{kind} {name}"))
        for (kind, name), detail in sorted(actual.items())
        if (kind, name) not in expected and kind != "membership"
    ]
    return ManifestReport(facts=len(expected), gaps=gaps)
