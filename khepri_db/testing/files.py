"""The files ``khepri-db test db`` runs, found as ``supabase test db`` finds them: ``pg_prove --ext
.pg --ext .sql -r <paths>`` (supabase/cli ``internal/db/test/test.go``), and the directory they run
in."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from khepri_db.core.errors import UsageError

TEST_EXTENSIONS = (".pg", ".sql")
"""What ``supabase test db`` passes to pg_prove as ``--ext``: the files a directory contributes."""


def collect_test_files(paths: Sequence[Path], *, extensions: Sequence[str] = TEST_EXTENSIONS) -> list[Path]:
    """The test files ``pg_prove --ext .pg --ext .sql -r <paths>`` would run, in its order.

    A directory contributes every file below it (symbolic links followed) whose name ends with one
    of ``extensions``, sorted by path as Perl's ``sort`` does (byte order of the whole path); a file
    named directly runs whatever its extension. Paths keep the form they were given in; a file
    reached twice runs once (App::Prove::State ``get_tests``).

    Args:
        paths: files and directories, in the order given.
        extensions: file-name endings a directory contributes.

    Returns:
        The files, in run order.

    Raises:
        UsageError: a path does not exist.
    """
    found: list[Path] = []
    for given in paths:
        if given.is_dir():
            below = [
                Path(root) / name
                for root, _dirs, names in os.walk(given, followlinks=True)
                for name in names
                if name.endswith(tuple(extensions)) and (Path(root) / name).is_file()
            ]
            found += sorted(below, key=lambda p: os.fsencode(str(p)))
        elif given.exists():
            found.append(given)
        else:
            raise UsageError(f"{given}: no such test file or directory")
    seen: set[str] = set()
    unique: list[Path] = []
    for path in found:
        if str(path) not in seen:
            seen.add(str(path))
            unique.append(path)
    return unique


def working_directory(first: Path) -> Path:
    """The directory every file runs in (``\\i`` paths are relative to it), as ``supabase test db``
    chooses it (supabase/cli ``internal/db/test/test.go``, 2026): the first path given itself, or
    its directory when that path has a file extension (a test file). By default that is
    ``supabase/tests``."""
    absolute = first.absolute()
    return absolute.parent if absolute.suffix else absolute
