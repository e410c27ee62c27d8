"""The Supabase facts about schemas every face shares: the schemas Supabase manages (left out of
doctor's rules, the access matrix and ``gen types``) and the schemas the Data API exposes, as
PostgREST decides them (issue 23: they lived in ``doctor.config``, which still re-exports them).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel

if TYPE_CHECKING:
    import psycopg

    from khepri_db.core.project import Project

EXCLUDED_SCHEMAS: tuple[str, ...] = (
    "_timescaledb_cache", "_timescaledb_catalog", "_timescaledb_config", "_timescaledb_internal",
    "auth", "cron", "extensions", "graphql", "graphql_public", "information_schema", "net", "pgmq",
    "pgroonga", "pgsodium", "pgsodium_masks", "pgtle", "pgbouncer", "pg_catalog", "pg_toast", "realtime",
    "repack", "storage", "supabase_functions", "supabase_migrations", "tiger", "topology", "vault",
)  # fmt: skip
"""Schemas Supabase manages (the list Supabase's linter skips); user rules ignore their objects."""


class ExposedSchemas(BaseModel):
    """The schemas the Data API exposes, and where that list came from."""

    schemas: list[str]
    source: Literal["--exposed-schemas", "supabase/config.toml", "pgrst.db_schemas", "default"]


def resolve_exposed_schemas(
    conn: psycopg.Connection, project: Project | None, explicit: Sequence[str] | None
) -> ExposedSchemas:
    """Decide which schemas count as exposed.

    In order: ``explicit`` (``--exposed-schemas``), ``[api] schemas`` of the project's
    ``supabase/config.toml``, the server's ``pgrst.db_schemas`` setting (set on hosted Supabase),
    else ``public``. Never an empty list (Supabase's linter finds nothing when
    ``pgrst.db_schemas`` is unset).
    """
    if explicit:
        return ExposedSchemas(schemas=list(explicit), source="--exposed-schemas")
    if project is not None and project.config.api_schemas:
        return ExposedSchemas(schemas=list(project.config.api_schemas), source="supabase/config.toml")
    row = conn.execute("select current_setting('pgrst.db_schemas', true)").fetchone()
    if row and row[0]:
        schemas = [s.strip() for s in row[0].split(",") if s.strip()]
        if schemas:
            return ExposedSchemas(schemas=schemas, source="pgrst.db_schemas")
    return ExposedSchemas(schemas=["public"], source="default")
