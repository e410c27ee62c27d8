"""Doctor rules: one SQL file per rule in ``sql/doctor/<name>.sql`` with a ``-- key: value`` header
(:class:`Rule`, :func:`load_rules`), their levels and the :class:`Finding` every rule returns (the
columns of Supabase's database linter).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field

from khepri_db.core.errors import DoctorError, UsageError
from khepri_db.core.project import bundled_path
from khepri_db.core.sqlinclude import expand_includes
from khepri_db.doctor import _facts as facts

Level = Literal["ERROR", "WARN", "INFO"]
LEVELS: tuple[Level, ...] = ("INFO", "WARN", "ERROR")
"""Levels in increasing severity."""


def level_rank(level: str) -> int:
    """0 for INFO, 1 for WARN, 2 for ERROR.

    Raises:
        UsageError: not a level.
    """
    try:
        return LEVELS.index(level.upper())  # type: ignore[arg-type]
    except ValueError:
        raise UsageError(f"unknown level {level!r}: use error, warn or info") from None


class Finding(BaseModel):
    """One row returned by a rule: the columns of Supabase's database linter."""

    name: str = Field(description="rule name, e.g. rls_disabled_in_public")
    title: str
    level: Level
    facing: Literal["EXTERNAL", "INTERNAL"]
    categories: list[str]
    description: str = Field(description="what the rule detects")
    detail: str = Field(description="what was found, naming the object")
    remediation: str = Field(description="URL or docs path explaining the fix")
    metadata: dict[str, Any] = Field(description="schema, name, type and rule-specific keys")
    cache_key: str = Field(description="stable id of this finding, used for suppression")


@dataclass(frozen=True)
class Rule:
    """A doctor rule: ``sql/doctor/<name>.sql`` and its header.

    Attributes:
        name: the rule name (the file's stem).
        title: short human title.
        level: ``ERROR``, ``WARN`` or ``INFO``: the level of every finding, or the lowest one for
            a rule with ``max_level``.
        facing: ``EXTERNAL`` (affects API users) or ``INTERNAL``.
        categories: e.g. ``["SECURITY"]``.
        path: the SQL file.
        max_level: for runtime rules that escalate past a threshold, the highest level a finding
            may have (``level`` otherwise).
        requires: the facts (:data:`khepri_db.doctor._facts.FACT_NAMES`) the query reads.
        splinter: the number of the same rule in Supabase's linter (``"0013"``), if any.
    """

    name: str
    title: str
    level: Level
    facing: str
    categories: tuple[str, ...]
    path: Path
    max_level: Level | None = None
    requires: tuple[str, ...] = ()
    splinter: str | None = None

    @cached_property
    def sql(self) -> str:
        """The rule's query, its ``-- khepri-db include:`` lines expanded from the ``include/``
        directory beside it (:func:`khepri_db.core.sqlinclude.expand_includes`).

        Raises:
            DoctorError: an include names a file ``include/`` does not have (file and line named).
        """
        text = self.path.read_text(encoding="utf-8")
        return expand_includes(text, self.path, self.path.parent / INCLUDE_DIR, DoctorError)

    @property
    def docs(self) -> str:
        """Path of the rule's documentation page, relative to the repository."""
        return f"docs/doctor/{self.name}.md"

    @property
    def levels(self) -> tuple[Level, ...]:
        """The levels this rule's findings may have, lowest first."""
        top = self.max_level or self.level
        return tuple(LEVELS[level_rank(self.level) : level_rank(top) + 1])


INCLUDE_DIR = "include"
"""The directory beside the rules holding the SQL several rules include (never a rule itself)."""

_HEADER = re.compile(r"^--\s*(name|title|level|max_level|facing|categories|requires|splinter):\s*(.+?)\s*$")


def load_rules(directory: Path | None = None) -> list[Rule]:
    """Load every rule in ``directory`` (default: the bundled ``sql/doctor``), sorted by name.

    Raises:
        DoctorError: a file lacks a header key, its name does not match the file name, its level
            is unknown, or it requires an unknown fact.
    """
    directory = directory or bundled_path("sql", "doctor")
    rules = []
    for path in sorted(directory.glob("*.sql")):
        header: dict[str, str] = {}
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.startswith("--"):
                break
            match = _HEADER.match(line)
            if match:
                header[match.group(1)] = match.group(2)
        missing = {"name", "title", "level", "facing", "categories"} - header.keys()
        if missing:
            raise DoctorError(f"{path}: rule header lacks {', '.join(sorted(missing))}")
        if header["name"] != path.stem:
            raise DoctorError(f"{path}: header name {header['name']!r} differs from the file name")
        for key in ("level", "max_level"):
            if key in header and header[key] not in LEVELS:
                raise DoctorError(f"{path}: {key} must be one of {', '.join(LEVELS)}, got {header[key]!r}")
        requires = tuple(r.strip() for r in header.get("requires", "").split(",") if r.strip())
        unknown = sorted(set(requires) - set(facts.FACT_NAMES))
        if unknown:
            raise DoctorError(
                f"{path}: requires unknown fact(s) {', '.join(unknown)}; known: {', '.join(facts.FACT_NAMES)}"
            )
        categories = tuple(c.strip() for c in header["categories"].split(","))
        rules.append(
            Rule(
                header["name"], header["title"], header["level"], header["facing"], categories, path,  # type: ignore[arg-type]
                max_level=header.get("max_level"), requires=requires, splinter=header.get("splinter"),  # type: ignore[arg-type]
            )
        )  # fmt: skip
    return rules


def select_rules(rules: Sequence[Rule], only: Iterable[str] = (), exclude: Iterable[str] = ()) -> list[Rule]:
    """Filter ``rules`` by name.

    Raises:
        DoctorError: a name in ``only`` or ``exclude`` is not a rule.
    """
    names = {r.name for r in rules}
    only, exclude = list(only), list(exclude)
    unknown = sorted({*only, *exclude} - names)
    if unknown:
        raise DoctorError(
            f"unknown rule name(s): {', '.join(unknown)}", hint="`khepri-db doctor --list-rules` lists them"
        )
    return [r for r in rules if (not only or r.name in only) and r.name not in exclude]
