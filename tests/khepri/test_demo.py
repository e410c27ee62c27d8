"""The demo `make demo` ends with must keep passing its own checks."""

from __future__ import annotations

from rich.console import Console

from khepri_db.khepri.demo import run_demo
from tests.support import Cli


def test_demo_checks_all_pass(khepri_clone_url: str) -> None:
    result = run_demo(khepri_clone_url, Console(quiet=True))
    assert len(result.checks) == 8
    assert result.passed, [c for c, ok in result.checks if not ok]


def test_demo_cli_json(cli: Cli, khepri_clone_url: str) -> None:
    code, data = cli.json("demo", "--db-url", khepri_clone_url)
    assert code == 0
    assert data["passed"] is True
    assert len(data["checks"]) == 8


def test_demo_explains_an_unmigrated_database(cli: Cli, empty_db_url: str) -> None:
    code, data = cli.json("demo", "--db-url", empty_db_url)
    assert code == 2
    assert "khepri-db migrate" in data["error"]["hint"]
