"""doctor's findings as SARIF 2.1.0 (GitHub code scanning), and where in the migrations each
object was defined.

SARIF needs a file and line for a result to show up on a pull request. doctor's findings name
database objects (``metadata``: schema, name, type, policy_name, index...), so
:class:`SourceIndex` reads the project's migration files (with sqlparse's lexer, through
:mod:`khepri_db.core.sqltext`) and remembers the last ``create`` of each table, view, function, index,
policy and extension. A finding whose object is not found there points to
``supabase/config.toml`` (the project itself) and carries a logical location naming the object.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from khepri_db.core.sqltext import Token, identifier, line_at, significant_tokens, split_statements

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_VERSION = "2.1.0"
SARIF_LEVELS = {"ERROR": "error", "WARN": "warning", "INFO": "note"}
"""doctor level -> SARIF result level."""

RELATION_TYPES = {"table", "view", "materialized view", "foreign table"}


@dataclass(frozen=True)
class SourceLocation:
    """Where an object is defined: a file (relative to the project root when inside it) and a line."""

    path: str
    line: int


def _name_at(tokens: Sequence[Token], index: int) -> tuple[str | None, str | None, int]:
    """``(schema, name, next index)`` of a possibly qualified name starting at ``tokens[index]``."""
    if index >= len(tokens):
        return None, None, index
    first = identifier(tokens[index])
    if first is None:
        return None, None, index
    if index + 2 < len(tokens) and tokens[index + 1].is_punct(".") and identifier(tokens[index + 2]) is not None:
        return first, identifier(tokens[index + 2]), index + 3
    return None, first, index + 1


def _skip(tokens: Sequence[Token], index: int, *words: str) -> int:
    while index < len(tokens) and tokens[index].is_word(*words):
        index += 1
    return index


class SourceIndex:
    """The last ``create`` of each object in a project's migration files.

    Keys are ``(kind, schema, name)`` with kind one of ``relation``, ``function``, ``index``,
    ``extension``, and ``(policy, schema, table, policy_name)``. Unqualified names count as
    ``public`` (the schema migrations create objects in by default).

    Args:
        files: migration files, in the order they apply.
        root: paths inside it are stored relative to it.
    """

    def __init__(self, files: Iterable[Path], root: Path) -> None:
        self.root = root.resolve()
        self.locations: dict[tuple[str, ...], SourceLocation] = {}
        for path in files:
            try:
                text = path.read_text(encoding="utf-8")
            except OSError:
                continue
            for statement in split_statements(text):
                self._index_statement(path, statement.text, statement.line)

    @classmethod
    def for_migrations(cls, directory: Path, root: Path) -> SourceIndex:
        """Index every ``*.sql`` file of ``directory`` in name (version) order."""
        files = sorted(directory.glob("*.sql")) if directory.is_dir() else []
        return cls(files, root)

    def _relative(self, path: Path) -> str:
        try:
            return path.resolve().relative_to(self.root).as_posix()
        except ValueError:
            return path.resolve().as_posix()

    def _index_statement(self, path: Path, text: str, first_line: int) -> None:
        tokens = significant_tokens(text)
        if len(tokens) < 3 or not tokens[0].is_word("CREATE", "CREATE OR REPLACE"):
            return
        where = SourceLocation(self._relative(path), first_line + line_at(text, tokens[0].offset) - 1)
        i = _skip(
            tokens,
            1,
            "OR",
            "REPLACE",
            "OR REPLACE",
            "TEMP",
            "TEMPORARY",
            "UNLOGGED",
            "UNIQUE",
            "MATERIALIZED",
            "FOREIGN",
        )
        if i >= len(tokens):
            return
        kind = tokens[i].value.upper()
        i = _skip(tokens, i + 1, "CONCURRENTLY", "IF", "NOT", "EXISTS", "IF NOT EXISTS")
        schema, name, after = _name_at(tokens, i)
        if name is None:
            return
        if kind in {"TABLE", "VIEW"}:
            self.locations[("relation", schema or "public", name)] = where
        elif kind in {"FUNCTION", "PROCEDURE"}:
            self.locations[("function", schema or "public", name)] = where
        elif kind == "EXTENSION":
            self.locations[("extension", name)] = where
        elif kind in {"INDEX", "POLICY"}:
            on = _skip(tokens, after, "ON", "ONLY")
            table_schema, table_name, _ = _name_at(tokens, on)
            if table_name is None:
                return
            if kind == "INDEX":
                self.locations[("index", table_schema or "public", name)] = where
            else:
                self.locations[("policy", table_schema or "public", table_name, name)] = where

    def locate(self, metadata: dict[str, Any], migrations_dir: Path) -> SourceLocation | None:
        """Where the object a finding's ``metadata`` names was defined, or ``None``.

        Looks, in order, for the finding's policy, index, function, relation or extension; for
        migration findings, the migration file itself (line 1).
        """
        schema = str(metadata.get("schema") or "public")
        name = metadata.get("name")
        kind = metadata.get("type")
        candidates: list[tuple[str, ...]] = []
        if metadata.get("policy_name") and name:
            candidates.append(("policy", schema, str(name), str(metadata["policy_name"])))
        if metadata.get("index"):
            candidates.append(("index", schema, str(metadata["index"])))
        if kind == "function" and name:
            candidates.append(("function", schema, str(name)))
        if (kind in RELATION_TYPES or kind is None) and name:
            candidates.append(("relation", schema, str(name)))
        if kind == "extension" and name:
            candidates.append(("extension", str(name)))
        if metadata.get("extension_name"):
            candidates.append(("extension", str(metadata["extension_name"])))
        for key in candidates:
            if key in self.locations:
                return self.locations[key]
        if kind == "migration" and metadata.get("file"):
            path = migrations_dir / str(metadata["file"])
            if path.is_file():
                return SourceLocation(self._relative(path), 1)
        return None


def _logical_location(metadata: dict[str, Any]) -> dict[str, Any]:
    name = str(metadata.get("name") or metadata.get("extension_name") or metadata.get("version") or "database")
    schema = metadata.get("schema")
    kind = str(metadata.get("type") or "object")
    qualified = f"{schema}.{name}" if schema else name
    if metadata.get("policy_name"):
        qualified = f"{qualified}.{metadata['policy_name']}"
    return {"name": name, "fullyQualifiedName": qualified, "kind": kind}


def to_sarif(
    findings: Sequence[Any],
    rules: Sequence[Any],
    *,
    root: Path,
    migrations_dir: Path,
    tool_version: str,
    docs_base: str = "docs/doctor",
) -> dict[str, Any]:
    """Build a SARIF 2.1.0 log with one run.

    Args:
        findings: :class:`khepri_db.doctor.rules.Finding` objects.
        rules: the :class:`khepri_db.doctor.rules.Rule` objects that ran (every one is described, so a
            code-scanning alert closes when its rule finds nothing any more).
        root: the project root; artifact URIs are relative to it (``%SRCROOT%``).
        migrations_dir: where the migration files are (for source locations).
        tool_version: khepri-db's version.
        docs_base: where the rule pages live, relative to ``root``.

    Returns:
        The SARIF document as a dict (``json.dumps`` it). Levels map ERROR -> ``error``,
        WARN -> ``warning``, INFO -> ``note``; each result carries its ``cache_key`` as a partial
        fingerprint, so GitHub tracks one alert per finding across runs.
    """
    index = SourceIndex.for_migrations(migrations_dir, root)
    fallback = root / "supabase" / "config.toml"
    rule_ids = [r.name for r in rules]
    descriptions = {f.name: f.description for f in findings}
    sarif_rules = []
    for rule in rules:
        help_uri = f"{docs_base}/{rule.name}.md"
        if rule.splinter:
            help_uri = f"https://supabase.com/docs/guides/database/database-linter?lint={rule.splinter}_{rule.name}"
        sarif_rules.append(
            {
                "id": rule.name,
                "name": "".join(part.capitalize() for part in rule.name.split("_")),
                "shortDescription": {"text": rule.title},
                "fullDescription": {"text": descriptions.get(rule.name, rule.title)},
                "helpUri": help_uri,
                "help": {
                    "text": f"{rule.title}. See {docs_base}/{rule.name}.md",
                    "markdown": f"**{rule.title}**. See [{rule.name}]({docs_base}/{rule.name}.md).",
                },
                "defaultConfiguration": {"level": SARIF_LEVELS[rule.level]},
                "properties": {
                    "tags": list(rule.categories),
                    "facing": rule.facing,
                    **({"splinter": rule.splinter} if rule.splinter else {}),
                },
            }
        )
    results = []
    for finding in findings:
        location = index.locate(finding.metadata, migrations_dir)
        result: dict[str, Any] = {
            "ruleId": finding.name,
            "level": SARIF_LEVELS[finding.level],
            "message": {"text": finding.detail},
            "partialFingerprints": {"khepriCacheKey/v1": finding.cache_key},
            "properties": {
                "cache_key": finding.cache_key,
                "facing": finding.facing,
                "categories": finding.categories,
                "metadata": finding.metadata,
                "remediation": finding.remediation,
            },
        }
        if finding.name in rule_ids:
            result["ruleIndex"] = rule_ids.index(finding.name)
        physical: dict[str, Any] | None = None
        if location is not None:
            physical = {
                "artifactLocation": {"uri": location.path, "uriBaseId": "%SRCROOT%"},
                "region": {"startLine": location.line},
            }
        elif fallback.is_file():
            physical = {
                "artifactLocation": {"uri": "supabase/config.toml", "uriBaseId": "%SRCROOT%"},
                "region": {"startLine": 1},
            }
        entry: dict[str, Any] = {"logicalLocations": [_logical_location(finding.metadata)]}
        if physical is not None:
            entry["physicalLocation"] = physical
        result["locations"] = [entry]
        results.append(result)
    return {
        "$schema": SARIF_SCHEMA,
        "version": SARIF_VERSION,
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "khepri-db doctor",
                        "version": tool_version,
                        "semanticVersion": tool_version,
                        "rules": sarif_rules,
                    }
                },
                "originalUriBaseIds": {"%SRCROOT%": {"uri": root.resolve().as_uri() + "/"}},
                "results": results,
                "columnKind": "unicodeCodePoints",
            }
        ],
    }
