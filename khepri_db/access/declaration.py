"""The access declaration (``supabase/access.toml``, format ``docs/access.md``): loading it
(:func:`load_declaration`) and where it lives (:func:`default_access_file`); its model
(:mod:`._declared`), file format (:mod:`._access_file`) and validation (:mod:`._validate`) are
underneath, their public names re-exported here.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from pydantic import ValidationError

from khepri_db.access._access_file import (
    DEFAULT_STORAGE_PATH,
    AccessFile,
    ActorSpec,
    FunctionSpec,
    StorageSpec,
    TableSpec,
)
from khepri_db.access._declared import (
    ACCESS_FILE,
    ACTOR_NAME,
    API_ROLE,
    BUCKET_ID,
    BUILTIN_ACTORS,
    EXECUTE,
    FUNCTION_KEY,
    IDENT,
    OPERATIONS,
    REF,
    REFERENCE_ROOTS,
    STORAGE_TABLE,
    TABLE_KEY,
    UNREVIEWED_PARTS,
    VARIANT_MARK,
    VARIANT_REF,
    AccessDeclarationError,
    Declaration,
    FunctionDeclaration,
    Outcome,
    QualifiedName,
    Reference,
    RowFactoryError,
    StorageDeclaration,
    TableDeclaration,
    find_references,
    ownership_references,
    qualify,
    resolve_reference,
    storage_object_name,
    value_texts,
)
from khepri_db.access._validate import located, section_line, validate
from khepri_db.core.project import Project, bundled_path


def load_declaration(path: Path) -> Declaration:
    """Read and validate an access declaration (no database needed).

    Args:
        path: the TOML file (``supabase/access.toml``).

    Returns:
        The :class:`Declaration`.

    Raises:
        AccessDeclarationError: the file is missing, not TOML, or invalid: unknown keys, actors or
            operations, a reference to something undeclared, an insert allowed without a row, or
            factories that reference each other in a cycle. The message gives ``file:line`` and
            the key.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise AccessDeclarationError(
            f"no access declaration at {path}",
            hint="write one (see docs/access.md), or pass --access-file",
        ) from None
    except OSError as exc:
        raise AccessDeclarationError(f"cannot read {path}: {exc}") from exc
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise AccessDeclarationError(f"{path}: invalid TOML: {exc}") from exc
    lines = text.splitlines()
    try:
        document = AccessFile.model_validate(raw)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            loc = [str(part) for part in error["loc"]]
            line = section_line(lines, loc[0], loc[1]) if len(loc) >= 2 else None
            dotted = ".".join(p if not p.isdigit() else f"[{p}]" for p in loc).replace(".[", "[")
            problems.append(f"{located(path, line)}: {dotted}: {error['msg']}")
        raise AccessDeclarationError(
            "invalid access declaration:\n  " + "\n  ".join(problems),
            hint="see docs/access.md for the format",
        ) from None
    return validate(path, lines, document)


def default_access_file(project: Project, *, khepri_schema: bool = False) -> Path:
    """``<project>/supabase/access.toml``, or the Khepri schema's bundled one when ``khepri_schema``.

    Without a project the path returned does not exist, so loading it fails with an error naming
    it: the bundled Khepri declaration is never used unless asked for.
    """
    if khepri_schema:
        return bundled_path("supabase", ACCESS_FILE)
    return project.supabase_dir / ACCESS_FILE


__all__ = [
    "ACCESS_FILE",
    "ACTOR_NAME",
    "API_ROLE",
    "BUCKET_ID",
    "BUILTIN_ACTORS",
    "DEFAULT_STORAGE_PATH",
    "EXECUTE",
    "FUNCTION_KEY",
    "IDENT",
    "OPERATIONS",
    "REF",
    "REFERENCE_ROOTS",
    "STORAGE_TABLE",
    "TABLE_KEY",
    "UNREVIEWED_PARTS",
    "VARIANT_MARK",
    "VARIANT_REF",
    "AccessDeclarationError",
    "AccessFile",
    "ActorSpec",
    "Declaration",
    "FunctionDeclaration",
    "FunctionSpec",
    "Outcome",
    "QualifiedName",
    "Reference",
    "RowFactoryError",
    "StorageDeclaration",
    "StorageSpec",
    "TableDeclaration",
    "TableSpec",
    "default_access_file",
    "find_references",
    "load_declaration",
    "ownership_references",
    "qualify",
    "resolve_reference",
    "storage_object_name",
    "value_texts",
]
