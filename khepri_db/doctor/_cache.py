"""What doctor's function analysis computed, kept between runs (:class:`AnalysisCache`), so that a
function whose inputs did not change is not read again; :data:`CACHE_ENV` turns it off or moves it
(default ``platformdirs.user_cache_dir("khepri-db")/doctor``). See :mod:`khepri_db.doctor._facts`."""

from __future__ import annotations

import functools
import hashlib
import json
import os
import sys
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import psycopg
import sqlparse

Entry = tuple[Sequence[Any] | None, Sequence[Sequence[Any]], Sequence[Sequence[Any]], Sequence[Sequence[Any]]]
"""One function's rows without their leading oid: (function row or ``None`` for a BEGIN ATOMIC
body, statement rows, upsert rows, identity argument rows)."""


CACHE_ENV = "KHEPRI_DOCTOR_CACHE"
"""``off`` (or ``0``, ``false``, ``no``): doctor keeps no :class:`AnalysisCache`; a directory: keep
it there instead of ``platformdirs.user_cache_dir("khepri-db")/doctor``."""
CACHE_FILES = 32
"""Cache files kept (one per database, the most recently used)."""
_ANALYSIS_MODULES = (
    "khepri_db.doctor._facts",
    "khepri_db.core.plpgsql.blocks",
    "khepri_db.core.plpgsql.walker",
    "khepri_db.core.plpgsql.embedded",
    "khepri_db.doctor._identity",
    "khepri_db.doctor.upserts",
    "khepri_db.core.sqltext.scan",
    "khepri_db.core.sqltext.tokens",
)


@functools.cache
def _code_digest() -> str:
    """What the analysis code is: its modules' source and sqlparse's version (a new khepri-db, or
    an edited checkout, finds nothing cached by the old one)."""
    digest = hashlib.sha256(sqlparse.__version__.encode())
    for name in _ANALYSIS_MODULES:
        source = getattr(sys.modules.get(name), "__file__", None)
        digest.update(Path(source).read_bytes() if source else name.encode())
    return digest.hexdigest()


class AnalysisCache:
    """What :func:`~khepri_db.doctor._facts.analyse_functions` computed for each function of one
    database, kept between runs.

    An entry's key is a digest of everything its rows are computed from: the function's catalog row
    as :func:`~khepri_db.doctor._facts.read_functions` reads it (name, language, arguments and their
    types, body, settings; all but its oid, which the rows take from the catalog on every run), the
    database's default search_path, the identity settings, the set of helper functions that read the
    caller's identity (one changed helper changes every key) and the analysis code itself. A
    function edited in any way (``create or replace``, ``alter function ... set``, a renamed type)
    has a new key, so an entry is never stale; it is only ever unused. The file holds the entries of
    the last run on that database (JSON, written whole, replaced atomically); the
    :data:`CACHE_FILES` most recently used files are kept.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._old: dict[str, Any] = {}
        self._new: dict[str, Any] = {}
        self._missed = False
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if isinstance(data, dict):
                self._old = data
        except (OSError, ValueError):
            pass

    @classmethod
    def for_database(cls, conn: psycopg.Connection) -> AnalysisCache | None:
        """The cache of the database ``conn`` is connected to, or ``None`` when :data:`CACHE_ENV`
        turns it off."""
        setting = os.environ.get(CACHE_ENV, "").strip()
        if setting.lower() in {"off", "0", "false", "no"}:
            return None
        if setting:
            directory = Path(setting)
        else:
            import platformdirs

            directory = Path(platformdirs.user_cache_dir("khepri-db")) / "doctor"
        info = conn.info
        where = hashlib.sha256(f"{info.host}\0{info.port}\0{info.dbname}".encode()).hexdigest()[:24]
        return cls(directory / f"functions-{where}.json")

    def key(self, fn: Mapping[str, Any], context: Sequence[Any]) -> str:
        inputs = [_code_digest(), context, sorted((k, v) for k, v in fn.items() if k != "oid")]
        return hashlib.sha256(json.dumps(inputs, default=str).encode()).hexdigest()

    def get(self, key: str) -> Entry | None:
        entry = self._old.get(key)
        if entry is None:
            self._missed = True
            return None
        self._new[key] = entry
        return entry

    def put(self, key: str, entry: Entry) -> None:
        self._new[key] = entry

    def save(self) -> None:
        """Write this run's entries when anything was computed anew (or some went unused), and
        drop the least recently used files beyond :data:`CACHE_FILES`. Never raises: a cache that
        cannot be written is only slower."""
        if not self._missed and len(self._new) == len(self._old):
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(
                "w", encoding="utf-8", dir=self.path.parent, prefix=".tmp-", delete=False
            ) as out:
                json.dump(self._new, out, separators=(",", ":"))
            Path(out.name).replace(self.path)
            files = sorted(self.path.parent.glob("functions-*.json"), key=lambda f: f.stat().st_mtime, reverse=True)
            for stale in files[CACHE_FILES:]:
                stale.unlink(missing_ok=True)
        except OSError:
            pass
