"""Test helpers for the platform extension stand-ins: pg_net requests and pg_cron jobs.

khepri-db's ``pg_net`` stand-in records every ``net.http_get/post/delete`` call in
``net.http_request_queue`` and sends nothing; its ``pg_cron`` stand-in records jobs in
``cron.job`` and never runs them (``docs/extensions/``). These functions let tests see and drive
both, on any psycopg connection (e.g. the pytest plugin's ``db``):

* :func:`net_requests` lists the recorded requests, each with its response if one was written;
* :func:`respond` writes the response pg_net's worker would have stored for a request;
* :func:`run_cron_job` runs one job's command now, as the job's user, in the job's database, and
  records the run in ``cron.job_run_details`` as pg_cron does.

The pytest plugin wraps them as the ``khepri_net`` and ``khepri_cron`` fixtures; the CLI runs a job
with ``khepri-db cron run``. On a real Supabase database (real pg_net and pg_cron) the listing and
:func:`run_cron_job` work too; :func:`respond` would race the real worker.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Collection
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

import psycopg
from psycopg import sql
from psycopg.conninfo import make_conninfo
from psycopg.rows import dict_row

from khepri_db.core.errors import UsageError


@dataclass(frozen=True)
class NetResponse:
    """A row of ``net._http_response``: what pg_net stored for a request.

    Attributes:
        status_code: HTTP status (``None`` when the request failed before one arrived).
        content_type: the ``Content-Type`` header's value, if any.
        headers: response headers.
        content: response body as text.
        timed_out: whether the request timed out.
        error_msg: pg_net's error message for a failed request, else ``None``.
        created: when the row was written.
    """

    status_code: int | None
    content_type: str | None
    headers: dict[str, Any] | None
    content: str | None
    timed_out: bool | None
    error_msg: str | None
    created: datetime


@dataclass(frozen=True)
class NetRequest:
    """A request recorded by ``net.http_get``, ``net.http_post`` or ``net.http_delete``.

    Attributes:
        id: the request id the ``net.http_*`` call returned.
        method: ``GET``, ``POST`` or ``DELETE``.
        url: the URL with the encoded ``params`` appended, as pg_net builds it.
        headers: request headers (``http_post`` adds ``Content-Type: application/json``).
        body: the request body bytes (``http_post``/``http_delete``), else ``None``.
        timeout_milliseconds: the call's timeout.
        response: the stored response, or ``None`` when none was written yet.
    """

    id: int
    method: str
    url: str
    headers: dict[str, Any] | None
    body: bytes | None
    timeout_milliseconds: int
    response: NetResponse | None

    def json(self) -> Any:
        """The body decoded as JSON (pg_net's POST bodies are JSON).

        Raises:
            ValueError: there is no body, or it is not JSON.
        """
        if self.body is None:
            raise ValueError(f"pg_net request {self.id} ({self.method} {self.url}) has no body")
        return json.loads(self.body.decode("utf-8"))


def _require_schema(conn: psycopg.Connection, schema: str, extension: str) -> None:
    row = conn.execute("select to_regnamespace(%s) is not null", (schema,)).fetchone()
    if not row or not row[0]:
        raise UsageError(
            f"database {conn.info.dbname!r} has no {schema} schema: the {extension} extension is not installed",
            hint=f"run `create extension {extension}` (khepri-db ships a stand-in on the embedded engine)",
        )


def net_requests(conn: psycopg.Connection) -> list[NetRequest]:
    """Every request recorded in ``net.http_request_queue``, oldest first, with its response.

    Args:
        conn: a connection to the database where ``pg_net`` is installed; what it sees is what
            is listed (inside a test's transaction: that transaction's requests too).

    Returns:
        One :class:`NetRequest` per queued request, ordered by id.

    Raises:
        UsageError: the ``net`` schema does not exist (``pg_net`` is not installed).
    """
    _require_schema(conn, "net", "pg_net")
    with conn.cursor(row_factory=dict_row) as cur:
        rows = cur.execute(
            "select q.id, q.method::text as method, q.url, q.headers, q.body, q.timeout_milliseconds, "
            "r.id as response_id, r.status_code, r.content_type, r.headers as response_headers, r.content, "
            "r.timed_out, r.error_msg, r.created "
            "from net.http_request_queue as q "
            "left join lateral (select * from net._http_response as x where x.id = q.id order by x.created desc "
            "limit 1) as r on true order by q.id"
        ).fetchall()
    requests = []
    for row in rows:
        response = None
        if row["response_id"] is not None:
            response = NetResponse(
                status_code=row["status_code"],
                content_type=row["content_type"],
                headers=row["response_headers"],
                content=row["content"],
                timed_out=row["timed_out"],
                error_msg=row["error_msg"],
                created=row["created"],
            )
        body = row["body"]
        requests.append(
            NetRequest(
                id=row["id"],
                method=row["method"],
                url=row["url"],
                headers=row["headers"],
                body=bytes(body) if body is not None else None,
                timeout_milliseconds=row["timeout_milliseconds"],
                response=response,
            )
        )
    return requests


def respond(
    conn: psycopg.Connection,
    request_id: int,
    *,
    status_code: int = 200,
    content: str | bytes | Any = "",
    headers: dict[str, str] | None = None,
    content_type: str | None = None,
    error_msg: str | None = None,
    timed_out: bool = False,
) -> None:
    """Store a response for a recorded request in ``net._http_response``, as pg_net's worker does.

    Afterwards ``net._http_collect_response(request_id)`` returns it (status ``SUCCESS``, or
    ``ERROR`` with ``error_msg``), and code that polls ``net._http_response`` sees it.

    Args:
        conn: a connection to the database where ``pg_net`` is installed.
        request_id: the id a ``net.http_*`` call returned.
        status_code: HTTP status; ignored when ``error_msg`` is given (stored as NULL).
        content: the body: text, UTF-8 bytes, or any other value, which is stored as JSON.
        headers: response headers; ``content_type`` is added as ``Content-Type`` when given.
        content_type: the ``Content-Type``; default ``application/json`` when ``content`` is
            neither text nor bytes, else ``text/plain``.
        error_msg: make this a failed request (pg_net stores curl's error text here).
        timed_out: mark the request as timed out.

    Raises:
        UsageError: ``pg_net`` is not installed, or no request ``request_id`` was recorded.
    """
    _require_schema(conn, "net", "pg_net")
    found = conn.execute("select 1 from net.http_request_queue where id = %s", (request_id,)).fetchone()
    if found is None:
        raise UsageError(
            f"pg_net has no recorded request {request_id} in database {conn.info.dbname!r}",
            hint="use the id net.http_get/http_post/http_delete returned (see khepri_db.testing.platform.net_requests)",
        )
    if isinstance(content, bytes):
        text: str | None = content.decode("utf-8")
        default_type = "text/plain"
    elif isinstance(content, str):
        text, default_type = content, "text/plain"
    else:
        text, default_type = json.dumps(content), "application/json"
    kind = content_type or default_type
    all_headers = {**(headers or {}), "Content-Type": kind}
    conn.execute(
        "insert into net._http_response (id, status_code, content_type, headers, content, timed_out, error_msg) "
        "values (%s, %s, %s, %s, %s, %s, %s)",
        (
            request_id,
            None if error_msg else status_code,
            kind,
            json.dumps(all_headers),
            None if error_msg else text,
            timed_out,
            error_msg,
        ),
    )


@dataclass(frozen=True)
class CronRun:
    """One run of a pg_cron job, as recorded in ``cron.job_run_details``.

    Attributes:
        jobid: the job's id.
        jobname: the job's name, if it has one.
        runid: the ``cron.job_run_details`` row.
        database: the database the command ran in.
        username: the role it ran as.
        command: the command.
        status: ``succeeded`` or ``failed`` (pg_cron's values).
        return_message: the last statement's command tag (e.g. ``SELECT 1``) or the error message.
        start_time: when the run started.
        end_time: when it ended.
    """

    jobid: int
    jobname: str | None
    runid: int
    database: str
    username: str
    command: str
    status: str
    return_message: str
    start_time: datetime
    end_time: datetime

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (timestamps as ISO 8601 text)."""
        data = asdict(self)
        data["start_time"] = self.start_time.isoformat()
        data["end_time"] = self.end_time.isoformat()
        return data


def find_cron_job(conn: psycopg.Connection, job: int | str) -> dict[str, Any]:
    """The ``cron.job`` row of a job given by id or by name.

    Args:
        conn: a connection to the database where ``pg_cron`` is installed (as a role that sees
            the job: its owner or a superuser).
        job: the job id, or its name (a string of digits is taken as an id when no job has that
            name).

    Returns:
        The row as a dict (``jobid``, ``jobname``, ``schedule``, ``command``, ``database``,
        ``username``, ``active``...).

    Raises:
        UsageError: ``pg_cron`` is not installed, no job matches, or the name belongs to jobs of
            several users.
    """
    _require_schema(conn, "cron", "pg_cron")
    with conn.cursor(row_factory=dict_row) as cur:
        if isinstance(job, str):
            rows = cur.execute("select * from cron.job where jobname = %s order by jobid", (job,)).fetchall()
            if not rows and job.isdigit():
                rows = cur.execute("select * from cron.job where jobid = %s", (int(job),)).fetchall()
        else:
            rows = cur.execute("select * from cron.job where jobid = %s", (job,)).fetchall()
    if not rows:
        listed = [
            f"{r[0]}:{r[1] or '(unnamed)'}" for r in conn.execute("select jobid, jobname from cron.job order by 1")
        ]
        raise UsageError(
            f"no pg_cron job {job!r} in database {conn.info.dbname!r}",
            hint=f"jobs there: {', '.join(listed) if listed else 'none'}",
        )
    if len(rows) > 1:
        owners = ", ".join(f"{r['jobid']} ({r['username']})" for r in rows)
        raise UsageError(f"pg_cron job name {job!r} belongs to several users' jobs: {owners}", hint="pass the job id")
    return rows[0]


def run_cron_job(conn: psycopg.Connection, job: int | str, *, same_as: Collection[str] = ()) -> CronRun:
    """Run one pg_cron job's command now, as the job's user, in the job's database.

    What pg_cron's worker does when the schedule fires, once: a ``cron.job_run_details`` row
    (status ``running``, then ``succeeded`` or ``failed`` with the command tag or the error message
    as ``return_message``). The job's ``active`` flag and schedule are not consulted.

    When the job's database is the connection's, the command runs on ``conn`` as the job's user
    (``set session authorization``, or ``set role`` for a non-superuser session), inside a
    savepoint when a transaction is open, so a test's rolled-back transaction undoes the run too;
    a failing command does not abort it. For another database, a new connection with the same
    credentials runs it (committed: pg_cron's runs commit).

    Args:
        conn: a connection to the database where ``pg_cron`` is installed.
        job: the job id or name (see :func:`find_cron_job`).
        same_as: database names to treat as the connection's own. A database cloned from a
            template carries the jobs scheduled while the template was migrated, and they name
            the template (pg_cron records ``current_database()``); the pytest plugin passes the
            template's name so such jobs run in the clone.

    Returns:
        The recorded :class:`CronRun`.

    Raises:
        UsageError: no such job, or this session may not act as the job's user.
    """
    row = find_cron_job(conn, job)
    here = conn.execute("select current_database()").fetchone()
    same_database = here is not None and (row["database"] == here[0] or row["database"] in same_as)
    with conn.transaction():
        run = conn.execute(
            "insert into cron.job_run_details (jobid, database, username, command, status, start_time) "
            "values (%s, %s, %s, %s, 'running', clock_timestamp()) returning runid, start_time",
            (row["jobid"], row["database"], row["username"], row["command"]),
        ).fetchone()
    assert run is not None
    runid, start_time = run
    if same_database:
        status, message, pid = _run_as(conn, row["username"], row["command"])
    else:
        dsn = make_conninfo(conn.info.dsn, password=conn.info.password, dbname=row["database"])
        with psycopg.connect(dsn, autocommit=True) as other:
            status, message, pid = _run_as(other, row["username"], row["command"])
    with conn.transaction():
        done = conn.execute(
            "update cron.job_run_details set status = %s, return_message = %s, job_pid = %s, "
            "end_time = clock_timestamp() where runid = %s returning end_time",
            (status, message, pid, runid),
        ).fetchone()
    assert done is not None
    return CronRun(
        jobid=row["jobid"],
        jobname=row["jobname"],
        runid=runid,
        database=row["database"],
        username=row["username"],
        command=row["command"],
        status=status,
        return_message=message,
        start_time=start_time,
        end_time=done[0],
    )


def _run_as(conn: psycopg.Connection, username: str, command: str) -> tuple[str, str, int]:
    """Run ``command`` on ``conn`` as ``username``; (status, return message, backend pid).

    On an autocommit connection with no transaction open the command runs as pg_cron runs it
    (its statements commit on their own, ``vacuum`` works); otherwise inside a savepoint.
    """
    superuser = conn.execute("select rolsuper from pg_roles where rolname = session_user").fetchone()
    is_superuser = bool(superuser and superuser[0])
    switch = sql.SQL("set session authorization {}" if is_superuser else "set role {}").format(sql.Identifier(username))
    reset = "reset session authorization" if is_superuser else "reset role"
    pid = conn.info.backend_pid
    idle = conn.info.transaction_status == psycopg.pq.TransactionStatus.IDLE
    scope = contextlib.nullcontext() if conn.autocommit and idle else conn.transaction()
    try:
        conn.execute(switch)
    except psycopg.errors.InsufficientPrivilege as exc:
        raise UsageError(
            f"this session ({conn.info.user}) may not act as the job's user {username!r}: {exc}",
            hint="connect as a superuser (the embedded engine's postgres) or as the job's user",
        ) from exc
    try:
        with scope, conn.cursor() as cur:
            cur.execute(command)
            message = cur.statusmessage or ""
            while cur.nextset():
                message = cur.statusmessage or message
    except psycopg.Error as exc:
        status, message = "failed", exc.diag.message_primary or str(exc).strip()
    else:
        status = "succeeded"
    finally:
        conn.execute(reset)
    return status, message, pid
