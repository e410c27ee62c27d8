"""``khepri-db init``: the Supabase project layout, as ``supabase init`` writes it, plus a pytest conftest.

Follows the Supabase CLI's ``internal/init`` (v2.117.0): the same ``supabase/config.toml`` sections
and defaults, an empty ``supabase/migrations/`` and ``supabase/seed.sql``, so a project can switch
between ``supabase`` and ``khepri-db`` at any time. khepri-db adds ``tests/conftest.py``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

_CONFIG_TOML = """\
# Supabase CLI configuration, in the layout `supabase init` writes (see
# https://supabase.com/docs/guides/local-development/cli/config for every key). khepri-db reads
# [api] schemas (the schemas the Data API exposes: `khepri-db doctor`, `verify-access`) and
# [db.seed] (`khepri-db db reset`, `migrate --include-seed`, `seed`). The Supabase CLI reads all.

# Tells Supabase projects on the same machine apart; `supabase init` uses the directory name.
project_id = "{project_id}"

[api]
enabled = true
# Port of the local API URL.
port = 54321
# Schemas whose tables, views and functions get Data API endpoints.
schemas = ["public", "graphql_public"]
# Schemas added to the search_path of every API request.
extra_search_path = ["public", "extensions"]
# Most rows one API request returns.
max_rows = 1000

[db]
# Port of the local database (`supabase start`).
port = 54322
# Port of the shadow database `supabase db diff` starts.
shadow_port = 54320
# Major version of the database; keep it the same as the hosted project's (`show server_version`).
major_version = 17

[db.migrations]
# When false, `db push` and `db reset` skip the migrations.
enabled = true
# Declarative schema files, in order (globs relative to supabase/).
schema_paths = []

[db.seed]
# When true, `db reset` loads the seed files after the migrations.
enabled = true
# Seed files, in order (globs relative to supabase/, e.g. "./seeds/*.sql").
sql_paths = ["./seed.sql"]

[auth]
enabled = true
# Where Supabase Auth sends users back after sign-in.
site_url = "http://127.0.0.1:3000"
additional_redirect_urls = ["https://127.0.0.1:3000"]
# Lifetime of an access token, in seconds (one hour).
jwt_expiry = 3600
enable_signup = true
enable_anonymous_sign_ins = false

[auth.email]
enable_signup = true
enable_confirmations = false
"""

_SEED_SQL = """\
-- Seed data: run after every migration by `khepri-db db reset` and `supabase db reset`
-- ([db.seed] in config.toml). Keep it idempotent, e.g. `insert ... on conflict do nothing`.
"""

_CONFTEST = '''\
"""Policy tests for this Supabase project, with khepri-db's pytest plugin.

Installing khepri-db activates the plugin (from its repository: `pip install /path/to/khepri-db pytest`,
or a wheel built there with `python -m build`): each test session
starts a throwaway PostgreSQL, applies supabase/migrations once into a template database, and
gives every test a rolled-back transaction. Fixtures: `db`, `make_user`, `as_user`, `as_anon`,
`as_service_role`, `khepri_clone_url`, `khepri_database_factory` (see khepri-db's docs/testing.md).

    def test_strangers_see_nothing(db, alice, bob, as_user):
        with as_user(alice):
            db.execute("insert into public.notes (body) values ('mine')")
        with as_user(bob):
            assert db.execute("select count(*) from public.notes").fetchone() == (0,)
"""

from __future__ import annotations

import pytest


@pytest.fixture
def alice(make_user):
    """A signed-up user (a real auth.users row), for `as_user(alice)`."""
    return make_user("alice@example.com")


@pytest.fixture
def bob(make_user):
    """A second user, to check that one user cannot see or change the other's rows."""
    return make_user("bob@example.com")
'''


@dataclass(frozen=True)
class InitResult:
    """What :func:`init_project` wrote.

    Attributes:
        root: the project directory.
        written: files written, in order (config.toml, seed.sql, tests/conftest.py).
        directories: directories created (``supabase/migrations`` when it was missing).
        kept: files that existed and were left as they are (without ``force``).
    """

    root: Path
    written: list[Path]
    directories: list[Path]
    kept: list[Path] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return {
            "root": str(self.root),
            "written": [str(p) for p in self.written],
            "directories": [str(p) for p in self.directories],
            "kept": [str(p) for p in self.kept],
        }


def init_project(root: Path, *, project_id: str | None = None, force: bool = False) -> InitResult:
    """Create the Supabase project layout in ``root``, as ``supabase init`` does, plus a pytest conftest.

    Writes ``supabase/config.toml`` (the sections of the Supabase CLI's template khepri-db and a
    new project need, with the CLI's defaults), an empty ``supabase/migrations/``,
    ``supabase/seed.sql`` and ``tests/conftest.py`` (fixtures on top of khepri-db's pytest plugin).
    In a project that has some of them already (a Supabase project adopting khepri-db), only the
    missing ones are written; the others are kept as they are and listed in ``kept``. ``force``
    overwrites them too.

    Args:
        root: the project directory (created if missing).
        project_id: ``project_id`` in config.toml; default: the directory's name, as the CLI does.
        force: overwrite existing files.

    Returns:
        An :class:`InitResult`.
    """
    root = root.resolve()
    pid = project_id or root.name or "project"
    files = {
        root / "supabase" / "config.toml": _CONFIG_TOML.format(project_id=pid.replace('"', "")),
        root / "supabase" / "seed.sql": _SEED_SQL,
        root / "tests" / "conftest.py": _CONFTEST,
    }
    directories: list[Path] = []
    migrations = root / "supabase" / "migrations"
    if not migrations.is_dir():
        migrations.mkdir(parents=True)
        directories.append(migrations)
    written: list[Path] = []
    kept: list[Path] = []
    for path, text in files.items():
        if path.exists() and not force:
            kept.append(path)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return InitResult(root, written, directories, kept)


# -- migration new -------------------------------------------------------------------------------
