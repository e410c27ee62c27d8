"""Differential tests: `supabase db push` (the real Supabase CLI 2.117.0, from npm) and
`khepri-db migrate` on twin databases must record the same history and leave the same schema.

The CLI is installed once per machine into ``~/.cache/khepri-db/supabase-cli-2.117.0`` (override
with ``KHEPRI_SUPABASE_CLI_DIR``); without npm, or when the registry cannot be reached, every test
here is skipped and says why. Without Docker the CLI talks to any ``--db-url ...?sslmode=disable``.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from khepri_db.core.db import connect
from khepri_db.migrations.status import MigrationState, migration_status
from tests.support import Cli

pytestmark = pytest.mark.pg


class Twins:
    """One project directory, and two empty databases: one for the Supabase CLI, one for khepri-db."""

    def __init__(self, root: Path, supabase: Path, make_db: Callable[..., str], cli: Cli) -> None:
        self.root = root
        self.supabase = supabase
        self.cli = cli
        self.migrations = root / "supabase" / "migrations"
        self.migrations.mkdir(parents=True)
        (root / "supabase" / "config.toml").write_text("")
        self.theirs = make_db()
        self.ours = make_db()

    def write(self, files: dict[str, bytes]) -> None:
        for name, data in files.items():
            target = self.root / "supabase" / name if name == "seed.sql" else self.migrations / name
            target.write_bytes(data)

    def run_supabase(self, *args: str, url: str | None = None) -> subprocess.CompletedProcess[str]:
        db_url = url or self.theirs
        db_url += ("&" if "?" in db_url else "?") + "sslmode=disable"
        env = {**os.environ, "DO_NOT_TRACK": "1", "SUPABASE_TELEMETRY_DISABLED": "1"}
        return subprocess.run(
            [str(self.supabase), *args, "--db-url", db_url],
            cwd=self.root,
            capture_output=True,
            text=True,
            timeout=180,
            env=env,
        )

    def push(self, *flags: str, url: str | None = None) -> None:
        done = self.run_supabase("db", "push", "--yes", *flags, url=url)
        assert done.returncode == 0, f"supabase db push failed:\n{done.stdout}\n{done.stderr}"

    def migrate(self, *flags: str, url: str | None = None) -> None:
        result = self.cli("migrate", "--db-url", url or self.ours, "--no-compat", *flags, cwd=self.root)
        assert result.exit_code == 0, f"khepri-db migrate failed:\n{result.output}"

    def status(self, url: str) -> dict[str, tuple[MigrationState, str | None]]:
        with connect(url) as conn:
            entries = migration_status(conn, self.migrations).entries
        return {e.version: (e.state, e.applied_by) for e in entries}


@pytest.fixture
def twins(tmp_path: Path, supabase_cli: Path, khepri_database_factory: Callable[..., str], cli: Cli) -> Twins:
    """A project and two empty twin databases."""
    return Twins(tmp_path / "project", supabase_cli, khepri_database_factory, cli)


def history(url: str) -> list[tuple[Any, ...]]:
    """``schema_migrations`` as the Supabase CLI reads it: version, name, statements."""
    with connect(url) as conn:
        return conn.execute(
            "select version, name, statements from supabase_migrations.schema_migrations order by version"
        ).fetchall()


def schema(url: str) -> dict[str, Any]:
    """What the migrations made: relations (with columns), index validity, functions (body hash),
    rows of ``public.parity_rows``, seed file records, enum labels, publications (with their
    tables); khepri-db's own tables (facts, partial runs) left out."""
    with connect(url) as conn:
        relations = conn.execute(
            "select n.nspname, c.relname, c.relkind::text, "
            "array(select attname || ':' || format_type(atttypid, atttypmod) from pg_attribute "
            "where attrelid = c.oid and attnum > 0 and not attisdropped order by attnum) "
            "from pg_class c join pg_namespace n on n.oid = c.relnamespace "
            "where n.nspname not in ('pg_catalog', 'information_schema', 'pg_toast') "
            "and c.relname not like 'khepri\\_%' order by 1, 2"
        ).fetchall()
        invalid = conn.execute("select indexrelid::regclass::text from pg_index where not indisvalid").fetchall()
        functions = conn.execute(
            "select n.nspname, p.proname, md5(coalesce(p.prosrc, '')) from pg_proc p "
            "join pg_namespace n on n.oid = p.pronamespace "
            "where n.nspname not in ('pg_catalog', 'information_schema') order by 1, 2"
        ).fetchall()
        rows = (
            conn.execute("select * from public.parity_rows order by 1").fetchall()
            if conn.execute("select to_regclass('public.parity_rows')").fetchone() != (None,)
            else None
        )
        enums = conn.execute(
            "select t.typname, array_agg(e.enumlabel::text order by e.enumsortorder) from pg_enum e "
            "join pg_type t on t.oid = e.enumtypid group by 1 order by 1"
        ).fetchall()
        publications = conn.execute(
            "select p.pubname, array(select schemaname || '.' || tablename from pg_publication_tables t "
            "where t.pubname = p.pubname order by 1) from pg_publication p order by 1"
        ).fetchall()
        seeds = (
            conn.execute("select path, hash from supabase_migrations.seed_files order by 1").fetchall()
            if conn.execute("select to_regclass('supabase_migrations.seed_files')").fetchone() != (None,)
            else None
        )
    return {
        "relations": relations,
        "invalid": invalid,
        "functions": functions,
        "rows": rows,
        "seeds": seeds,
        "enums": enums,
        "publications": publications,
    }


CASES: dict[str, dict[str, bytes]] = {
    # RESET ALL between files: a search_path set in one file does not reach the next
    "reset_between_files": {
        "20260101000000_other.sql": b"create schema other;\nselect set_config('search_path', 'other', false);\n",
        "20260101000001_table.sql": b"create table parity_rows (id int);\n",
    },
    # one statement PostgreSQL refuses in a transaction: runs outside one, without a marker
    "outside_transaction": {
        "20260101000000_table.sql": b"create table public.parity_rows (id int, x int);\n",
        "20260101000001_index.sql": b"-- why\ncreate index concurrently parity_x on public.parity_rows (x);\n-- done\n",
        "20260101000002_reindex.sql": b"reindex index concurrently public.parity_x;\n",
        "20260101000003_vacuum.sql": b"vacuum (analyze) public.parity_rows;\n",
        "20260101000004_drop.sql": b"drop index concurrently public.parity_x;\n",
        "20260101000005_unique.sql": b"create unique index concurrently parity_id on public.parity_rows (id);\n",
        "20260101000006_system.sql": b"alter system reset cpu_tuple_cost;\n",
    },
    # an outer begin; ... commit; is the file's one transaction, recorded with its statements
    "outer_transaction": {
        "20260101000000_wrapped.sql": b"begin;\ncreate table public.parity_rows (id int);\n"
        b"insert into public.parity_rows values (1);\ncommit;\n",
        "20260101000001_after.sql": b"start transaction;\ninsert into public.parity_rows values (2);\nend;\n",
    },
    # Makerkit's pattern: a commit after `alter type ... add value`, so the file may use the new value
    "commit_after_new_enum_value": {
        "20260101000000_perm.sql": b"create type public.parity_perm as enum ('a');\n"
        b"create table public.parity_rows (id int, p public.parity_perm);\n",
        "20260101000001_add.sql": b"alter type public.parity_perm add value 'b';\ncommit;\n"
        b"insert into public.parity_rows values (1, 'b');\n",
    },
    # the same inside a begin/commit block in the middle of a file
    "block_adding_enum_value": {
        "20260101000000_perm.sql": b"create type public.parity_perm as enum ('a');\n"
        b"create table public.parity_rows (id int, p public.parity_perm);\n",
        "20260101000001_add.sql": b"select 1;\nbegin;\nalter type public.parity_perm add value 'b';\ncommit;\n"
        b"insert into public.parity_rows values (1, 'b');\n",
    },
    # a balanced block in the middle of a file: a publication rebuilt, statements around it
    "block_in_the_middle": {
        "20260101000000_pub.sql": b"create table public.parity_rows (id int);\n"
        b"begin;\ndrop publication if exists parity_pub;\ncreate publication parity_pub for table public.parity_rows;\n"
        b"commit;\ninsert into public.parity_rows values (1);\n",
    },
    # a balanced block holding a query only
    "query_block_in_the_middle": {
        "20260101000000_query.sql": b"create table public.parity_rows (id int);\n"
        b"BEGIN;\nselect count(*) from public.parity_rows;\nCOMMIT;\ninsert into public.parity_rows values (1);\n",
    },
    # SuuperSaees' shape: a `begin` inside an open block does nothing; the second `commit` closes none
    "begin_inside_a_block": {
        "20260101000000_nested.sql": b"begin;\ncreate table public.parity_rows (id int);\nbegin;\n"
        b"insert into public.parity_rows values (1);\ncommit;\ninsert into public.parity_rows values (2);\ncommit;\n"
        b"insert into public.parity_rows values (3);\n",
    },
    # statement boundaries: same-line comments, nested comments, dollar quotes, begin atomic, a tail
    "boundaries": {
        "20260101000000_bounds.sql": b"create table public.parity_rows (id int, body text); -- the table\n"
        b"/* a /* nested; */ comment; */ insert into public.parity_rows values (1, 'a;b');\n"
        b"create function public.parity_f(x int) returns int language plpgsql as $fn$\n"
        b"begin\n  return x; -- ; here\nend $fn$;\n"
        b"create function public.parity_g() returns int language sql\nbegin atomic\n  select 1;\nend;\n"
        b"do $$ begin perform 1; end $$;\n"
        b"insert into public.parity_rows values (2, $q$x;y$q$); /* trailing */\n"
        b"-- the end\n",
    },
    # bytes as read: CRLF kept inside statements, a byte-order mark dropped; the seed hashed as bytes
    "crlf_and_bom": {
        "20260101000000_crlf.sql": b"\xef\xbb\xbfcreate table public.parity_rows (\r\n  id int\r\n);\r\n-- tail\r\n",
        "seed.sql": b"insert into public.parity_rows values (1);\r\ninsert into public.parity_rows\r\nvalues (2);\r\n",
    },
    # the deprecated init schema of old CLI versions is skipped when it is the first file
    "legacy_init": {
        "20211208000000_init.sql": b"create table public.legacy (id int);\n",
        "20220101000000_rows.sql": b"create table public.parity_rows (id int);\n",
    },
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_khepri_migrate_records_and_builds_what_supabase_db_push_does(twins: Twins, case: str) -> None:
    twins.write(CASES[case])
    seed = ("--include-seed",) if "seed.sql" in CASES[case] else ()

    twins.push(*seed)
    twins.migrate(*seed)

    assert history(twins.ours) == history(twins.theirs)
    assert schema(twins.ours) == schema(twins.theirs)
    assert history(twins.ours), "the case applied nothing"


def test_what_the_cases_expect_of_both(twins: Twins) -> None:
    """The cases above compare the two tools; this pins what both of them do."""
    twins.write(CASES["reset_between_files"])
    twins.push()
    twins.migrate()
    for url in (twins.theirs, twins.ours):
        with connect(url) as conn:
            assert conn.execute("select to_regclass('public.parity_rows')::text").fetchone() == ("parity_rows",)
    assert history(twins.ours)[1][2] == ["create table parity_rows (id int)"]


def test_a_history_row_rewritten_by_migration_repair_wins_over_our_stale_facts(twins: Twins) -> None:
    path = twins.migrations / "20260101000000_notes.sql"
    path.write_bytes(b"create table public.parity_rows (id int);\n")
    twins.migrate()
    path.write_bytes(b"create table public.parity_rows (id bigint);\n")
    assert twins.status(twins.ours)["20260101000000"][0] is MigrationState.CHANGED

    done = twins.run_supabase("migration", "repair", "--status", "applied", "20260101000000", url=twins.ours)
    assert done.returncode == 0, done.stderr

    assert twins.status(twins.ours)["20260101000000"] == (MigrationState.APPLIED, "supabase-cli")
    assert history(twins.ours)[0][2] == ["create table public.parity_rows (id bigint)"]


def test_a_file_reapplied_by_db_push_after_repair_reverted_is_not_reported_changed(twins: Twins) -> None:
    path = twins.migrations / "20260101000000_notes.sql"
    path.write_bytes(b"create table if not exists public.parity_rows (id int);\n")
    twins.migrate()
    path.write_bytes(
        b"create table if not exists public.parity_rows (id int);\ncomment on table public.parity_rows is 'v2';\n"
    )
    done = twins.run_supabase("migration", "repair", "--status", "reverted", "20260101000000", url=twins.ours)
    assert done.returncode == 0, done.stderr
    twins.push(url=twins.ours)

    assert twins.status(twins.ours)["20260101000000"] == (MigrationState.APPLIED, "supabase-cli")
    twins.migrate()  # and khepri-db agrees nothing is left to do
    assert len(history(twins.ours)[0][2]) == 2


def test_whitespace_only_edits_are_judged_the_same_whoever_applied_the_file(twins: Twins) -> None:
    path = twins.migrations / "20260101000000_notes.sql"
    original = b"create table public.parity_rows (id int);\ncreate index on public.parity_rows (id);\n"
    path.write_bytes(original)
    twins.push()
    twins.migrate()

    # the statements the CLI would record are unchanged: blank lines, trailing spaces, CRLF between them
    path.write_bytes(
        b"\n\ncreate table public.parity_rows (id int);   \r\n\r\n\ncreate index on public.parity_rows (id);\n\n"
    )
    assert twins.status(twins.theirs)["20260101000000"][0] is MigrationState.APPLIED
    assert twins.status(twins.ours)["20260101000000"][0] is MigrationState.APPLIED

    # whitespace inside a statement changes what the CLI records: changed, for both
    path.write_bytes(original.replace(b"(id int)", b"(id  int)"))
    assert twins.status(twins.theirs)["20260101000000"][0] is MigrationState.CHANGED
    assert twins.status(twins.ours)["20260101000000"][0] is MigrationState.CHANGED


def test_seed_file_given_by_path_is_recorded_relative_to_its_project_like_db_push_records_it(
    twins: Twins, tmp_path: Path
) -> None:
    twins.write(
        {
            "20260101000000_rows.sql": b"create table public.parity_rows (id int);\n",
            "seed.sql": b"insert into public.parity_rows values (1);\n",
        }
    )
    twins.push("--include-seed")
    twins.migrate()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    seed_file = twins.root / "supabase" / "seed.sql"
    result = twins.cli("seed", "--db-url", twins.ours, "--file", str(seed_file), cwd=elsewhere)
    assert result.exit_code == 0, result.output

    assert schema(twins.ours)["seeds"] == schema(twins.theirs)["seeds"]
    assert schema(twins.ours)["seeds"] == [("supabase/seed.sql", hashlib.sha256(seed_file.read_bytes()).hexdigest())]


def test_a_file_failing_after_its_own_commit_keeps_its_committed_part_and_no_history_row_like_db_push(
    twins: Twins,
) -> None:
    """Both tools keep the part before the file's `commit` and record nothing. They differ after it, as
    measured: in a file holding a transaction statement, `supabase db push` (2.117) commits every
    statement outside a `begin ... commit` block on its own, so the insert that ran before the failing
    statement stays; khepri-db runs the part after the `commit` as one transaction and rolls it back."""
    twins.write(CASES["commit_after_new_enum_value"])
    failing = twins.migrations / "20260101000001_add.sql"
    failing.write_bytes(failing.read_bytes() + b"select 1 / 0;\n")

    done = twins.run_supabase("db", "push", "--yes")
    assert done.returncode != 0, f"supabase db push applied a failing file:\n{done.stdout}\n{done.stderr}"
    result = twins.cli("migrate", "--db-url", twins.ours, "--no-compat", cwd=twins.root)
    assert result.exit_code == 1, result.output
    assert "lines 1-2 of the file were already committed" in result.output

    assert history(twins.ours) == history(twins.theirs)
    assert [row[0] for row in history(twins.ours)] == ["20260101000000"]
    ours, theirs = schema(twins.ours), schema(twins.theirs)
    assert ours["enums"] == theirs["enums"] == [("parity_perm", ["a", "b"])]
    assert {k: v for k, v in ours.items() if k != "rows"} == {k: v for k, v in theirs.items() if k != "rows"}
    assert (ours["rows"], theirs["rows"]) == ([], [(1, "b")])
