"""The old import paths of the access face (``khepri_db.policy``, issue 23) still work for one release:
each warns with a DeprecationWarning naming the new module and answers the new module's names; the
pytest plugin loads under its old name without registering its hooks twice."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import warnings
from pathlib import Path

import pytest

from tests.support import REPO

OLD_TO_NEW = {
    "khepri_db.policy": "khepri_db.access",
    "khepri_db.policy.session": "khepri_db.access.session",
    "khepri_db.policy.declaration": "khepri_db.access.declaration",
    "khepri_db.policy.probe": "khepri_db.access.probe",
    "khepri_db.policy.report": "khepri_db.access.report",
    "khepri_db.policy.access_init": "khepri_db.access.access_init",
    "khepri_db.policy.pgtap_export": "khepri_db.access.pgtap_export",
    "khepri_db.policy.dry_run": "khepri_db.access.dry_run",
    "khepri_db.policy.html": "khepri_db.access.html",
    "khepri_db.policy.platform": "khepri_db.testing.platform",
    "khepri_db.policy.pytest_plugin": "khepri_db.testing.plugin",
}


@pytest.mark.parametrize(("old", "new"), OLD_TO_NEW.items())
def test_an_old_module_warns_and_answers_the_new_modules_names(old: str, new: str) -> None:
    """Imported in a fresh interpreter (so the import really runs), each old module warns once with a
    DeprecationWarning that names the new module, and every public name of the new module is the same
    object through the old one."""
    code = textwrap.dedent(f"""
        import importlib, warnings
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            old = importlib.import_module({old!r})
        new = importlib.import_module({new!r})
        if new.__name__ == "khepri_db.access":  # a package: its names are its loaded modules
            importlib.import_module("khepri_db.access.session")
        mine = [str(w.message) for w in caught if issubclass(w.category, DeprecationWarning)
                and {old!r} + " is deprecated" in str(w.message)]
        assert len(mine) == 1 and {new!r} in mine[0], [str(w.message) for w in caught]
        names = [n for n in vars(new) if not n.startswith("__")]
        assert names
        assert all(getattr(old, n) is getattr(new, n) for n in names)
        try:
            old.no_such_name
        except AttributeError as exc:
            assert {old!r} in str(exc)
        else:
            raise AssertionError("an unknown name resolved")
        print(len(names))
    """)
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False, cwd=REPO)
    assert result.returncode == 0, result.stderr
    assert int(result.stdout) > 0  # names were compared


def test_from_imports_of_old_names_still_work() -> None:
    """The imports users wrote against the old paths (the README's examples of 0.x) still run (the
    warning itself is checked above, in a fresh interpreter: here the module may be imported already)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        from khepri_db.policy.session import AuthUser, as_user, create_user
    from khepri_db.access import session

    assert (AuthUser, as_user, create_user) == (session.AuthUser, session.as_user, session.create_user)


def test_access_session_still_offers_every_name_it_had_before_core_session() -> None:
    """``khepri_db.access.session`` moved to ``khepri_db.core.session`` (issue 23) and re-exports it: every
    name it offered before the move is there, the same object as core's."""
    from khepri_db.access import session
    from khepri_db.core import postgrest, request
    from khepri_db.core import session as core_session

    before = {
        "API_ROLES", "DEFAULT_SEARCH_PATH", "JWT_ISSUER", "AuthUser", "RequestRights", "api_key_claims", "as_anon",
        "as_service_role", "as_user", "check_rights", "create_user", "request_context", "request_rights",
        "request_settings", "user_claims",
    }  # fmt: skip
    assert set(session.__all__) == before
    homes = (core_session, request, postgrest)
    assert all(any(getattr(session, n) is getattr(home, n, None) for home in homes) for n in before)
    assert session.create_user.__module__ == "khepri_db.core.session"


def test_the_plugin_loads_under_its_old_name(tmp_path: Path) -> None:
    """The plugin loads under its old name, ``-p khepri_db.policy.pytest_plugin`` or a conftest's
    ``pytest_plugins``, with the ``pytest11`` entry point disabled (then the old name alone brings the
    options and fixtures) or active (then pytest starts without registering a hook twice: a second
    ``--khepri-engine`` would be a usage error, a second registration a ValueError)."""
    (tmp_path / "test_one.py").write_text(
        "def test_fixture_exists(khepri_settings):\n    assert khepri_settings.engine == 'url'\n", encoding="utf-8"
    )
    # The installed entry point is left out (-p no:khepri_db: an install made before the move names the
    # old path); -p khepri_db.testing.plugin stands for the new entry point where it is active.
    base = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:khepri_db", "--collect-only"]
    for entry_point in ([], ["-p", "khepri_db.testing.plugin"]):
        for conftest, old in (("", ["-p", "khepri_db.policy.pytest_plugin"]), (OLD_CONFTEST, [])):
            (tmp_path / "conftest.py").write_text(conftest, encoding="utf-8")
            command = [*base, *entry_point, *old, "--khepri-engine", "url", str(tmp_path)]
            result = subprocess.run(command, capture_output=True, text=True, check=False, cwd=tmp_path)
            assert result.returncode == 0, (command, conftest, result.stdout + result.stderr)
            assert "test_fixture_exists" in result.stdout


OLD_CONFTEST = 'pytest_plugins = ["khepri_db.policy.pytest_plugin"]\n'
