"""khepri-db's own basejump-supabase_test_helpers (sql/dbdev/basejump-supabase_test_helpers/), every version.

Until the pg_tle stand-in serves them through ``create extension``, each test runs a version's install
script (and upgrade scripts) as plain SQL inside the ``db`` fixture's rolled-back transaction, on a
database with the Supabase compatibility layer, and asserts what the helpers do: rows in
``auth.users``, the role and claims ``authenticate_as`` leaves behind (and RLS really applying),
errors, pgTAP output and frozen time. See docs/extensions/basejump-supabase_test_helpers.md.
"""

from __future__ import annotations

import itertools
import json
import re
from datetime import UTC, datetime
from typing import Any

import psycopg
import pytest

from tests.support import REPO, scalar, skip_or_fail

pytestmark = pytest.mark.pg

PACKAGE = "basejump-supabase_test_helpers"
DIRECTORY = REPO / "sql" / "dbdev" / PACKAGE
VERSIONS = ["0.0.1", "0.0.2", "0.0.3", "0.0.4", "0.0.5", "0.0.6"]
UPGRADES = list(itertools.pairwise(VERSIONS))

# (function, arguments as pg_get_function_arguments shows them, result, security definer), per version.
BASE = {
    ("tests.create_supabase_user", "identifier text, email text DEFAULT NULL::text, "
     "phone text DEFAULT NULL::text, metadata jsonb DEFAULT NULL::jsonb", "uuid", True),
    ("tests.get_supabase_user", "identifier text", "json", True),
    ("tests.get_supabase_uid", "identifier text", "uuid", True),
    ("tests.authenticate_as", "identifier text", "void", False),
    ("tests.clear_authentication", "", "void", False),
    ("tests.rls_enabled", "testing_schema text", "text", False),
    ("tests.rls_enabled", "testing_schema text, testing_table text", "text", False),
}  # fmt: skip
SERVICE_ROLE = {("tests.authenticate_as_service_role", "", "void", False)}
FROZEN_TIME = {
    ("tests.freeze_time", "frozen_time timestamp with time zone", "void", False),
    ("tests.unfreeze_time", "", "void", False),
    ("test_overrides.now", "", "timestamp with time zone", False),
}
FUNCTIONS = {
    "0.0.1": BASE,
    "0.0.2": BASE | SERVICE_ROLE,
    "0.0.3": BASE | SERVICE_ROLE,
    "0.0.4": BASE | SERVICE_ROLE | FROZEN_TIME,
    "0.0.5": BASE | SERVICE_ROLE | FROZEN_TIME,
    "0.0.6": BASE | SERVICE_ROLE | FROZEN_TIME,
}
CLAIMS = {"sub", "email", "phone"}
METADATA_CLAIMS = CLAIMS | {"user_metadata", "app_metadata"}

CATALOG = """
select
    p.pronamespace::regnamespace::text || '.' || p.proname as name,
    pg_get_function_arguments(p.oid) as arguments,
    pg_get_function_result(p.oid) as result,
    p.prosecdef,
    p.provolatile,
    p.proconfig,
    l.lanname,
    md5(p.prosrc) as body,
    array(
        select coalesce(r.rolname, 'public') || ':' || a.privilege_type
        from aclexplode(coalesce(p.proacl, acldefault('f', p.proowner))) as a
        left join pg_roles as r on r.oid = a.grantee
        order by 1
    ) as acl
from pg_proc as p
inner join pg_language as l on l.oid = p.prolang
where p.pronamespace in (select oid from pg_namespace where nspname in ('tests', 'test_overrides'))
order by 1, 2
"""
SCHEMA_ACLS = """
select
    n.nspname,
    array(
        select coalesce(r.rolname, 'public') || ':' || a.privilege_type
        from aclexplode(coalesce(n.nspacl, acldefault('n', n.nspowner))) as a
        left join pg_roles as r on r.oid = a.grantee
        order by 1
    ),
    array(
        select coalesce(r.rolname, 'public') || ':' || a.privilege_type
        from pg_default_acl as d, aclexplode(d.defaclacl) as a
        left join pg_roles as r on r.oid = a.grantee
        where d.defaclnamespace = n.oid
        order by 1
    )
from pg_namespace as n
where n.nspname in ('tests', 'test_overrides')
order by 1
"""


def _script(name: str) -> str:
    return (DIRECTORY / f"{PACKAGE}--{name}.sql").read_text(encoding="utf-8")


def _install(db: psycopg.Connection, version: str) -> None:
    db.execute(_script(version))


def _error(db: psycopg.Connection, query: str, params: Any = None) -> psycopg.Error:
    """Run ``query`` in a savepoint and return the error it raises."""
    with pytest.raises(psycopg.Error) as caught, db.transaction():
        db.execute(query, params)
    return caught.value


def _who(db: psycopg.Connection) -> tuple[str, bool, bool, Any]:
    """current_user, whether it is a superuser, whether it bypasses RLS, and auth.uid()."""
    row = db.execute(
        "select current_user, r.rolsuper, r.rolbypassrls, auth.uid() from pg_roles as r where r.rolname = current_user"
    ).fetchone()
    assert row is not None
    return row


@pytest.fixture(params=VERSIONS)
def version(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def helpers(db: psycopg.Connection, version: str) -> psycopg.Connection:
    """The ``db`` transaction with ``version``'s install script run in it."""
    _install(db, version)
    return db


@pytest.fixture
def pgtap(db: psycopg.Connection) -> psycopg.Connection:
    available = db.execute("select count(*) from pg_available_extensions where name = 'pgtap'").fetchone()
    if not available or available[0] == 0:
        skip_or_fail("this server has no pgTAP (khepri-db stages it when the machine has one: postgresql-15-pgtap)")
    db.execute("create extension if not exists pgtap with schema extensions")
    return db


# -- the scripts -----------------------------------------------------------------------------------


def test_every_version_and_upgrade_has_a_script() -> None:
    names = sorted(path.name for path in DIRECTORY.glob("*.sql"))
    expected = [f"{PACKAGE}--{v}.sql" for v in VERSIONS] + [f"{PACKAGE}--{a}--{b}.sql" for a, b in UPGRADES]
    assert names == sorted(expected)
    for name in names:
        text = (DIRECTORY / name).read_text(encoding="utf-8")
        assert text.startswith(f"-- khepri-db's own implementation of {PACKAGE} "), name
        assert "docs/extensions/basejump-supabase_test_helpers.md" in text.splitlines()[1], name
        # an extension script: no transaction control, no psql meta-commands
        assert not re.search(r"^\s*(begin|commit|rollback)\s*;", text, re.IGNORECASE | re.MULTILINE), name
        assert "\\echo" not in text, name


def test_package_row() -> None:
    package = json.loads((DIRECTORY / "package.json").read_text(encoding="utf-8"))
    assert package["package_name"] == f"{package['handle']}-{package['partial_name']}" == PACKAGE
    assert package["default_version"] in VERSIONS
    assert (package["control_relocatable"], package["control_requires"]) == (False, ["pgtap"])


def test_install_defines_the_versions_functions(helpers: psycopg.Connection, version: str) -> None:
    rows = helpers.execute(CATALOG).fetchall()
    assert {(name, arguments, result, secdef) for name, arguments, result, secdef, *_ in rows} == FUNCTIONS[version]
    for name, _arguments, _result, secdef, _volatile, config, *_ in rows:
        # security definer functions pin their search_path; the others must not (they change settings)
        assert (config == ["search_path=auth, pg_temp"]) == secdef, name
    roles = "anon, authenticated" if version == "0.0.1" else "anon, authenticated, service_role"
    for role in roles.split(", "):
        assert scalar(helpers, "select has_schema_privilege(%s, 'tests', 'usage')", (role,)), role
        assert scalar(helpers, "select has_function_privilege(%s, 'tests.authenticate_as(text)', 'execute')", (role,))
    overrides = "test_overrides" if version >= "0.0.4" else None
    assert scalar(helpers, "select to_regnamespace('test_overrides')::text") == overrides
    if overrides:
        # 0.0.5 let the API roles use test_overrides, so frozen time applies to them
        usage = scalar(helpers, "select has_schema_privilege('authenticated', 'test_overrides', 'usage')")
        assert usage == (version >= "0.0.5")


@pytest.mark.parametrize(("old", "new"), UPGRADES)
def test_upgrade_gives_the_install_catalog(db: psycopg.Connection, old: str, new: str) -> None:
    with db.transaction(force_rollback=True):
        _install(db, old)
        db.execute(_script(f"{old}--{new}"))
        upgraded = db.execute(CATALOG).fetchall(), db.execute(SCHEMA_ACLS).fetchall()
    with db.transaction(force_rollback=True):
        _install(db, new)
        installed = db.execute(CATALOG).fetchall(), db.execute(SCHEMA_ACLS).fetchall()
    assert upgraded == installed
    assert {(name, arguments, result, secdef) for name, arguments, result, secdef, *_ in installed[0]} == (
        FUNCTIONS[new]
    )


# -- users -----------------------------------------------------------------------------------------


def test_create_supabase_user_writes_auth_users(helpers: psycopg.Connection, version: str) -> None:
    alice = scalar(helpers, "select tests.create_supabase_user('alice')")
    bob = scalar(
        helpers,
        "select tests.create_supabase_user('bob', 'bob@example.com', '+15550100', '{\"plan\": \"pro\"}'::jsonb)",
    )
    rows = {
        row[0]: row[1:]
        for row in helpers.execute(
            "select id, email, phone, raw_user_meta_data, raw_app_meta_data, created_at, updated_at "
            "from auth.users where id in (%s, %s)",
            (alice, bob),
        ).fetchall()
    }
    email, phone, user_meta, app_meta, created_at, updated_at = rows[alice]
    assert (email, phone, user_meta) == (f"{alice}@test.com", None, {"test_identifier": "alice"})
    assert rows[bob][:3] == ("bob@example.com", "+15550100", {"test_identifier": "bob", "plan": "pro"})
    assert app_meta == ({} if version >= "0.0.3" else None)
    if version >= "0.0.4":
        now = scalar(helpers, "select pg_catalog.now()")
        assert created_at == updated_at == now
    else:
        assert (created_at, updated_at) == (None, None)
    assert scalar(helpers, "select tests.get_supabase_uid('bob')") == bob
    user = scalar(helpers, "select tests.get_supabase_user('bob')")
    expected = {"id": str(bob), "email": "bob@example.com", "phone": "+15550100", "raw_user_meta_data": rows[bob][2]}
    if version >= "0.0.3":
        expected["raw_app_meta_data"] = {}
    assert user == expected


def test_any_test_role_may_create_users(helpers: psycopg.Connection) -> None:
    for role in ("anon", "authenticated"):
        helpers.execute(f"set local role {role}")
        uid = scalar(helpers, "select tests.create_supabase_user(%s)", (f"made-by-{role}",))
        assert scalar(helpers, "select tests.get_supabase_uid(%s)", (f"made-by-{role}",)) == uid
        assert scalar(helpers, "select current_user") == role  # the security definer did not leak its role
        assert _error(helpers, "select count(*) from auth.users").diag.sqlstate == "42501"
        helpers.execute("reset role")


@pytest.mark.parametrize(
    "call", ["tests.get_supabase_uid('nobody')", "tests.get_supabase_user('nobody')", "tests.authenticate_as('nobody')"]
)
def test_unknown_identifier_raises(helpers: psycopg.Connection, call: str) -> None:
    helpers.execute("select tests.create_supabase_user('somebody')")
    error = _error(helpers, f"select {call}")
    assert (error.diag.sqlstate, error.diag.message_primary) == ("P0001", "User with identifier nobody not found")
    assert _who(helpers)[0] == "postgres"


# -- acting as a user ------------------------------------------------------------------------------


def test_authenticate_as_switches_role_and_claims(helpers: psycopg.Connection, version: str) -> None:
    alice = scalar(helpers, "select tests.create_supabase_user('alice', 'alice@example.com')")
    helpers.execute("select tests.authenticate_as('alice')")
    assert _who(helpers) == ("authenticated", False, False, alice)
    claims = json.loads(scalar(helpers, "select current_setting('request.jwt.claims')"))
    assert set(claims) == (METADATA_CLAIMS if version >= "0.0.3" else CLAIMS)
    assert (claims["sub"], claims["email"], claims["phone"]) == (str(alice), "alice@example.com", None)
    if version >= "0.0.3":
        assert (claims["user_metadata"], claims["app_metadata"]) == ({"test_identifier": "alice"}, {})
    assert scalar(helpers, "select auth.role()") is None  # the package puts no role claim in the JWT

    helpers.execute("select tests.clear_authentication()")
    assert _who(helpers) == ("anon", False, False, None)
    assert scalar(helpers, "select current_setting('request.jwt.claims')") == ""

    if version >= "0.0.2":
        helpers.execute("select tests.authenticate_as('alice'), tests.authenticate_as_service_role()")
        assert _who(helpers)[0::3] == ("service_role", None)
        assert scalar(helpers, "select current_setting('request.jwt.claims')") == ""


def test_authenticate_as_lasts_until_the_transaction_ends(helpers: psycopg.Connection) -> None:
    helpers.execute("select tests.create_supabase_user('alice')")
    with helpers.transaction(force_rollback=True):
        helpers.execute("select tests.authenticate_as('alice')")
        assert _who(helpers)[0] == "authenticated"
    assert _who(helpers)[0::3] == ("postgres", None)


def test_rls_applies_to_the_authenticated_user(helpers: psycopg.Connection) -> None:
    alice = scalar(helpers, "select tests.create_supabase_user('alice')")
    bob = scalar(helpers, "select tests.create_supabase_user('bob')")
    helpers.execute("create table public.helper_notes (owner uuid not null, body text not null)")
    helpers.execute("alter table public.helper_notes enable row level security")
    helpers.execute("grant select on public.helper_notes to authenticated, anon")
    helpers.execute(
        "create policy helper_notes_select_owner on public.helper_notes for select to authenticated "
        "using (owner = (select auth.uid()))"
    )
    helpers.execute("insert into public.helper_notes values (%s, 'alice''s'), (%s, 'bob''s')", (alice, bob))
    helpers.execute("select tests.authenticate_as('bob')")
    assert helpers.execute("select body from public.helper_notes").fetchall() == [("bob's",)]
    helpers.execute("select tests.clear_authentication()")
    assert helpers.execute("select body from public.helper_notes").fetchall() == []


# -- pgTAP -----------------------------------------------------------------------------------------


def test_rls_enabled_is_a_pgtap_test(helpers: psycopg.Connection, pgtap: psycopg.Connection) -> None:
    helpers.execute("create schema helper_probe")
    helpers.execute("create table helper_probe.closed (id int)")
    helpers.execute("alter table helper_probe.closed enable row level security")
    helpers.execute("create table helper_probe.open (id int)")
    helpers.execute("select plan(5)")
    results = [
        scalar(helpers, "select tests.rls_enabled('helper_probe', 'closed')"),
        scalar(helpers, "select tests.rls_enabled('helper_probe', 'open')"),
        scalar(helpers, "select tests.rls_enabled('helper_probe')"),
    ]
    helpers.execute("alter table helper_probe.open enable row level security")
    results.append(scalar(helpers, "select tests.rls_enabled('helper_probe')"))
    helpers.execute("create view helper_probe.open_ids as select id from helper_probe.open")
    results.append(scalar(helpers, "select tests.rls_enabled('helper_probe')"))  # a view has no RLS: fails
    rls = " schema should have row level security enabled"
    assert results[0] == f"ok 1 - closedtable in thehelper_probe{rls}"
    assert results[1].startswith(f"not ok 2 - opentable in thehelper_probe{rls}\n# Failed test 2:")
    assert results[1].endswith("have: 0\n#         want: 1")
    assert results[2].startswith(f"not ok 3 - All tables in thehelper_probe{rls}\n")
    assert results[3] == f"ok 4 - All tables in thehelper_probe{rls}"
    assert results[4].startswith("not ok 5 - ")
    assert helpers.execute("select * from finish()").fetchall() == [("# Looks like you failed 3 tests of 5",)]


# -- frozen time (0.0.4+) --------------------------------------------------------------------------

FROZEN = datetime(2020, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize("version", ["0.0.4", "0.0.5", "0.0.6"])
def test_freeze_time_overrides_now(helpers: psycopg.Connection, version: str) -> None:
    path = scalar(helpers, "show search_path")
    helpers.execute("select tests.freeze_time(%s)", (FROZEN,))
    assert scalar(helpers, "show search_path") == f"test_overrides,{path},pg_catalog"
    assert scalar(helpers, "select now()") == FROZEN
    helpers.execute("create table public.helper_stamps (id int, at timestamptz default now())")
    helpers.execute("insert into public.helper_stamps (id) values (1)")
    assert scalar(helpers, "select at from public.helper_stamps") == FROZEN
    helpers.execute("select tests.freeze_time('2021-06-01'::date)")  # any value that casts to timestamptz
    assert scalar(helpers, "select now() = '2021-06-01'::date::timestamptz")
    assert scalar(helpers, "show search_path") == f"test_overrides,{path},pg_catalog"  # not prefixed twice

    # a signed-in user sees frozen time only from 0.0.5 (0.0.4 gave the API roles no usage on test_overrides)
    helpers.execute("select tests.create_supabase_user('alice'), tests.authenticate_as('alice')")
    assert scalar(helpers, "select now() = pg_catalog.now()") == (version == "0.0.4")
    helpers.execute("reset role")

    helpers.execute("select tests.unfreeze_time()")
    assert scalar(helpers, "show search_path") == path
    assert scalar(helpers, "select now() = pg_catalog.now()")
    assert scalar(helpers, "select current_setting('tests.frozen_time')") == ""


@pytest.mark.parametrize("version", ["0.0.4", "0.0.5", "0.0.6"])
def test_unfreeze_without_freeze_keeps_the_search_path(helpers: psycopg.Connection) -> None:
    path = scalar(helpers, "show search_path")
    helpers.execute("select tests.unfreeze_time()")
    assert scalar(helpers, "show search_path") == path
