"""``khepri-db gen types``: code generated from the live database."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
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
    err,
    handles_errors,
    out,
    print_json,
    split_csv,
    target_url,
)
from khepri_db.core.errors import UsageError
from khepri_db.core.project import Project

# -- gen types ---------------------------------------------------------------------------------

gen_app = KhepriTyper(help="Generate code from the live database (types for app code).", no_args_is_help=True)
app.add_typer(gen_app, name="gen")


class GenLang(StrEnum):
    """Languages ``gen types`` writes."""

    python = "python"


@gen_app.command("types")
@handles_errors
def gen_types_cmd(
    lang: Annotated[GenLang, typer.Option("--lang", help="Language of the generated module.")] = GenLang.python,
    db_url: DbUrl = None,
    linked: Linked = False,
    data_dir: DataDir = None,
    engine_name: TargetEngine = None,
    schemas: Annotated[
        list[str] | None,
        typer.Option(
            "--schema",
            help="Schema to generate (repeatable or comma-separated). Default: the exposed schemas, as doctor "
            "decides them (supabase/config.toml \\[api] schemas, else pgrst.db_schemas, else public).",
        ),
    ] = None,
    roles: Annotated[
        list[str] | None,
        typer.Option("--role", help="Also expose what this role may reach (repeatable), e.g. service_role."),
    ] = None,
    include_all: Annotated[
        bool, typer.Option("--all", help="Every table, view and function of the schemas, whatever the grants.")
    ] = False,
    output_file: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write the module here. Default: stdout.", show_default=False)
    ] = None,
    check: Annotated[
        bool,
        typer.Option("--check", help="Write nothing; exit 1 with a diff when --output differs from the database."),
    ] = False,
    output: Format = OutputFormat.text,
) -> None:
    """Generate pydantic v2 models (Row/Insert/Update per table and view, enums, composites, domains) and
    one typed function per RPC, from the live database (docs/gen-types.md).

    Only the objects anon or authenticated (plus --role) can reach are generated. The module needs no
    khepri-db: it carries a copy of the runtime it runs, so an app installs pydantic, and psycopg or
    supabase for the RPC calls. The output is deterministic: --check exits 0 when the file is current,
    1 with a diff when it is not.
    """
    from khepri_db.client.codegen import DEFAULT_ROLES, generate_types, unified_diff
    from khepri_db.core.db import connect

    if check and output_file is None:
        raise UsageError("--check compares with a file: give it with --output")
    project = Project.discover()
    url = target_url(db_url, data_dir, output, engine_name, linked=linked)
    with connect(url) as conn:
        generated = generate_types(
            conn, project=project, schemas=split_csv(schemas) or None,
            roles=[*DEFAULT_ROLES, *(r for r in split_csv(roles) if r not in DEFAULT_ROLES)], include_all=include_all,
        )  # fmt: skip
    summary = {"lang": lang.value, "output": str(output_file) if output_file else None, **generated.to_dict()}
    if check:
        assert output_file is not None
        current = output_file.read_text(encoding="utf-8") if output_file.is_file() else ""
        diff = unified_diff(current, generated.text, str(output_file))
        if output is OutputFormat.json:
            print_json({**summary, "up_to_date": not diff, "diff": diff})
        elif diff:
            sys.stdout.write(diff)
            err.print(f"[red]{output_file} differs from the database[/red]: regenerate it with --output and no --check")
        else:
            out.print(f"{output_file} is up to date")
        if diff:
            raise typer.Exit(1)
        return
    if output_file is None:
        if output is OutputFormat.json:
            print_json({**summary, "module": generated.text})
        else:
            sys.stdout.write(generated.text)
        return
    output_file.parent.mkdir(parents=True, exist_ok=True)
    output_file.write_text(generated.text, encoding="utf-8")
    if output is OutputFormat.json:
        print_json(summary)
    else:
        out.print(
            f"Wrote {output_file}: {generated.tables} table(s), {generated.views} view(s), {generated.functions} "
            f"function(s), {generated.enums} enum(s), {generated.composites} composite(s), {generated.domains} "
            f"domain(s) from {', '.join(generated.schemas)}"
        )
        for item in generated.skipped:
            err.print(f"[yellow]not generated:[/yellow] {item}")
