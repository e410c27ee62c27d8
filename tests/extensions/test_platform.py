"""The platform extension stand-ins (sql/extensions/) on the session server, through the plugin.

Every test works inside the ``db`` fixture's rolled-back transaction (``create extension`` too),
except the CLI test, which needs committed jobs in its own clone. The stand-ins reach the server
through ``extension_control_path`` on PostgreSQL 18+ (the embedded engine) and through the system
engine's private install tree below 18; on a server khepri-db does not start (``--khepri-engine url``)
they are missing and these tests skip.
"""

from __future__ import annotations

import json

import psycopg
import pytest

from khepri_db.core.db import connect
from tests.support import Cli

pytestmark = pytest.mark.pg

SUPABASE_VERSIONS = {
    "pg_cron": "1.6.4",
    "pg_net": "0.19.5",
    "supabase_vault": "0.3.1",
    "pgmq": "1.5.1",
    "pg_jsonschema": "0.3.3",
    "pg_graphql": "1.5.11",
    "pgsodium": "3.1.8",
    "http": "1.6",
    "pg_tle": "1.4.0",
}


@pytest.fixture(autouse=True)
def _needs_standins(db: psycopg.Connection) -> None:
    available = db.execute("select count(*) from pg_available_extensions where name = 'pg_net'").fetchone()
    if not available or available[0] == 0:
        pytest.skip("this server has no pg_net stand-in: only servers khepri-db starts (embedded, system) get them")


def _error(db: psycopg.Connection, query: str, params: object = None) -> psycopg.Error:
    """Run ``query`` in a savepoint and return the error it raises."""
    with pytest.raises(psycopg.Error) as caught, db.transaction():
        db.execute(query, params)
    return caught.value


def test_supabase_names_and_default_versions(db: psycopg.Connection) -> None:
    rows = dict(
        db.execute(
            "select name, default_version from pg_available_extensions where name = any(%s)",
            (list(SUPABASE_VERSIONS),),
        ).fetchall()
    )
    assert rows == SUPABASE_VERSIONS


def test_preinstalled_where_supabase_has_them(empty_db_url: str) -> None:
    # On a database with only the compatibility layer: the Khepri schema itself drops pg_graphql.
    from khepri_db.migrations import compat

    with connect(empty_db_url) as db:
        compat.install(db)
        installed = dict(db.execute("select extname, extnamespace::regnamespace::text from pg_extension").fetchall())
        assert installed["pg_graphql"] == "graphql"
        assert installed["supabase_vault"] == "vault"
        assert installed["pg_stat_statements"] == "extensions"
        assert installed["pgcrypto"] == installed["uuid-ossp"] == "extensions"
        # pgsodium in schema pgsodium, with the grants of supabase/postgres' PG15 image
        assert installed["pgsodium"] == "pgsodium"
        assert db.execute(
            "select pg_has_role('service_role', 'pgsodium_keyholder', 'member'), "
            "pg_has_role('postgres', 'pgsodium_keymaker', 'member with admin option'), "
            "has_function_privilege('service_role', "
            "'pgsodium.crypto_aead_det_encrypt(bytea, bytea, uuid, bytea)', 'execute')"
        ).fetchone() == (True, True, True)
        # preloaded, so `supabase inspect db` can read it
        assert "pg_stat_statements" in db.execute("show shared_preload_libraries").fetchone()[0]
        assert db.execute("select count(*) >= 0 from extensions.pg_stat_statements").fetchone() == (True,)


@pytest.mark.parametrize(("extension", "schema"), [("pg_cron", "cron"), ("pg_net", "net"), ("http", None)])
def test_create_and_drop_with_schema_extensions(db: psycopg.Connection, extension: str, schema: str | None) -> None:
    db.execute(f"create extension {extension} with schema extensions")
    row = db.execute(
        "select extversion, extnamespace::regnamespace::text from pg_extension where extname = %s", (extension,)
    ).fetchone()
    assert row == (SUPABASE_VERSIONS[extension], "extensions")
    db.execute(f"drop extension {extension}")
    assert db.execute("select count(*) from pg_extension where extname = %s", (extension,)).fetchone() == (0,)
    if schema:
        assert db.execute("select to_regnamespace(%s)", (schema,)).fetchone() == (None,)


def test_fixed_schema_extensions_refuse_another_schema(db: psycopg.Connection) -> None:
    error = _error(db, "create extension pgmq with schema extensions")
    assert 'extension "pgmq" must be installed in schema "pgmq"' in str(error)


# -- pg_cron ---------------------------------------------------------------------------------------

VALID_SCHEDULES = [
    "5 4 * * *", "*/5 * * * *", "0 0 * * MON-FRI", "0 0 1,15 * *", "0 9-17/2 * * 1-5", "0 0 $ * *",
    "0 0 * JAN sun", "@daily", "@hourly", "@reboot", "30 seconds", "1 second", "59 seconds", "10 SECONDS",
    "* * * * * trailing text is ignored as in a crontab line",
]  # fmt: skip
INVALID_SCHEDULES = [
    "", "* * * *", "60 * * * *", "0 24 * * *", "0 0 0 * *", "0 0 * 13 *", "0 0 * * 8", "1/5 * * * *",
    "*/0 * * * *", "5-64/30 * * * *", "@bogus", "@Daily", "0 seconds", "60 seconds", "5 second ", "every minute",
]  # fmt: skip


@pytest.fixture
def cron(db: psycopg.Connection) -> psycopg.Connection:
    db.execute("create extension pg_cron with schema extensions")
    return db


@pytest.mark.parametrize("schedule", VALID_SCHEDULES)
def test_cron_accepts_what_pg_cron_accepts(cron: psycopg.Connection, schedule: str) -> None:
    jobid = cron.execute("select cron.schedule(%s, 'select 1')", (schedule,)).fetchone()[0]
    assert cron.execute("select schedule from cron.job where jobid = %s", (jobid,)).fetchone() == (schedule,)


@pytest.mark.parametrize("schedule", INVALID_SCHEDULES)
def test_cron_refuses_what_pg_cron_refuses(cron: psycopg.Connection, schedule: str) -> None:
    error = _error(cron, "select cron.schedule('job', %s, 'select 1')", (schedule,))
    assert error.diag.sqlstate == "22023"
    assert error.diag.message_primary == f"invalid schedule: {schedule}"
    assert error.diag.message_hint == "Use cron format (e.g. 5 4 * * *), or interval format '[1-59] seconds'"


def test_cron_jobs_are_recorded_named_jobs_upsert(cron: psycopg.Connection, khepri_cron) -> None:
    first = cron.execute("select cron.schedule('nightly', '0 3 * * *', 'select 1')").fetchone()[0]
    again = cron.execute("select cron.schedule('nightly', '0 4 * * *', 'select 2')").fetchone()[0]
    assert again == first
    [job] = khepri_cron.jobs()
    assert (job["jobname"], job["schedule"], job["command"], job["username"], job["active"]) == (
        "nightly", "0 4 * * *", "select 2", "postgres", True,
    )  # fmt: skip
    assert job["database"] == cron.execute("select current_database()").fetchone()[0]
    cron.execute("select cron.alter_job(%s, schedule := '@hourly', active := false)", (first,))
    assert cron.execute("select schedule, active from cron.job").fetchone() == ("@hourly", False)
    assert _error(cron, "select cron.alter_job(%s)", (first,)).diag.message_primary == "no updates specified"
    assert cron.execute("select cron.unschedule('nightly')").fetchone() == (True,)
    assert _error(cron, "select cron.unschedule(%s::bigint)", (first,)).diag.message_primary == (
        f"could not find valid entry for job {first}"
    )
    assert _error(cron, "select cron.unschedule('nightly')").diag.message_primary == (
        "could not find valid entry for job 'nightly'"
    )
    error = _error(cron, "select cron.schedule_in_database('x', '@daily', 'select 1', 'no_such_db')")
    assert (error.diag.sqlstate, error.diag.message_primary) == ("3D000", 'database "no_such_db" does not exist')


def test_cron_run_executes_as_the_jobs_user(cron: psycopg.Connection, khepri_cron) -> None:
    cron.execute("create role khepri_cron_worker login")
    cron.execute("create table public.cron_probe (who text, db text)")
    cron.execute("grant insert on public.cron_probe to khepri_cron_worker")
    cron.execute(
        "select cron.schedule_in_database('probe', '*/10 * * * *', "
        "'insert into public.cron_probe values (current_user, current_database())', current_database(), "
        "'khepri_cron_worker')"
    )
    run = khepri_cron.run("probe")
    assert (run.status, run.return_message, run.username) == ("succeeded", "INSERT 0 1", "khepri_cron_worker")
    assert cron.execute("select who, db = current_database() from public.cron_probe").fetchall() == [
        ("khepri_cron_worker", True)
    ]
    assert cron.execute("select current_user").fetchone() == ("postgres",)  # switched back
    detail = cron.execute(
        "select status, return_message, username, end_time >= start_time from cron.job_run_details where runid = %s",
        (run.runid,),
    ).fetchone()
    assert detail == ("succeeded", "INSERT 0 1", "khepri_cron_worker", True)


def test_cron_run_of_a_failing_command_is_recorded(cron: psycopg.Connection, khepri_cron) -> None:
    jobid = cron.execute("select cron.schedule('*/5 * * * *', 'select * from public.no_such_table')").fetchone()[0]
    run = khepri_cron.run(jobid)
    assert run.status == "failed"
    assert 'relation "public.no_such_table" does not exist' in run.return_message
    assert cron.execute("select status from cron.job_run_details where runid = %s", (run.runid,)).fetchone() == (
        "failed",
    )


def test_cli_cron_run(khepri_clone_url: str, cli: Cli) -> None:
    with connect(khepri_clone_url, autocommit=True) as conn:
        conn.execute("create extension if not exists pg_cron with schema extensions")
        conn.execute("select cron.schedule('count-users', '@daily', 'select count(*) from auth.users')")
    result = cli("cron", "run", "count-users", "--db-url", khepri_clone_url, "--format", "json")
    assert result.exit_code == 0, result.output
    run = json.loads(result.stdout)
    assert (run["status"], run["return_message"], run["jobname"]) == ("succeeded", "SELECT 1", "count-users")
    missing = cli("cron", "run", "no-such-job", "--db-url", khepri_clone_url)
    assert missing.exit_code == 2
    with connect(khepri_clone_url) as conn:
        assert conn.execute("select count(*) from cron.job_run_details").fetchone() == (1,)


# -- pg_net ----------------------------------------------------------------------------------------


def test_net_requests_are_recorded_and_answered(db: psycopg.Connection, khepri_net) -> None:
    db.execute("create extension pg_net with schema extensions")
    get_id = db.execute(
        "select net.http_get('https://api.example.com/items', params := '{\"q\": \"a b\"}')"
    ).fetchone()[0]
    post_id = db.execute(
        "select net.http_post('https://hooks.example.com/x?token=1', body := '{\"event\": \"signup\"}', "
        'headers := \'{"Authorization": "Bearer t"}\')'
    ).fetchone()[0]
    get, post = khepri_net.requests()
    assert (get.id, get.method, get.url, get.body, get.timeout_milliseconds) == (
        get_id, "GET", "https://api.example.com/items?q=a%20b", None, 5000,
    )  # fmt: skip
    assert (post.id, post.method, post.url) == (post_id, "POST", "https://hooks.example.com/x?token=1")
    assert post.headers == {"Authorization": "Bearer t", "Content-Type": "application/json"}
    assert post.json() == {"event": "signup"}
    assert post.response is None
    collected = db.execute("select (net._http_collect_response(%s)).status::text", (post_id,)).fetchone()
    assert collected == ("ERROR",)
    khepri_net.respond(post_id, status_code=201, content={"ok": True})
    result = db.execute(
        "select r.status::text, (r.response).status_code, (r.response).body from net._http_collect_response(%s) r",
        (post_id,),
    ).fetchone()
    assert result == ("SUCCESS", 201, '{"ok": true}')
    assert khepri_net.requests()[1].response.status_code == 201
    khepri_net.respond(get_id, error_msg="Couldn't resolve host name")
    assert db.execute("select (net._http_collect_response(%s)).message", (get_id,)).fetchone() == (
        "Couldn't resolve host name",
    )


def test_net_keeps_pg_nets_checks(db: psycopg.Connection) -> None:
    db.execute("create extension pg_net with schema extensions")
    error = _error(db, "select net.http_post('https://x.example', headers := '{\"Content-Type\": \"text/plain\"}')")
    assert error.diag.message_primary == 'Content-Type header must be "application/json"'
    last = db.execute("select net.http_delete('https://x.example')").fetchone()[0]
    error = _error(db, "select net._http_collect_response(%s, async := false)", (last,))
    assert error.diag.sqlstate == "0A000"
    assert "docker" in error.diag.message_hint


# -- supabase_vault --------------------------------------------------------------------------------


def test_vault_round_trip(db: psycopg.Connection) -> None:
    secret_id = db.execute("select vault.create_secret('s3cr3t', 'stripe_key', 'Stripe API key')").fetchone()[0]
    row = db.execute(
        "select name, description, decrypted_secret, secret <> 's3cr3t' from vault.decrypted_secrets where id = %s",
        (secret_id,),
    ).fetchone()
    assert row == ("stripe_key", "Stripe API key", "s3cr3t", True)
    db.execute("select vault.update_secret(%s, 'rotated', new_description := 'rotated key')", (secret_id,))
    assert db.execute(
        "select decrypted_secret, name, description from vault.decrypted_secrets where id = %s", (secret_id,)
    ).fetchone() == ("rotated", "stripe_key", "rotated key")
    error = _error(db, "select vault.create_secret('other', 'stripe_key')")
    assert error.diag.sqlstate == "23505"
    acl = db.execute("select has_function_privilege('anon', 'vault.create_secret(text, text, text, uuid)', 'execute')")
    assert acl.fetchone() == (False,)


# -- pgmq ------------------------------------------------------------------------------------------


def test_pgmq_queue_semantics(db: psycopg.Connection) -> None:
    db.execute("create extension pgmq")
    db.execute("select pgmq.create('tasks')")
    tables = db.execute("select to_regclass('pgmq.q_tasks') is not null, to_regclass('pgmq.a_tasks') is not null")
    assert tables.fetchone() == (True, True)
    member = db.execute(
        "select count(*) from pg_depend d join pg_extension e on e.oid = d.refobjid "
        "where e.extname = 'pgmq' and d.objid = 'pgmq.q_tasks'::regclass"
    ).fetchone()
    assert member == (1,)
    first = db.execute("select * from pgmq.send('tasks', '{\"n\": 1}')").fetchone()[0]
    batch = "select * from pgmq.send_batch('tasks', array['{\"n\": 2}', '{\"n\": 3}']::jsonb[])"
    ids = [r[0] for r in db.execute(batch)]
    assert ids == [first + 1, first + 2]
    read = db.execute("select msg_id, read_ct, message from pgmq.read('tasks', 30, 2)").fetchall()
    assert read == [(first, 1, {"n": 1}), (first + 1, 1, {"n": 2})]
    # invisible for 30 s: the next read only gets the third message
    assert [r[0] for r in db.execute("select msg_id from pgmq.read('tasks', 30, 5)")] == [first + 2]
    assert db.execute("select count(*) from pgmq.pop('tasks')").fetchone() == (0,)
    db.execute("select pgmq.set_vt('tasks', %s, 0)", (first,))
    popped = db.execute("select msg_id, read_ct from pgmq.pop('tasks')").fetchall()
    assert popped == [(first, 1)]
    metrics = db.execute(
        "select queue_name, queue_length, queue_visible_length, total_messages from pgmq.metrics('tasks')"
    ).fetchone()
    assert metrics == ("tasks", 2, 0, 3)
    assert db.execute("select pgmq.archive('tasks', %s::bigint)", (first + 1,)).fetchone() == (True,)
    assert db.execute("select msg_id, message from pgmq.a_tasks").fetchall() == [(first + 1, {"n": 2})]
    assert db.execute("select pgmq.delete('tasks', %s::bigint)", (first + 2,)).fetchone() == (True,)
    assert db.execute("select pgmq.delete('tasks', %s::bigint)", (first + 2,)).fetchone() == (False,)
    assert db.execute("select count(*) from pgmq.q_tasks").fetchone() == (0,)
    db.execute("select pgmq.create_unlogged('fast')")
    assert db.execute("select queue_name, is_unlogged from pgmq.list_queues() order by 1").fetchall() == [
        ("fast", True), ("tasks", False),
    ]  # fmt: skip
    db.execute("select * from pgmq.send('fast', '{}')")
    assert db.execute("select pgmq.purge_queue('fast')").fetchone() == (1,)
    assert [r[0] for r in db.execute("select queue_name from pgmq.metrics_all() order by 1")] == ["fast", "tasks"]
    assert db.execute("select pgmq.drop_queue('fast')").fetchone() == (True,)
    assert db.execute("select to_regclass('pgmq.q_fast')").fetchone() == (None,)
    error = _error(db, "select pgmq.create_partitioned('big')")
    assert error.diag.sqlstate == "0A000"


def _signatures(db: psycopg.Connection, name: str) -> list[str]:
    query = "select oid::regprocedure::text from pg_proc where proname = %s and pronamespace = 'pgmq'::regnamespace"
    return sorted(r[0] for r in db.execute(query, (name,)))


def test_pgmq_1_4_4_as_pinned_by_projects(db: psycopg.Connection) -> None:
    # gridaco/grida pins `create extension pgmq ... version '1.4.4'`: pgmq's 1.4.4 objects, no headers
    db.execute("create extension pgmq version '1.4.4'")
    assert db.execute("select extversion from pg_extension where extname = 'pgmq'").fetchone() == ("1.4.4",)
    assert _signatures(db, "send") == ["pgmq.send(text,jsonb,integer)"]
    assert _signatures(db, "send_batch") == ["pgmq.send_batch(text,jsonb[],integer)"]
    assert _signatures(db, "read") == ["pgmq.read(text,integer,integer)"]
    assert _signatures(db, "drop_queue") == ["pgmq.drop_queue(text,boolean)"]
    record = "select attname from pg_attribute where attrelid = 'pgmq.message_record'::regclass and attnum > 0"
    assert [r[0] for r in db.execute(record + " order by attnum")] == [
        "msg_id", "read_ct", "enqueued_at", "vt", "message",
    ]  # fmt: skip
    db.execute("select pgmq.create('tasks')")
    assert db.execute("select to_regclass('pgmq.q_tasks') is not null").fetchone() == (True,)
    columns = "select count(*) from pg_attribute where attrelid = 'pgmq.q_tasks'::regclass and attname = 'headers'"
    assert db.execute(columns).fetchone() == (0,)
    first = db.execute("select * from pgmq.send('tasks', '{\"n\": 1}', 0)").fetchone()[0]
    db.execute("select * from pgmq.send_batch('tasks', array['{\"n\": 2}']::jsonb[])")
    assert db.execute("select msg_id, read_ct, message from pgmq.read('tasks', 30, 1)").fetchall() == [
        (first, 1, {"n": 1}),
    ]  # fmt: skip
    assert db.execute("select pgmq.archive('tasks', %s::bigint)", (first,)).fetchone() == (True,)
    assert db.execute("select queue_length, total_messages from pgmq.metrics('tasks')").fetchone() == (1, 2)
    assert db.execute("select pgmq.purge_queue('tasks')").fetchone() == (1,)
    assert db.execute("select pgmq.drop_queue('tasks')").fetchone() == (True,)


def test_pgmq_update_1_4_4_to_1_5_1_keeps_queues(db: psycopg.Connection) -> None:
    db.execute("create extension pgmq version '1.4.4'")
    db.execute("select pgmq.create('tasks')")
    kept = db.execute("select * from pgmq.send('tasks', '{\"n\": 1}')").fetchone()[0]
    archived = db.execute("select * from pgmq.send('tasks', '{\"n\": 2}')").fetchone()[0]
    db.execute("select pgmq.archive('tasks', %s::bigint)", (archived,))
    db.execute("alter extension pgmq update")
    assert db.execute("select extversion from pg_extension where extname = 'pgmq'").fetchone() == ("1.5.1",)
    assert len(_signatures(db, "send")) == 6
    assert _signatures(db, "drop_queue") == ["pgmq.drop_queue(text)", "pgmq.drop_queue(text,boolean)"]
    # the queue's messages survive, with the new headers column (null for old messages)
    assert db.execute("select msg_id, message, headers from pgmq.q_tasks").fetchall() == [(kept, {"n": 1}, None)]
    assert db.execute("select msg_id, headers from pgmq.a_tasks").fetchall() == [(archived, None)]
    new = db.execute("select * from pgmq.send('tasks', '{\"n\": 3}', '{\"h\": 1}'::jsonb)").fetchone()[0]
    read = db.execute("select msg_id, headers from pgmq.read('tasks', 30, 5, '{\"n\": 3}')").fetchall()
    assert read == [(new, {"h": 1})]
    metrics = db.execute("select queue_length, queue_visible_length from pgmq.metrics('tasks')").fetchone()
    # pgmq counts vt <= now(), the transaction's start: nothing sent in this transaction is visible yet
    assert metrics == (2, 0)
    db.execute("select pgmq.create('later')")  # queues created after the update have headers too
    assert db.execute("select * from pgmq.send('later', '{}', '{\"h\": 2}'::jsonb)").fetchone() is not None


# -- pg_jsonschema ---------------------------------------------------------------------------------

PERSON = {
    "type": "object",
    "required": ["name"],
    "properties": {
        "name": {"type": "string", "minLength": 1, "maxLength": 20, "pattern": "^[A-Z]"},
        "age": {"type": "integer", "minimum": 0, "exclusiveMaximum": 150},
        "tags": {"type": "array", "items": {"enum": ["a", "b"]}, "uniqueItems": True, "maxItems": 2},
        "kind": {"$ref": "#/$defs/kind"},
    },
    "additionalProperties": False,
    "$defs": {"kind": {"anyOf": [{"const": "human"}, {"type": "null"}]}},
}


@pytest.mark.parametrize(
    ("instance", "matches"),
    [
        ({"name": "Ada"}, True),
        ({"name": "Ada", "age": 36, "tags": ["a"], "kind": "human"}, True),
        ({"name": "Ada", "age": 36.0, "kind": None}, True),
        ({}, False),
        ({"name": "ada"}, False),
        ({"name": ""}, False),
        ({"name": "Ada", "age": -1}, False),
        ({"name": "Ada", "age": 150}, False),
        ({"name": "Ada", "age": 1.5}, False),
        ({"name": "Ada", "tags": ["a", "a"]}, False),
        ({"name": "Ada", "tags": ["c"]}, False),
        ({"name": "Ada", "kind": "robot"}, False),
        ({"name": "Ada", "extra": 1}, False),
        ([], False),
    ],
)
def test_jsonschema_subset(db: psycopg.Connection, instance: object, matches: bool) -> None:
    db.execute("create extension pg_jsonschema with schema extensions")
    row = db.execute(
        "select extensions.jsonb_matches_schema(%s::json, %s::jsonb), "
        "extensions.json_matches_schema(%s::json, %s::json)",
        (json.dumps(PERSON), json.dumps(instance), json.dumps(PERSON), json.dumps(instance)),
    ).fetchone()
    assert row == (matches, matches)


def test_jsonschema_errors_validity_and_unsupported_keywords(db: psycopg.Connection) -> None:
    db.execute("create extension pg_jsonschema with schema extensions")
    errors = db.execute(
        "select extensions.jsonschema_validation_errors(%s::json, '{\"extra\": 1}'::json)", (json.dumps(PERSON),)
    ).fetchone()[0]
    assert errors == ['"name" is a required property', 'Additional properties are not allowed ("extra" was unexpected)']
    assert db.execute("select extensions.jsonschema_is_valid(%s::json)", (json.dumps(PERSON),)).fetchone() == (True,)
    assert db.execute("""select extensions.jsonschema_is_valid('{"type": "text"}')""").fetchone() == (False,)
    assert db.execute("""select extensions.jsonschema_is_valid('{"minLength": -1}')""").fetchone() == (False,)
    error = _error(db, """select extensions.jsonb_matches_schema('{"if": {"type": "string"}}', '1')""")
    assert error.diag.sqlstate == "0A000"
    assert '"if"' in error.diag.message_primary


# -- pgsodium, pg_graphql, http: catalog objects; the real thing answers 0A000 -----------------------


def test_graphql_resolve_answers_a_graphql_error_document(db: psycopg.Connection) -> None:
    db.execute("create extension if not exists pg_graphql with schema graphql")  # the Khepri schema drops it
    doc = db.execute("select graphql.resolve('{ __typename }')").fetchone()[0]
    assert doc["data"] is None
    assert "pg_graphql stand-in" in doc["errors"][0]["message"]
    assert db.execute('select graphql.comment_directive(\'@graphql({"totalCount": {"enabled": true}})\')').fetchone()[
        0
    ] == {"totalCount": {"enabled": True}}


def test_http_types_exist_and_requests_raise_0a000(db: psycopg.Connection) -> None:
    db.execute("create extension http with schema extensions")
    header = db.execute("select (extensions.http_header('Accept', 'application/json')).field").fetchone()
    assert header == ("Accept",)
    assert db.execute("""select extensions.urlencode('{"a": "b c", "d": "é"}'::jsonb)""").fetchone() == (
        "a=b%20c&d=%C3%A9",
    )
    error = _error(db, "select extensions.http_get('https://example.com')")
    assert error.diag.sqlstate == "0A000"
    assert "docker" in error.diag.message_hint
    assert db.execute("select to_regtype('extensions.http_response') is not null").fetchone() == (True,)


def test_pgsodium_catalog_and_0a000(db: psycopg.Connection) -> None:
    db.execute("create extension if not exists pgsodium")  # the compatibility layer preinstalls it
    key = db.execute("select id, name, key_type::text from pgsodium.create_key(name := 'app')").fetchone()
    assert key[1:] == ("app", "aead-det")
    assert db.execute("select count(*) from pgsodium.valid_key where name = 'app'").fetchone() == (1,)
    digest = db.execute("select encode(pgsodium.crypto_hash_sha256('abc'), 'hex')").fetchone()[0]
    assert digest == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    assert db.execute("select length(pgsodium.randombytes_buf(40))").fetchone() == (40,)
    error = _error(db, "select pgsodium.crypto_aead_det_encrypt('m', 'a', %s::uuid)", (key[0],))
    assert error.diag.sqlstate == "0A000"
    assert "crypto_aead_det_encrypt" in error.diag.message_primary


# -- the real Supabase CLI -------------------------------------------------------------------------


def test_supabase_inspect_db_reads_pg_stat_statements(supabase_cli, khepri_clone_url: str, tmp_path) -> None:
    """The `supabase inspect db` commands that read extensions.pg_stat_statements(_info) work."""
    import subprocess

    cli = str(supabase_cli)
    for command in ("outliers", "calls", "db-stats", "cache-hit"):
        result = subprocess.run(
            [cli, "inspect", "db", command, "--db-url", f"{khepri_clone_url}?sslmode=disable"],
            capture_output=True, text=True, timeout=120, check=False, cwd=tmp_path,  # the CLI writes supabase/.temp
        )  # fmt: skip
        assert result.returncode == 0, f"{command}: {result.stdout}{result.stderr}"
        assert "ERROR" not in result.stderr, command  # stdout lists query texts, which may say ERROR


def test_doctor_sees_pg_graphql_exposure_with_the_stand_in(khepri_clone_url: str) -> None:
    """With pg_graphql installed (the stand-in, as on Supabase) doctor's 0026/0027 rules report."""
    from khepri_db.doctor.run import run_doctor

    with connect(khepri_clone_url, autocommit=True) as conn:
        # The Khepri schema turns GraphQL off (20261201100000_khepri_graphql_off.sql): turn it on.
        conn.execute("create extension if not exists pg_graphql with schema graphql")
        conn.execute("create table public.graphql_visible (id int primary key)")
        conn.execute("grant select on public.graphql_visible to anon, authenticated")
    report = run_doctor(khepri_clone_url)
    [finding] = [
        f for f in report.findings if f.metadata.get("name") == "graphql_visible" and f.name.startswith("pg_graphql")
    ]
    # one defect, one finding: the anon variant, with the authenticated one listed under it
    assert finding.name == "pg_graphql_anon_table_exposed"
    assert "pg_graphql_authenticated_table_exposed_public_graphql_visible" in str(finding.metadata["also_reported_as"])


def test_preloading_follows_the_binaries_and_yields_to_user_settings() -> None:
    """pg_stat_statements is preloaded only when shipped; a user's shared_preload_libraries wins."""
    import shutil

    from khepri_db.engines import EmbeddedEngine, embedded_bin_dir, free_port, make_cluster_root, ships_library

    assert ships_library(embedded_bin_dir(), "pg_stat_statements")
    assert not ships_library(embedded_bin_dir(), "no_such_library")
    root = make_cluster_root("khepri-test-preload-")
    engine = EmbeddedEngine(root / "pgdata", port=free_port(), settings={"shared_preload_libraries": ""})
    try:
        with connect(engine.start()) as conn:
            assert conn.execute("show shared_preload_libraries").fetchone() == ("",)
    finally:
        engine.stop()
        shutil.rmtree(root, ignore_errors=True)
