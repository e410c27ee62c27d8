"""The real ``pg_prove``, the reference of the pgTAP tests."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from khepri_db.core.db import connect
from khepri_db.testing.runner import psql_environment
from tests.support import skip_or_fail


def pg_prove(url: str, tests: Path) -> subprocess.CompletedProcess[str]:
    """Run Debian's ``pg_prove`` (what ``supabase test db`` runs) on the ``*.sql`` files under
    ``tests`` against ``url``, after creating pgTAP there; return the finished process (exit code,
    TAP output). Skipped when pg_prove is not installed (failed under ``KHEPRI_STRICT``)."""
    binary = shutil.which("pg_prove")
    if binary is None:
        skip_or_fail("pg_prove is not installed (Debian: libtap-parser-sourcehandler-pgtap-perl)")
    assert binary is not None
    with connect(url, autocommit=True) as conn:
        conn.execute("create extension if not exists pgtap with schema extensions")
    _, env = psql_environment(url)
    return subprocess.run([binary, "--ext", ".sql", "-r", "."], cwd=tests, env=env, capture_output=True, text=True,
                          timeout=600, check=False)  # fmt: skip
