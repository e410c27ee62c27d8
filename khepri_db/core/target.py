"""Target detection, which every face shares: what a database is (real Supabase, vanilla PostgreSQL
with khepri-db's compatibility layer, vanilla, or one with a foreign ``auth`` schema), read by
``sql/compat/detect.sql`` (issue 23: it lived in ``migrations.compat``, which still re-exports it).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any

import psycopg
from psycopg.rows import dict_row

from khepri_db.core.project import bundled_path


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

    khepri-db's layer is recognised first, by its marker (the comment on schema ``auth`` or the
    database setting ``khepri_db.compat_version``), because the layer itself creates what marks
    real Supabase: Supabase Auth's history table ``auth.schema_migrations`` and the
    ``supabase_admin`` role. A database with either of those and no marker is Supabase.

    Args:
        conn: any connection to the target.

    Returns:
        A :class:`TargetInfo`.
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
