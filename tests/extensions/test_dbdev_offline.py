"""database.dev offline: the http stand-in answers api.database.dev from khepri-db's catalogue
(sql/dbdev/, staged by the engine as khepri_dbdev.json), so database.dev's install snippet and
``dbdev.install`` (the supabase-dbdev package, sql/dbdev/supabase-dbdev/) work with pg_tle's stand-in
and no network. Every test works inside the ``db`` fixture's rolled-back transaction. They skip on
servers without khepri-db's stand-ins, and where the http extension is the real one (it would
reach the network).
"""

from __future__ import annotations

import json
from pathlib import Path

import psycopg
import pytest

from khepri_db.core.project import bundled_path

pytestmark = pytest.mark.pg

API = "https://api.database.dev/rest/v1/"
SUPABASE_DBDEV_VERSION = "0.0.5"  # the newest version database.dev serves (supabase/dbdev's migrations)

# database.dev's install snippet, as Supabase projects run it (the apiKey is not needed offline).
SNIPPET = """
create extension if not exists http with schema extensions;
create extension if not exists pg_tle;
drop extension if exists "supabase-dbdev";
select pgtle.uninstall_extension_if_exists('supabase-dbdev');
select pgtle.install_extension('supabase-dbdev', resp.contents ->> 'version', 'PostgreSQL package manager', resp.contents ->> 'sql')
from http(('GET', 'https://api.database.dev/rest/v1/package_versions?select=sql,version&package_name=eq.supabase-dbdev&order=version.desc&limit=1', array[('apiKey', '...')::http_header], null, null)) x,
lateral (select ((row_to_json(x) -> 'content') #>> '{}')::json -> 0) resp(contents);
create extension "supabase-dbdev";
select dbdev.install('supabase-dbdev');
drop extension if exists "supabase-dbdev";
create extension "supabase-dbdev";
"""  # noqa: E501

VIEW_COLUMNS = {
    "packages": [
        "id", "package_name", "handle", "partial_name", "latest_version", "description_md", "control_description",
        "control_requires", "created_at", "default_version", "package_alias",
    ],
    "package_versions": [
        "id", "package_id", "package_name", "version", "sql", "description_md", "control_description",
        "control_requires", "created_at", "package_alias",
    ],
    "package_upgrades": [
        "id", "package_id", "package_name", "from_version", "to_version", "sql", "created_at", "package_alias",
    ],
}  # fmt: skip

BASEJUMP = "basejump-supabase_test_helpers"


@pytest.fixture
def offline(db: psycopg.Connection) -> psycopg.Connection:
    """``db`` with the http stand-in in ``extensions`` and pg_tle."""
    available = db.execute("select count(*) from pg_available_extensions where name in ('http', 'pg_tle')").fetchone()
    if not available or available[0] < 2:
        pytest.skip("this server has no http/pg_tle stand-ins: only servers khepri-db starts get them")
    db.execute("create extension if not exists http with schema extensions")
    db.execute("create extension if not exists pg_tle")
    standin = db.execute(
        "select to_regprocedure(format('%I._khepri_dbdev_catalogue()', extnamespace::regnamespace)) is not null "
        "from pg_extension where extname = 'http'"
    ).fetchone()
    if standin != (True,):
        pytest.skip("the http extension here is the real one: database.dev would be reached over the network")
    return db


def _error(db: psycopg.Connection, query: str, params: object = None) -> psycopg.Error:
    """Run ``query`` in a savepoint and return the error it raises."""
    with pytest.raises(psycopg.Error) as caught, db.transaction():
        db.execute(query, params)
    return caught.value


def _get(db: psycopg.Connection, path: str) -> tuple[int, str | None, dict[str, str], str]:
    status, content_type, headers, content = db.execute(
        "select status, content_type, headers::text[], content from extensions.http_get(%s)", (API + path,)
    ).fetchone()
    fields = {}
    for header in headers or []:
        field, value = header.strip("()").split(",", 1)
        fields[field] = value.strip('"')
    return status, content_type, fields, content


def _catalogue_package(name: str) -> dict | None:
    meta = bundled_path("sql", "dbdev") / name / "package.json"
    return json.loads(meta.read_text(encoding="utf-8")) if meta.is_file() else None


# -- the install snippet and dbdev.install ---------------------------------------------------------


def test_the_install_snippet_runs_unchanged(offline: psycopg.Connection) -> None:
    offline.execute(SNIPPET)
    assert offline.execute(
        "select extversion, extnamespace::regnamespace::text from pg_extension where extname = 'supabase-dbdev'"
    ).fetchone() == (SUPABASE_DBDEV_VERSION, "public")
    assert offline.execute(
        "select name, default_version, comment from pgtle.available_extensions() where name = 'supabase-dbdev'"
    ).fetchone() == ("supabase-dbdev", SUPABASE_DBDEV_VERSION, "PostgreSQL package manager")
    assert offline.execute(
        "select pg_get_function_identity_arguments('dbdev.install'::regproc), "
        "pg_get_function_result('dbdev.install'::regproc)"
    ).fetchone() == ("package_name text, base_url text, api_key text", "boolean")
    # running it again (a second migration, a test file) works too
    offline.execute(SNIPPET)
    assert offline.execute("select dbdev.install('supabase-dbdev')").fetchone() == (True,)


def test_dbdev_installs_every_version_and_update_path(offline: psycopg.Connection) -> None:
    offline.execute(SNIPPET)
    package = _catalogue_package(BASEJUMP)
    if package is None:
        pytest.skip(f"{BASEJUMP} is not in khepri-db's catalogue (sql/dbdev/{BASEJUMP}/)")
    offline.execute("create extension if not exists pgtap with schema extensions")
    assert offline.execute(f"select dbdev.install('{BASEJUMP}')").fetchone() == (True,)
    scripts = sorted(p.name for p in (bundled_path("sql", "dbdev") / BASEJUMP).glob("*.sql"))
    versions = [s[len(BASEJUMP) + 2 : -4] for s in scripts if s.count("--") == 1]
    paths = [s[len(BASEJUMP) + 2 : -4].split("--") for s in scripts if s.count("--") == 2]
    assert sorted(
        row[0]
        for row in offline.execute(
            "select version from pgtle.available_extension_versions() where name = %s", (BASEJUMP,)
        )
    ) == sorted(versions)
    assert sorted(
        [row[0], row[1]]
        for row in offline.execute(
            "select source, target from pgtle.extension_update_paths(%s) where path = source || '--' || target",
            (BASEJUMP,),
        )
    ) == sorted(paths)
    assert offline.execute(
        "select default_version from pgtle.available_extensions() where name = %s", (BASEJUMP,)
    ).fetchone() == (package["default_version"],)
    # installed versions are skipped: a second install changes nothing and succeeds
    assert offline.execute(f"select dbdev.install('{BASEJUMP}')").fetchone() == (True,)
    offline.execute(f"create extension \"{BASEJUMP}\" version '0.0.6'")
    assert offline.execute("select extversion from pg_extension where extname = %s", (BASEJUMP,)).fetchone() == (
        "0.0.6",
    )
    assert offline.execute(
        "select count(*) > 0 from pg_proc "
        "where proname = 'create_supabase_user' and pronamespace = 'tests'::regnamespace"
    ).fetchone() == (True,)


def test_dbdev_accepts_database_devs_new_package_names(offline: psycopg.Connection) -> None:
    offline.execute(SNIPPET)
    # handle@partial_name: registered with pg_tle under the name asked for, as dbdev does
    assert offline.execute("select dbdev.install('supabase@dbdev')").fetchone() == (True,)
    assert offline.execute(
        "select default_version, comment from pgtle.available_extensions() where name = 'supabase@dbdev'"
    ).fetchone() == (SUPABASE_DBDEV_VERSION, "Install packages from the database.dev registry")


def test_dbdev_install_of_an_unknown_package(offline: psycopg.Connection) -> None:
    offline.execute(SNIPPET)
    error = _error(offline, "select dbdev.install('nobody-nothing')")
    assert error.diag.sqlstate == "0A000"
    assert '"nobody-nothing"' in error.diag.message_primary
    assert "supabase-dbdev (supabase@dbdev)" in error.diag.message_detail


def test_dbdev_requires_http_and_pg_tle(offline: psycopg.Connection) -> None:
    offline.execute(SNIPPET)
    offline.execute("drop extension http")
    error = _error(offline, "select dbdev.install('supabase-dbdev')")
    assert (error.diag.sqlstate, error.diag.message_primary) == (
        "22000", "dbdev requires the http extension and it is not available",
    )  # fmt: skip


# -- what the http stand-in answers ----------------------------------------------------------------


@pytest.mark.parametrize("view", list(VIEW_COLUMNS))
def test_response_shape_of_each_view(offline: psycopg.Connection, view: str) -> None:
    status, content_type, headers, content = _get(offline, f"{view}?package_name=eq.supabase-dbdev")
    assert (status, content_type) == (200, "application/json; charset=utf-8")
    assert headers["content-type"] == "application/json; charset=utf-8"
    rows = json.loads(content)
    assert isinstance(rows, list)
    if view == "package_upgrades":
        assert rows == []  # supabase-dbdev has a single version
        return
    assert len(rows) == 1
    assert list(rows[0]) == VIEW_COLUMNS[view]  # every column, in the view's order
    assert rows[0]["package_name"] == "supabase-dbdev"
    assert rows[0]["package_alias"] == "supabase@dbdev"
    assert rows[0]["control_requires"] == []
    assert headers["content-range"] == "0-0/*"


def test_the_body_is_laid_out_as_postgrest_does(offline: psycopg.Connection) -> None:
    # PostgREST answers json_agg(row): compare byte for byte with PostgreSQL's own json_agg
    _, _, _, content = _get(offline, "packages?select=package_name,control_requires,created_at&order=package_name")
    rows = json.loads(content)
    expected = offline.execute(
        "select json_agg(t)::text from json_to_recordset(%s::json) "
        "as t(package_name text, control_requires varchar(128)[], created_at timestamptz)",
        (json.dumps(rows),),
    ).fetchone()[0]
    assert content == expected


@pytest.mark.parametrize(
    "path",
    [
        # dbdev 0.0.5 (database.dev's newest client)
        "package_versions?select=version,sql,control_description,control_requires&limit=50"
        "&or=(package_name.eq.supabase-dbdev,package_alias.eq.supabase-dbdev)",
        "package_upgrades?select=from_version,to_version,sql&limit=50"
        "&or=(package_name.eq.supabase@dbdev,package_alias.eq.supabase@dbdev)",
        "packages?select=default_version&limit=1&or=(package_name.eq.supabase@dbdev,package_alias.eq.supabase@dbdev)",
        # older clients
        "package_versions?select=package_name,version,sql,control_description,control_requires&limit=50"
        "&package_name=eq.supabase-dbdev",
        "package_upgrades?select=package_name,from_version,to_version,sql&limit=50&package_name=eq.supabase-dbdev",
        "packages?select=package_name,default_version&limit=1&package_name=eq.supabase-dbdev",
        # the install snippets, old and new
        "package_versions?select=sql,version&package_name=eq.supabase-dbdev&order=version.desc&limit=1",
        "package_versions?select=sql,version&package_alias=eq.supabase@dbdev&order=version.desc&limit=1",
        # the website's lookups
        "packages?select=*&handle=eq.supabase&partial_name=eq.dbdev",
        "package_versions?select=version&package_name=eq.supabase-dbdev&version=eq.0.0.5",
    ],
)
def test_the_requests_dbdev_and_the_snippets_make(offline: psycopg.Connection, path: str) -> None:
    status, _, _, content = _get(offline, path)
    assert status == 200
    rows = json.loads(content)
    if path.startswith("package_upgrades"):
        assert rows == []
    else:
        assert len(rows) == 1
    select = path.split("select=", 1)[1].split("&", 1)[0]
    if select != "*" and rows:
        assert list(rows[0]) == select.split(",")


def test_filters_order_limit_offset(offline: psycopg.Connection) -> None:
    if _catalogue_package(BASEJUMP) is None:
        pytest.skip(f"{BASEJUMP} is not in khepri-db's catalogue")
    versions = sorted(
        (p.name[len(BASEJUMP) + 2 : -4] for p in (bundled_path("sql", "dbdev") / BASEJUMP).glob("*.sql")),
    )
    versions = [v for v in versions if "--" not in v]
    _, _, headers, content = _get(
        offline, "package_versions?select=version&package_alias=eq.basejump@supabase_test_helpers&order=version.desc"
    )
    assert [r["version"] for r in json.loads(content)] == sorted(versions, reverse=True)
    _, _, headers, content = _get(
        offline, f"package_versions?select=version&package_name=eq.{BASEJUMP}&order=version.asc&limit=2&offset=1"
    )
    assert [r["version"] for r in json.loads(content)] == sorted(versions)[1:3]
    assert headers["content-range"] == "1-2/*"


def test_a_package_asked_in_the_other_name_form_has_no_rows(offline: psycopg.Connection) -> None:
    # as on database.dev: package_name never holds handle@partial_name
    status, _, headers, content = _get(offline, "package_versions?select=version&package_name=eq.supabase@dbdev")
    assert (status, content, headers["content-range"]) == (200, "[]", "*/*")


def test_an_unknown_package_raises_naming_it(offline: psycopg.Connection) -> None:
    for path in [
        "package_versions?select=sql,version&package_name=eq.olirice-index_advisor&order=version.desc&limit=1",
        "packages?select=default_version&or=(package_name.eq.olirice@index_advisor,package_alias.eq.olirice@index_advisor)",
        "packages?handle=eq.olirice&partial_name=eq.index_advisor",
    ]:
        error = _error(offline, "select extensions.http_get(%s)", (API + path,))
        assert error.diag.sqlstate == "0A000", path
        assert "olirice" in error.diag.message_primary
        assert "not in khepri-db's offline catalogue" in error.diag.message_primary
        assert "supabase-dbdev (supabase@dbdev)" in error.diag.message_detail


def test_an_unknown_column_is_postgrests_400(offline: psycopg.Connection) -> None:
    status, _, _, content = _get(offline, "packages?select=nope&package_name=eq.supabase-dbdev")
    assert status == 400
    assert json.loads(content) == {
        "code": "42703", "details": None, "hint": None, "message": "column packages.nope does not exist",
    }  # fmt: skip


def test_register_download_is_answered_with_no_content(offline: psycopg.Connection) -> None:
    row = offline.execute(
        "select status, content_type from extensions.http(('POST', %s, null, 'application/json', "
        '\'{"package_name": "supabase-dbdev"}\'))',
        (API + "rpc/register_download",),
    ).fetchone()
    assert row == (204, None)


def test_every_other_request_still_raises(offline: psycopg.Connection) -> None:
    for query in [
        "select extensions.http_get('https://example.com/')",
        f"select extensions.http_get('{API}popular_packages')",
        f"select extensions.http_post('{API}packages', '{{}}', 'application/json')",
        "select extensions.http_get('https://api.database.dev/rest/v1/packages?package_name=neq.x')",
    ]:
        error = _error(offline, query)
        assert error.diag.sqlstate == "0A000", query
        assert "http stand-in" in error.diag.message_primary


def test_the_catalogue_matches_the_bundled_packages() -> None:
    from khepri_db.engines._standins import dbdev_catalogue

    bundled = sorted(p.parent.name for p in Path(bundled_path("sql", "dbdev")).glob("*/package.json"))
    catalogue = json.loads(dbdev_catalogue())
    assert [p["package_name"] for p in catalogue["packages"]] == bundled
    dbdev = next(p for p in catalogue["packages"] if p["package_name"] == "supabase-dbdev")
    assert (dbdev["default_version"], [v["version"] for v in dbdev["versions"]]) == (
        SUPABASE_DBDEV_VERSION, [SUPABASE_DBDEV_VERSION],
    )  # fmt: skip
