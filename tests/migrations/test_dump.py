"""``khepri-db db dump --schema-only`` and the checked-in ``supabase/schema.sql``, against real Postgres.

The staleness test fails when a migration changes and the file was not regenerated (as dbmate and
Rails keep ``schema.sql`` / ``structure.sql``); the round trip proves the dump is faithful: applied to
an empty database with only the compatibility layer, it yields the catalog the migrations built.
"""

from __future__ import annotations

import difflib
import json
from pathlib import Path
from typing import Any

import pytest

from khepri_db.core.db import connect
from khepri_db.core.project import Project
from khepri_db.migrations import compat
from khepri_db.migrations.dump import (
    HEADER,
    PgDumpVersionError,
    _tool_version,
    default_excluded_schemas,
    dump_schema,
    normalize,
    run_schema_dump,
)
from khepri_db.migrations.files import discover
from tests.support import REPO, Cli, write_migration

pytestmark = pytest.mark.pg

SCHEMA_FILE = REPO / "supabase" / "schema.sql"
KHEPRI_MIGRATIONS = REPO / "supabase" / "migrations"
REGENERATE = "khepri-db db dump --schema-only --from-migrations -f supabase/schema.sql"
FILE_MAJOR = 18
"""The checked-in file is written from the embedded engine's PostgreSQL 18 (server and pg_dump)."""


def _server_major(url: str) -> int:
    with connect(url) as conn:
        row = conn.execute("select current_setting('server_version_num')::int / 10000").fetchone()
    assert row is not None
    return int(row[0])


# -- the checked-in file ----------------------------------------------------------------------------


def test_checked_in_schema_dump_is_current(khepri_clone_url: str, khepri_migrations_dir: Path) -> None:
    if khepri_migrations_dir.resolve() != KHEPRI_MIGRATIONS.resolve():
        pytest.skip(f"the session's template is built from {khepri_migrations_dir}, not {KHEPRI_MIGRATIONS}")
    if _server_major(khepri_clone_url) != FILE_MAJOR:
        pytest.skip(
            f"supabase/schema.sql is written from PostgreSQL {FILE_MAJOR} (the embedded engine); another server's "
            "catalog dumps differently (PostgreSQL 15 has no MAINTAIN privilege, for one)"
        )
    dumped = dump_schema(khepri_clone_url)
    checked_in = SCHEMA_FILE.read_text(encoding="utf-8") if SCHEMA_FILE.is_file() else ""
    if dumped != checked_in:
        diff = "".join(
            list(
                difflib.unified_diff(
                    checked_in.splitlines(keepends=True), dumped.splitlines(keepends=True),
                    "supabase/schema.sql (checked in)", "dump of supabase/migrations (now)",
                )
            )[:80]
        )  # fmt: skip
        pytest.fail(
            f"supabase/schema.sql is out of date with supabase/migrations: regenerate it with `{REGENERATE}` "
            f"and commit it.\nFirst lines of the difference:\n{diff}",
            pytrace=False,
        )


def test_checked_in_dump_is_never_applied_as_a_migration_or_a_seed() -> None:
    files, ignored = discover(KHEPRI_MIGRATIONS)
    assert SCHEMA_FILE not in [f.path for f in files] + [i.path for i in ignored]
    project = Project(REPO)
    assert SCHEMA_FILE.resolve() not in [p.resolve() for p in project.seed_files()]
    # the Supabase CLI's declarative schemas live in supabase/schemas/ (`[db.migrations] schema_paths`)
    assert SCHEMA_FILE.parent.name == "supabase"
    assert not SCHEMA_FILE.is_relative_to(REPO / "supabase" / "schemas")
    assert SCHEMA_FILE.read_text(encoding="utf-8").startswith(HEADER)


# -- what the dump holds ------------------------------------------------------------------------------


def _customise(url: str) -> None:
    """Objects the dump must keep although the platform has others like them: a table owned by
    another role, a user event trigger, a table in the Realtime publication."""
    with connect(url) as conn:
        conn.execute("create table public.dump_probe (id bigint primary key, note text)")
        conn.execute("comment on table public.dump_probe is 'one probe row'")
        conn.execute("alter table public.dump_probe owner to supabase_admin")
        conn.execute("revoke all on table public.dump_probe from anon")
        conn.execute(
            "create function public.dump_probe_ddl() returns event_trigger language plpgsql "
            "as $$ begin raise notice 'ddl'; end $$"
        )
        conn.execute("create event trigger dump_probe_ddl on ddl_command_end execute function public.dump_probe_ddl()")
        conn.execute("alter publication supabase_realtime add table public.dump_probe")
        conn.commit()


def test_dump_is_stable_and_keeps_what_a_review_needs(khepri_clone_url: str) -> None:
    _customise(khepri_clone_url)
    dump = run_schema_dump(khepri_clone_url)
    text = dump.sql

    assert text == dump_schema(khepri_clone_url), "two dumps of one database differ"
    for noise in ("\\restrict ", "\\unrestrict ", "-- Dumped from database version", "-- Dumped by pg_dump version",
                  "SET transaction_timeout"):  # fmt: skip
        assert not any(line.startswith(noise) for line in text.splitlines()), noise
    assert "OWNER TO postgres;" not in text
    # grants and revokes of the migrations, policies, comments
    assert "REVOKE ALL ON FUNCTION public.finalize_onboarding(" in text
    assert "CREATE POLICY athletes_select_owner ON public.athletes FOR SELECT TO authenticated USING" in text
    assert "COMMENT ON TABLE public.dump_probe IS 'one probe row';" in text
    # ownership by a role other than the connected one, a user event trigger, a publication's table
    assert "ALTER TABLE public.dump_probe OWNER TO supabase_admin;" in text
    assert "CREATE EVENT TRIGGER dump_probe_ddl ON ddl_command_end" in text
    assert "ALTER PUBLICATION supabase_realtime ADD TABLE ONLY public.dump_probe;" in text
    # the platform's own: schemas, event triggers, the publication itself, extension comments
    for schema in ("auth", "storage", "realtime", "supabase_migrations", "extensions", "graphql_public"):
        assert f"CREATE SCHEMA {schema};" not in text, schema
        assert f"CREATE TABLE {schema}." not in text, schema
        assert f"CREATE FUNCTION {schema}." not in text, schema
    assert "issue_pg_net_access" not in text
    assert "CREATE PUBLICATION" not in text
    assert "COMMENT ON EXTENSION" not in text
    assert "FOR ROLE supabase_admin" not in text
    assert "EVENT TRIGGER issue_pg_net_access" in dump.left_out
    assert dump.pg_dump_version.startswith("18")
    assert set(compat.load_manifest()["schemas"]) <= set(dump.excluded_schemas)


def _user_catalog(url: str) -> dict[str, list[Any]]:
    """Policies, functions, relations, columns, constraints, indexes, triggers, grants (each ACL
    exploded and sorted), owners and comments of the user schemas, independent of pg_dump."""
    patterns = [p.replace("_", "\\_").replace("*", "%") for p in default_excluded_schemas()]
    queries = {
        "schemas": """
            select n.nspname, n.nspowner::regrole::text, obj_description(n.oid, 'pg_namespace'),
                   array(select row(a.grantee::regrole, a.privilege_type, a.is_grantable)::text
                         from aclexplode(n.nspacl) as a order by 1)
            from pg_namespace as n where {user} order by 1""",
        "relations": """
            select n.nspname, c.relname, c.relkind::text, c.relowner::regrole::text, c.relrowsecurity,
                   c.relforcerowsecurity, obj_description(c.oid, 'pg_class'),
                   array(select row(a.grantee::regrole, a.privilege_type, a.is_grantable)::text
                         from aclexplode(c.relacl) as a order by 1)
            from pg_class as c join pg_namespace as n on n.oid = c.relnamespace where {user} order by 1, 2""",
        "columns": """
            select n.nspname, c.relname, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull,
                   pg_get_expr(d.adbin, d.adrelid), col_description(c.oid, a.attnum),
                   array(select row(x.grantee::regrole, x.privilege_type)::text
                         from aclexplode(a.attacl) as x order by 1)
            from pg_attribute as a join pg_class as c on c.oid = a.attrelid
            join pg_namespace as n on n.oid = c.relnamespace
            left join pg_attrdef as d on d.adrelid = a.attrelid and d.adnum = a.attnum
            where {user} and a.attnum > 0 and not a.attisdropped order by 1, 2, 3""",
        "constraints": """
            select n.nspname, c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid)
            from pg_constraint as c join pg_namespace as n on n.oid = c.connamespace where {user} order by 1, 2, 3""",
        "indexes": "select schemaname, indexname, indexdef from pg_indexes as i join pg_namespace as n "
        "on n.nspname = i.schemaname where {user} order by 1, 2",
        "triggers": """
            select t.tgrelid::regclass::text, t.tgname, pg_get_triggerdef(t.oid)
            from pg_trigger as t join pg_class as c on c.oid = t.tgrelid
            join pg_namespace as n on n.oid = c.relnamespace
            where {user} and not t.tgisinternal order by 1, 2""",
        "functions": """
            select n.nspname, p.proname, pg_get_function_identity_arguments(p.oid), pg_get_functiondef(p.oid),
                   p.proowner::regrole::text, obj_description(p.oid, 'pg_proc'),
                   array(select row(a.grantee::regrole, a.privilege_type, a.is_grantable)::text
                         from aclexplode(coalesce(p.proacl, acldefault('f', p.proowner))) as a order by 1)
            from pg_proc as p join pg_namespace as n on n.oid = p.pronamespace where {user} order by 1, 2, 3""",
        "policies": """
            select schemaname, tablename, policyname, permissive, roles::text, cmd, qual, with_check
            from pg_policies as p join pg_namespace as n on n.nspname = p.schemaname where {user} order by 1, 2, 3""",
        "types": """
            select n.nspname, t.typname, t.typtype::text,
                   array(select e.enumlabel from pg_enum as e where e.enumtypid = t.oid order by e.enumsortorder)
            from pg_type as t join pg_namespace as n on n.oid = t.typnamespace
            where {user} and t.typtype in ('e', 'd', 'c') order by 1, 2""",
        "event_triggers": """
            select e.evtname, e.evtevent, e.evtfoid::regproc::text, e.evtenabled::text, e.evttags
            from pg_event_trigger as e join pg_proc as p on p.oid = e.evtfoid
            join pg_namespace as n on n.oid = p.pronamespace where {user} order by 1""",
        "publication_tables": "select pubname, schemaname, tablename from pg_publication_tables order by 1, 2, 3",
        "extensions": "select extname, extversion, extnamespace::regnamespace::text from pg_extension order by 1",
        "default_acls": """
            select d.defaclrole::regrole::text, d.defaclnamespace::regnamespace::text, d.defaclobjtype::text,
                   array(select row(a.grantee::regrole, a.privilege_type)::text
                         from aclexplode(d.defaclacl) as a order by 1)
            from pg_default_acl as d where d.defaclrole::regrole::text <> 'supabase_admin' order by 1, 2, 3""",
    }
    user = "not n.nspname like any(%(patterns)s) and n.nspname <> 'pg_toast'"
    with connect(url) as conn:
        return {
            name: conn.execute(query.replace("{user}", user), {"patterns": patterns}).fetchall()  # type: ignore[arg-type]
            for name, query in queries.items()
        }


def test_dump_applied_to_a_compat_only_database_gives_the_migrated_catalog(
    khepri_clone_url: str, empty_db_url: str
) -> None:
    _customise(khepri_clone_url)
    text = dump_schema(khepri_clone_url)
    with connect(empty_db_url) as conn:
        compat.install(conn)
    with connect(empty_db_url, autocommit=True) as conn:
        conn.execute(text.encode("utf-8"))  # no parameters: one simple-protocol round trip, as psql -f

    migrated, restored = _user_catalog(khepri_clone_url), _user_catalog(empty_db_url)
    assert len(migrated["policies"]) >= 20, "too few policies to compare"
    assert len(migrated["functions"]) >= 30, "too few functions to compare"
    assert any("(anon,EXECUTE" not in str(row[-1]) for row in migrated["functions"]), "no revoke from anon to check"
    # A dump only creates: an extension the compatibility layer installs and a migration drops
    # (pg_graphql, 20261201100000_khepri_graphql_off.sql) is still there after applying it.
    extra = set(restored.pop("extensions")) - set(migrated.pop("extensions"))
    assert {name for name, _version, _schema in extra} <= {"pg_graphql"}  # PostgreSQL 15 has no pg_graphql stand-in
    for kind in migrated:
        assert restored[kind] == migrated[kind], f"{kind} differ after the round trip"
    graphql = (
        "--\n-- Name: pg_graphql; Type: EXTENSION; Schema: -; Owner: -\n--\n\n"
        "CREATE EXTENSION IF NOT EXISTS pg_graphql WITH SCHEMA graphql;\n\n\n"
    )
    assert dump_schema(empty_db_url).replace(graphql, "") == text


def test_an_older_pg_dump_than_the_server_is_refused_clearly(khepri_clone_url: str) -> None:
    from khepri_db.core.errors import EngineError
    from khepri_db.engines import system_bin_dir

    try:
        bin_dir = system_bin_dir()
    except EngineError as exc:
        pytest.skip(f"no system PostgreSQL to provide an older pg_dump: {exc.message}")
    older = bin_dir / "pg_dump"
    server = _server_major(khepri_clone_url)
    major, _ = _tool_version(older)
    if major >= server:
        pytest.skip(f"the system pg_dump ({major}) is not older than the server ({server})")
    with pytest.raises(PgDumpVersionError) as caught:
        dump_schema(khepri_clone_url, pg_dump=older)
    assert f"pg_dump {major}" in caught.value.message
    assert f"PostgreSQL {server}" in caught.value.message
    assert caught.value.exit_code == 2


# -- the command ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "says"),
    [
        ((), "needs --schema-only"),
        (("--data-only",), "--data-only is not supported"),
        (("--schema-only", "--role-only"), "--role-only is not supported"),
        (("--schema-only", "--migrations-dir", "x"), "add it"),
    ],
)
def test_dump_command_usage_errors_exit_2(cli: Cli, args: tuple[str, ...], says: str) -> None:
    result = cli("db", "dump", *args, "--db-url", "postgresql://nobody@127.0.0.1:1/none")
    assert result.exit_code == 2, result.output
    assert says in result.output
    code, data = cli.json("db", "dump", *args, "--db-url", "postgresql://nobody@127.0.0.1:1/none")
    assert code == 2
    assert data["error"]["type"] == "UsageError"


def test_dump_command_writes_the_file_and_json(cli: Cli, khepri_clone_url: str, tmp_path: Path) -> None:
    expected = dump_schema(khepri_clone_url)
    target = tmp_path / "out" / "schema.sql"

    result = cli("db", "dump", "--schema-only", "-f", str(target), "--db-url", khepri_clone_url)
    assert result.exit_code == 0, result.output
    assert target.read_text(encoding="utf-8") == expected
    assert result.stdout == ""

    result = cli("db", "dump", "--schema-only", "--db-url", khepri_clone_url)
    assert result.exit_code == 0
    assert result.stdout == expected

    code, data = cli.json("db", "dump", "--schema-only", "--db-url", khepri_clone_url)
    assert code == 0
    assert data["file"] is None
    assert data["sql"] == expected
    assert data["server_version"].startswith(str(_server_major(khepri_clone_url)))
    code, data = cli.json("db", "dump", "--schema-only", "-f", str(target), "--db-url", khepri_clone_url)
    assert code == 0
    assert data["file"] == str(target)
    assert "sql" not in data
    assert data["lines"] == expected.count("\n")


def test_dump_command_schema_option_selects_schemas(cli: Cli, khepri_clone_url: str) -> None:
    result = cli("db", "dump", "--schema-only", "-s", "khepri_private", "--db-url", khepri_clone_url)
    assert result.exit_code == 0, result.output
    assert "CREATE SCHEMA khepri_private;" in result.stdout
    assert "CREATE FUNCTION khepri_private." in result.stdout
    assert "CREATE TABLE public." not in result.stdout
    assert "CREATE POLICY" not in result.stdout
    assert "CREATE EXTENSION" not in result.stdout  # pg_dump --schema leaves extensions out


def test_dump_command_from_migrations_uses_a_throwaway_database(
    cli: Cli, khepri_server_url: str, migrations_dir: Path
) -> None:
    write_migration(migrations_dir, "20260101000000_notes.sql",
                    "create table public.notes (id bigint primary key, body text not null);\n"
                    "alter table public.notes enable row level security;\n"
                    "create policy notes_select_authenticated on public.notes for select to authenticated\n"
                    "    using (true);\n")  # fmt: skip
    with connect(khepri_server_url) as conn:
        before = conn.execute("select datname from pg_database order by 1").fetchall()

    code, data = cli.json("db", "dump", "--schema-only", "--from-migrations", "--migrations-dir",
                          str(migrations_dir), "--db-url", khepri_server_url)  # fmt: skip

    assert code == 0, data
    assert "CREATE TABLE public.notes (" in data["sql"]
    assert (
        "CREATE POLICY notes_select_authenticated ON public.notes FOR SELECT TO authenticated USING (true);"
        in data["sql"]
    )
    assert "khepri_" not in data["sql"].replace("khepri-db", "")  # none of the Khepri schema
    with connect(khepri_server_url) as conn:
        after = conn.execute("select datname from pg_database order by 1").fetchall()
    assert after == before, "the throwaway database was not dropped"
    assert json.loads(json.dumps(data))["excluded_schemas"][:2] == ["information_schema", "pg_*"]


def test_dump_command_from_migrations_drops_the_throwaway_database_when_a_migration_fails(
    cli: Cli, khepri_server_url: str, migrations_dir: Path
) -> None:
    write_migration(migrations_dir, "20260101000000_broken.sql", "create table public.broken (id bigint primary key;\n")
    with connect(khepri_server_url) as conn:
        before = conn.execute("select datname from pg_database order by 1").fetchall()

    result = cli("db", "dump", "--schema-only", "--from-migrations", "--migrations-dir", str(migrations_dir),
                 "--db-url", khepri_server_url)  # fmt: skip

    assert result.exit_code == 1, result.output
    assert "20260101000000_broken.sql" in result.output
    with connect(khepri_server_url) as conn:
        assert conn.execute("select datname from pg_database order by 1").fetchall() == before


def test_postgresql_15_20_column_versions_are_version_noise() -> None:
    # pg_dump 15.20 writes each column's pg_attver (a per-database number, unknown to other servers)
    dumped = (
        "CREATE TABLE public.t (\n    a integer,\n    b text\n);\n"
        "ALTER TABLE ONLY public.t ALTER COLUMN a SET (pg_attver=160909664);\n"
        'ALTER TABLE ONLY public.t ALTER COLUMN "b c" SET (n_distinct=5, pg_attver=1949555672);\n'
        "ALTER TABLE ONLY public.t ALTER COLUMN b SET (n_distinct=-1);\n"
    )
    text = normalize(dumped, "postgres")
    assert "pg_attver" not in text
    assert "ALTER COLUMN a SET" not in text
    assert 'ALTER TABLE ONLY public.t ALTER COLUMN "b c" SET (n_distinct=5);\n' in text
    assert "ALTER TABLE ONLY public.t ALTER COLUMN b SET (n_distinct=-1);\n" in text
