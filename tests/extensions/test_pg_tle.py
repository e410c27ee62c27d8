"""The pg_tle stand-in (sql/extensions/pg_tle/): pg_tle's management functions, their errors, and
``create extension`` / ``alter extension`` of the Trusted Language Extensions (TLEs) they register.

The stand-in writes each TLE registered in the current database as extension files before every
CREATE/ALTER EXTENSION, and refuses an extension built from files another database (or an
uninstalled TLE) left behind. Most tests run inside the ``db`` fixture's rolled-back transaction;
the files they make the server write stay, so every test uses TLE names of its own. The tests
across databases use two clones. They skip on servers without khepri-db's stand-ins.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import psycopg
import pytest

from khepri_db.core.db import connect
from khepri_db.testing.plugin import DatabaseFactory, database_name

pytestmark = pytest.mark.pg

V1 = "create function {schema}.tle_answer() returns integer language sql as $$ select 42 $$;"
V2 = "create function {schema}.tle_answer() returns integer language sql as $$ select 43 $$;"
UPDATE = "create or replace function {schema}.tle_answer() returns integer language sql as $$ select 43 $$;"


@pytest.fixture(autouse=True)
def _needs_standins(db: psycopg.Connection) -> None:
    available = db.execute("select count(*) from pg_available_extensions where name = 'pg_tle'").fetchone()
    if not available or available[0] == 0:
        pytest.skip("this server has no pg_tle: only servers khepri-db starts (embedded, system) get the stand-in")


@pytest.fixture
def tle(db: psycopg.Connection) -> psycopg.Connection:
    """``db`` with pg_tle created."""
    db.execute("create extension if not exists pg_tle")
    return db


@pytest.fixture
def standin(tle: psycopg.Connection) -> psycopg.Connection:
    """``tle`` where pg_tle is khepri-db's stand-in (what only the stand-in does: its files, its 0A000s)."""
    if not _is_standin(tle):
        pytest.skip("pg_tle here is the real one")
    return tle


def _name() -> str:
    """A TLE name no other test (or earlier run on this server) used."""
    return f"khepri_tle_{uuid.uuid4().hex[:10]}"


def _error(db: psycopg.Connection, query: str, params: object = None) -> psycopg.Error:
    """Run ``query`` in a savepoint and return the error it raises."""
    with pytest.raises(psycopg.Error) as caught, db.transaction():
        db.execute(query, params)
    return caught.value


def _install(db: psycopg.Connection, name: str, version: str = "1.0", sql: str = V1, **kwargs: object) -> None:
    requires = kwargs.get("requires")
    db.execute(
        "select pgtle.install_extension(%s, %s, %s, %s, %s)",
        (name, version, kwargs.get("description", "A test TLE"), sql.format(schema="public"), requires),
    )


def _is_standin(db: psycopg.Connection) -> bool:
    return db.execute("select to_regprocedure('pgtle.khepri_control_kind(text)') is not null").fetchone() == (True,)


# -- the extension itself --------------------------------------------------------------------------


def test_pg_tle_as_supabase_ships_it(tle: psycopg.Connection) -> None:
    assert tle.execute(
        "select extversion, extnamespace::regnamespace::text, extrelocatable from pg_extension where extname = 'pg_tle'"
    ).fetchone() == ("1.4.0", "pgtle", False)
    # Supabase's after-create script grants pgtle_admin to postgres
    assert tle.execute("select pg_has_role('postgres', 'pgtle_admin', 'member')").fetchone() == (True,)
    signatures = {
        row[0]
        for row in tle.execute(
            "select p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ')' "
            "from pg_proc p where p.pronamespace = 'pgtle'::regnamespace"
        )
    }
    assert {
        "install_extension(name text, version text, description text, ext text, requires text[])",
        "install_extension_version_sql(name text, version text, ext text)",
        "install_update_path(name text, fromvers text, tovers text, ext text)",
        "set_default_version(name text, version text)",
        "uninstall_extension(extname text)",
        "uninstall_extension(extname text, version text)",
        "uninstall_extension_if_exists(extname text)",
        "uninstall_update_path(extname text, fromvers text, tovers text)",
        "uninstall_update_path_if_exists(extname text, fromvers text, tovers text)",
        "available_extensions(OUT name name, OUT default_version text, OUT comment text)",
        "extension_update_paths(name name, OUT source text, OUT target text, OUT path text)",
        "register_feature(proc regproc, feature pgtle.pg_tle_features)",
        "create_base_type(typenamespace regnamespace, typename name, infunc regprocedure, outfunc regprocedure, "
        "internallength integer, alignment text, storage text)",
    } <= signatures
    # managing needs pgtle_admin; reading does not
    assert tle.execute(
        "select has_function_privilege('anon', 'pgtle.install_extension(text, text, text, text, text[])', 'execute'), "
        "has_function_privilege('anon', 'pgtle.available_extensions()', 'execute')"
    ).fetchone() == (False, True)


# -- install, create, update, uninstall ------------------------------------------------------------


def test_install_create_update_and_uninstall(tle: psycopg.Connection) -> None:
    name = _name()
    _install(tle, name, description="Answers")
    assert tle.execute(
        "select pgtle.install_update_path(%s, '1.0', '1.1', %s)", (name, UPDATE.format(schema="public"))
    ).fetchone() == (True,)
    assert tle.execute(
        "select pgtle.install_extension_version_sql(%s, '1.1', %s)", (name, V2.format(schema="public"))
    ).fetchone() == (True,)
    assert tle.execute("select * from pgtle.available_extensions() where name = %s", (name,)).fetchall() == [
        (name, "1.0", "Answers")
    ]
    assert tle.execute(
        "select version, superuser, trusted, relocatable, schema, requires, comment "
        "from pgtle.available_extension_versions() where name = %s order by version",
        (name,),
    ).fetchall() == [
        ("1.0", False, False, False, None, ["pg_tle"], "Answers"),
        ("1.1", False, False, False, None, ["pg_tle"], "Answers"),
    ]
    assert tle.execute("select * from pgtle.extension_update_paths(%s) order by source", (name,)).fetchall() == [
        ("1.0", "1.1", "1.0--1.1"),
        ("1.1", "1.0", None),
    ]

    tle.execute(f'create extension "{name}"')
    assert tle.execute("select extversion from pg_extension where extname = %s", (name,)).fetchone() == ("1.0",)
    assert tle.execute("select public.tle_answer()").fetchone() == (42,)

    assert tle.execute("select pgtle.set_default_version(%s, '1.1')", (name,)).fetchone() == (True,)
    tle.execute(f'alter extension "{name}" update')  # to the new default, through the update path
    assert tle.execute("select extversion from pg_extension where extname = %s", (name,)).fetchone() == ("1.1",)
    assert tle.execute("select public.tle_answer()").fetchone() == (43,)

    # uninstalling leaves a created extension alone (as pg_tle): DROP EXTENSION removes it
    assert tle.execute("select pgtle.uninstall_extension(%s)", (name,)).fetchone() == (True,)
    assert tle.execute("select count(*) from pg_extension where extname = %s", (name,)).fetchone() == (1,)
    tle.execute(f'drop extension "{name}"')
    assert tle.execute("select count(*) from pgtle.available_extensions() where name = %s", (name,)).fetchone() == (0,)
    # its files stay on disk (SQL cannot delete files), but the extension is gone for this database
    error = _error(tle, f'create extension "{name}"')
    assert (error.diag.sqlstate, error.diag.message_primary) == ("0A000", f'extension "{name}" is not available')
    if _is_standin(tle):  # PostgreSQL's own hint (the real pg_tle's says "in the current database")
        assert error.diag.message_hint == (
            "The extension must first be installed on the system where PostgreSQL is running."
        )


def test_create_a_version_through_an_update_path(tle: psycopg.Connection) -> None:
    name = _name()
    _install(tle, name)
    tle.execute("select pgtle.install_update_path(%s, '1.0', '2.0', %s)", (name, UPDATE.format(schema="public")))
    tle.execute(f"create extension \"{name}\" version '2.0'")  # PostgreSQL installs 1.0, then updates
    assert tle.execute("select extversion from pg_extension where extname = %s", (name,)).fetchone() == ("2.0",)
    assert tle.execute("select public.tle_answer()").fetchone() == (43,)


def test_a_new_version_through_install_extension_replaces_the_control(tle: psycopg.Connection) -> None:
    # as pg_tle: install_extension of another version of an installed name sets its default version,
    # comment and requires, and keeps the other versions
    name = _name()
    _install(tle, name)
    _install(tle, name, "2.0", V2, description="Second")
    assert tle.execute("select * from pgtle.available_extensions() where name = %s", (name,)).fetchall() == [
        (name, "2.0", "Second")
    ]
    assert tle.execute(
        "select count(*) from pgtle.available_extension_versions() where name = %s", (name,)
    ).fetchone() == (2,)


def test_requires_and_cascade(tle: psycopg.Connection) -> None:
    base, dependent = _name(), _name()
    _install(tle, base)
    tle.execute(
        "select pgtle.install_extension(%s, '1.0', 'Needs the base', "
        "'create function public.tle_twice() returns integer language sql as $$ select 2 * public.tle_answer() $$', "
        "array[%s])",
        (dependent, base),
    )
    assert tle.execute(
        "select requires from pgtle.available_extension_versions() where name = %s", (dependent,)
    ).fetchone() == ([base, "pg_tle"],)
    error = _error(tle, f'create extension "{dependent}"')
    assert error.diag.message_primary == f'required extension "{base}" is not installed'
    tle.execute(f'create extension "{dependent}" cascade')
    assert tle.execute("select public.tle_twice()").fetchone() == (84,)


def test_uninstall_one_version(tle: psycopg.Connection) -> None:
    name = _name()
    _install(tle, name)
    tle.execute("select pgtle.install_extension_version_sql(%s, '1.1', %s)", (name, V2.format(schema="public")))
    tle.execute("select pgtle.install_update_path(%s, '1.0', '1.1', %s)", (name, UPDATE.format(schema="public")))
    error = _error(tle, "select pgtle.uninstall_extension(%s, '1.0')", (name,))
    assert error.diag.sqlstate == "P0001"
    assert error.diag.message_primary.startswith(f"Can not uninstall default version of extension {name}")
    assert tle.execute("select pgtle.uninstall_extension(%s, '1.1')", (name,)).fetchone() == (True,)
    assert tle.execute(
        "select version from pgtle.available_extension_versions() where name = %s", (name,)
    ).fetchall() == [("1.0",)]
    assert tle.execute("select count(*) from pgtle.extension_update_paths(%s)", (name,)).fetchone() == (0,)
    # the last version takes the extension with it
    assert tle.execute("select pgtle.uninstall_extension(%s, '1.0')", (name,)).fetchone() == (True,)
    assert tle.execute("select pgtle.uninstall_extension_if_exists(%s)", (name,)).fetchone() == (False,)


# -- errors ----------------------------------------------------------------------------------------


def test_install_errors(tle: psycopg.Connection) -> None:
    name = _name()
    _install(tle, name)
    cases = [
        ("select pgtle.install_extension(%s, '1.0', 'x', 'select 1')", (name,),
         "42710", f'extension "{name}" already installed'),
        ("select pgtle.install_extension_version_sql(%s, '1.0', 'select 1')", (name,),
         "42710", f'version "1.0" of extension "{name}" already installed'),
        ("select pgtle.install_extension('plpgsql', '1.0', 'x', 'select 1')", None,
         "55000", "control file already exists for the plpgsql extension"),
        ("select pgtle.install_extension('pg_net', '1.0', 'x', 'select 1')", None,  # a khepri-db stand-in is a file
         "55000", "control file already exists for the pg_net extension"),
        ("select pgtle.install_extension_version_sql('plpgsql', '1.0', 'select 1')", None,
         "55000", "extension plpgsql is not a tle extension"),
        ("select pgtle.install_extension_version_sql('khepri_no_such_tle', '1.0', 'select 1')", None,
         "55000", 'could not find control function "khepri_no_such_tle.control" for extension khepri_no_such_tle '
         "in schema pgtle"),
        ("select pgtle.install_extension('bad name', '1.0', 'x', 'select 1')", None,
         "22023", 'invalid extension name: "bad name"'),
        ("select pgtle.install_extension('bad--name', '1.0', 'x', 'select 1')", None,
         "22023", 'invalid extension name: "bad--name"'),
        ("select pgtle.install_extension(%s, '-1', 'x', 'select 1')", (_name(),),
         "22023", 'invalid extension version name: "-1"'),
        ("select pgtle.install_extension(null, '1.0', 'x', 'select 1')", None,
         "22004", '"name" is a required argument'),
        ("select pgtle.install_extension(%s, '1.0', null, 'select 1')", (_name(),),
         "22004", '"description" is a required argument'),
        ("select pgtle.install_extension(%s, '1.0', 'x', 'select $_pgtle_i_$')", (_name(),),
         "22023", "invalid character in extension definition"),
        ("select pgtle.set_default_version(%s, '9.9')", (name,),
         "42704", "extension and version do not exist"),
        ("select pgtle.uninstall_extension('khepri_no_such_tle')", None,
         "P0002", "Extension khepri_no_such_tle does not exist"),
        ("select pgtle.uninstall_update_path(%s, '1.0', '9.9')", (name,),
         "P0002", f"Extension {name} does not exist"),
        ("select * from pgtle.extension_update_paths('khepri_no_such_tle')", None,
         "0A000", 'extension "khepri_no_such_tle" is not available'),
    ]  # fmt: skip
    for query, params, sqlstate, message in cases:
        error = _error(tle, query, params)
        assert (error.diag.sqlstate, error.diag.message_primary) == (sqlstate, message), query
    tle.execute("select pgtle.install_update_path(%s, '1.0', '1.1', 'select 1')", (name,))
    error = _error(tle, "select pgtle.install_update_path(%s, '1.0', '1.1', 'select 1')", (name,))
    assert (error.diag.sqlstate, error.diag.message_primary) == (
        "42710", f'extension "{name}" update path "1.0-1.1" already installed',
    )  # fmt: skip
    assert error.diag.message_hint == 'To update this specific install path, first use "pgtle.uninstall_update_path".'
    assert tle.execute("select pgtle.uninstall_update_path_if_exists(%s, '1.0', '9.9')", (name,)).fetchone() == (False,)
    assert tle.execute("select pgtle.uninstall_extension_if_exists('khepri_no_such_tle')").fetchone() == (False,)
    if _is_standin(tle):  # pg_tle 1.4.0 names the version and the extension the other way round
        error = _error(tle, "select pgtle.uninstall_extension(%s, '9.9')", (name,))
        assert (error.diag.sqlstate, error.diag.message_primary) == (
            "P0001", f"Version 9.9 of extension {name} is not installed and therefore can not be uninstalled",
        )  # fmt: skip


def test_create_and_update_errors_are_postgresqls(tle: psycopg.Connection) -> None:
    name = _name()
    _install(tle, name)
    error = _error(tle, f"create extension \"{name}\" version '9.9'")
    assert (error.diag.sqlstate, error.diag.message_primary) == (
        "22023", f'extension "{name}" has no installation script nor update path for version "9.9"',
    )  # fmt: skip
    tle.execute(f'create extension "{name}"')
    error = _error(tle, f"alter extension \"{name}\" update to '9.9'")
    assert (error.diag.sqlstate, error.diag.message_primary) == (
        "22023", f'extension "{name}" has no update path from version "1.0" to version "9.9"',
    )  # fmt: skip


def test_unsupported_features_raise_0a000(standin: psycopg.Connection) -> None:
    tle = standin
    tle.execute("create function public.tle_hook(text, text, pgtle.password_types, timestamptz, boolean) "
                "returns void language sql as 'select'")  # fmt: skip
    for query, name in [
        ("select pgtle.register_feature('public.tle_hook', 'passcheck')", "pgtle.register_feature"),
        ("select pgtle.create_shell_type('public', 'tle_type')", "pgtle.create_shell_type"),
        (
            "select pgtle.create_base_type('public', 'tle_type', 'textin(cstring)'::regprocedure, "
            "'textout(text)'::regprocedure, -1)",
            "pgtle.create_base_type",
        ),
        ("select pgtle.create_operator_func('public', 'tle_type', 'texteq(text, text)')", "pgtle.create_operator_func"),
    ]:
        error = _error(tle, query)
        assert error.diag.sqlstate == "0A000", query
        assert name in error.diag.message_primary


# -- privileges ------------------------------------------------------------------------------------


def test_a_pgtle_admin_who_is_not_superuser(standin: psycopg.Connection) -> None:
    tle = standin
    name = _name()
    tle.execute("create role khepri_tle_admin nologin in role pgtle_admin")
    tle.execute("create role khepri_tle_nobody nologin")
    tle.execute("create schema khepri_tle_owned authorization khepri_tle_admin")
    tle.execute("set local role khepri_tle_admin")
    assert tle.execute("select rolsuper from pg_roles where rolname = current_user").fetchone() == (False,)
    _install(tle, name, sql=V1.replace("{schema}", "khepri_tle_owned"))
    # the event triggers write and check files for a role that may not (security definer)
    tle.execute(f'create extension "{name}" schema khepri_tle_owned')
    assert tle.execute("select khepri_tle_owned.tle_answer()").fetchone() == (42,)
    tle.execute("set local role khepri_tle_nobody")
    error = _error(tle, "select pgtle.install_extension(%s, '1.0', 'x', 'select 1')", (_name(),))
    assert error.diag.sqlstate == "42501"
    tle.execute("reset role")


# -- the files the stand-in writes -----------------------------------------------------------------


def test_control_file_is_marked_and_written_as_pg_tle_would(standin: psycopg.Connection) -> None:
    tle = standin
    name = _name()
    _install(tle, name, description="It's a test: \\ and\nnewline")
    tle.execute(f'create extension "{name}"')
    directory = tle.execute("select directory from pgtle.khepri_extension_directories() where writable").fetchone()[0]
    control = tle.execute("select pg_read_file(%s)", (f"{directory}/{name}.control",)).fetchone()[0]
    lines = control.splitlines()
    assert lines[0].startswith("# pg_tle stand-in (khepri-db): ")
    assert lines[1:] == [
        "comment = 'It''s a test: \\\\ and\\nnewline'",
        "default_version = '1.0'",
        "relocatable = false",
        "superuser = false",
        "trusted = false",
        "requires = 'pg_tle'",
    ]
    # PostgreSQL reads back the comment unchanged
    assert tle.execute("select comment from pg_available_extensions where name = %s", (name,)).fetchone() == (
        "It's a test: \\ and\nnewline",
    )
    kinds = tle.execute("select pgtle.khepri_control_kind(%s), pgtle.khepri_control_kind('plpgsql')", (name,))
    assert kinds.fetchone() == ("tle", "file")


def test_registrations_stay_file_names(standin: psycopg.Connection) -> None:
    # the tables are writable by pgtle_admin; what the superuser's event trigger writes stays in its directory
    for query in [
        "insert into pgtle.tle_extension (name, default_version, comment, requires) "
        "values ('../../escape', '1.0', 'x', '{pg_tle}')",
        "insert into pgtle.tle_extension (name, default_version, comment, requires) "
        "values ('fine', '../1.0', 'x', '{pg_tle}')",
        "insert into pgtle.tle_update_path (name, from_version, to_version, sql) values ('fine', '1.0', 'a/b', '')",
    ]:
        assert _error(standin, query).diag.sqlstate == "23514", query


@pytest.fixture
def second_clone(
    khepri_template_url: str, khepri_database_factory: DatabaseFactory, khepri_clone_url: str
) -> Iterator[str]:
    """Another clone of the template, besides ``khepri_clone_url``."""
    url = khepri_database_factory(template=database_name(khepri_template_url))
    yield url
    khepri_database_factory.drop(url)


def test_a_tle_registered_in_another_database_is_not_creatable_here(khepri_clone_url: str, second_clone: str) -> None:
    name = _name()
    with connect(khepri_clone_url, autocommit=True) as first:
        first.execute("create extension if not exists pg_tle")
        _install(first, name)
        first.execute("select pgtle.install_update_path(%s, '1.0', '1.1', %s)", (name, UPDATE.format(schema="public")))
        first.execute(f'create extension "{name}"')  # its files are on disk now
        assert first.execute("select public.tle_answer()").fetchone() == (42,)
    with connect(second_clone, autocommit=True) as second:
        second.execute("create extension if not exists pg_tle")
        error = _error(second, f'create extension "{name}"')
        assert (error.diag.sqlstate, error.diag.message_primary) == ("0A000", f'extension "{name}" is not available')
        assert second.execute("select count(*) from pg_extension where extname = %s", (name,)).fetchone() == (0,)
        # registered here at another version, with other SQL: 1.0 (only on disk) is refused, 2.0 is this one's
        _install(second, name, "2.0", V2)
        error = _error(second, f"create extension \"{name}\" version '1.0'")
        assert (error.diag.sqlstate, error.diag.message_primary) == (
            "22023", f'extension "{name}" has no installation script nor update path for version "1.0"',
        )  # fmt: skip
        assert second.execute("select to_regprocedure('public.tle_answer()') is null").fetchone() == (True,)
        second.execute(f'create extension "{name}"')
        assert second.execute("select extversion from pg_extension where extname = %s", (name,)).fetchone() == ("2.0",)
        assert second.execute("select public.tle_answer()").fetchone() == (43,)
    with connect(khepri_clone_url, autocommit=True) as first:
        # the first database's files are written again before its next CREATE/ALTER EXTENSION
        first.execute(f"alter extension \"{name}\" update to '1.1'")
        assert first.execute("select extversion from pg_extension where extname = %s", (name,)).fetchone() == ("1.1",)
        first.execute(f'drop extension "{name}"')
        # 2.0 is on disk (the second database's), but not registered here
        error = _error(first, f"create extension \"{name}\" version '2.0'")
        assert (error.diag.sqlstate, error.diag.message_primary) == (
            "22023", f'extension "{name}" has no installation script nor update path for version "2.0"',
        )  # fmt: skip
        first.execute(f'create extension "{name}"')
        assert first.execute("select public.tle_answer()").fetchone() == (42,)
