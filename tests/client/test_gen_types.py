"""``khepri-db gen types --lang python``: the generated module imports, is ruff clean, validates every
row of every table (as PostgREST's JSON and as psycopg's values), its typed RPCs round-trip through
psycopg and supabase-py, ``--check`` notices a new column, and the module works where khepri-db is
not installed (its runtime section: a copy of khepri-db's runtime, kept verbatim).

Two schemas: ours (the checked-in ``khepri_db/khepri/types.py`` must equal what the
migrations generate) and a foreign-shaped one (tests/fixtures/gen_types_foreign: tenants reached
through joins, composite keys, enums, domains with checks, generated and identity columns, views,
a second exposed schema, set- and table-returning RPCs, arrays, ranges, jsonb, numeric).
"""

from __future__ import annotations

import ast
import decimal
import importlib.util
import inspect
import json
import shutil
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from pathlib import Path
from types import ModuleType
from typing import Any, get_args

import httpx
import psycopg
import pydantic
import pytest
from psycopg.rows import dict_row
from psycopg.types.composite import CompositeInfo, register_composite

from khepri_db.access import session
from khepri_db.access.session import AuthUser, api_key_claims, create_user, user_claims
from khepri_db.client import runtime
from khepri_db.client._embed import _copy_part, runtime_section
from khepri_db.client.codegen import generate_types
from khepri_db.core import errors as errors_module
from khepri_db.core import postgrest
from khepri_db.core.db import connect
from khepri_db.core.project import Project
from khepri_db.khepri import client as rpc
from khepri_db.khepri import types as kt
from khepri_db.migrations.apply import migrate
from khepri_db.migrations.seed import seed
from tests.support import REPO, Cli, scalar

pytestmark = pytest.mark.pg

CHECKED_IN = REPO / "khepri_db" / "khepri" / "types.py"
FOREIGN = REPO / "tests" / "fixtures" / "gen_types_foreign" / "supabase"
ANN = AuthUser(uuid.UUID("00000000-0000-4000-8000-000000000001"), "ann@example.com")
KHEPRI_ROLES = ("anon", "authenticated", "service_role")


def load_module(path: Path) -> ModuleType:
    """Import a generated module from ``path`` under a unique name."""
    name = f"generated_{uuid.uuid4().hex[:8]}"
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec
    assert spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def rows_as_json(conn: psycopg.Connection, relation: str) -> list[Any]:
    """Every row of ``relation`` as PostgREST renders it (Postgres' ``to_json``), numbers kept exact."""
    return [json.loads(r[0], parse_float=decimal.Decimal)
            for r in conn.execute(f"select to_json(t)::text from {relation} as t").fetchall()]  # fmt: skip


def rows_native(conn: psycopg.Connection, relation: str) -> list[dict[str, Any]]:
    """Every row of ``relation`` as psycopg loads it."""
    return conn.cursor(row_factory=dict_row).execute(f"select * from {relation}").fetchall()


# -- our schema ---------------------------------------------------------------------------------


def test_the_checked_in_khepri_module_matches_the_migrations(db: psycopg.Connection) -> None:
    generated = generate_types(db, project=Project(REPO), roles=KHEPRI_ROLES)
    assert generated.text == CHECKED_IN.read_text(encoding="utf-8"), (
        "khepri_db/khepri/types.py is stale: run `khepri-db gen types --role service_role -o khepri_db/khepri/types.py`"
    )
    assert (generated.tables, generated.views, generated.skipped) == (11, 0, [])
    assert set(kt.ROW_MODELS) == {f"public.{t}" for t in (
        "athletes", "goals", "constraints", "daily_checkins", "training_plans", "workouts", "methodologies",
        "coach_links", "conversations", "conversation_messages", "idempotency_keys")}  # fmt: skip


def test_the_khepri_module_validates_every_seeded_row(khepri_clone_url: str) -> None:
    seed(khepri_clone_url, [REPO / "supabase" / "seed.sql"])
    counts = {}
    with connect(khepri_clone_url) as conn:
        for relation, model in kt.ROW_MODELS.items():
            as_json = rows_as_json(conn, relation)
            for row in as_json:
                model.model_validate(row)
            for row in rows_native(conn, relation):
                model.model_validate(row)
            counts[relation] = len(as_json)
    empty = {r for r, n in counts.items() if n == 0}
    assert empty <= {"public.conversations", "public.conversation_messages", "public.idempotency_keys"}, counts
    assert counts["public.workouts"] > 10


def test_the_generated_khepri_rpcs_round_trip_as_a_user(db: psycopg.Connection, make_user) -> None:
    ada = make_user()
    as_ada = rpc.PsycopgTransport(db, ada)
    profile, plan = {"display_name": "Ada", "timezone": "Europe/Paris"}, {"name": "Base", "total_weeks": 4}
    result = kt.finalize_onboarding(as_ada, profile, plan=plan, idempotency_key="gen-1")
    onboarded = rpc.OnboardingResult.model_validate(result)  # the hand-written part: the result model
    assert kt.finalize_onboarding(as_ada, profile, plan=plan, idempotency_key="gen-1") == result
    assert kt.current_athlete_id(as_ada) == onboarded.athlete_id
    progress = rpc.PlanProgress.model_validate(kt.plan_progress(as_ada, onboarded.plan_id))
    assert (progress.plan_id, progress.planned) == (onboarded.plan_id, 0)
    assert kt.is_valid_timezone(as_ada, "Europe/Paris") is True

    with pytest.raises(kt.UnauthorizedError) as anon:
        kt.export_my_data(rpc.PsycopgTransport(db))
    assert (anon.value.sqlstate, anon.value.http_status, anon.value.function) == ("42501", 401, "export_my_data")
    with pytest.raises(kt.BadRequestError, match="not a known time zone"):
        kt.finalize_onboarding(rpc.PsycopgTransport(db, make_user()), {"display_name": "B", "timezone": "Mars/Base"})
    with pytest.raises(kt.ForbiddenError):
        kt.cleanup_expired_idempotency_keys(as_ada)
    assert kt.cleanup_expired_idempotency_keys(rpc.PsycopgTransport(db, role="service_role")) == 0


def test_column_checks_become_validators_that_agree_with_the_database(khepri_clone_url: str) -> None:
    seed(khepri_clone_url, [REPO / "supabase" / "seed.sql"])
    cases = [
        ("workouts", "sport", "curling", "run"),  # sport in (...): a Literal
        ("daily_checkins", "sleep_quality", 11, 10),  # between 1 and 10
        ("athletes", "weight_kg", decimal.Decimal("19.9"), decimal.Decimal("20")),  # numeric >= 20
        ("athletes", "intervals_icu_athlete_id", "x12", "i12"),  # ~ '^i[0-9]{1,12}$'
    ]
    with connect(khepri_clone_url) as conn:
        for table, column, bad, good in cases:
            model = kt.ROW_MODELS[f"public.{table}"].__name__.removesuffix("Row") + "Update"
            with pytest.raises(pydantic.ValidationError, match=column):
                getattr(kt, model)(**{column: bad})
            assert getattr(getattr(kt, model)(**{column: good}), column) == good
            update = psycopg.sql.SQL("update public.{} set {} = %s where ctid = (select min(ctid) from public.{})")
            statement = update.format(*map(psycopg.sql.Identifier, (table, column, table)))
            with conn.transaction(force_rollback=True):
                assert conn.execute(statement, (good,)).rowcount == 1
            with conn.transaction(force_rollback=True), pytest.raises(psycopg.errors.CheckViolation):
                conn.execute(statement, (bad,))


def _client_calls() -> dict[str, tuple[set[str], set[str]]]:
    """KhepriClient method -> (RPC name, argument names it sends, its required parameters)."""
    tree = ast.parse((REPO / "khepri_db" / "khepri" / "client.py").read_text(encoding="utf-8"))
    [client] = [n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "KhepriClient"]
    calls: dict[str, tuple[set[str], set[str]]] = {}
    for method in client.body:
        if not isinstance(method, ast.FunctionDef) or method.name.startswith("_"):
            continue
        for node in ast.walk(method):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr in ("_call", "call") and node.args
                    and isinstance(node.args[0], ast.Constant)):  # fmt: skip
                continue
            if node.func.attr == "_call":
                sent = {k.arg for k in node.keywords if k.arg}
            else:
                [payload] = node.args[1:2]
                assert isinstance(payload, ast.Dict)
                sent = {k.value for k in payload.keys if isinstance(k, ast.Constant)}
            required = {a.arg for a in method.args.args[1 : len(method.args.args) - len(method.args.defaults)]}
            calls[node.args[0].value] = (sent, required)
    return calls


def test_the_hand_written_client_agrees_with_pg_proc(db: psycopg.Connection) -> None:
    calls = _client_calls()
    assert len(calls) == 13
    for function, (sent, required) in calls.items():
        rows = db.execute(
            "select coalesce(p.proargnames, '{}'), p.pronargs, p.pronargdefaults from pg_proc as p "
            "where p.pronamespace = 'public'::regnamespace and p.proname = %s",
            (function,),
        ).fetchall()
        assert rows, f"KhepriClient calls public.{function}, which does not exist"
        [(names, nargs, ndefaults)] = rows
        inputs = list(names[:nargs])
        assert sent <= set(inputs), f"{function}: the client sends {sent - set(inputs)}, not arguments of the function"
        assert set(inputs[: nargs - ndefaults]) <= sent | required, f"{function}: a required argument is never sent"
        generated = kt.RPCS[f"public.{function}"]
        assert sent <= set(generated.__wrapped__.__code__.co_varnames), function


# -- the foreign-shaped schema ------------------------------------------------------------------


@pytest.fixture(scope="module")
def foreign_url(khepri_database_factory) -> str:
    url = khepri_database_factory()
    migrate(url, FOREIGN / "migrations")
    seed(url, [FOREIGN / "seed.sql"])
    return url


@pytest.fixture(scope="module")
def foreign_path(foreign_url: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("gen") / "foreign_types.py"
    with connect(foreign_url) as conn:
        path.write_text(generate_types(conn, schemas=["public", "reporting"]).text, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def ft(foreign_path: Path) -> ModuleType:
    return load_module(foreign_path)


@pytest.fixture
def foreign(foreign_url: str) -> Iterator[psycopg.Connection]:
    conn = connect(foreign_url)
    register_composite(CompositeInfo.fetch(conn, "public.money_amount"), conn)
    conn.rollback()
    yield conn
    conn.rollback()
    conn.close()


def _ruff() -> str | None:
    return shutil.which("ruff", path=str(Path(sys.executable).parent)) or shutil.which("ruff")


RUFF_DEFAULTS = (["check", "--isolated", "--select", "E,F,W,I,UP,B,N,SIM,RUF"], ["format", "--isolated", "--check"])
"""ruff with its default settings (line length 88) and the usual rule sets."""


@pytest.mark.skipif(_ruff() is None, reason="ruff is not installed (pip install -e '.[dev]')")
def test_the_foreign_module_is_ruff_clean_with_default_settings_and_ours(foreign_path: Path) -> None:
    ruff = _ruff()
    assert ruff
    ours = ["--config", str(REPO / "pyproject.toml")]  # line length 120, more rules (S, RET, PTH...)
    for args in (*RUFF_DEFAULTS, ["check", *ours], ["format", "--check", *ours]):
        done = subprocess.run([ruff, *args, str(foreign_path)], capture_output=True, text=True, check=False)
        assert done.returncode == 0, done.stdout + done.stderr


def test_every_foreign_row_validates_as_json_and_as_psycopg_values(ft: ModuleType, foreign) -> None:
    seen = {}
    for relation, model in ft.ROW_MODELS.items():
        as_json, native = rows_as_json(foreign, relation), rows_native(foreign, relation)
        assert [model.model_validate(r) for r in as_json] == [model.model_validate(r) for r in native], relation
        seen[relation] = len(native)
    assert seen == {"public.memberships": 1, "public.open_tasks": 3, "public.orgs": 2, "public.projects": 3,
                    "public.task_overview": 3, "public.tasks": 4, "reporting.org_sizes": 2}  # fmt: skip
    rocket = ft.ProjectsRow.model_validate(rows_as_json(foreign, "public.projects")[0])
    assert rocket.budget == ft.MoneyAmount(currency="EUR", amount=decimal.Decimal("1234.56"))
    assert (rocket.rate, rocket.total_cents, rocket.logo) == (decimal.Decimal("12345.6789"), 500, b"\x01\x02\xff")
    assert rocket.grid == [[1, 2], [3, 4]]
    assert rocket.sprint == ft.Range[date](lower=date(2026, 1, 1), upper=date(2026, 1, 15))
    assert rocket.estimate == timedelta(days=365 + 60 + 3, hours=4, minutes=5, seconds=6.5)
    assert rocket.settings == {"theme": {"dark": True}, "ratio": 1.5}
    assert (rocket.display_name, rocket.from_, str(rocket.allowed_ip), str(rocket.subnet)) == (
        "Rocket Ship", "sales", "10.1.2.3/32", "10.0.0.0/8")  # fmt: skip
    assert rocket.ends_at.utcoffset() == timedelta(hours=2)


def test_models_follow_defaults_nullability_identity_and_generated_columns(ft: ModuleType) -> None:
    fields = {name: getattr(ft, name).model_fields for name in ("OrgsInsert", "ProjectsInsert", "ProjectsUpdate")}
    assert "id" not in fields["OrgsInsert"]  # generated always as identity
    assert "total_cents" not in fields["ProjectsInsert"]  # generated column
    assert "total_cents" not in fields["ProjectsUpdate"]
    assert "total_cents" in ft.ProjectsRow.model_fields
    required = {n for n, f in fields["ProjectsInsert"].items() if f.is_required()}
    assert required == {"org_id", "name"}  # identity by default, defaults and nullable columns are optional
    assert not any(f.is_required() for f in fields["ProjectsUpdate"].values())
    assert ft.OrgsRow.model_fields["slug"].annotation is not None
    with pytest.raises(pydantic.ValidationError):
        ft.OrgsInsert(name="x")  # slug: a NOT NULL domain without default
    with pytest.raises(pydantic.ValidationError):
        ft.ProjectsInsert(org_id=1, name="x", price_cents=None)  # NOT NULL with a default: omit it, never null
    assert ft.TasksInsert(project_org_id=1, project_id=1, title="t").payload() == {
        "project_org_id": 1, "project_id": 1, "title": "t"}  # fmt: skip
    assert hasattr(ft, "OpenTasksInsert")  # an auto-updatable view
    assert not hasattr(ft, "TaskOverviewInsert")  # an aggregate view
    assert not hasattr(ft, "AuditLogRow")  # no grant to anon or authenticated
    assert not hasattr(ft, "admin_only")
    assert set(get_args(ft.MembershipRole)) == {"owner", "admin", "member", "read-only"}
    assert ft.MembershipRoleEnum.read_only == "read-only"
    assert ft.MembershipsRow.model_validate({"org_id": 1, "user_id": ANN.id, "role": "read-only", "contact": None})


@pytest.mark.parametrize(
    ("model", "field", "bad", "good"),
    [
        ("TasksInsert", "priority", 0, 1),  # positive_int: value > 0
        ("TasksInsert", "progress", decimal.Decimal("100.5"), decimal.Decimal("100")),  # percent: 0..100
        ("OrgsInsert", "name", "x" * 41, "x" * 40),  # short_text: char_length(value) <= 40
        ("OrgsInsert", "slug", "Not a slug", "a-slug"),  # slug: value ~ '^[a-z0-9-]+$'
        ("MembershipsInsert", "contact", "nobody", "Ann@Example.com"),  # email: value ~* '^[^@]+@[^@]+$'
    ],
)
def test_domain_checks_become_validators(ft: ModuleType, foreign, model: str, field: str, bad: Any, good: Any) -> None:
    base = {
        "TasksInsert": {"project_org_id": 1, "project_id": 1, "title": "t"},
        "OrgsInsert": {"slug": "s", "name": "n"},
        "MembershipsInsert": {"org_id": 1, "user_id": ANN.id},
    }[model]
    with pytest.raises(pydantic.ValidationError, match=field):
        getattr(ft, model)(**{**base, field: bad})
    assert getattr(getattr(ft, model)(**{**base, field: good}), field) == good
    domain = {"priority": "positive_int", "progress": "percent", "name": "short_text", "slug": "slug",
              "contact": "email"}[field]  # fmt: skip
    with pytest.raises(psycopg.errors.CheckViolation):
        foreign.execute(f"select %s::public.{domain}", (str(bad),))  # the database refuses the same value


def test_an_insert_payload_round_trips_through_postgres(ft: ModuleType, foreign) -> None:
    sprint = ft.Range[date](lower=date(2026, 5, 1), upper=date(2026, 5, 8))
    new = ft.ProjectsInsert(
        org_id=2, name="Typed", budget={"currency": "USD", "amount": "3.50"}, tags=["x", "y z"], grid=[[5, 6]],
        active_during="[2026-01-01 10:00:00+00,)", sprint=sprint,
        settings={"n": [1, 2]}, rate=decimal.Decimal("1.2345"), price_cents=7, logo=b"\x00\xff", allowed_ip="::1",
        subnet="192.168.0.0/16", estimate=timedelta(hours=1, minutes=30), starts_at="08:00", ends_at="17:00+01:00",
        due=date(2026, 6, 1), display_name="Shown",
    )  # fmt: skip
    payload = new.payload()
    assert "Display Name" in payload
    assert "display_name" not in payload
    columns = psycopg.sql.SQL(", ").join(psycopg.sql.Identifier(c) for c in payload)
    # What PostgREST runs for POST /rest/v1/projects: the JSON body through json_populate_record.
    inserted = foreign.execute(
        psycopg.sql.SQL("insert into public.projects ({c}) select {c} from json_populate_record(null::public.projects, "
                        "%s::json) returning to_json(projects)::text").format(c=columns),
        (json.dumps(payload),),
    ).fetchone()[0]  # fmt: skip
    row = ft.ProjectsRow.model_validate(json.loads(inserted, parse_float=decimal.Decimal))
    assert row.model_dump(include=set(new.model_fields_set)) == new.model_dump(include=set(new.model_fields_set))
    assert (row.total_cents, row.id > 0) == (14, True)


def test_typed_rpcs_round_trip_through_psycopg(ft: ModuleType, foreign) -> None:
    [rocket, empty] = ft.org_projects(foreign, 1)
    assert isinstance(rocket, ft.ProjectsRow)
    assert (rocket.name, empty.name) == ("Rocket", "Empty")
    stats = ft.project_stats(foreign, 1)
    assert [(s.name, s.open_tasks) for s in stats] == [("Rocket", 2), ("Empty", 0)]
    assert [s.open_tasks for s in ft.project_stats(foreign, 1, min_priority=5)] == [1, 0]
    assert stats[0].budget == ft.MoneyAmount(currency="EUR", amount=decimal.Decimal("1234.56"))
    assert ft.org_slugs(foreign) == ["acme", "globex"]
    assert ft.touch(foreign) is None
    assert ft.shift_range(foreign, "[1,5)") == ft.Range[int](lower=2, upper=6)
    assert ft.shift_range(foreign, ft.Range[int](lower=1, upper=5), by=10) == ft.Range[int](lower=11, upper=15)
    doubled = ft.double_budget(foreign, ft.MoneyAmount(currency="EUR", amount=decimal.Decimal("1.25")))
    assert doubled == ft.MoneyAmount(currency="EUR", amount=decimal.Decimal("2.50"))
    assert ft.reporting_org_size(foreign, 1) == 1

    as_ann = rpc.PsycopgTransport(foreign, ANN)
    assert [s.name for s in ft.project_stats(as_ann, 1)] == ["Rocket", "Empty"]
    assert ft.project_stats(as_ann, 2) == []  # RLS: another tenant, reached through joins
    task = ft.add_task(as_ann, 1, 1, "Write docs", assignees=[ANN.id])
    assert isinstance(task, uuid.UUID)
    with pytest.raises(ft.ForbiddenError) as refused:
        ft.add_task(as_ann, 2, 3, "Not my org")
    assert (refused.value.sqlstate, refused.value.http_status) == ("42501", 403)
    with pytest.raises(ft.UnauthorizedError) as anon:
        ft.add_task(rpc.PsycopgTransport(foreign), 1, 1, "anonymous")  # no insert policy for anon
    assert (anon.value.sqlstate, anon.value.http_status) == ("42501", 401)
    with pytest.raises(ft.ConflictError) as conflict:
        ft.add_task(foreign, 99, 1, "no such project")
    assert conflict.value.sqlstate == "23503"
    with pytest.raises(ft.BadRequestError, match="fail_with: told to"):
        ft.fail_with(foreign, "22023", "told to")
    with pytest.raises(pydantic.ValidationError):
        ft.add_task(foreign, 1, 1, "bad priority", priority=0)  # the domain check runs before the call


def _supabase(handler: Callable[[httpx.Request], httpx.Response], *, anonymous: bool = False) -> Any:
    from supabase.lib.client_options import SyncClientOptions

    from supabase import create_client

    options = SyncClientOptions(httpx_client=httpx.Client(transport=httpx.MockTransport(handler)))
    client = create_client("http://127.0.0.1:54321", "anon-key", options=options)
    if not anonymous:
        client.postgrest.auth("user-jwt")
    return client


def test_typed_rpcs_through_supabase_py(ft: ModuleType, foreign) -> None:
    """supabase-py builds the real request; the mock answers with the JSON Postgres renders for it."""
    seen: list[httpx.Request] = []
    answers = {
        "/rest/v1/rpc/project_stats": "select coalesce(json_agg(_r), '[]')::text from public.project_stats(1, 5) as _r",
        "/rest/v1/rpc/org_size": "select to_json(reporting.org_size(1))::text",
        "/rest/v1/rpc/shift_range": "select to_json(public.shift_range('[1,5)', 1))::text",
    }

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        body = foreign.execute(answers[request.url.path]).fetchone()[0]
        return httpx.Response(200, content=body, headers={"content-type": "application/json"})

    client = _supabase(handler)
    stats = ft.project_stats(client, 1, min_priority=5)
    assert [(s.name, s.open_tasks, s.budget and s.budget.amount) for s in stats] == [
        ("Rocket", 1, decimal.Decimal("1234.56")), ("Empty", 0, None)]  # fmt: skip
    assert ft.reporting_org_size(rpc.SupabaseTransport(client), 1) == 1
    assert ft.shift_range(client, ft.Range[int](lower=1, upper=5)) == ft.Range[int](lower=2, upper=6)
    first, second, third = seen
    assert (first.method, json.loads(first.content)) == ("POST", {"org": 1, "min_priority": 5})
    assert first.headers["authorization"] == "Bearer user-jwt"
    assert second.headers["content-profile"] == "reporting"  # PostgREST's schema switch
    assert json.loads(third.content) == {"r": "[1,5)"}

    refusing = _supabase(lambda _r: httpx.Response(400, json={"code": "22023", "message": "bad org"}))
    with pytest.raises(ft.BadRequestError) as bad:
        ft.project_stats(refusing, 1)
    assert (bad.value.sqlstate, bad.value.function) == ("22023", "project_stats")


def test_check_passes_when_current_and_fails_on_a_new_column(cli: Cli, khepri_database_factory, tmp_path: Path) -> None:
    url = khepri_database_factory()
    migrate(url, FOREIGN / "migrations")
    out = tmp_path / "types.py"
    args = ("gen", "types", "--lang", "python", "--db-url", url, "--schema", "public,reporting", "--output", str(out))
    written = cli(*args)
    assert written.exit_code == 0, written.output
    assert "4 table(s), 3 view(s), 9 function(s)" in written.stdout
    before = out.read_text(encoding="utf-8")
    current = cli(*args, "--check")
    assert (current.exit_code, current.stdout.strip()) == (0, f"{out} is up to date")
    with connect(url) as conn:
        conn.execute("alter table public.tasks add column due_on date")
        conn.commit()
    stale = cli(*args, "--check")
    assert stale.exit_code == 1
    assert "+    due_on: _dt.date | None" in stale.stdout
    assert stale.stdout.startswith(f"--- {out} (on disk)")
    code, data = cli.json(*args, "--check")
    assert (code, data["up_to_date"], data["tables"]) == (1, False, 4)
    assert "due_on" in data["diff"]
    assert out.read_text(encoding="utf-8") == before  # --check never writes
    assert "due_on" not in before


def test_check_passes_after_a_migration_the_types_do_not_show(
    cli: Cli, khepri_database_factory, tmp_path: Path
) -> None:
    url = khepri_database_factory()
    migrate(url, FOREIGN / "migrations")
    out = tmp_path / "types.py"
    args = ("gen", "types", "--lang", "python", "--db-url", url, "--schema", "public,reporting", "--output", str(out))
    assert cli(*args).exit_code == 0
    index_only = tmp_path / "more"
    shutil.copytree(FOREIGN / "migrations", index_only)
    (index_only / "20991231000000_an_index.sql").write_text("create index tasks_title_idx on public.tasks (title);\n")
    migrate(url, index_only)  # one more migration in the history, nothing the types show
    current = cli(*args, "--check")
    assert (current.exit_code, current.stdout.strip()) == (0, f"{out} is up to date"), current.stdout
    written = cli(*args)
    assert written.exit_code == 0
    assert "Migrations: " in out.read_text(encoding="utf-8")  # the header still says what it was made after


def test_usage_and_connection_errors_exit_2(cli: Cli, tmp_path: Path) -> None:
    assert cli("gen", "types", "--db-url", "postgresql://nobody@127.0.0.1:1/x", "--check").exit_code == 2
    refused = cli("gen", "types", "--db-url", "postgresql://nobody@127.0.0.1:1/x", "-o", str(tmp_path / "t.py"))
    assert refused.exit_code == 2
    assert "cannot connect" in refused.stderr


# -- the runtime section: a generated module needs no khepri-db -----------------------------------

STANDALONE = ("pydantic", "pydantic_core", "typing_extensions", "annotated_types", "typing_inspection", "psycopg",
              "psycopg_binary", "psycopg_c")  # fmt: skip
"""What an app installs to use a generated module through psycopg (``pip install pydantic psycopg[binary]``)."""

STANDALONE_SCRIPT = r"""
import importlib.util
import inspect
import json
import sys

lib, url, claims = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
sys.path.insert(0, lib)
out = {"path": sys.path, "khepri_db_findable": importlib.util.find_spec("khepri_db") is not None}
import khepri_types as db

out["loaded_at_import"] = sorted({m.split(".")[0] for m in sys.modules})
import psycopg

with psycopg.connect(url) as conn:
    ada = db.PsycopgCaller(conn, claims["ada"])
    profile = {"display_name": "Ada", "timezone": "Europe/Paris"}
    result = db.finalize_onboarding(ada, profile, plan={"name": "Base", "total_weeks": 4}, idempotency_key="alone-1")
    out["result"] = result
    out["current_athlete_id"] = str(db.current_athlete_id(ada))
    with ada.request("/athletes"):
        rows = conn.execute("select to_json(a)::text, current_user from public.athletes as a").fetchall()
    out["rows"] = [db.AthletesRow.model_validate_json(text).model_dump(mode="json") for text, _ in rows]
    out["rows_read_as"] = sorted({user for _, user in rows})
    with conn.transaction():  # a call inside the caller's transaction: a savepoint, the role restored after it
        db.is_valid_timezone(ada, "UTC")
        out["after_call"] = conn.execute("select current_user, current_setting('request.jwt.claims', true)").fetchone()
    errors = {}
    for name, call in {
        "bad_request": lambda: db.finalize_onboarding(db.PsycopgCaller(conn, claims["bob"]),
                                                       {"display_name": "B", "timezone": "Mars/Base"}),
        "anonymous": lambda: db.export_my_data(db.PsycopgCaller(conn)),
        "forbidden": lambda: db.cleanup_expired_idempotency_keys(ada),
    }.items():
        try:
            call()
        except db.RpcError as exc:
            cls = type(exc)
            errors[name] = {"class": cls.__name__, "module": cls.__module__, "sqlstate": exc.sqlstate,
                            "http_status": exc.http_status, "message": exc.message, "function": exc.function,
                            "detail": exc.detail, "hint": exc.hint, "psycopg_cause": type(exc.__cause__).__module__}
    out["errors"] = errors
out["khepri_db_loaded"] = sorted(m for m in sys.modules if m.split(".")[0] == "khepri_db")
try:
    import khepri_db  # noqa: F401
    out["khepri_db_importable"] = True
except ModuleNotFoundError:
    out["khepri_db_importable"] = False
print(json.dumps(out, default=str))
"""


def standalone_lib(target: Path) -> Path:
    """``target`` holding symlinks to :data:`STANDALONE` packages (and their ``.dist-info`` and
    ``.libs``) of the environment pydantic is installed in: the site-packages of an app without
    khepri-db."""
    site = Path(pydantic.__file__).resolve().parents[1]
    target.mkdir()
    for entry in site.iterdir():
        name = entry.name.split("-")[0] if entry.name.endswith(".dist-info") else entry.name
        if name.removesuffix(".py").removesuffix(".libs") in STANDALONE:
            (target / entry.name).symlink_to(entry)
    assert {"pydantic", "psycopg"} <= {p.name for p in target.iterdir()}
    return target


def test_a_generated_module_works_without_khepri_db(khepri_clone_url: str, tmp_path: Path) -> None:
    """The claim of docs/gen-types.md: a generated module imports only the standard library and
    pydantic, psycopg when an RPC is called through it, and never khepri-db (run where khepri-db
    is not even importable: ``python -S -I``, a path of pydantic and psycopg alone)."""
    lib = standalone_lib(tmp_path / "lib")
    with connect(khepri_clone_url) as conn:
        (lib / "khepri_types.py").write_text(
            generate_types(conn, project=Project(REPO), roles=KHEPRI_ROLES).text, encoding="utf-8"
        )
        ada, bob = create_user(conn), create_user(conn)
        conn.commit()
    claims = {"ada": user_claims(ada), "bob": user_claims(bob)}
    done = subprocess.run(
        [sys.executable, "-S", "-I", "-c", STANDALONE_SCRIPT, str(lib), khepri_clone_url, json.dumps(claims)],
        capture_output=True, text=True, timeout=120, check=False, cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    out = json.loads(done.stdout)
    assert not [p for p in out["path"] if "site-packages" in p or "dist-packages" in p], out["path"]
    assert out["khepri_db_findable"] is False
    assert out["khepri_db_importable"] is False
    assert out["khepri_db_loaded"] == []
    stdlib = {m for m in out["loaded_at_import"] if m in sys.stdlib_module_names or m.startswith("_")}
    third_party = set(out["loaded_at_import"]) - stdlib - {"khepri_types"}
    assert third_party <= {"pydantic", "pydantic_core", "typing_extensions", "annotated_types", "typing_inspection"}
    assert "psycopg" not in out["loaded_at_import"]  # imported only for the calls

    # The calls ran as Ada, as PostgREST would run them, and committed.
    assert out["current_athlete_id"] == out["result"]["athlete_id"]
    [row] = out["rows"]  # RLS: Ada sees her athlete only, read as `authenticated`
    assert (row["id"], row["auth_user_id"], row["display_name"]) == (out["result"]["athlete_id"], str(ada.id), "Ada")
    assert out["rows_read_as"] == ["authenticated"]
    assert out["after_call"][0] != "authenticated"
    assert out["after_call"][1] in (None, "")
    with connect(khepri_clone_url) as conn:
        assert scalar(conn, "select auth_user_id from public.athletes where id = %s", (row["id"],)) == ada.id

    # Failures raise the module's own RpcError subclasses, chosen by SQLSTATE as khepri-db's.
    errors_ = out["errors"]
    assert {k: (v["class"], v["module"], v["sqlstate"], v["http_status"]) for k, v in errors_.items()} == {
        "bad_request": ("BadRequestError", "khepri_types", "22023", 400),
        "anonymous": ("UnauthorizedError", "khepri_types", "42501", 401),
        "forbidden": ("ForbiddenError", "khepri_types", "42501", 403),
    }
    assert errors_["bad_request"]["message"].startswith("finalize_onboarding: ")
    assert "not a known time zone" in errors_["bad_request"]["message"]
    assert errors_["bad_request"]["function"] == "finalize_onboarding"
    assert {v["psycopg_cause"] for v in errors_.values()} == {"psycopg.errors"}


def test_the_runtime_section_is_a_copy_of_khepri_db_code() -> None:
    section = runtime_section()
    for module in (errors_module, postgrest, runtime):
        for name, value in vars(module).items():
            defined_here = inspect.isclass(value) or inspect.isfunction(value)
            if defined_here and value.__module__ == module.__name__ and name in section.names:
                source = inspect.getsource(value)
                assert source in section.text, f"{module.__name__}.{name} is not copied verbatim"
    assert "khepri_db." not in "".join(
        line for line in section.text.splitlines() if line.lstrip().startswith(("import ", "from "))
    )
    assert {"RpcError", "BadRequestError", "rpc_error", "postgrest_status", "request_settings", "PsycopgCaller",
            "Row", "rpc"} <= section.names  # fmt: skip
    assert "MigrationError" not in section.names  # errors.py's other classes stay out
    with pytest.raises(RuntimeError, match="does not carry"):
        _copy_part("m", "from khepri_db.core.db import connect\n", None, set())


def test_generated_names_never_take_the_runtime_sections(khepri_database_factory, tmp_path: Path) -> None:
    url = khepri_database_factory()
    migrate(url, FOREIGN / "migrations")  # the compatibility layer's roles, and a schema around ours
    with connect(url) as conn:
        conn.execute("""
            create domain public."json" as text check (value ~ '^x');
            create type public."row" as (a int);
            create table public.range (id int primary key, "json" public."json", "Field" int, rpc text);
            grant select, insert on public.range to anon;
            create function public.rpc(j public."json") returns public."json" language sql as $$ select j $$;
            create function public.request_settings() returns int language sql as $$ select 1 $$;
            create function public.sys(r public."row") returns public."row" language sql as $$ select r $$;
            grant execute on function public.rpc, public.request_settings, public.sys to anon;
        """)  # fmt: skip
        conn.commit()
        path = tmp_path / "clash.py"
        path.write_text(generate_types(conn, schemas=["public", "reporting"]).text, encoding="utf-8")
    clash = load_module(path)
    with connect(url) as conn:
        assert clash.rpc_(conn, "xy") == "xy"  # an RPC named `rpc` beside the runtime's decorator
        assert clash.request_settings_(clash.PsycopgCaller(conn)) == 1
        assert clash.sys_(conn, {"a": 3}) == clash.Row2(a=3)
    assert clash.Json2 is not clash.Json
    row = clash.RangeRow.model_validate({"id": 1, "json": "xa", "Field": 2, "rpc": "r"})
    assert (row.json_, row.field, row.rpc) == ("xa", 2, "r")
    with pytest.raises(pydantic.ValidationError):
        clash.RangeInsert(id=1, json="nope")  # the domain's check, on a field named after BaseModel.json
    ruff = _ruff()
    if ruff:
        for args in RUFF_DEFAULTS:
            done = subprocess.run([ruff, *args, str(path)], capture_output=True, text=True, check=False)
            assert done.returncode == 0, done.stdout + done.stderr


OLD_STYLE = """
from __future__ import annotations

from khepri_db.client import runtime as _rt


@_rt.rpc("public", "is_valid_timezone", {"tz": "text"})
def is_valid_timezone(client: _rt.Client, tz: str) -> bool | None:
    \"\"\"As `gen types` wrote modules before the runtime was copied into them.\"\"\"


@_rt.rpc("public", "export_my_data", {})
def export_my_data(client: _rt.Client) -> _rt.Json | None:
    \"\"\"Refused to anon.\"\"\"
"""


def test_modules_generated_before_the_runtime_section_still_work(db: psycopg.Connection, tmp_path: Path) -> None:
    path = tmp_path / "old_types.py"
    path.write_text(OLD_STYLE, encoding="utf-8")
    old = load_module(path)
    assert old.is_valid_timezone(rpc.PsycopgTransport(db), "Europe/Paris") is True
    with pytest.raises(errors_module.UnauthorizedError) as refused:  # khepri-db's own classes, as before
        old.export_my_data(rpc.PsycopgTransport(db))
    assert (refused.value.sqlstate, refused.value.http_status) == ("42501", 401)


def test_the_runtime_sets_what_policy_session_sets(db: psycopg.Connection, make_user) -> None:
    """One source of PostgREST's request settings: policy tests (khepri_db.access.session) run the
    function generated modules carry a copy of (khepri_db.core.postgrest), with the role's own
    settings after the request's."""
    assert session.request_settings is postgrest.request_settings
    assert session.DEFAULT_SEARCH_PATH is postgrest.DEFAULT_SEARCH_PATH
    db.execute("alter role authenticated set statement_timeout = '7s'")  # rolled back with the test
    ada = make_user()
    for role, claims in [("authenticated", user_claims(ada)), ("anon", api_key_claims("anon")),
                         ("service_role", api_key_claims("service_role"))]:  # fmt: skip
        ours = postgrest.request_settings(db, role, claims, path="/rpc/f", headers={"x": "1"}, search_path=["api"])
        assert ours[:3] == [("role", role), ("request.jwt.claims", json.dumps(claims, separators=(",", ":"))),
                            ("request.method", "POST")]  # fmt: skip
        assert ("search_path", '"api"') in ours
        assert (("statement_timeout", "7s") in ours) == (role == "authenticated")


# -- the anchor to beat: Supabase's pg-meta Python generator ------------------------------------

PG_META_VERSION = "0.99.0"


@pytest.fixture(scope="session")
def pg_meta_server() -> Path:
    """``dist/server/server.js`` of ``@supabase/postgres-meta`` (npm), installed once into the user cache."""
    import platformdirs

    npm, node = shutil.which("npm"), shutil.which("node")
    if not (npm and node):
        pytest.skip("needs node and npm to run Supabase's pg-meta generator")
    root = Path(platformdirs.user_cache_dir("khepri-db")) / f"postgres-meta-{PG_META_VERSION}"
    server = root / "node_modules" / "@supabase" / "postgres-meta" / "dist" / "server" / "server.js"
    if not server.is_file():
        root.mkdir(parents=True, exist_ok=True)
        done = subprocess.run([npm, "i", "-E", f"@supabase/postgres-meta@{PG_META_VERSION}"], cwd=root,
                              capture_output=True, text=True, timeout=300, check=False)  # fmt: skip
        if done.returncode != 0 or not server.is_file():
            pytest.skip(f"npm could not install @supabase/postgres-meta@{PG_META_VERSION}: {done.stderr[-300:]}")
    return server


def pg_meta_python(server: Path, url: str, schemas: str) -> str:
    """What ``supabase gen types --lang python`` prints: pg-meta with ``PG_META_GENERATE_TYPES=python``."""
    env = {"PATH": str(Path(shutil.which("node") or "node").parent), "PG_META_GENERATE_TYPES": "python",
           "PG_META_GENERATE_TYPES_INCLUDED_SCHEMAS": schemas, "PG_META_DB_URL": url}  # fmt: skip
    done = subprocess.run([shutil.which("node") or "node", str(server)], env=env, capture_output=True, text=True,
                          timeout=120, check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr[-500:]
    return done.stdout


@pytest.mark.slow
def test_pg_meta_output_breaks_where_ours_works(pg_meta_server: Path, foreign_url: str, ft: ModuleType) -> None:
    """The claims of docs/gen-types.md about pg-meta, measured: if this fails, update the docs."""
    theirs = pg_meta_python(pg_meta_server, foreign_url, "public,reporting")
    assert "class PublicProjects(BaseModel):" in theirs
    with pytest.raises(SyntaxError):  # a column named "from"
        compile(theirs, "pg_meta_types.py", "exec")
    assert "    from: Optional[str]" in theirs
    assert "PgCatalogInet" in theirs
    assert "class PgCatalogInet" not in theirs  # used, never defined
    assert "    rate: Optional[float]" in theirs  # numeric as float
    assert "total_cents: NotRequired" in theirs  # a generated column offered to inserts
    assert "def " not in theirs  # no RPCs
    assert "class PublicAuditLog(BaseModel)" in theirs  # grants ignored
    # ours, from the same database
    assert ft.ProjectsRow.model_fields["rate"].annotation == decimal.Decimal | None
    assert "total_cents" not in ft.ProjectsInsert.model_fields
