"""Validation of an access declaration: references, actors, operations, row factories and their order,
each error located at its file, line and key.
"""

from __future__ import annotations

import graphlib
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

from khepri_db.access._access_file import (
    AccessFile,
)
from khepri_db.access._declared import (
    ACTOR_NAME,
    BUCKET_ID,
    BUILTIN_ACTORS,
    FUNCTION_KEY,
    OPERATIONS,
    REFERENCE_ROOTS,
    TABLE_KEY,
    UNREVIEWED_PARTS,
    VARIANT_MARK,
    VARIANT_REF,
    AccessDeclarationError,
    Declaration,
    FunctionDeclaration,
    Reference,
    StorageDeclaration,
    TableDeclaration,
    find_references,
    qualify,
    resolve_reference,
    value_texts,
)

HEADER_START = re.compile(r"^\s*\[\s*(\w+)\s*\.\s*")
"""The start of a ``[section.key]`` header, up to the key."""


class IndexedLines(list[str]):
    """A declaration's lines with the line of every ``[section.key]`` header, found in one pass, so that
    :func:`section_line` answers each key at once instead of scanning the file for it (a scan per
    table made loading a generated file of 3,000 tables quadratic in its size).

    ``headers``: (section, key) -> the first line whose header names it, the key as written (bare or
    dotted) and, when quoted, without its quotes: every key the header pattern of :func:`section_line`
    would match there, for keys without surrounding whitespace.
    """

    def __init__(self, lines: Sequence[str]) -> None:
        super().__init__(lines)
        self.headers: dict[tuple[str, str], int] = {}
        for number, line in enumerate(self, 1):
            start = HEADER_START.match(line)
            if start is None:
                continue
            section, rest = start.group(1), line[start.end() :]
            for end, char in enumerate(rest):
                if char != "]":
                    continue
                written = rest[:end].rstrip()
                self.headers.setdefault((section, written), number)
                if len(written) >= 2 and written[0] == written[-1] and written[0] in "\"'":
                    self.headers.setdefault((section, written[1:-1]), number)


def section_line(lines: Sequence[str], section: str, key: str) -> int | None:
    """1-based line of ``[section.key]`` (quoted or bare), else of the first line naming the key.

    ``lines`` an :class:`IndexedLines`: the header is looked up in its index (the same line)."""
    if isinstance(lines, IndexedLines) and key and key == key.strip():
        found = lines.headers.get((section, key))
        if found is not None:
            return found
        return next((number for number, line in enumerate(lines, 1) if key in line), None)
    bare = re.escape(key)
    header = re.compile(rf"^\s*\[\s*{section}\s*\.\s*(?:{bare}|\"{bare}\"|'{bare}')\s*\]")
    for number, line in enumerate(lines, 1):
        if header.match(line):
            return number
    for number, line in enumerate(lines, 1):
        if key in line:
            return number
    return None


def located(path: Path, line: int | None) -> str:
    return f"{path}:{line}" if line else str(path)


def validate(path: Path, lines: Sequence[str], document: AccessFile) -> Declaration:
    lines = lines if isinstance(lines, IndexedLines) else IndexedLines(lines)
    actors = ("anon", "owner", "other", *document.actors, "service_role")
    problems: list[str] = []
    for name in document.actors:
        where = f"{located(path, section_line(lines, 'actors', name))}: actors.{name}"
        if name in BUILTIN_ACTORS:
            problems.append(f"{where}: {name!r} is a built-in actor; give the custom actor another name")
        elif name in REFERENCE_ROOTS or not ACTOR_NAME.match(name):
            problems.append(f"{where}: {name!r} cannot name an actor: use lower-case letters, digits and _ "
                            "(not user, run or row)")  # fmt: skip
    keys: dict[str, str] = {}
    qualified_names: set[str] = set()  # keys' values, for the duplicate check
    for key in document.tables:
        if not TABLE_KEY.match(key):
            problems.append(
                f"{located(path, section_line(lines, 'tables', key))}: tables.{key}: not a table name "
                '(schema.table, or "table#variant" for one more row of a declared table: letters, digits and _)'
            )
            continue
        qualified = qualify(key)
        if qualified in qualified_names:
            problems.append(f"{located(path, section_line(lines, 'tables', key))}: {qualified} is declared twice")
        keys[key] = qualified
        qualified_names.add(qualified)
    for key, qualified in keys.items():
        base, _, variant = qualified.partition(VARIANT_MARK)
        if not variant:
            continue
        where = f"{located(path, section_line(lines, 'tables', key))}: tables.{key}"
        base_spec = next((document.tables[k] for k, q in keys.items() if q == base), None)
        if base_spec is None:
            base_key = key.partition(VARIANT_MARK)[0]
            problems.append(f"{where}: a variant of {base}, which is not declared; declare [tables.{base_key}] (its "
                            "base row) too")  # fmt: skip
        elif base_spec.shared or document.tables[key].shared:
            problems.append(f"{where}: a variant is one more row per owner; {base} is shared (one row for everybody), "
                            "so it takes no variant: remove shared or the variant")  # fmt: skip
    clash = sorted(set(document.actors) & {k.split(".")[-1].split(VARIANT_MARK)[0] for k in keys})
    if clash:
        problems.append(f"{path}: actor(s) {', '.join(clash)} have the name of a declared table; rename the actor")

    actor_names = set(document.actors)

    def resolve_ref(text: str) -> Reference | None:
        return resolve_reference(text, qualified_names, actor_names)

    tables: list[TableDeclaration] = []
    for key, spec in document.tables.items():
        if key not in keys:
            continue
        line = section_line(lines, "tables", key)
        where = f"{located(path, line)}: tables.{key}"
        allowed = allowed_operations(where, spec.allow, actors, problems)
        for entry in spec.unreviewed:
            actor, _, op = entry.partition(":")
            if entry in UNREVIEWED_PARTS or (actor in actors and (not op or op in OPERATIONS)):
                continue
            problems.append(f"{where}.unreviewed: {entry!r} is not row, match, insert_row, an actor or actor:operation")
        problems += _review_list_problems(where, spec.undecided, spec.accepted_risks, actors)
        if spec.match is not None and not spec.match.strip():
            problems.append(f'{where}.match: is empty; write a condition (match = "true" for every row)')
        if spec.unbuildable is not None:
            if spec.row is not None or spec.insert_row is not None:
                problems.append(f"{where}: unbuildable says no row can be made, yet a row is declared; remove one")
            if allowed:
                problems.append(f"{where}: unbuildable: nothing is probed, so nothing can be allowed; remove allow")
        elif spec.row is None and spec.match is None:
            problems.append(f"{where}: needs row (how to make the owner's row) or, for a view, match")
        if spec.row is not None and not spec.row and spec.update_columns is None:
            problems.append(
                f"{where}.row: is empty (a row of defaults only): declare update_columns for the update probe"
            )
        if any("insert" in ops for ops in allowed.values()) and spec.row is None and spec.insert_row is None:
            problems.append(f"{where}: insert is allowed but there is no row or insert_row to insert")
        deps: set[str] = set()
        snippets: list[tuple[str, str, bool]] = []  # (where, text, row allowed)
        for part_name, values in (("row", spec.row), ("insert_row", spec.insert_row)):
            for column, value in (values or {}).items():
                for text in value_texts(value):
                    snippets.append((f"{where}.{part_name}.{column}", text, part_name == "insert_row"))
        if spec.match:
            snippets.append((f"{where}.match", spec.match, True))
        for location, text, row_ok in snippets:
            for bad in VARIANT_REF.findall(text):
                problems.append(f"{location}: {{{bad}}}: a variant row cannot be referenced; {{table.column}} is the "
                                "table's base row")  # fmt: skip
            for ref_text in find_references(text):
                ref = resolve_ref(ref_text)
                if ref is None:
                    problems.append(
                        f"{location}: {{{ref_text}}} refers to nothing declared; use {{user.id}}, {{run.id}}, "
                        "{<declared table>.<column>} or {<custom actor>.id}"
                    )
                elif ref.root == "row" and not row_ok:
                    problems.append(f"{location}: {{{ref_text}}}: the row cannot refer to itself")
                elif ref.root in keys.values() and ref.root != qualify(key).partition(VARIANT_MARK)[0]:
                    deps.add(ref.root)
                elif ref.root == qualify(key).partition(VARIANT_MARK)[0] and not row_ok:
                    problems.append(f"{location}: {{{ref_text}}}: the row cannot refer to itself")
        base_name = keys[key].partition(VARIANT_MARK)[0]
        if base_name != keys[key] and base_name in qualified_names:
            deps.add(base_name)  # made after the base row (a unique key clash then names the variant)
        tables.append(TableDeclaration(key, keys[key], spec, line, allowed, frozenset(deps)))
    try:
        order = list(graphlib.TopologicalSorter({t.name: t.depends_on for t in tables}).static_order())
    except graphlib.CycleError as exc:
        cycle = " -> ".join(exc.args[1])
        problems.append(f"{path}: the row factories refer to each other in a cycle: {cycle}")
        order = [t.name for t in tables]
    functions: list[FunctionDeclaration] = []
    for key, spec in document.functions.items():
        line = section_line(lines, "functions", key)
        where = f"{located(path, line)}: functions.{key}"
        if not FUNCTION_KEY.match(key):
            problems.append(f"{where}: not a function name (schema.name or schema.name(argtype, ...))")
            continue
        name, _, args = key.partition("(")
        name = qualify(name.strip())
        signature = f"({args.strip()}" if args else None
        for actor in spec.allow:
            if actor not in actors:
                problems.append(f"{where}.allow: {actor!r} is not an actor (declared: {', '.join(actors)})")
        for entry in spec.unreviewed:
            if entry not in ("call", "denied_sqlstates") and entry not in actors:
                problems.append(f"{where}.unreviewed: {entry!r} is not call, denied_sqlstates or an actor")
        for field_name, entries in (("undecided", spec.undecided), ("accepted_risks", spec.accepted_risks)):
            for entry in entries:
                if entry != "*" and entry not in actors:
                    problems.append(f"{where}.{field_name}: {entry!r} is not * or an actor")
        for bad in VARIANT_REF.findall(spec.call or ""):
            problems.append(f"{where}.call: {{{bad}}}: a variant row cannot be referenced; {{table.column}} is the "
                            "table's base row")  # fmt: skip
        for ref_text in find_references(spec.call or ""):
            ref = resolve_ref(ref_text)
            if ref is None or ref.root == "row":
                problems.append(f"{where}.call: {{{ref_text}}} refers to nothing declared")
        functions.append(FunctionDeclaration(key, name, signature, spec, line))
    unbuildable = {t.name for t in tables if t.spec.unbuildable is not None}
    for t in tables:
        for dep in sorted(t.depends_on & unbuildable):
            problems.append(
                f"{located(path, t.line)}: tables.{t.key}: refers to {dep}, which is unbuildable (no row can be made); "
                "declare this table unbuildable too, or write the other's row"
            )
    for f in functions:
        for ref_text in find_references(f.spec.call or ""):
            ref = resolve_ref(ref_text)
            if ref is not None and ref.root in unbuildable:
                problems.append(
                    f"{located(path, f.line)}: functions.{f.key}.call: {{{ref_text}}} refers to {ref.root}, which is "
                    "unbuildable (no row can be made)"
                )
    buckets = validate_storage(path, lines, document, actors, resolve_ref, unbuildable, problems)
    if problems:
        raise AccessDeclarationError(
            "invalid access declaration:\n  " + "\n  ".join(problems), hint="see docs/access.md for the format"
        )
    by_name = {t.name: t for t in tables}
    factory_order = tuple(by_name[n] for n in order if n in by_name)
    return Declaration(
        path, actors, dict(document.actors), tuple(tables), tuple(functions), factory_order, tuple(buckets)
    )


def _review_list_problems(
    where: str, undecided: Sequence[str], accepted_risks: Sequence[str], actors: Sequence[str]
) -> list[str]:
    """What is wrong with a table's or bucket's ``undecided`` and ``accepted_risks`` entries: each must be
    ``*``, an actor, or ``actor:operation``; one message per bad entry, named ``<where>.<field>``."""
    problems = []
    for field_name, entries in (("undecided", undecided), ("accepted_risks", accepted_risks)):
        for entry in entries:
            actor, _, op = entry.partition(":")
            if entry != "*" and not (actor in actors and (not op or op in OPERATIONS)):
                problems.append(f"{where}.{field_name}: {entry!r} is not *, an actor or actor:operation")
    return problems


def allowed_operations(where: str, spec_allow: dict[str, list[str] | Literal["all"]], actors: Sequence[str],
                        problems: list[str]) -> dict[str, frozenset[str]]:  # fmt: skip
    """actor -> operations of an ``allow`` table of a table or bucket, problems appended to ``problems``."""
    allowed: dict[str, frozenset[str]] = {}
    for actor, ops in spec_allow.items():
        if actor not in actors:
            problems.append(
                f"{where}.allow: {actor!r} is not an actor (declared: {', '.join(actors)}); "
                "declare custom actors under [actors.<name>]"
            )
            continue
        chosen = OPERATIONS if ops == "all" else ops
        unknown = [op for op in chosen if op not in OPERATIONS]
        if unknown:
            problems.append(
                f"{where}.allow.{actor}: {', '.join(map(repr, unknown))} not an operation; "
                f'use {", ".join(OPERATIONS)} or "all"'
            )
        allowed[actor] = frozenset(op for op in chosen if op in OPERATIONS)
    return allowed


def validate_storage(
    path: Path,
    lines: Sequence[str],
    document: AccessFile,
    actors: Sequence[str],
    resolve_ref: Any,
    unbuildable: set[str],
    problems: list[str],
) -> list[StorageDeclaration]:
    """The ``[storage.<bucket>]`` entries, validated like tables (problems appended to ``problems``)."""
    buckets: list[StorageDeclaration] = []
    for bucket, spec in document.storage.items():
        line = section_line(lines, "storage", bucket)
        where = f"{located(path, line)}: storage.{bucket}"
        if not BUCKET_ID.match(bucket):
            problems.append(f"{where}: not a bucket id (no '/', '\\' or ':')")
            continue
        allowed = allowed_operations(where, spec.allow, actors, problems)
        for entry in spec.unreviewed:
            actor, _, op = entry.partition(":")
            if entry in ("path", "metadata") or (actor in actors and (not op or op in OPERATIONS)):
                continue
            problems.append(f"{where}.unreviewed: {entry!r} is not path, metadata, an actor or actor:operation")
        problems += _review_list_problems(where, spec.undecided, spec.accepted_risks, actors)
        if not spec.path.strip() or spec.path.startswith("/") or spec.path.endswith("/"):
            problems.append(f"{where}.path: {spec.path!r} is not an object name (a/b/file.txt: no leading or "
                            "trailing /)")  # fmt: skip
        for ref_text in find_references(spec.path):
            ref = resolve_ref(ref_text)
            if ref is None or ref.root == "row":
                problems.append(
                    f"{where}.path: {{{ref_text}}} refers to nothing declared; use {{user.id}}, {{run.id}}, "
                    "{<declared table>.<column>} or {<custom actor>.id}"
                )
            elif ref.root in unbuildable:
                problems.append(f"{where}.path: {{{ref_text}}} refers to {ref.root}, which is unbuildable")
        buckets.append(StorageDeclaration(bucket, spec, line, allowed))
    return buckets
