"""``khepri-db demo`` (the Khepri app end to end) and ``khepri-db cron run`` (pg_cron stand-in jobs on demand)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

from khepri_db.cli._app import (
    DataDir,
    DbUrl,
    Format,
    Linked,
    OutputFormat,
    TargetEngine,
    _handles_errors,
    _print_json,
    _target_url,
    app,
    cron_app,
    out,
)

# -- demo --------------------------------------------------------------------------------------


@app.command("demo")
@_handles_errors
def demo_cmd(
    db_url: DbUrl = None,
    linked: Linked = False,
    data_dir: DataDir = None,
    engine_name: TargetEngine = None,
    output: Format = OutputFormat.text,
) -> None:
    """Walk through finalize_onboarding as PostgREST would call it (needs the Khepri schema).

    Signs up two users, onboards one twice with the same idempotency key, and shows that the other
    user, a replay of the key by the other user, and an anonymous visitor get nothing of hers.
    Exit 1 if any check fails.
    """
    from khepri_db.khepri.demo import run_demo

    url = _target_url(db_url, data_dir, output, engine_name, linked=linked)
    result = run_demo(url, Console(quiet=True) if output is OutputFormat.json else out)
    if output is OutputFormat.json:
        _print_json({"passed": result.passed, "checks": [{"check": c, "passed": ok} for c, ok in result.checks]})
    if not result.passed:
        raise typer.Exit(1)


@cron_app.command("run")
@_handles_errors
def cron_run_cmd(
    job: Annotated[str, typer.Argument(help="The job's name (cron.job.jobname) or id (cron.job.jobid).")],
    db_url: DbUrl = None,
    linked: Linked = False,
    data_dir: DataDir = None,
    engine_name: TargetEngine = None,
    output: Format = OutputFormat.text,
) -> None:
    """Run one pg_cron job's command now, as the job's user in the job's database.

    Records the run in cron.job_run_details like pg_cron (status succeeded or failed, with the
    command tag or the error as return_message). The database is the one where pg_cron is
    installed. Exit 1 if the command failed, 2 if there is no such job.
    """
    from khepri_db.core.db import connect
    from khepri_db.policy.platform import run_cron_job

    url = _target_url(db_url, data_dir, output, engine_name, linked=linked)
    with connect(url, autocommit=True) as conn:
        run = run_cron_job(conn, job)
    if output is OutputFormat.json:
        _print_json(run.to_dict())
    else:
        name = f" ({run.jobname})" if run.jobname else ""
        color = "green" if run.status == "succeeded" else "red"
        out.print(f"job {run.jobid}{name} as {run.username} in {run.database}: ", end="", markup=False)
        out.print(f"[{color}]{run.status}[/{color}]", end="")
        out.print(f": {run.return_message} (run {run.runid})", markup=False)
    if run.status != "succeeded":
        raise typer.Exit(1)
