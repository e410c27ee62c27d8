"""Apply real Supabase projects' migrations with ``khepri-db migrate`` and report what stops each one.

For every project (a checkout holding a ``supabase/migrations`` folder) this creates a brand-new
data directory under a temporary root, starts the chosen engine on its own port, runs::

    khepri-db migrate --data-dir D --migrations-dir M --format json          (embedded engine)
    khepri-db migrate --db-url URL --migrations-dir M --format json          (system engine)

from the project's root (so its ``supabase/config.toml`` is read, as a user's run would), counts
the rows of ``supabase_migrations.schema_migrations`` afterwards, stops the server and deletes the
data directory. The result per project: files, applied, pass/fail, first failing file, line,
SQLSTATE, the first line of the message, and a coarse cause category. Results are written as JSON
and as a markdown table with pass rates.

The system engine is selected the way the CLI offers it: ``khepri-db db start --engine system
--data-dir D --port P`` prints the URL, ``migrate --db-url`` applies, ``db stop --engine system``
stops. The embedded server is started the same way (``db start --data-dir D --port P``) only so
that two projects measured at once never race for the default port; ``migrate --data-dir D`` then
finds it running.

Projects come from a manifest (``--manifest``, default ``/work/projects/projects.json``: a list of
``{"dir", "repo", "commit", "migrations", "kind"}``), from directories given on the command line
(``DIR`` or ``DIR:relative/migrations/path``), or, with neither, from every directory under
``--projects-root`` that has ``supabase/migrations``. An optional judgements file
(``--judgements``, JSON ``{"<dir>": {"verdict": "fails-on-supabase" | "postgis" | "should-pass",
"file": "<the file that fails there too>", "note": "why"}}``) records, per project, whether its
migrations would fail on a real Supabase database too (a table made only in the dashboard, a
syntax error, duplicate versions); the pass rate over projects that should pass excludes those.
``--from-json OUT.json`` re-applies the judgements to an earlier run and rewrites its reports
without running anything; ``--compare BEFORE.json`` appends, per project, what changed since an
earlier run (fixed, moved on, regressed, different failure).

Usage::

    .venv/bin/python benchmarks/real_projects.py --engine embedded --jobs 2 --out /work/projects/baseline-embedded
    .venv/bin/python benchmarks/real_projects.py --engine system --jobs 2 --khepri /work/wt/x/.venv/bin/khepri-db \\
        --compare /work/projects/baseline-system.json --out /work/projects/results-x-system
    .venv/bin/python benchmarks/real_projects.py --only basejump --keep      # one project, keep its data dir

Other teams' projects are measured, never copied into this repository.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
DEFAULT_KHEPRI = REPO / ".venv" / "bin" / "khepri-db"
DEFAULT_ROOT = Path("/work/projects")
MIGRATION_NAME = re.compile(r"^([0-9]+)_(.*)\.sql$")
"""File names the Supabase CLI treats as migrations (``pkg/migration/file.go``'s pattern)."""

SUPABASE_SCHEMAS = {
    "auth", "storage", "realtime", "vault", "cron", "net", "pgsodium", "pgsodium_masks", "graphql",
    "graphql_public", "supabase_functions", "supabase_migrations", "extensions", "pgbouncer", "pgmq",
    "pgmq_public", "_realtime", "_analytics",
}  # fmt: skip
SUPABASE_ROLES = {
    "anon", "authenticated", "service_role", "authenticator", "supabase_admin", "supabase_auth_admin",
    "supabase_storage_admin", "dashboard_user", "pgbouncer", "supabase_replication_admin",
    "supabase_read_only_user", "supabase_realtime_admin", "supabase_functions_admin", "pgsodium_keyholder",
    "pgsodium_keyiduser", "pgsodium_keymaker", "postgres",
}  # fmt: skip
EXTENSION_FUNCTIONS = {
    "uuid_generate_v1": "uuid-ossp", "uuid_generate_v1mc": "uuid-ossp", "uuid_generate_v3": "uuid-ossp",
    "uuid_generate_v4": "uuid-ossp", "uuid_generate_v5": "uuid-ossp", "uuid_nil": "uuid-ossp",
    "gen_random_bytes": "pgcrypto", "digest": "pgcrypto", "hmac": "pgcrypto", "crypt": "pgcrypto",
    "gen_salt": "pgcrypto", "pgp_sym_encrypt": "pgcrypto", "pgp_sym_decrypt": "pgcrypto",
    "encrypt": "pgcrypto", "decrypt": "pgcrypto", "armor": "pgcrypto",
    "sign": "pgjwt", "verify": "pgjwt", "url_encode": "pgjwt", "url_decode": "pgjwt",
    "http_get": "pg_net or http", "http_post": "pg_net or http", "http": "http",
    "json_matches_schema": "pg_jsonschema", "jsonb_matches_schema": "pg_jsonschema",
    "moddatetime": "moddatetime", "similarity": "pg_trgm", "unaccent": "unaccent",
    "schedule": "pg_cron", "unschedule": "pg_cron", "create_secret": "supabase_vault",
}  # fmt: skip
EXTENSION_TYPES = {"vector": "vector", "halfvec": "vector", "citext": "citext", "geometry": "postgis",
                   "geography": "postgis", "ltree": "ltree", "hstore": "hstore"}  # fmt: skip
POSTGIS = {"postgis", "postgis_topology", "postgis_raster", "postgis_tiger_geocoder", "address_standardizer"}


@dataclass
class Project:
    """One checkout to measure.

    Attributes:
        dir: the project's root directory (the folder holding ``supabase/``).
        migrations: the migrations directory (absolute).
        repo: ``owner/name`` on GitHub, if known.
        commit: the commit checked out, if known.
        kind: a few words on what the project is.
    """

    dir: Path
    migrations: Path
    repo: str = ""
    commit: str = ""
    kind: str = ""

    @property
    def name(self) -> str:
        """The checkout directory's name, used as the project's key in results and judgements."""
        return self.dir.name

    @property
    def files(self) -> int:
        """How many files in the migrations directory are named like migrations (``<digits>_<name>.sql``)."""
        return sum(1 for p in self.migrations.iterdir() if p.is_file() and MIGRATION_NAME.match(p.name))


@dataclass
class Result:
    """What happened to one project on one engine (JSON-ready via :func:`dataclasses.asdict`).

    ``applied`` is the number of history rows after the run, ``None`` when it could not be read.
    ``outcome`` is ``pass``, ``fail`` (a migration or the compatibility layer failed), ``timeout``
    or ``error`` (the tool itself failed: engine start, unreadable output).
    """

    project: str
    repo: str
    commit: str
    kind: str
    migrations_dir: str
    files: int
    applied: int | None = None
    outcome: str = "error"
    seconds: float = 0.0
    failing_file: str | None = None
    line: int | None = None
    sqlstate: str | None = None
    message: str = ""
    detail: str | None = None
    error_type: str | None = None
    category: str = ""
    verdict: str = "should-pass"
    judged_file: str | None = None
    note: str = ""
    stderr_tail: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


# -- project discovery ----------------------------------------------------------------------------


def _pick_migrations(root: Path) -> Path | None:
    """``root/supabase/migrations`` if it exists, else the nested one holding the most ``.sql`` files."""
    direct = root / "supabase" / "migrations"
    if direct.is_dir():
        return direct
    found = [p for p in root.glob("**/supabase/migrations") if "node_modules" not in p.parts and p.is_dir()]
    return max(found, key=lambda p: len(list(p.glob("*.sql"))), default=None)


def load_projects(args: argparse.Namespace) -> list[Project]:
    """Projects named on the command line, else the manifest's, else every checkout under the root."""
    projects: list[Project] = []
    if args.projects:
        for spec in args.projects:
            path, _, sub = spec.partition(":")
            root = Path(path).resolve()
            migrations = root / sub if sub else _pick_migrations(root)
            if migrations is None or not migrations.is_dir():
                sys.exit(f"{spec}: no supabase/migrations directory found")
            projects.append(Project(root, migrations))
        return projects
    manifest = Path(args.manifest)
    if manifest.is_file():
        for row in json.loads(manifest.read_text(encoding="utf-8")):
            root = (manifest.parent / row["dir"]).resolve()
            projects.append(Project(root, root / row["migrations"], row.get("repo", ""),
                                    row.get("commit", ""), row.get("kind", "")))  # fmt: skip
        return projects
    for root in sorted(Path(args.projects_root).iterdir()):
        if root.is_dir() and not root.name.startswith(("_", ".")):
            migrations = _pick_migrations(root)
            if migrations is not None:
                projects.append(Project(root, migrations))
    return projects


# -- running one project --------------------------------------------------------------------------

_port_lock = threading.Lock()
_ports_taken: set[int] = set()


def _free_port() -> int:
    """A port nothing listens on now and that no other project of this run was given."""
    with _port_lock:
        while True:
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
                sock.bind(("127.0.0.1", 0))
                port = int(sock.getsockname()[1])
            if port not in _ports_taken:
                _ports_taken.add(port)
                return port


def _run(cmd: list[str], cwd: Path, timeout: float) -> tuple[int | None, str, str]:
    """Run ``cmd`` in its own process group; on timeout kill the group. Returns (rc or None, out, err)."""
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True, env={**os.environ, "NO_COLOR": "1", "COLUMNS": "200"})  # fmt: skip
    try:
        out, err = proc.communicate(timeout=timeout)
        return proc.returncode, out, err
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, err = proc.communicate()
        return None, out, err


def _json_tail(text: str) -> dict[str, Any] | None:
    """The JSON document the CLI printed (the last ``{...}`` block of stdout), or ``None``."""
    start = text.find("{")
    while start != -1:
        try:
            value = json.loads(text[start:])
            return value if isinstance(value, dict) else None
        except json.JSONDecodeError:
            start = text.find("{", start + 1)
    return None


def _history_rows(url: str) -> int | None:
    """Rows in ``supabase_migrations.schema_migrations`` at ``url`` (``None`` if unreadable)."""
    try:
        import psycopg
    except ImportError:
        return None
    try:
        with psycopg.connect(url, connect_timeout=10) as conn:
            exists = conn.execute("select to_regclass('supabase_migrations.schema_migrations')").fetchone()
            if not exists or exists[0] is None:
                return 0
            row = conn.execute("select count(*) from supabase_migrations.schema_migrations").fetchone()
            return int(row[0]) if row else None
    except psycopg.Error:
        return None


def run_project(project: Project, khepri: str, engine: str, timeout: float, keep: bool) -> Result:
    """Measure one project on a new data directory; never raises for a project's own failure."""
    result = Result(project.name, project.repo, project.commit, project.kind,
                    str(project.migrations.relative_to(project.dir)), project.files)  # fmt: skip
    root = Path(tempfile.mkdtemp(prefix=f"khepri-real-{project.name[:40]}-"))
    root.chmod(0o755)
    data_dir = root / "pgdata"
    engine_args = ["--engine", "system"] if engine == "system" else []
    started = time.perf_counter()
    url: str | None = None
    try:
        port = _free_port()
        rc, out, err = _run([khepri, "db", "start", "--data-dir", str(data_dir), "--port", str(port), *engine_args,
                             "--format", "json"], project.dir, 180)  # fmt: skip
        doc = _json_tail(out) or {}
        url = None
        if rc == 0:  # `db start` prints the URL with its password hidden; `db url` gives it whole
            rc2, out2, _ = _run([khepri, "db", "url", "--data-dir", str(data_dir), *engine_args], project.dir, 60)
            url = out2.strip().splitlines()[-1] if rc2 == 0 and out2.strip() else None
        if not url:
            result.outcome, result.category = "error", "engine did not start"
            result.message = _first_line((doc.get("error") or {}).get("message") or err or out)
            result.stderr_tail = (err or "")[-2000:]
            return result
        target = ["--data-dir", str(data_dir)] if engine == "embedded" else ["--db-url", url]
        cmd = [khepri, "migrate", *target, "--migrations-dir", str(project.migrations), "--format", "json"]
        rc, out, err = _run(cmd, project.dir, timeout)
        result.seconds = round(time.perf_counter() - started, 1)
        result.stderr_tail = (err or "")[-2000:]
        result.applied = _history_rows(url)
        doc = _json_tail(out)
        if rc is None:
            result.outcome, result.category, result.message = "timeout", "timeout", f"no answer within {timeout:.0f} s"
        elif rc == 0 and doc is not None and "error" not in doc:
            result.outcome = "pass"
            result.extra = {"compat": doc.get("compat"), "warnings": doc.get("warnings")}
        else:
            error = (doc or {}).get("error") or {}
            result.outcome = "fail" if error else "error"
            result.error_type = error.get("type")
            result.failing_file = Path(error["file"]).name if error.get("file") else None
            result.line = error.get("line")
            result.sqlstate = error.get("sqlstate")
            result.detail = error.get("detail")
            message = error.get("message") or err or out or f"exit code {rc}"
            result.message = _strip_location(_first_line(message))
            result.category = categorize(result)
        return result
    finally:
        _run([khepri, "db", "stop", "--data-dir", str(data_dir), *engine_args], project.dir, 120)
        if not result.seconds:
            result.seconds = round(time.perf_counter() - started, 1)
        if not keep:
            shutil.rmtree(root, ignore_errors=True)


def _first_line(text: str) -> str:
    return next((line.strip() for line in str(text).splitlines() if line.strip()), "")


def _strip_location(message: str) -> str:
    """Drop the ``/path/to/file.sql:12: `` prefix and ``[SQLSTATE x]`` suffix a MigrationError carries."""
    message = re.sub(r"^\S+\.sql(?::\d+)?: ", "", message)
    return re.sub(r"\s*\[SQLSTATE \w{5}\]$", "", message)


# -- cause categories -----------------------------------------------------------------------------


def categorize(result: Result) -> str:
    """A coarse cause for a failure, from SQLSTATE and message (the judgement file refines it).

    Categories: ``missing extension X``, ``PostGIS``, ``missing Supabase object Y`` (schema, table,
    function or role the platform has), ``runner semantics`` (transaction-block rules, statement
    splitting), ``compat layer`` (our layer failed to install), ``other: <sqlstate>``.
    """
    msg, state = result.message, result.sqlstate or ""
    low = msg.lower()
    if result.error_type == "CompatError":
        return "compat layer"
    if result.error_type == "MigrationError" and not state:
        return "runner semantics (refused before running)"
    ext = re.search(
        r'extension "([^"]+)" (?:is not available|does not exist)|control file ".*?/([\w-]+)\.control"', msg
    )
    if ext:
        name = ext.group(1) or ext.group(2)
        return "PostGIS" if name in POSTGIS else f"missing extension {name}"
    if (
        state == "25001"
        or "cannot run inside a transaction block" in low
        or "cannot be executed within a pipeline" in low
    ):
        return "runner semantics"
    if state in {"0A000"} and "transaction" in low:
        return "runner semantics"
    typ = re.search(r'type "(?:[\w]+\.)?(\w+)" does not exist', msg)
    if typ and typ.group(1) in EXTENSION_TYPES:
        name = EXTENSION_TYPES[typ.group(1)]
        return "PostGIS" if name in POSTGIS else f"missing extension {name}"
    schema = re.search(r'schema "(\w+)" does not exist', msg)
    if schema:
        name = schema.group(1)
        return f"missing Supabase object {name} (schema)" if name in SUPABASE_SCHEMAS else f"other: schema {name}"
    rel = re.search(r'relation "(?:(\w+)\.)?(\w+)" does not exist', msg)
    if rel and rel.group(1) in SUPABASE_SCHEMAS:
        return f"missing Supabase object {rel.group(1)}.{rel.group(2)}"
    col = re.search(r'column "?(\w+)"? (?:of relation "(\w+)" )?does not exist', msg)
    if col and col.group(2) in {"users", "objects", "buckets", "identities", "sessions", "messages"}:
        return f"missing Supabase object {col.group(2)}.{col.group(1)} (column)"
    fn = re.search(r"function (?:(\w+)\.)?(\w+)\(", msg)
    if fn and state == "42883":
        qual, name = fn.group(1), fn.group(2)
        if name in EXTENSION_FUNCTIONS and qual in {None, "extensions", "public", "cron", "vault", "net"}:
            return f"missing extension {EXTENSION_FUNCTIONS[name]}"
        if qual in SUPABASE_SCHEMAS:
            return f"missing Supabase object {qual}.{name}()"
    role = re.search(r'role "(\w+)" does not exist', msg)
    if role:
        return f"missing Supabase object role {role.group(1)}" if role.group(1) in SUPABASE_ROLES else "other: role"
    if state == "42501":
        return "other: permission denied"
    return f"other: {state or result.error_type or 'no SQLSTATE'}"


def judge(result: Result, judgements: dict[str, Any]) -> None:
    """Set ``result.verdict`` and ``note`` from the project's judgement, if any.

    A judgement is about the project, not about this run: ``fails-on-supabase`` means some file
    (``file``) would fail on a real Supabase database too, so the project is left out of the
    should-pass rate whatever khepri-db stops on first. An unjudged failure caused by PostGIS is
    ``postgis``.
    """
    entry = judgements.get(result.project)
    if entry:
        result.verdict = entry.get("verdict", "should-pass")
        result.judged_file = entry.get("file")
        result.note = entry.get("note", "")
    elif result.outcome != "pass" and result.category == "PostGIS":
        result.verdict = "postgis"


# -- reports --------------------------------------------------------------------------------------


def _khepri_version(khepri: str) -> str:
    rc, out, _ = _run([khepri, "--version"], Path.cwd(), 60)
    return out.strip() if rc == 0 else "unknown"


def _source_revision(khepri: str) -> str:
    """``branch@commit`` (plus ``+N uncommitted`` files) of the checkout whose ``.venv/bin`` holds ``khepri``."""
    checkout = Path(khepri).parent.parent.parent
    if not (checkout / ".git").exists():
        return "unknown checkout"
    git = ["git", "-C", str(checkout)]
    rc, head, _ = _run([*git, "rev-parse", "--abbrev-ref", "HEAD"], checkout, 30)
    rc2, sha, _ = _run([*git, "rev-parse", "--short", "HEAD"], checkout, 30)
    _, dirty, _ = _run([*git, "status", "--porcelain", "--untracked-files=no"], checkout, 30)
    if rc != 0 or rc2 != 0:
        return "unknown checkout"
    changed = len([line for line in dirty.splitlines() if line.strip()])
    return f"{head.strip()}@{sha.strip()}" + (f" +{changed} uncommitted" if changed else "")


def summarize(results: list[Result]) -> dict[str, Any]:
    """Pass counts overall and over projects that should pass on Supabase without PostGIS."""
    should = [r for r in results if r.verdict == "should-pass"]
    passed = [r for r in results if r.outcome == "pass"]
    causes: dict[str, int] = {}
    for r in results:
        if r.outcome != "pass":
            causes[r.category] = causes.get(r.category, 0) + 1
    return {
        "projects": len(results),
        "passed": len(passed),
        "should_pass": len(should),
        "should_pass_passed": sum(1 for r in should if r.outcome == "pass"),
        "causes": dict(sorted(causes.items(), key=lambda kv: (-kv[1], kv[0]))),
    }


def _cell(text: Any) -> str:
    return str(text if text is not None else "").replace("|", "\\|").replace("\n", " ")


def markdown(results: list[Result], meta: dict[str, Any]) -> str:
    """The markdown report: header, pass rates, per-project table, causes ranked."""
    s = meta["summary"]
    pct = lambda a, b: f"{100 * a / b:.0f}%" if b else "n/a"  # noqa: E731
    lines = [
        f"# khepri-db migrate on {s['projects']} public Supabase projects: {meta['engine']} engine",
        "",
        f"- executable: `{meta['khepri']}` ({meta['khepri_version']}, {meta.get('source', 'unknown checkout')}), "
        f"measured {meta['finished']}",
        f"- passed: **{s['passed']}/{s['projects']}** ({pct(s['passed'], s['projects'])})",
        f"- passed among projects that would apply on real Supabase and need no PostGIS: "
        f"**{s['should_pass_passed']}/{s['should_pass']}** ({pct(s['should_pass_passed'], s['should_pass'])})",
        "",
        "| project | commit | files | applied | result | first failing file | SQLSTATE: message | cause "
        "| on Supabase |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    verdicts = {"should-pass": "should pass", "fails-on-supabase": "fails there too", "postgis": "needs PostGIS"}
    for r in results:
        where = f"`{r.failing_file}`" + (f":{r.line}" if r.line else "") if r.failing_file else ""
        msg = f"{r.sqlstate}: {r.message}" if r.sqlstate else r.message
        on_supabase = verdicts.get(r.verdict, r.verdict) + (f" at `{r.judged_file}`" if r.judged_file else "")
        lines.append(
            f"| {_cell(r.repo or r.project)} | `{r.commit[:10]}` | {r.files} | {_cell(r.applied)} | {r.outcome} | "
            f"{_cell(where)} | {_cell(msg[:160])} | {_cell(r.category)} | {_cell(on_supabase)} |"
        )
    lines += ["", "Causes of failure, by projects stopped (first failure only):", "",
              "| cause | projects | of which should pass on Supabase |", "| --- | --- | --- |"]  # fmt: skip
    for cause, count in s["causes"].items():
        should = sum(1 for r in results if r.outcome != "pass" and r.category == cause and r.verdict == "should-pass")
        lines.append(f"| {_cell(cause)} | {count} | {should} |")
    judged = [r for r in results if r.verdict != "should-pass" and r.note]
    if judged:
        lines += ["", "Why these projects would not apply on a real Supabase database either:", ""]
        lines += [f"- {r.repo or r.project}, `{r.judged_file}`: {r.note}" for r in judged]
    return "\n".join(lines) + "\n"


def compare(before: list[Result], after: list[Result]) -> str:
    """Markdown: per project, how ``after`` differs from ``before`` (fixed, moved on, regressed, same).

    A failure "moved on" when more history rows were applied before it stopped; it "regressed"
    when a pass became a failure or fewer files applied; "different failure" when as many applied
    but something else stopped it.
    """
    old = {r.project: r for r in before}
    lines = ["| project | before | after | change |", "| --- | --- | --- | --- |"]
    counts: dict[str, int] = {}
    for r in after:
        b = old.get(r.project)
        if b is None:
            continue
        was = "pass" if b.outcome == "pass" else f"{b.applied}/{b.files} `{b.failing_file or ''}` {b.category}"
        now = "pass" if r.outcome == "pass" else f"{r.applied}/{r.files} `{r.failing_file or ''}` {r.category}"
        if b.outcome != "pass" and r.outcome == "pass":
            change = "fixed"
        elif b.outcome == "pass" and r.outcome != "pass":
            change = "regressed"
        elif b.outcome == "pass" or (b.failing_file, b.category, b.applied) == (r.failing_file, r.category, r.applied):
            change = "same"
        elif (r.applied or 0) > (b.applied or 0):
            change = "moved on"
        elif (r.applied or 0) < (b.applied or 0):
            change = "regressed"
        else:
            change = "different failure"
        counts[change] = counts.get(change, 0) + 1
        if change != "same":
            lines.append(f"| {_cell(r.repo or r.project)} | {_cell(was)} | {_cell(now)} | {change} |")
    summary = ", ".join(f"{n} {c}" for c, n in sorted(counts.items()))
    return f"Compared with the earlier run: {summary}.\n\n" + "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, measure every project (at most ``--jobs`` at once), write ``OUT.json`` and ``OUT.md``."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("projects", nargs="*", help="project dirs, optionally DIR:relative/migrations/dir")
    parser.add_argument("--khepri", default=str(DEFAULT_KHEPRI), help="khepri-db executable (default: %(default)s)")
    parser.add_argument("--engine", choices=["embedded", "system"], default="embedded")
    parser.add_argument("--projects-root", default=str(DEFAULT_ROOT))
    parser.add_argument("--manifest", default=str(DEFAULT_ROOT / "projects.json"))
    parser.add_argument("--judgements", default=str(DEFAULT_ROOT / "judgements.json"))
    parser.add_argument("--only", action="append", default=[], help="measure only projects whose dir contains this")
    parser.add_argument("--timeout", type=float, default=900.0, help="seconds per project's migrate (default 900)")
    parser.add_argument("--jobs", type=int, default=1, help="projects at once (1 or 2; default 1)")
    parser.add_argument("--keep", action="store_true", help="keep data directories (for debugging)")
    parser.add_argument(
        "--label", default=None, help="what the executable is built from (default: its checkout's git HEAD)"
    )
    parser.add_argument("--compare", default=None, help="an earlier OUT.json: add what changed per project")
    parser.add_argument("--from-json", default=None, help="re-judge an earlier OUT.json instead of running")
    parser.add_argument("--out", default=None, help="output path without extension (writes OUT.json and OUT.md)")
    args = parser.parse_args(argv)
    khepri = str(Path(args.khepri).resolve())
    projects = load_projects(args)
    if args.only:
        projects = [p for p in projects if any(o in p.name for o in args.only)]
    judgements = json.loads(Path(args.judgements).read_text()) if Path(args.judgements).is_file() else {}
    jobs = max(1, min(args.jobs, 2))
    if not args.from_json:
        print(f"{len(projects)} projects, engine {args.engine}, {khepri}, {jobs} at once", file=sys.stderr, flush=True)

    def one(project: Project) -> Result:
        result = run_project(project, khepri, args.engine, args.timeout, args.keep)
        judge(result, judgements)
        print(f"  {result.outcome:7} {project.name} ({result.applied}/{result.files}, {result.seconds} s) "
              f"{result.failing_file or ''} {result.category}", file=sys.stderr, flush=True)  # fmt: skip
        return result

    if args.from_json:
        earlier = json.loads(Path(args.from_json).read_text())
        results = [Result(**row) for row in earlier["results"]]
        for result in results:
            result.verdict, result.judged_file, result.note = "should-pass", None, ""
            if result.outcome == "fail":
                result.category = categorize(result)
            judge(result, judgements)
        meta = {key: earlier[key] for key in ("engine", "khepri", "khepri_version", "finished") if key in earlier}
        meta["source"] = args.label or earlier.get("source", "unknown checkout")
        meta["summary"] = summarize(results)
    else:
        with ThreadPoolExecutor(max_workers=jobs) as pool:
            results = list(pool.map(one, projects))
        finished = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
        meta = {"engine": args.engine, "khepri": khepri, "khepri_version": _khepri_version(khepri),
                "source": args.label or _source_revision(khepri), "finished": finished,
                "summary": summarize(results)}  # fmt: skip
    report = markdown(results, meta)
    if args.compare:
        before = [Result(**row) for row in json.loads(Path(args.compare).read_text())["results"]]
        report += "\n" + compare(before, results)
    if args.out:
        Path(args.out + ".json").write_text(json.dumps({**meta, "results": [asdict(r) for r in results]}, indent=1))
        Path(args.out + ".md").write_text(report)
    print(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
