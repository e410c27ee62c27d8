"""The Supabase compatibility layer: what vanilla PostgreSQL lacks for Supabase migrations to run.

``sql/compat/install/*.sql`` creates, idempotently, the API roles (``anon``, ``authenticated``,
``service_role``, ``authenticator``), the ``extensions`` schema, ``auth.users`` with the
``auth.uid()``/``role()``/``email()``/``jwt()`` functions, a minimal ``storage`` schema, Supabase's
grants and default privileges on ``public``, and the ``supabase_realtime`` publication. It follows
the supabase/postgres image's init scripts and the Supabase Auth migrations.

It is never installed on a real Supabase database: :func:`detect` tells the two apart.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any

import psycopg
from psycopg.rows import dict_row

from khepri_db._sqltext import split_statements
from khepri_db.errors import CompatError
from khepri_db.project import bundled_path

COMPAT_VERSION = 1
"""Version of the layer in ``sql/compat/install``; the marker comment on schema ``auth`` records it."""


class TargetKind(StrEnum):
    """What a target database is."""

    SUPABASE = "supabase"
    """A real Supabase database (hosted, ``supabase start``, or the supabase/postgres image)."""
    COMPAT = "compat"
    """Vanilla PostgreSQL with khepri-db's compatibility layer installed."""
    VANILLA = "vanilla"
    """Vanilla PostgreSQL without an ``auth`` schema: the layer can be installed."""
    FOREIGN_AUTH = "foreign-auth"
    """Has an ``auth`` schema that is neither Supabase's nor khepri-db's: left alone."""


@dataclass(frozen=True)
class TargetInfo:
    """Facts about a target database.

    Attributes:
        kind: see :class:`TargetKind`.
        server_version: e.g. ``"18.6"``.
        server_version_num: e.g. ``180006``.
        database: the database name.
        user: the role khepri-db is connected as.
        is_superuser: whether that role is a superuser.
        compat_version: the installed layer's version (``COMPAT`` only).
        missing_roles: Supabase API roles that do not exist on the server.
    """

    kind: TargetKind
    server_version: str
    server_version_num: int
    database: str
    user: str
    is_superuser: bool
    compat_version: int | None = None
    missing_roles: list[str] = field(default_factory=list)

    def describe(self) -> str:
        """One line for humans, e.g. ``PostgreSQL 18.6, vanilla + khepri-db compatibility layer v1``."""
        base = f"PostgreSQL {self.server_version.split()[0]}"
        return {
            TargetKind.SUPABASE: f"{base}, Supabase (compatibility layer not needed, not installed)",
            TargetKind.COMPAT: f"{base}, vanilla + khepri-db compatibility layer v{self.compat_version} (not Supabase)",
            TargetKind.VANILLA: f"{base}, vanilla (no Supabase auth schema)",
            TargetKind.FOREIGN_AUTH: f"{base}, has an auth schema that is neither Supabase's nor "
            "khepri-db's (compatibility layer not installed)",
        }[self.kind]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict, plus ``description``."""
        data = asdict(self)
        data["kind"] = self.kind.value
        data["description"] = self.describe()
        return data


def detect(conn: psycopg.Connection) -> TargetInfo:
    """Classify the database ``conn`` is connected to; changes nothing.

    Real Supabase is recognised by Supabase Auth's own history table ``auth.schema_migrations``
    or the ``supabase_admin`` role; khepri-db's layer by the marker comment on schema ``auth``.
    """
    query = bundled_path("sql", "compat", "detect.sql").read_text(encoding="utf-8")
    with conn.cursor(row_factory=dict_row) as cur:
        row = cur.execute(query).fetchone()
    assert row is not None
    if row["compat_version"] is not None:
        kind = TargetKind.COMPAT
    elif row["has_gotrue_history"] or row["has_supabase_admin"]:
        kind = TargetKind.SUPABASE
    elif row["has_auth_schema"]:
        kind = TargetKind.FOREIGN_AUTH
    else:
        kind = TargetKind.VANILLA
    return TargetInfo(
        kind=kind,
        server_version=row["server_version"],
        server_version_num=row["server_version_num"],
        database=row["database_name"],
        user=row["user_name"],
        is_superuser=row["is_superuser"],
        compat_version=row["compat_version"],
        missing_roles=list(row["missing_roles"]),
    )


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
