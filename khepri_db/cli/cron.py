"""``khepri-db cron``: pg_cron stand-in jobs run on demand (``cron run``)."""

from __future__ import annotations

from typing import Annotated

import typer

from khepri_db.cli._app import app
from khepri_db.cli.common import (
    DataDir,
    DbUrl,
    Format,
    KhepriTyper,
    Linked,
    OutputFormat,
    TargetEngine,
    handles_errors,
    out,
    print_json,
    target_url,
)

cron_app = KhepriTyper(help="pg_cron jobs: run one now (the stand-in never runs them itself).", no_args_is_help=True)
app.add_typer(cron_app, name="cron")


@cron_app.command("run")
@handles_errors
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
    from khepri_db.testing.platform import run_cron_job

    url = target_url(db_url, data_dir, output, engine_name, linked=linked)
    with connect(url, autocommit=True) as conn:
        run = run_cron_job(conn, job)
    if output is OutputFormat.json:
        print_json(run.to_dict())
    else:
        name = f" ({run.jobname})" if run.jobname else ""
        color = "green" if run.status == "succeeded" else "red"
        out.print(f"job {run.jobid}{name} as {run.username} in {run.database}: ", end="", markup=False)
        out.print(f"[{color}]{run.status}[/{color}]", end="")
        out.print(f": {run.return_message} (run {run.runid})", markup=False)
    if run.status != "succeeded":
        raise typer.Exit(1)
