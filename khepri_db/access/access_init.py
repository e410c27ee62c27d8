"""``khepri-db access init``: write a first ``supabase/access.toml`` from the live database (owner
columns read from the RLS policies, row factories inferred from constraints), then verify it.

Underneath: :mod:`._init_catalog` (what it reads of the catalog), :mod:`._init_rows` with
:mod:`._init_values`, :mod:`._init_variants` and :mod:`._init_calls` (the row factories and calls it
infers), :mod:`._init_storage` (the buckets), :mod:`._init_toml` (the file it writes) and
:mod:`._init_result` (what it reports).
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Literal

import psycopg

from khepri_db.access._branches import decides_per_user
from khepri_db.access._catalog import CatalogMemo
from khepri_db.access._init_result import AccessInitResult, GeneratedTable
from khepri_db.access._init_rows import Generator, with_variants
from khepri_db.access._init_storage import policies_naming_buckets, storage_buckets
from khepri_db.access._init_toml import FileParts, render_file
from khepri_db.access._runner import Runner
from khepri_db.access.declaration import (
    DEFAULT_STORAGE_PATH,
    EXECUTE,
    VARIANT_MARK,
    AccessDeclarationError,
    AccessFile,
    Declaration,
    RowFactoryError,
    load_declaration,
    storage_object_name,
    validate,
)
from khepri_db.access.probe import require_api_roles, verify_access
from khepri_db.access.report import AccessReport, CellResult
from khepri_db.core.db import connect, refuse_unsuitable_target
from khepri_db.core.errors import UsageError
from khepri_db.core.project import Project
from khepri_db.core.schemas import resolve_exposed_schemas


def _observe(
    conn: psycopg.Connection,
    path: Path,
    document: dict[str, Any],
    progress: Callable[[str], None] | None = None,
    memo: CatalogMemo | None = None,
) -> tuple[Declaration, list[CellResult]] | RowFactoryError:
    """Run the verify-access probes on ``document`` (in a savepoint rolled back): the cells, or the first
    row factory that failed. The calls with the owner's data are left to the verification of the
    written file (what they find is a risk, which decides nothing written here). ``memo``: the catalog
    rows read by the earlier attempts (the catalog is the same: each attempt is rolled back), see
    :func:`khepri_db.access._catalog.read_declared_objects`."""
    decl = validate(path, [], AccessFile.model_validate(document))
    runner = Runner(conn, decl, progress, owners_data_calls=False)
    with conn.transaction(force_rollback=True):
        runner.load_catalog(memo)
        try:
            with conn.transaction():
                runner.setup()
        except RowFactoryError as exc:
            return exc
        cells = [*runner.table_cells(), *runner.function_cells(), *runner.storage_cells()]
    return decl, cells


_VERIFY_ROUNDS = 3
"""How many times ``access init`` verifies the file it wrote, marking undecided the cells on which
its probe and the verification disagree, before giving up: the whole file first, then again only the
objects whose cells changed (the only entries the round rewrote)."""


def _is_refusal(sqlstate: str | None) -> bool:
    """Whether a function failing with ``sqlstate`` for some callers (and completing for others) is taken
    as it refusing them: an exception the function raises itself (class P0: ``raise exception``,
    ``no_data_found``...) or an authorization error (class 28). Anything else (0A000 from a stand-in,
    a constraint violation, an undefined object) says nothing about access."""
    return sqlstate is not None and sqlstate[:2] in ("P0", "28")


def _history(conn: psycopg.Connection) -> str:
    """``N migration(s), latest <version>_<name>`` from ``supabase_migrations.schema_migrations``."""
    if conn.execute("select to_regclass('supabase_migrations.schema_migrations')").fetchone() == (None,):
        return "no migration history (supabase_migrations.schema_migrations is missing)"
    with conn.transaction():
        count, latest = conn.execute(
            "select count(*), max(version || coalesce('_' || name, '')) from supabase_migrations.schema_migrations"
        ).fetchone() or (0, None)
    return f"{count} migration(s) applied, latest {latest}" if count else "no migration applied"


def init_access(
    url: str,
    path: Path,
    *,
    project: Project | None = None,
    exposed_schemas: Sequence[str] | None = None,
    update: bool = False,
    force: bool = False,
    progress: Callable[[str], None] | None = None,
) -> AccessInitResult:
    """Write an access declaration for the database at ``url`` from what it allows now (``access init``).

    For every exposed table, view and function (the objects :func:`verify_access` requires declared)
    it infers a row factory from the catalog (required columns valued from their type, enum labels
    and simple CHECK constraints, each value tested against a constraint copy of the table; foreign
    keys to the owner's rows of the parent tables, built first; the owner column from policies
    comparing a column with ``auth.uid()`` and from foreign keys to ``auth.users``), then runs the
    verify-access probes (:class:`Runner`, the same code) with nothing allowed, and declares allowed
    exactly what succeeded. Each section lists its generated parts in ``unreviewed``; the header says
    the file was generated, from which database and migration history, and that each cell needs
    review. A cell whose probe failed for a reason that is not access (a foreign key, a trigger's
    exception, a stand-in's 0A000) and a call that failed for every actor, or for some with a
    SQLSTATE that is not a refusal (:func:`_is_refusal`), are written under ``undecided`` with the
    reason; an exposed table whose row cannot be built is written with ``unbuildable`` and the
    reason. Finally verify-access runs on the written file; cells it decides otherwise than the
    probe did (an outcome that changes from run to run) are written as undecided too and the objects
    holding them verified again (up to :data:`_VERIFY_ROUNDS` rounds), so that verify-access accepts
    the file unless it finds a leak.

    Args:
        url: the migrated database; connect as the role owning the tables (``postgres``).
        path: the declaration to write (``supabase/access.toml``).
        project: for ``[api] schemas`` (default: discovered from the cwd).
        exposed_schemas: as for :func:`verify_access`.
        update: keep ``path`` as it is (every person's edit) and append the exposed objects it does
            not declare yet.
        force: overwrite ``path`` if it exists.
        progress: called with a line per phase and, while probing, at most every two seconds.

    Returns:
        The :class:`AccessInitResult` (with the verify-access summary of the written file).

    Raises:
        UsageError: ``path`` exists and neither ``update`` nor ``force`` is given; the API roles are
            missing.
        ReadOnlyTargetError: the target is a hot standby or in read-only mode (exit 2).
        AccessDeclarationError: in ``update`` mode, the existing file is invalid or does not fit the
            database (a person-written row factory fails).
        ConnectionFailedError: the database cannot be reached.
    """

    project = project or Project.discover()
    if path.exists() and not (update or force):
        raise UsageError(
            f"{path} exists; not overwriting it",
            hint="pass --update to add the objects it lacks (keeping your edits), or --force to replace it",
        )
    update = update and path.exists()
    existing: Declaration | None = load_declaration(path) if update else None
    raw: dict[str, Any] = tomllib.loads(path.read_text(encoding="utf-8")) if update else {}
    say = progress or (lambda _m: None)
    with connect(url) as conn:
        # One transaction, rolled back: safe through a transaction-mode pooler; a standby refuses
        # the rows the probes write, so it is refused at once.
        refuse_unsuitable_target(conn, url, "access init", session=False)
        target = require_api_roles(conn, url)
        exposed = resolve_exposed_schemas(conn, project, exposed_schemas)
        try:
            history = _history(conn)
            declared_tables: dict[str, str] = {}
            declared_oids: set[int] = set()
            if existing is not None:
                runner = Runner(conn, existing)
                runner.load_catalog()
                declared_tables = {t.name: t.key for t in existing.tables}
                declared_oids = {oid for oid, _, _ in runner.functions.values()}
            say("reading the catalog")
            generator = Generator(conn, path, exposed.schemas)
            bucket_policies = policies_naming_buckets(conn)
            bucket_notes = {
                b: n for b, n in storage_buckets(conn, bucket_policies).items() if b not in raw.get("storage", {})
            }
            skipped_buckets: dict[str, str] = {}  # bucket -> why its object could not be made
            catalog_memo: CatalogMemo = {}  # the declared objects' catalog rows, read once for every attempt
            for _attempt in range(3 * len(generator.catalog) + len(bucket_notes) + 1):
                entries = generator.infer_rows(declared_tables)
                entries = with_variants(entries, generator.infer_variants(entries))
                functions = generator.function_entries(declared_oids, generator.keys)
                document = {
                    "version": 1,
                    "actors": raw.get("actors", {}),
                    "tables": {**raw.get("tables", {}),
                               **{generator.keys.get(n, n): {**e, "allow": {}} for n, e in entries.items()}},
                    "functions": {**raw.get("functions", {}), **{k: {**e} for k, (_, e) in functions.items()}},
                    "storage": {**raw.get("storage", {}), **{b: {"allow": {}} for b in bucket_notes}},
                }  # fmt: skip
                buckets_said = f", {len(bucket_notes)} Storage bucket(s)" if bucket_notes else ""
                say(
                    f"probing {len(entries)} table(s) and view(s), {len(functions)} function(s){buckets_said} "
                    "as every actor"
                )
                observed = _observe(conn, path, document, progress, catalog_memo)
                if not isinstance(observed, RowFactoryError):
                    break
                say(f"the row of {observed.table} could not be made ({observed.reason}); trying again without it")
                bucket_of = {storage_object_name(b): b for b in bucket_notes}
                if observed.table in bucket_of:  # a new bucket whose object the default path does not fit
                    skipped_buckets[bucket_of[observed.table]] = observed.reason
                    del bucket_notes[bucket_of[observed.table]]
                    continue
                if observed.table not in entries:
                    raise observed
                if VARIANT_MARK in observed.table:  # one more row of a table: written without it
                    generator.variant_failures[observed.table] = observed.reason
                    continue
                if generator.retry(observed, entries[observed.table]):
                    continue
                generator.reasons[observed.table] = f"making its row failed: {observed.reason}"
            else:  # pragma: no cover - every failing table is dropped, so this cannot loop forever
                raise AccessDeclarationError(f"{path}: could not build the row factories")
        finally:
            conn.rollback()
    decl, cells = observed
    actors = decl.actors
    by_object: dict[str, dict[str, list[str]]] = {}
    errors: list[str] = [
        f"storage.{bucket}: not declared: making the owner's object at the default path failed: {why}"
        for bucket, why in skipped_buckets.items()
    ]
    leaks: list[str] = []
    risks: list[str] = []
    function_errors: dict[str, dict[str, CellResult]] = {}
    # cells nobody could decide, with why: table name -> {"actor:op": reason}, function -> {actor or *: reason}
    table_undecided: dict[str, dict[str, str]] = {}
    function_undecided: dict[str, dict[str, str]] = {}
    for cell in cells:
        allowed = by_object.setdefault(cell.object, {a: [] for a in actors})
        if cell.actual == "allowed":
            allowed[cell.actor].append(cell.operation)
        if cell.leak:
            leaks.append(f"{cell.id}: {cell.leak}")
        if cell.kind == "storage" and cell.risk:
            risks.append(f"{cell.id}: {cell.risk}")
        if cell.actual == "error":
            if cell.kind == "function":
                function_errors.setdefault(cell.object, {})[cell.actor] = cell
            else:
                errors.append(f"{cell.id}: {cell.detail}")
                table_undecided.setdefault(cell.object, {})[f"{cell.actor}:{cell.operation}"] = (
                    f"the probe failed for a reason that is not access: {cell.detail}"
                )
    displays = {o.oid: o.name for o in generator.objects if o.kind == "function"}
    function_denied: dict[str, list[str]] = {}
    function_notes: dict[str, list[str]] = {}
    for cell in cells:
        if cell.kind == "function" and cell.arranged and cell.object not in function_notes:
            function_notes[cell.object] = [f"arranged for every call: {cell.arranged}"]
    for _key, (oid, _entry) in functions.items():
        display = displays[oid]
        allowed_actors = [a for a in actors if EXECUTE in by_object.get(display, {}).get(a, [])]
        failed = function_errors.get(display, {})
        if not failed:
            continue
        states = ", ".join(sorted({c.sqlstate or "?" for c in failed.values()}))
        if not allowed_actors:
            function_undecided[display] = {
                "*": f"the generated call failed for every actor (SQLSTATE {states}): it does not reach the "
                "function's work (its arguments name nothing of the owner's, or the function is broken); write a "
                "call that does"
            }
            continue
        refusals = {a: c for a, c in failed.items() if _is_refusal(c.sqlstate)}
        others = {a: c for a, c in failed.items() if a not in refusals}
        if refusals:
            function_denied[display] = sorted({c.sqlstate for c in refusals.values() if c.sqlstate})
            function_notes.setdefault(display, []).append(
                f"observed: the call completed for {', '.join(allowed_actors)} and failed with SQLSTATE "
                f"{', '.join(function_denied[display])} for {', '.join(refusals)}: taken as the function refusing them"
            )
        for actor, cell in others.items():
            function_undecided.setdefault(display, {})[actor] = (
                f"the call completed for {', '.join(allowed_actors)} but failed for {actor} for a reason that is not "
                f"a refusal: {cell.detail}"
            )
    for name, entry in entries.items():
        table = generator.catalog.get(name)
        if entry.get("shared") and table is not None and any(decides_per_user(e) for e in table.policy_exprs):
            # Its policies decide per user, but one row serves owner and other: other's cells would test
            # the owner's own tenant, not another's. Never a pass (issue 22: isolation untested).
            table_undecided.setdefault(name, {})["other"] = (
                "isolation untested: its policies decide per user (auth.uid(), auth.jwt() or a function), but no "
                "owner column or tenant root was found for it, so owner and other share its one row; write its "
                "row with the owner's references (or mark the membership) to test another tenant"
            )
    for bucket in bucket_notes:
        name = storage_object_name(bucket)
        allowed = by_object.get(name, {})
        if bucket_policies.get(bucket) and not any(allowed.get(a) for a in actors if a != "service_role"):
            # Policies name the bucket, yet nobody but service_role (which bypasses RLS) may do anything with
            # the owner's object, the owner included: the probe's path is one those policies do not match
            # (e.g. they expect another folder layout), so its denials prove nothing about them.
            for actor in actors:
                if actor != "service_role":
                    table_undecided.setdefault(name, {})[actor] = (
                        f"path not matched: policies name the bucket ({', '.join(bucket_policies[bucket])}) but "
                        f"no actor, the owner included, may use the owner's object at {DEFAULT_STORAGE_PATH}; "
                        "declare a `path` those policies accept"
                    )
    generated_tables = {n for n in entries}
    table_decls = {t.name: t for t in decl.tables}
    results: list[GeneratedTable] = []
    function_names: list[str] = [displays[oid] for oid, _ in functions.values()]
    for name, table in generator.catalog.items():
        if name in declared_tables or not (table.exposed or name in generated_tables):
            continue
        kind: Literal["table", "view"] = "view" if table.kind in ("v", "m") else "table"
        notes = list(generator.notes.get(name, []))
        if not table.exposed:
            notes.insert(0, "not exposed by the Data API: declared because rows of exposed tables reference it")
        if name not in generated_tables:
            reason = generator.reasons.get(name, "no row factory")
            results.append(GeneratedTable(name=name, kind=kind, row_built=False, reason=reason, notes=notes,
                                          exposed=table.exposed))  # fmt: skip
        else:
            results.append(GeneratedTable(name=name, kind=kind, row_built="row" in entries[name], notes=notes,
                                          exposed=table.exposed))  # fmt: skip
            for variant in entries:
                if variant.partition(VARIANT_MARK)[0] == name and variant != name:
                    results.append(GeneratedTable(name=variant, kind="table", row_built=True,
                                                  notes=list(generator.notes.get(variant, []))))  # fmt: skip

    original = path.read_text(encoding="utf-8") if update else None
    parts = FileParts(
        results=results,
        generated_tables=generated_tables,
        entries=entries,
        table_decls=table_decls,
        by_object=by_object,
        table_undecided=table_undecided,
        leaks=leaks,
        risks=risks,
        functions=functions,
        displays=displays,
        function_undecided=function_undecided,
        function_denied=function_denied,
        function_notes=function_notes,
        bucket_notes=bucket_notes,
        skipped_buckets=skipped_buckets,
        actors=actors,
        update=update,
        path=path,
        original=original,
        target=target,
        url=url,
        history=history,
        exposed=exposed,
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    disagreed: list[str] = []
    report: AccessReport | None = None
    recheck: set[str] | None = None  # the objects to verify again: those whose cells changed
    for _round in range(_VERIFY_ROUNDS):
        text, written_cells = render_file(parts)
        path.write_text(text, encoding="utf-8")
        if recheck is None:
            say(f"verifying the written file {path}")
        else:
            say(f"verifying again the {len(recheck)} object(s) whose cells changed from run to run")
        fresh = verify_access(
            url, path, project=project, exposed_schemas=exposed_schemas, progress=progress, only=recheck
        )
        if report is None:
            report = fresh
        else:
            # Only the rechecked objects' entries changed in the file (cells marked undecided): the
            # other cells of the previous round stand for the file as written now.
            again = {c.id: c for c in fresh.cells}
            report = report.model_copy(update={
                "cells": [again.get(c.id, c) for c in report.cells],
                "duration_ms": report.duration_ms + fresh.duration_ms,
            })  # fmt: skip
        # A cell init decided one way and the verification run the other way depends on something
        # the declaration does not pin (a literal id in a call, a sequence): it is undecided, with why.
        changed: set[str] = set()
        for cell in fresh.mismatches:
            if cell.leak or cell.verdict != "fail":
                continue
            reason = (
                f"access init saw it {'allowed' if cell.expected == 'allowed' else 'denied'} and the verification "
                f"run saw {cell.actual} ({cell.detail}): the outcome changes from run to run (a literal id in a "
                "call, a sequence value?): write what pins it"
            )
            if cell.kind == "function":
                function_undecided.setdefault(cell.object, {})[cell.actor] = reason
            else:
                table_undecided.setdefault(cell.object, {})[f"{cell.actor}:{cell.operation}"] = reason
            disagreed.append(f"{cell.id}: {reason}")
            changed.add(cell.object)
        if not changed:
            break
        recheck = changed
    undecided = [
        *(f"{name}:{key}: {reason}" for name, cells_ in table_undecided.items() for key, reason in cells_.items()),
        *(f"{name}:{key}: {reason}" for name, cells_ in function_undecided.items() for key, reason in cells_.items()),
    ]
    unbuildable = [t for t in results if not t.row_built and t.kind == "table"]
    assert report is not None  # _VERIFY_ROUNDS >= 1
    return AccessInitResult(
        access_file=str(path),
        mode="update" if update else "create",
        target=target.to_dict(),
        exposed_schemas=exposed,
        tables=results,
        functions=function_names,
        cells=written_cells,
        unbuildable=unbuildable,
        errors=errors,
        undecided=undecided,
        disagreed=disagreed,
        leaks=leaks,
        kept=[
            *declared_tables,
            *(f.key for f in existing.functions),
            *(f"storage.{b.bucket}" for b in existing.storage),
        ]
        if existing
        else [],
        buckets=list(bucket_notes),
        verify={"passed": report.passed, **report.summary()},
    )
