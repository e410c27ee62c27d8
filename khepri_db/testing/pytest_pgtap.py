"""pgTAP files as pytest items: ``pytest supabase/tests`` runs a project's pgTAP suite with its Python tests.

Part of khepri-db's pytest plugin (:mod:`khepri_db.testing.plugin` imports the hook). Every
``*.sql`` and ``*.pg`` file below a ``supabase/tests`` directory is collected as one item, run
exactly as ``khepri-db test db`` runs it (psql with pg_prove's options, working directory
``supabase/``, TAP judged as pg_prove judges it) on the session's server (same ``--khepri-engine``
and other options as the plugin's fixtures), in one database shared by every pgTAP item of the
session, as under ``supabase test db``: a clone of the migrated template with the project's seed
files loaded (``[db.seed]``, as ``supabase db reset`` leaves it) and pgTAP created in ``extensions``.
A failure shows the failed assertions with pgTAP's diagnostics and psql's error; a file that skips
itself (``1..0 # SKIP``) is a skipped test.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from khepri_db.testing.files import TEST_EXTENSIONS


def _tests_root(path: Path) -> Path | None:
    """The ``supabase/tests`` directory ``path`` lies below, if any."""
    for parent in path.parents:
        if parent.name == "tests" and parent.parent.name == "supabase":
            return parent
    return None


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    """Collect ``*.sql``/``*.pg`` files below a ``supabase/tests`` directory as pgTAP files."""
    if file_path.suffix in TEST_EXTENSIONS and _tests_root(file_path) is not None:
        return PgtapFile.from_parent(parent, path=file_path)
    return None


class PgtapFile(pytest.File):
    """A pgTAP file: one item, run whole (a pgTAP file is one psql session, as under pg_prove)."""

    def collect(self) -> Iterator[pytest.Item]:
        """Yield the file's single :class:`PgtapItem`."""
        yield PgtapItem.from_parent(self, name=self.path.name, callobj=_run_pgtap_file)


def _run_pgtap_file(request: pytest.FixtureRequest, khepri_pgtap_url: str) -> None:
    """The body of every pgTAP item: run the file, raise :class:`PgtapFileError` unless it passed."""
    from khepri_db.testing.psql import psql_executable
    from khepri_db.testing.runner import run_file

    path = Path(request.node.path)
    root = _tests_root(path)
    assert root is not None
    engine = request.getfixturevalue("khepri_engine")
    bin_dir = engine.bin_dir() if hasattr(engine, "bin_dir") else None
    result = run_file(
        path,
        url=khepri_pgtap_url,
        psql=psql_executable(bin_dir),
        cwd=root,
        display=str(path.relative_to(root.parent.parent)),
    )
    if result.status == "skip":
        pytest.skip(f"the file skipped itself: {result.skip_all or 'no reason given'}")
    if result.status != "pass":
        raise PgtapFileError(result)


class PgtapFileError(Exception):
    """A pgTAP file did not pass; carries its :class:`~khepri_db.testing.results.FileResult`."""

    def __init__(self, result: Any) -> None:
        super().__init__(result.display)
        self.result = result


class PgtapItem(pytest.Function):
    """One pgTAP file as a test; its failure report lists the failed assertions and psql's error."""

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> Any:
        """The failed assertions with pgTAP's diagnostics, the plan problems and psql's stderr."""
        if isinstance(excinfo.value, PgtapFileError):
            from khepri_db.testing.report import file_details, file_line

            result = excinfo.value.result
            return "\n".join([file_line(result), *file_details(result)])
        return super().repr_failure(excinfo, style=style)  # type: ignore[arg-type]

    def reportinfo(self) -> tuple[Path, int | None, str]:
        """Where the item comes from: the file itself, no line."""
        return self.path, None, f"pgTAP {self.path.name}"
