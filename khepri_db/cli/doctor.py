"""``khepri-db doctor``: diagnostics of a database, as a report or a CI gate."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from khepri_db import __version__
from khepri_db.cli._app import app
from khepri_db.cli.common import (
    DataDir,
    DbUrl,
    DoctorFormat,
    FailOn,
    KhepriSchema,
    Linked,
    MigrationsDir,
    OutputFormat,
    TargetEngine,
    handles_errors,
    print_json,
    split_csv,
    target_url,
)
from khepri_db.cli.render import print_rule_list, render_report
from khepri_db.core.errors import ConfigError, KhepriError
from khepri_db.core.project import Project

# -- doctor ------------------------------------------------------------------------------------


class ShowLevel(StrEnum):
    """Lowest level ``doctor`` shows (``supabase db advisors --level``)."""

    info = "info"
    warn = "warn"
    error = "error"


class AdvisorType(StrEnum):
    """Which findings ``doctor`` shows (``supabase db advisors --type``)."""

    all = "all"
    security = "security"
    performance = "performance"


@app.command("doctor")
@handles_errors
def doctor_cmd(
    db_url: DbUrl = None,
    linked: Linked = False,
    data_dir: DataDir = None,
    engine_name: TargetEngine = None,
    migrations_dir: MigrationsDir = None,
    exposed_schemas: Annotated[
        list[str] | None,
        typer.Option(
            "--exposed-schemas",
            help="Schemas the Data API exposes (comma-separated or repeated). Default: supabase/config.toml "
            "\\[api] schemas, else the pgrst.db_schemas setting, else public.",
        ),
    ] = None,
    fail_on: Annotated[
        FailOn, typer.Option("--fail-on", help="Exit 1 when a finding is at or above this level.")
    ] = FailOn.error,
    level: Annotated[
        ShowLevel,
        typer.Option(
            "--level",
            help="Minimum level shown: info, warn or error (as `supabase db advisors --level`). Display only: "
            "--fail-on still judges every finding.",
        ),
    ] = ShowLevel.info,
    advisor_type: Annotated[
        AdvisorType,
        typer.Option(
            "--type",
            help="Findings shown: all, security or performance (their category, as `supabase db advisors "
            "--type`). Display only: --fail-on still judges every finding.",
        ),
    ] = AdvisorType.all,
    only: Annotated[list[str] | None, typer.Option("--only", help="Run only these rules (comma-separated).")] = None,
    exclude: Annotated[list[str] | None, typer.Option("--exclude", help="Skip these rules (comma-separated).")] = None,
    config_file: Annotated[
        Path | None,
        typer.Option(
            "--config",
            help="doctor's settings: \\[doctor] suppress (by cache_key, with a reason), exclude, thresholds, "
            "tenant_columns. Default: supabase/khepri.toml.",
            show_default=False,
        ),
    ] = None,
    plpgsql_check: Annotated[
        bool | None,
        typer.Option(
            "--plpgsql-check/--no-plpgsql-check",
            help="Check PL/pgSQL bodies with the plpgsql_check extension when the server has it (default), "
            "or always with doctor's own planner check.",
            show_default=False,
        ),
    ] = None,
    khepri_schema: KhepriSchema = False,
    list_rules: Annotated[bool, typer.Option("--list-rules", help="List the rules and exit.")] = False,
    output: Annotated[
        DoctorFormat,
        typer.Option("--format", help="text for people, json for CI, sarif for GitHub code scanning (SARIF 2.1.0)."),
    ] = DoctorFormat.text,
) -> None:
    """Diagnose a database: what Supabase's database linter checks, and bugs it cannot see.

    Each rule is one SQL query in sql/doctor/ returning the linter's columns (name, title, level,
    facing, categories, description, detail, remediation, metadata, cache_key): every rule of
    Supabase's linter under the same name, plus function bodies that name missing tables or
    columns, upserts without an arbiter, SECURITY DEFINER functions trusting a caller-supplied id,
    role-only policies, and runtime health. `--list-rules` lists them; docs/doctor has a page each.
    """
    from khepri_db.doctor.config import CONFIG_FILE as DOCTOR_CONFIG_FILE
    from khepri_db.doctor.config import DoctorConfig
    from khepri_db.doctor.rules import load_rules
    from khepri_db.doctor.run import run_doctor

    try:
        if list_rules:
            print_rule_list(output)
            return
        project = Project.discover()
        config = DoctorConfig.load(config_file if config_file is not None else project.root / DOCTOR_CONFIG_FILE)
        if config_file is not None and not config_file.is_file():
            raise ConfigError(f"{config_file}: no such file", hint="--config names doctor's TOML settings file")
        url = target_url(
            db_url,
            data_dir,
            OutputFormat.text if output is DoctorFormat.text else OutputFormat.json,
            engine_name,
            linked=linked,
        )
        report = run_doctor(
            url,
            project=project,
            migrations_dir=migrations_dir,
            khepri_schema=khepri_schema,
            exposed_schemas=split_csv(exposed_schemas) or None,
            only=split_csv(only),
            exclude=split_csv(exclude),
            config=config,
            plpgsql_check=plpgsql_check,
        )
    except KhepriError as exc:
        if output is DoctorFormat.text:
            raise
        print_json({"error": exc.to_dict()})
        raise typer.Exit(exc.exit_code) from None
    shown = report.shown(level.value, advisor_type.value)
    if output is DoctorFormat.json:
        print_json({"findings": [f.model_dump() for f in shown], **report.model_dump(exclude={"findings"}),
                     "summary": report.summary(),
                     "shown": {"level": level.value, "type": advisor_type.value,
                               "hidden": len(report.findings) - len(shown)}})  # fmt: skip
    elif output is DoctorFormat.sarif:
        from khepri_db.doctor.sarif import to_sarif

        rules = [r for r in load_rules() if r.name in report.rules]
        print_json(
            to_sarif(shown, rules, root=project.root,
                     migrations_dir=Path(report.migrations_dir or project.supabase_dir / "migrations"),
                     tool_version=__version__)
        )  # fmt: skip
    else:
        render_report(report, fail_on, project, level=level.value, advisor_type=advisor_type.value)
    if report.fails(fail_on.value):
        raise typer.Exit(1)
