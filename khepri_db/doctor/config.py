"""What parametrises doctor: tenant columns, runtime thresholds and suppressions from
``supabase/khepri.toml``; the schemas Supabase manages and the exposed schemas (as PostgREST decides
them) are shared by every face and live in :mod:`khepri_db.core.schemas` (re-exported here).
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, Field

from khepri_db.core.errors import ConfigError
from khepri_db.core.project import read_toml
from khepri_db.core.schemas import EXCLUDED_SCHEMAS as EXCLUDED_SCHEMAS  # the Supabase facts, kept here for callers
from khepri_db.core.schemas import ExposedSchemas as ExposedSchemas
from khepri_db.core.schemas import resolve_exposed_schemas as resolve_exposed_schemas

POLICY_TABLES: tuple[str, ...] = ("storage.objects", "storage.buckets", "realtime.messages")
"""Tables in Supabase's schemas that projects write their own policies for (file access, Realtime
Authorization). The policy rules check their policies like the project's own tables, although
their schemas are otherwise skipped."""

TENANT_COLUMNS: tuple[str, ...] = ("user_id", "owner_id", "athlete_id", "profile_id", "auth_user_id")
"""Column names that mean "this row belongs to one user" (``[doctor] tenant_columns`` overrides)."""

IDENTITY_PARAMETERS: tuple[str, ...] = ("uid", "userid", "account_id", "member_id", "customer_id")
"""Parameter names (after ``p_``/``_`` prefixes) that carry a user id, on top of the tenant columns."""

THRESHOLDS: dict[str, float] = {
    "table_bloat_min_wasted_fraction": 0.70,
    "table_bloat_min_wasted_bytes": 200 * 1024 * 1024,
    "cache_hit_ratio_info": 0.99,
    "cache_hit_ratio_warn": 0.95,
    "cache_hit_min_blocks": 10_000,
    "index_usage_info": 0.99,
    "index_usage_warn": 0.95,
    "index_usage_min_rows": 10_000,
    "index_usage_min_scans": 100,
    "sequential_scan_min_rows": 10_000,
    "sequential_scan_min_scans": 100,
    "sequential_scan_warn_rows": 1_000_000,
    "long_running_query_info_seconds": 300,
    "long_running_query_warn_seconds": 3_600,
    "blocking_lock_info_seconds": 10,
    "blocking_lock_warn_seconds": 60,
    "vacuum_min_dead_tuples": 1_000,
    "vacuum_dead_fraction_warn": 0.5,
    "table_size_info_bytes": 1024**3,
    "table_size_warn_bytes": 10 * 1024**3,
}
"""Runtime thresholds and their defaults; each rule's docs page says what its thresholds mean.
Override them in ``supabase/khepri.toml`` under ``[doctor.thresholds]``."""

CONFIG_FILE = Path("supabase") / "khepri.toml"
"""Where doctor's configuration lives, relative to the project root (not in ``config.toml``,
whose keys the Supabase CLI validates)."""


# -- configuration -----------------------------------------------------------------------------


class Suppression(BaseModel):
    """One ``[[doctor.suppress]]`` entry: a finding accepted on purpose, and why."""

    cache_key: str
    reason: str


class DoctorConfig(BaseModel):
    """doctor's settings from ``supabase/khepri.toml``, table ``[doctor]``.

    Example::

        [doctor]
        exclude = ["unused_index"]
        tenant_columns = ["user_id", "team_id"]

        [[doctor.suppress]]
        cache_key = "rls_enabled_no_policy_public_audit_log"
        reason = "written by service_role only; no API access intended"

        [doctor.thresholds]
        long_running_query_info_seconds = 120

    Attributes:
        path: the file it was read from (``None``: defaults, no file).
        suppress: findings to drop, by ``cache_key``, each with a required reason.
        exclude: rules never to run (added to ``--exclude``).
        thresholds: overrides of :data:`THRESHOLDS`.
        tenant_columns: overrides :data:`TENANT_COLUMNS`.
        plpgsql_check: ``false`` never uses the ``plpgsql_check`` extension even if the server has it.
    """

    path: str | None = None
    suppress: list[Suppression] = Field(default_factory=list)
    exclude: list[str] = Field(default_factory=list)
    thresholds: dict[str, float] = Field(default_factory=dict)
    tenant_columns: list[str] = Field(default_factory=lambda: list(TENANT_COLUMNS))
    plpgsql_check: bool = True

    @classmethod
    def load(cls, path: Path) -> DoctorConfig:
        """Read the ``[doctor]`` table of ``path``; a missing file (or table) gives the defaults.

        Raises:
            ConfigError: invalid TOML, an unknown key, a value of the wrong type, a suppression
                without a ``cache_key`` or ``reason``, or an unknown threshold. The message names
                the file and the key.
        """
        data = read_toml(path)
        if data is None:
            return cls()
        table = data.get("doctor", {})
        if not isinstance(table, dict):
            raise ConfigError(f"{path}: [doctor] must be a table")
        known = {"suppress", "exclude", "thresholds", "tenant_columns", "plpgsql_check"}
        unknown = sorted(set(table) - known)
        if unknown:
            raise ConfigError(
                f"{path}: unknown key(s) in [doctor]: {', '.join(unknown)}",
                hint=f"known keys: {', '.join(sorted(known))}",
            )
        suppress = []
        entries = table.get("suppress", [])
        if not isinstance(entries, list):
            raise ConfigError(f"{path}: [doctor] suppress must be an array of tables ([[doctor.suppress]])")
        for index, entry in enumerate(entries, start=1):
            where = f"{path}: [[doctor.suppress]] entry {index}"
            if not isinstance(entry, dict):
                raise ConfigError(f"{where} must be a table with cache_key and reason")
            extra = sorted(set(entry) - {"cache_key", "reason"})
            if extra:
                raise ConfigError(f"{where}: unknown key(s) {', '.join(extra)}; use cache_key and reason")
            for key in ("cache_key", "reason"):
                value = entry.get(key)
                if not isinstance(value, str) or not value.strip():
                    raise ConfigError(
                        f"{where}: {key} is required (a non-empty string)",
                        hint="every suppression says which finding (cache_key) and why it is accepted (reason)",
                    )
            suppress.append(Suppression(cache_key=entry["cache_key"], reason=entry["reason"]))
        exclude = table.get("exclude", [])
        if not (isinstance(exclude, list) and all(isinstance(x, str) for x in exclude)):
            raise ConfigError(f"{path}: [doctor] exclude must be a list of rule names, got {exclude!r}")
        thresholds = table.get("thresholds", {})
        if not isinstance(thresholds, dict):
            raise ConfigError(f"{path}: [doctor.thresholds] must be a table")
        for key, value in thresholds.items():
            if key not in THRESHOLDS:
                raise ConfigError(
                    f"{path}: [doctor.thresholds] {key} is not a threshold",
                    hint=f"known thresholds: {', '.join(sorted(THRESHOLDS))}",
                )
            if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
                raise ConfigError(f"{path}: [doctor.thresholds] {key} must be a number >= 0, got {value!r}")
        tenant_columns = table.get("tenant_columns", list(TENANT_COLUMNS))
        if not (
            isinstance(tenant_columns, list) and tenant_columns and all(isinstance(x, str) for x in tenant_columns)
        ):
            raise ConfigError(f"{path}: [doctor] tenant_columns must be a non-empty list of column names")
        plpgsql_check = table.get("plpgsql_check", True)
        if not isinstance(plpgsql_check, bool):
            raise ConfigError(f"{path}: [doctor] plpgsql_check must be true or false, got {plpgsql_check!r}")
        return cls(
            path=str(path), suppress=suppress, exclude=exclude, thresholds=dict(thresholds),
            tenant_columns=[c.lower() for c in tenant_columns], plpgsql_check=plpgsql_check,
        )  # fmt: skip
