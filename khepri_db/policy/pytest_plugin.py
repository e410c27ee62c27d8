"""Deprecated: the pytest plugin is :mod:`khepri_db.testing.plugin` (entry point ``pytest11``); this old
path still works for one release, e.g. ``pytest -p khepri_db.policy.pytest_plugin`` or
``pytest_plugins = ["khepri_db.policy.pytest_plugin"]``: it registers the new module as the plugin
(once, whether or not the entry point loaded it too) and answers its names.
"""

from __future__ import annotations

from typing import Any

from khepri_db.policy._alias import deprecated_alias

__getattr__ = deprecated_alias(__name__, "khepri_db.testing.plugin")


def pytest_addhooks(pluginmanager: Any) -> None:
    """Register :mod:`khepri_db.testing.plugin` unless it already is, under the entry point's name
    (``khepri_db``) when that name is free, so that an entry point loaded later sees it and skips, as
    pytest skips a plugin already loaded by ``-p``; ``-p no:khepri_db`` blocks that name, and then the
    module's own name is used."""
    from khepri_db.testing import plugin

    if pluginmanager.is_registered(plugin):
        return
    free = pluginmanager.get_plugin("khepri_db") is None and not pluginmanager.is_blocked("khepri_db")
    pluginmanager.register(plugin, "khepri_db" if free else plugin.__name__)
