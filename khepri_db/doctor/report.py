"""A doctor run's :class:`DoctorReport`, and how findings are deduplicated: one defect is one finding,
at one level, with the others that report it named in ``metadata.also_reported_as``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from pydantic import BaseModel, Field

from khepri_db.core.errors import UsageError
from khepri_db.doctor.config import ExposedSchemas
from khepri_db.doctor.rules import LEVELS, Finding, level_rank


class DoctorReport(BaseModel):
    """Everything one doctor run found.

    Attributes:
        target: :meth:`TargetInfo.to_dict` of the database (server version, Supabase or not).
        exposed_schemas: which schemas were treated as exposed, and why.
        migrations_dir: the directory compared with the history (``None``: no project, so the
            migration-history rules did not run).
        rules: names of the rules that ran.
        not_run: rules that did not run on this target, each with why (on a read-only hot standby,
            the rules that read doctor's temporary facts).
        findings: the findings, most severe first.
        suppressed: how many findings a ``cache_key`` suppression removed.
        unused_suppressions: suppressed cache keys that matched no finding of the rules that ran
            (stale entries to delete from the config file).
        config_file: the ``khepri.toml`` read, if any.
        plpgsql_check: whether the ``plpgsql_check`` extension checked PL/pgSQL bodies (``None``:
            no rule needed it).
    """

    target: dict[str, Any]
    exposed_schemas: ExposedSchemas
    migrations_dir: str | None
    rules: list[str]
    not_run: dict[str, str] = Field(default_factory=dict)
    findings: list[Finding]
    suppressed: int = 0
    unused_suppressions: list[str] = Field(default_factory=list)
    config_file: str | None = None
    plpgsql_check: bool | None = None

    def count(self, level: str) -> int:
        """Number of findings at ``level``."""
        return sum(1 for f in self.findings if f.level == level)

    def fails(self, fail_on: str) -> bool:
        """True when a finding is at or above ``fail_on`` (``error``, ``warn`` or ``info``)."""
        threshold = level_rank(fail_on)
        return any(level_rank(f.level) >= threshold for f in self.findings)

    def summary(self) -> dict[str, int]:
        """``{"ERROR": n, "WARN": n, "INFO": n}``."""
        return {level: self.count(level) for level in reversed(LEVELS)}

    def shown(self, level: str = "info", advisor_type: str = "all") -> list[Finding]:
        """The findings a display filter keeps, as ``supabase db advisors --level --type`` filters:
        at or above ``level`` (``info``, ``warn``, ``error``), and of ``advisor_type`` (``all``, or
        ``security``/``performance``: a finding with that category). The gate (:meth:`fails`) still
        judges every finding.

        Raises:
            UsageError: an unknown level or type.
        """
        threshold = level_rank(level)
        if advisor_type not in ADVISOR_TYPES:
            raise UsageError(f"unknown advisor type {advisor_type!r}: use {', '.join(ADVISOR_TYPES)}")
        category = ADVISOR_TYPES[advisor_type]
        return [
            f
            for f in self.findings
            if level_rank(f.level) >= threshold and (category is None or category in f.categories)
        ]


ADVISOR_TYPES: dict[str, str | None] = {"all": None, "security": "SECURITY", "performance": "PERFORMANCE"}
"""``--type`` values (those of ``supabase db advisors``) and the category each keeps (``None``: all)."""


_CACHE_KEY_ALIASES = {
    "auth_rls_init_plan": "auth_rls_initplan",
    "rls_disabled_in_public_pgmq": "insecure_queue_exposed_in_api",
}
"""cache_key prefixes that differ from the rule name (kept as Supabase's linter writes them)."""


def _rule_of_cache_key(key: str, rule_names: Sequence[str]) -> str | None:
    """The rule among ``rule_names`` that produces ``key``, or ``None``."""
    for prefix, rule in _CACHE_KEY_ALIASES.items():
        if key.startswith(prefix + "_") and rule in rule_names:
            return rule
    matches = [name for name in rule_names if key.startswith(name + "_")]
    return max(matches, key=len) if matches else None


DEFECT_FAMILIES: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = (
    (
        ("security_definer_trusts_caller_id", "anon_security_definer_function_executable",
         "authenticated_security_definer_function_executable"),
        ("schema", "name", "arguments"),
    ),
    (("security_definer_search_path_mutable", "function_search_path_mutable"), ("schema", "name", "arguments")),
    (
        ("rls_disabled_in_public", "sensitive_columns_exposed", "policy_exists_rls_disabled"),
        ("schema", "name"),
    ),
    (("multiple_permissive_policies",), ("schema", "name", "command")),
    (("pg_graphql_anon_table_exposed", "pg_graphql_authenticated_table_exposed"), ("schema", "name")),
    (
        ("rls_policy_always_true", "rls_policy_role_only", "rls_update_policy_without_check"),
        ("schema", "name", "policy_name"),
    ),
)  # fmt: skip
"""Rules that report the same defect, each family with the metadata keys naming one defect.

Supabase's linter reports a SECURITY DEFINER function callable by both API roles twice (0028 and
0029), a function without a fixed search_path under two rules when it is also SECURITY DEFINER,
and one finding per role for multiple permissive policies. doctor keeps those rules and their
cache keys (for parity and for existing suppressions) and then keeps one finding per defect: the
most severe (on a tie, the rule listed first). See :func:`deduplicate`."""


def _defect_key(finding: Finding) -> tuple | None:
    for index, (rules, keys) in enumerate(DEFECT_FAMILIES):
        if finding.name in rules:
            return (index, *(str(finding.metadata.get(k, "")) for k in keys))
    return None


def deduplicate(findings: Iterable[Finding], suppressed: Iterable[str] = ()) -> tuple[list[Finding], set[str]]:
    """One finding per defect: group findings of the same :data:`DEFECT_FAMILIES` family naming
    the same object, and keep the most severe of each group (on a tie, the family's first rule).

    The kept finding lists every other finding of its group under ``metadata["also_reported_as"]``
    (``[{"rule", "level", "cache_key"}]``) and its detail says so. A group is suppressed as a whole
    when any of its cache keys is in ``suppressed``, so suppressions written for either rule of a
    pair keep working.

    Args:
        findings: rows returned by the rules.
        suppressed: cache keys accepted on purpose.

    Returns:
        ``(kept findings, suppressed cache keys that matched)``.
    """
    suppressed = set(suppressed)
    groups: dict[tuple, list[Finding]] = {}
    order: list[tuple] = []
    for finding in findings:
        key = _defect_key(finding) or ("single", finding.name, finding.cache_key)
        if key not in groups:
            groups[key] = []
            order.append(key)
        groups[key].append(finding)
    kept: list[Finding] = []
    matched: set[str] = set()
    for key in order:
        group = groups[key]
        hits = {f.cache_key for f in group} & suppressed
        if hits:
            matched |= hits
            continue
        if len(group) == 1:
            kept.append(group[0])
            continue
        family = DEFECT_FAMILIES[key[0]][0] if key[0] != "single" else ()

        def rank(f: Finding, family: tuple[str, ...] = family) -> tuple[int, int, str]:
            return (-level_rank(f.level), family.index(f.name) if f.name in family else 0, f.cache_key)

        group.sort(key=rank)
        best, others = group[0], group[1:]
        also = [{"rule": f.name, "level": f.level, "cache_key": f.cache_key} for f in others]
        roles = sorted({str(f.metadata["role"]) for f in group if "role" in f.metadata})
        metadata = {**best.metadata, "also_reported_as": also}
        if len(roles) > 1:
            metadata["roles"] = roles
        listed = ", ".join(f"{f.name} `{f.cache_key}`" for f in others)
        detail = f"{best.detail} (One defect: also reported as {listed}.)"
        kept.append(best.model_copy(update={"metadata": metadata, "detail": detail}))
    return kept, matched
