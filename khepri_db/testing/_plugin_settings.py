"""The pytest plugin's configuration (:mod:`khepri_db.testing.plugin` lists it): its command-line options,
environment variables and ini options, resolved into :class:`KhepriTestSettings`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pytest

from khepri_db.access.declaration import default_access_file
from khepri_db.core.project import Project
from khepri_db.engines import (
    DEFAULT_AUTH_IMAGE,
    DEFAULT_SUPABASE_IMAGE,
)
from khepri_db.engines.docker import SUPABASE_IMAGES, is_supabase_image

FAST_TEST_SETTINGS = {
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "max_connections": "200",
}
"""Server settings for throwaway test clusters: durability off, nothing to keep after a crash."""

TEST_ENGINES = ("embedded", "system", "docker", "url")
"""Engines the plugin can run a session on."""

ISOLATIONS = ("transaction", "clone")
"""Per-test isolation modes: a rolled-back transaction (cheap), or a fresh clone of the template."""


@dataclass(frozen=True)
class KhepriTestSettings:
    """The plugin's configuration for this session, resolved from options, environment and ini.

    Attributes:
        engine: ``embedded``, ``system``, ``docker`` or ``url``.
        url: the server URL for the ``url`` engine.
        isolation: ``transaction`` or ``clone``.
        migrations_dir: the migrations directory (``None``: the project's; without a project the
            ``khepri_migrations_dir`` fixture raises :class:`~khepri_db.core.errors.NoProjectError`).
        access_file: the access declaration used by ``khepri_access_cell``.
        docker_image: the database image of the docker engine.
        docker_auth_image: the Supabase Auth image of the docker engine (``None``: skip its migrations).
        project: the Supabase project found from the rootdir.
    """

    engine: str
    url: str | None
    isolation: str
    migrations_dir: Path | None
    access_file: Path
    docker_image: str
    docker_auth_image: str | None
    project: Project


def pytest_addoption(parser: pytest.Parser) -> None:
    """Register the khepri-db command-line and ini options (see the module docstring)."""
    group = parser.getgroup("khepri-db", "khepri-db: real-Postgres fixtures and the access matrix")
    group.addoption("--khepri-engine", choices=TEST_ENGINES, default=None,
                    help="server for the session: embedded (default), system, docker or url")  # fmt: skip
    group.addoption("--khepri-db-url", default=None, help="URL of a throwaway server (implies --khepri-engine url)")
    group.addoption("--khepri-isolation", choices=ISOLATIONS, default=None,
                    help="per test: a rolled-back transaction (default) or a fresh clone of the template")  # fmt: skip
    group.addoption("--khepri-migrations-dir", default=None, help="migrations applied to the template")
    group.addoption("--khepri-access-file", default=None, help="access declaration for khepri_access_cell")
    parser.addini("khepri_engine", "khepri-db test engine: embedded, system, docker or url", default="")
    parser.addini("khepri_test_db_url", "URL of an existing throwaway server for khepri-db fixtures", default="")
    parser.addini("khepri_isolation", "khepri-db per-test isolation: transaction or clone", default="")
    parser.addini("khepri_migrations_dir", "migrations applied to the khepri-db test template", default="")
    parser.addini("khepri_access_file", "access declaration checked by khepri_access_cell", default="")
    parser.addini("khepri_docker_image", "database image of the docker engine", default="")
    parser.addini("khepri_docker_auth_image", "Supabase Auth image of the docker engine ('none' to skip)", default="")


def _setting(config: pytest.Config, option: str | None, env: str, ini: str) -> tuple[str | None, str]:
    """(value, where it came from: "cli", "env" or "ini"), first of option, environment, ini."""
    if option is not None:
        value = config.getoption(option)
        if value:
            return str(value), "cli"
    if os.environ.get(env):
        return os.environ[env], "env"
    value = config.getini(ini)
    return (str(value), "ini") if value else (None, "ini")


def _path(value: str, source: str, config: pytest.Config) -> Path:
    path = Path(value).expanduser()
    if path.is_absolute():
        return path
    return (Path(config.rootpath) if source == "ini" else Path(config.invocation_params.dir)) / path


def resolve_settings(config: pytest.Config) -> KhepriTestSettings:
    """Resolve the plugin's settings (see the module docstring for names and precedence).

    Raises:
        pytest.UsageError: an unknown engine or isolation, or the url engine without a URL.
    """
    project = Project.discover(Path(config.rootpath))
    url, _ = _setting(config, "--khepri-db-url", "KHEPRI_TEST_DB_URL", "khepri_test_db_url")
    engine, _ = _setting(config, "--khepri-engine", "KHEPRI_TEST_ENGINE", "khepri_engine")
    engine = engine or ("url" if url else "embedded")
    if engine not in TEST_ENGINES:
        raise pytest.UsageError(f"khepri-db: unknown engine {engine!r}; use one of {', '.join(TEST_ENGINES)}")
    if engine == "url" and not url:
        raise pytest.UsageError(
            "khepri-db: the url engine needs --khepri-db-url, KHEPRI_TEST_DB_URL or khepri_test_db_url"
        )
    isolation, _ = _setting(config, "--khepri-isolation", "KHEPRI_TEST_ISOLATION", "khepri_isolation")
    isolation = isolation or "transaction"
    if isolation not in ISOLATIONS:
        raise pytest.UsageError(f"khepri-db: unknown isolation {isolation!r}; use transaction or clone")
    image, _ = _setting(config, None, "KHEPRI_DOCKER_IMAGE", "khepri_docker_image")
    if not image:
        major = project.config.raw.get("db", {}).get("major_version")
        image = SUPABASE_IMAGES.get(major if isinstance(major, int) else 15, DEFAULT_SUPABASE_IMAGE)
    if isolation == "clone" and engine == "docker" and is_supabase_image(image):
        raise pytest.UsageError(
            "khepri-db: the docker engine offers no clones on Supabase's image (its pg_cron and pg_net "
            "workers keep database postgres busy); use --khepri-isolation transaction"
        )
    migrations, source = _setting(config, "--khepri-migrations-dir", "KHEPRI_MIGRATIONS_DIR", "khepri_migrations_dir")
    access, access_source = _setting(config, "--khepri-access-file", "KHEPRI_ACCESS_FILE", "khepri_access_file")
    auth_image, _ = _setting(config, None, "KHEPRI_DOCKER_AUTH_IMAGE", "khepri_docker_auth_image")
    return KhepriTestSettings(
        engine=engine,
        url=url if engine == "url" else None,
        isolation=isolation,
        migrations_dir=_path(migrations, source, config) if migrations else None,
        access_file=_path(access, access_source, config) if access else default_access_file(project),
        docker_image=image,
        docker_auth_image=None if (auth_image or "").lower() == "none" else (auth_image or DEFAULT_AUTH_IMAGE),
        project=project,
    )
