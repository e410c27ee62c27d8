"""``khepri-db demo``: the Khepri app end to end, as PostgREST would call it."""

from __future__ import annotations

import typer
from rich.console import Console

from khepri_db.cli._app import app
from khepri_db.cli.common import (
    DataDir,
    DbUrl,
    Format,
    Linked,
    OutputFormat,
    TargetEngine,
    handles_errors,
    out,
    print_json,
    target_url,
)


@app.command("demo")
@handles_errors
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

    url = target_url(db_url, data_dir, output, engine_name, linked=linked)
    result = run_demo(url, Console(quiet=True) if output is OutputFormat.json else out)
    if output is OutputFormat.json:
        print_json({"passed": result.passed, "checks": [{"check": c, "passed": ok} for c, ok in result.checks]})
    if not result.passed:
        raise typer.Exit(1)
