"""Wall time of `khepri-db doctor` on a generated schema of 300 tables with policies and functions.

The schema is the Khepri migrations plus 300 generated tables, each with a primary key, a tenant
column referencing auth.users, an index, row level security and four policies (one per command),
and 100 PL/pgSQL functions of a dozen statements each, as a large Supabase project has them. Every
run is the full set of rules in one process (`run_doctor`, as the CLI calls it), on the embedded
engine; the median of several runs is reported, with the time of the splits that matter.

If ``SPLINTER_SQL`` names a local copy of Supabase's linter's combined query (splinter.sql, which
stays out of this repository), it is run on the same database for comparison, with
``pgrst.db_schemas`` set to ``public``, and the ratio is reported.
"""

from __future__ import annotations

import os
import shutil
import statistics
import time
from pathlib import Path

from khepri_db.core.db import connect, create_database, with_database
from khepri_db.core.project import Project, bundled_path
from khepri_db.core.sqltext import tokens as _sqltext
from khepri_db.doctor.rules import load_rules
from khepri_db.doctor.run import run_doctor
from khepri_db.engines import EmbeddedEngine, free_port, make_cluster_root
from khepri_db.migrations.apply import migrate

TITLE = "doctor on 300 tables"
TABLES = 300
FUNCTIONS = 100
RUNS = 5


def _schema() -> str:
    parts = []
    for n in range(TABLES):
        t = f"public.bench_t{n:03d}"
        parts.append(
            f"""
            create table {t} (
                id bigint generated always as identity primary key,
                user_id uuid not null references auth.users (id) on delete cascade,
                parent_id bigint,
                title text not null,
                body text,
                status text not null default 'draft',
                created_at timestamptz not null default now()
            );
            create index bench_t{n:03d}_user_id_idx on {t} (user_id, created_at);
            alter table {t} enable row level security;
            create policy bench_t{n:03d}_select on {t} for select to authenticated
                using (user_id = (select auth.uid()));
            create policy bench_t{n:03d}_insert on {t} for insert to authenticated
                with check (user_id = (select auth.uid()));
            create policy bench_t{n:03d}_update on {t} for update to authenticated
                using (user_id = (select auth.uid())) with check (user_id = (select auth.uid()));
            create policy bench_t{n:03d}_delete on {t} for delete to authenticated
                using (user_id = (select auth.uid()));
            """
        )
        if n:
            parts.append(
                f"alter table {t} add constraint bench_t{n:03d}_parent_fkey foreign key (parent_id) "
                f"references public.bench_t{n - 1:03d} (id);"
            )
    for n in range(FUNCTIONS):
        t = f"public.bench_t{n:03d}"
        definer = "security definer" if n % 10 == 0 else "security invoker"
        parts.append(
            f"""
            create function public.bench_f{n:03d}(p_title text, p_user_id uuid default null) returns bigint
            language plpgsql {definer} set search_path = '' as $$
            declare
                v_uid uuid := auth.uid();
                v_id bigint;
                v_row {t}%rowtype;
            begin
                if v_uid is null then
                    raise exception using errcode = '42501', message = 'sign in';
                end if;
                if p_user_id is not null and p_user_id <> v_uid then
                    raise exception using errcode = '42501', message = 'not yours';
                end if;
                select * into v_row from {t} as t where t.user_id = v_uid order by t.created_at desc limit 1;
                if found and v_row.status = 'draft' then
                    update {t} as t set status = 'final' where t.id = v_row.id;
                end if;
                insert into {t} (user_id, title, body) values (v_uid, p_title, coalesce(v_row.body, ''))
                returning id into v_id;
                perform count(*) from {t} as t where t.user_id = v_uid and t.status = 'draft';
                delete from {t} as t where t.user_id = v_uid and t.created_at < now() - interval '1 year';
                return v_id;
            end $$;
            revoke execute on function public.bench_f{n:03d}(text, uuid) from public, anon;
            """
        )
    return "\n".join(parts)


def _timed(fn) -> float:
    _sqltext._tokens.cache_clear()  # every sample lexes the function bodies afresh, as a new process does
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def _all_results(conn, query: str) -> list:
    """Run a multi-statement script and fetch the rows of every statement that returns some."""
    rows: list = []
    with conn.cursor() as cur:
        cur.execute(query)
        while True:
            if cur.description is not None:
                rows.extend(cur.fetchall())
            if not cur.nextset():
                return rows


def _row(name: str, samples: list[float]) -> str:
    return f"| {name} | {statistics.median(samples):.2f} | {min(samples):.2f} | {max(samples):.2f} | {len(samples)} |"


def run() -> str:
    root = make_cluster_root("khepri-bench-doctor-")
    engine = EmbeddedEngine(root / "pgdata", port=free_port(), settings={"fsync": "off", "synchronous_commit": "off"})
    try:
        server = engine.start()
        with connect(server, autocommit=True) as admin:
            create_database(admin, "bench")
        url = with_database(server, "bench")
        migrate(url, bundled_path("migrations"))
        with connect(url, autocommit=True) as conn:
            conn.execute(_schema())
            conn.execute("analyze")
            counts = conn.execute(
                "select (select count(*) from pg_class c join pg_namespace n on n.oid = c.relnamespace "
                "where n.nspname = 'public' and c.relkind = 'r'), (select count(*) from pg_policy), "
                "(select count(*) from pg_proc p join pg_namespace n on n.oid = p.pronamespace "
                "where n.nspname in ('public', 'khepri_private'))"
            ).fetchone()
        project = Project(Path(__file__).resolve().parents[1])
        rules = load_rules()
        body_rules = [r.name for r in rules if "plans" in r.requires]
        other_rules = [r.name for r in rules if "plans" not in r.requires]
        full, bodies, rest = [], [], []
        findings = 0
        for _ in range(RUNS):
            full.append(_timed(lambda: run_doctor(url, project=project)))
            bodies.append(_timed(lambda: run_doctor(url, project=project, only=body_rules)))
            rest.append(_timed(lambda: run_doctor(url, project=project, only=other_rules)))
        report = run_doctor(url, project=project)
        findings = len(report.findings)
        lines = [
            f"A generated schema on the embedded engine: the Khepri migrations plus {TABLES} tables (primary key,",
            "tenant column referencing auth.users, foreign key, index, RLS and four policies each) and",
            f"{FUNCTIONS} PL/pgSQL functions of a dozen statements: {counts[0]} tables, {counts[1]} policies,",
            f"{counts[2]} functions in public and khepri_private. Each sample is one full `run_doctor` call",
            f"(connect, load facts, all {len(rules)} rules, roll back), as `khepri-db doctor` runs it; "
            f"{findings} findings.",
            "",
            "| measurement | median s | min s | max s | runs |",
            "| --- | --- | --- | --- | --- |",
            _row(f"doctor, all {len(rules)} rules", full),
            _row(f"only the rules that plan function bodies ({', '.join(body_rules)})", bodies),
            _row(f"the other {len(other_rules)} rules", rest),
        ]
        splinter = os.environ.get("SPLINTER_SQL")
        if splinter and Path(splinter).is_file():
            query = Path(splinter).read_text(encoding="utf-8")
            samples = []
            for _ in range(RUNS):
                with connect(url) as conn:
                    conn.execute("set local pgrst.db_schemas = 'public'")
                    samples.append(_timed(lambda c=conn: _all_results(c, query)))
                    conn.rollback()
            lines += [
                _row("Supabase's linter's combined query (splinter.sql, same database, query only)", samples),
                "",
                f"doctor / Supabase's linter (medians): {statistics.median(full) / statistics.median(samples):.1f}x. "
                "doctor runs more than twice as many rules, reads and plans every function body, and includes "
                "connecting and loading its facts; the linter's number is its one query alone.",
            ]
        else:
            lines += ["", "Set SPLINTER_SQL to a local copy of Supabase's linter's splinter.sql to compare."]
        return "\n".join(lines)
    finally:
        engine.stop()
        shutil.rmtree(root, ignore_errors=True)
