"""The access matrix as pytest tests: ``khepri_access_cell`` parametrized with one case per declared cell
plus ``coverage``, all read from one verify-access run (``khepri_access_report``).
"""

from __future__ import annotations

from typing import Any

import pytest

from khepri_db.access.declaration import Declaration, load_declaration
from khepri_db.access.report import AccessReport, CoverageCheck
from khepri_db.engines import (
    Engine,
)
from khepri_db.testing._databases import DatabaseFactory, database_name
from khepri_db.testing._plugin_settings import KhepriTestSettings, resolve_settings

_DECLARATION = pytest.StashKey[Declaration]()


def _declaration(config: pytest.Config) -> Declaration:
    if _DECLARATION not in config.stash:
        config.stash[_DECLARATION] = load_declaration(resolve_settings(config).access_file)
    return config.stash[_DECLARATION]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Parametrize every test that requests ``khepri_access_cell``: one case per cell, plus ``coverage``.

    The declaration is read at collection time; an invalid one is a collection error naming the
    file and line.
    """
    if "khepri_access_cell" not in metafunc.fixturenames:
        return
    try:
        ids = [*_declaration(metafunc.config).cell_ids(), "coverage"]
    except Exception as exc:  # AccessDeclarationError, shown as a collection error
        raise pytest.UsageError(f"khepri-db access matrix: {exc}") from exc
    metafunc.parametrize("khepri_access_cell", ids, ids=ids, indirect=True)


@pytest.fixture(scope="session")
def khepri_access_report(
    pytestconfig: pytest.Config,
    khepri_settings: KhepriTestSettings,
    khepri_engine: Engine,
    khepri_template_url: str,
    khepri_database_factory: DatabaseFactory,
) -> AccessReport:
    """The access matrix of the session's template, run once (on its own clone when the engine clones)."""
    from khepri_db.access.probe import verify_access

    if khepri_engine.template_clones:
        url = khepri_database_factory(template=database_name(khepri_template_url))
    else:
        url = khepri_template_url
    try:
        return verify_access(url, _declaration(pytestconfig), project=khepri_settings.project)
    finally:
        if khepri_engine.template_clones:
            khepri_database_factory.drop(url)


@pytest.fixture
def khepri_access_cell(request: pytest.FixtureRequest, khepri_access_report: AccessReport) -> Any:
    """The result of one matrix cell (a :class:`~khepri_db.access.report.CellResult`) or the ``coverage`` check.

    Call ``.check()`` on it: it raises ``AssertionError`` with the cell, the declaration, what
    happened and the rights it ran with, unless the cell matches.
    """
    cell_id = request.param
    if cell_id == "coverage":
        return CoverageCheck(khepri_access_report.undeclared)
    cell = khepri_access_report.by_id()[cell_id]
    if cell.undecided is not None:
        # never a pass: the declaration says nobody could decide this cell
        pytest.skip(f"undecided in the declaration: {cell.undecided} (this run: {cell.actual}, {cell.detail})")
    return cell
