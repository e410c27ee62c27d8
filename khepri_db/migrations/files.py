"""Migration files: which files in a directory are migrations (``<version>_<name>.sql``), read as
bytes as the Supabase CLI reads them, and their statements as the CLI splits them.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from khepri_db.core.errors import (
    UsageError,
)
from khepri_db.core.sqltext import Statement, split_statements
from khepri_db.migrations.plan import NO_TRANSACTION_MARKER, ExecutionPlan, plan_file

FILE_PATTERN = re.compile(r"^([0-9]+)_(.*)\.sql$")
"""Migration file names, as the Supabase CLI matches them."""

LEGACY_INIT_PATTERN = re.compile(r"([0-9]{14})_init\.sql")
"""A first migration named so, older than 20211209000000, is the Supabase CLI's deprecated init
schema: the CLI skips it (pkg/migration/list.go), and so do we."""

LEGACY_INIT_BEFORE = 20211209000000


_BOM = b"\xef\xbb\xbf"


def sha256_hex(data: bytes) -> str:
    """The SHA-256 of ``data`` as 64 lower-case hex digits (how files and statements are fingerprinted)."""
    return hashlib.sha256(data).hexdigest()


def decode_sql(path: Path, data: bytes) -> str:
    """The text of a SQL file read as bytes: UTF-8, a leading byte-order mark dropped (the Supabase
    CLI does not record it), newlines exactly as in the file.

    Raises:
        UsageError: the file is not UTF-8 (names the file and byte offset).
    """
    try:
        return data.removeprefix(_BOM).decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UsageError(f"{path}: not UTF-8 text (byte {exc.start}: {exc.reason})") from exc


def statements_fingerprint(statements: Sequence[str]) -> str:
    """sha256 of a ``schema_migrations.statements`` value (joined by NUL, which text cannot hold).

    Stored in ``khepri_migration_facts.statements_sha256``: a facts row whose fingerprint no
    longer matches its history row was written for a row that something else (``supabase
    migration repair``, ``supabase db push``) has since rewritten, and is ignored.
    """
    return sha256_hex("\x00".join(statements).encode("utf-8"))


@dataclass(frozen=True)
class MigrationFile:
    """A local migration file.

    Attributes:
        version: the leading digits of the file name (e.g. ``"20261121100000"``).
        name: the rest of the name without ``.sql`` (e.g. ``"khepri_foundation"``).
        path: where the file is.
        data: its bytes, exactly as on disk.
    """

    version: str
    name: str
    path: Path
    data: bytes

    @classmethod
    def load(cls, path: Path) -> MigrationFile:
        """Read ``path`` (bytes, as the Supabase CLI reads it); its name must match :data:`FILE_PATTERN`.

        Raises:
            UsageError: the name does not match, or the file is not UTF-8 text.
        """
        match = FILE_PATTERN.match(path.name)
        if not match:
            raise UsageError(f"{path}: not a migration file name (expected <digits>_<name>.sql)")
        file = cls(match.group(1), match.group(2), path, path.read_bytes())
        _ = file.sql  # fail early on bytes that are not UTF-8
        return file

    @cached_property
    def sql(self) -> str:
        """The file's text: UTF-8, without a leading byte-order mark, newlines as written."""
        return decode_sql(self.path, self.data)

    @cached_property
    def sha256(self) -> str:
        """Hex sha256 of the file's bytes."""
        return sha256_hex(self.data)

    @cached_property
    def legacy_sha256(self) -> str:
        """The checksum khepri-db 0.x recorded: of the text with newlines translated to ``\\n``."""
        text = self.data.decode("utf-8", "replace").replace("\r\n", "\n").replace("\r", "\n")
        return sha256_hex(text.encode("utf-8"))

    @cached_property
    def statements(self) -> list[Statement]:
        """The file split into statements (see :func:`khepri_db.core.sqltext.split_statements`)."""
        return split_statements(self.sql)

    @property
    def transactional(self) -> bool:
        """False when the file opts out with ``-- khepri:no-transaction`` on its first line."""
        first = self.sql.lstrip().splitlines()[0] if self.sql.strip() else ""
        return first.strip().lower() != NO_TRANSACTION_MARKER

    @cached_property
    def plan(self) -> ExecutionPlan:
        """How the file runs (see :func:`plan_file`); raises what :func:`plan_file` raises."""
        return plan_file(self.path, self.statements, marker=not self.transactional)

    @property
    def filename(self) -> str:
        """``<version>_<name>.sql``."""
        return self.path.name


@dataclass(frozen=True)
class IgnoredFile:
    """A file in the migrations directory that is not a migration, and why."""

    path: Path
    reason: str


def discover(directory: Path) -> tuple[list[MigrationFile], list[IgnoredFile]]:
    """List the migrations in ``directory``, in apply order, and the files that are not migrations.

    Raises:
        UsageError: ``directory`` does not exist, or two files share a version.
    """
    if not directory.is_dir():
        raise UsageError(
            f"migrations directory {directory} does not exist",
            hint="pass --migrations-dir, or run from a project with supabase/migrations",
        )
    files: list[MigrationFile] = []
    ignored: list[IgnoredFile] = []
    for index, path in enumerate(sorted(directory.iterdir())):
        if path.is_dir():
            ignored.append(IgnoredFile(path, "a directory (migrations are not searched recursively)"))
        elif index == 0 and _legacy_init(path.name):
            ignored.append(
                IgnoredFile(
                    path,
                    "the Supabase CLI's deprecated init schema, skipped as `supabase db push` skips it "
                    "(rename it, replacing `init`, to apply it)",
                )
            )
        elif not path.name.endswith(".sql"):
            ignored.append(IgnoredFile(path, "not a .sql file"))
        elif not FILE_PATTERN.match(path.name):
            ignored.append(IgnoredFile(path, "name does not match <digits>_<name>.sql"))
        else:
            files.append(MigrationFile.load(path))
    by_version: dict[str, MigrationFile] = {}
    for file in files:
        if file.version in by_version:
            raise UsageError(
                f"two migration files share version {file.version}: "
                f"{by_version[file.version].path.name} and {file.path.name}",
                hint="give one of them a new timestamp",
            )
        by_version[file.version] = file
    files.sort(key=lambda f: (f.version, f.name))
    return files, ignored


def _legacy_init(name: str) -> bool:
    """The CLI's test for its deprecated init file (only ever applied to the directory's first entry)."""
    match = LEGACY_INIT_PATTERN.search(name)
    return bool(match) and int(match.group(1)) < LEGACY_INIT_BEFORE


def statements_digest(statements: Sequence[str]) -> str:
    """sha256 of a list of statement texts (its JSON form): equal digests, equal lists."""
    return sha256_hex(json.dumps(list(statements)).encode("utf-8"))


STATEMENT_DIGESTS_ENV = "KHEPRI_DOCTOR_CACHE"
"""The doctor's cache setting (:data:`khepri_db.doctor._facts.CACHE_ENV`) also governs
:class:`StatementDigests` (used by doctor, ``status`` and ``migrate``): ``off`` keeps none, a
directory keeps it there."""


STATEMENT_DIGESTS_KEPT = 50_000
"""Entries :class:`StatementDigests` keeps (about 8 MB of JSON), over every project it has seen."""


class StatementDigests:
    """What :func:`split_statements` made of each migration file, as a digest of the statements
    (:func:`statements_digest`), kept between runs so that comparing hundreds of unchanged files
    with the history they were recorded in needs no splitting.

    An entry's key is the sha256 of the file's bytes; the whole file of entries belongs to one
    splitter: the splitter's source (:mod:`khepri_db.core.sqltext.splitter` and ``.scan``) and
    sqlparse's version, so a changed splitter finds nothing. A digest only ever confirms that a
    file's statements equal the recorded ones; any other answer comes from splitting the file
    (:func:`khepri_db.migrations.status.compare`).
    JSON, written whole and replaced atomically; beyond :data:`STATEMENT_DIGESTS_KEPT` entries, only
    the last run's are kept.

    Args:
        path: the JSON file (need not exist).
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._old: dict[str, str] = {}
        self._new: dict[str, str] = {}
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if isinstance(data, dict) and data.get("splitter") == _splitter_digest():
                self._old = dict(data.get("files", {}))
        except (OSError, ValueError, AttributeError):
            pass

    @classmethod
    def default(cls) -> StatementDigests | None:
        """The user's cache (``platformdirs.user_cache_dir("khepri-db")/statements.json``, or in the
        directory :data:`STATEMENT_DIGESTS_ENV` names), or ``None`` when that setting is ``off``."""
        setting = os.environ.get(STATEMENT_DIGESTS_ENV, "").strip()
        if setting.lower() in {"off", "0", "false", "no"}:
            return None
        if setting:
            directory = Path(setting)
        else:
            import platformdirs

            directory = Path(platformdirs.user_cache_dir("khepri-db"))
        return cls(directory / "statements.json")

    def digest(self, file: MigrationFile) -> str:
        """The :func:`statements_digest` of ``file``'s statements (split only when not kept)."""
        found = self._old.get(file.sha256) or self._new.get(file.sha256)
        if found is None:
            found = statements_digest([s.text for s in file.statements])
        self._new[file.sha256] = found
        return found

    def save(self) -> None:
        """Add this run's new entries to the file. Never raises: a cache that cannot be written is
        only slower."""
        if all(key in self._old for key in self._new):
            return
        kept = {**self._old, **self._new}
        if len(kept) > STATEMENT_DIGESTS_KEPT:
            kept = self._new
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(
                "w", encoding="utf-8", dir=self.path.parent, prefix=".tmp-", delete=False
            ) as out:
                json.dump({"splitter": _splitter_digest(), "files": kept}, out, separators=(",", ":"))
            Path(out.name).replace(self.path)
        except OSError:
            pass


_SPLITTER: list[str] = []


def _splitter_digest() -> str:
    """sha256 of the splitter's source (:mod:`khepri_db.core.sqltext.splitter` and the scan it uses)
    and sqlparse's version."""
    if not _SPLITTER:
        import sqlparse

        digest = hashlib.sha256(sqlparse.__version__.encode())
        from khepri_db.core.sqltext import scan, splitter

        for module in (splitter, scan):
            digest.update(Path(module.__file__).read_bytes())
        _SPLITTER.append(digest.hexdigest())
    return _SPLITTER[0]
