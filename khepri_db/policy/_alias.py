"""How the modules of the deprecated ``khepri_db.policy`` package forward to their new homes."""

from __future__ import annotations

import importlib
import warnings
from collections.abc import Callable
from typing import Any


def deprecated_alias(old: str, new: str) -> Callable[[str], Any]:
    """Warn that module ``old`` is deprecated and return a module ``__getattr__`` (PEP 562) that
    answers every name from module ``new``.

    Names are forwarded on access, not copied: ``dir()`` of the old module lists none of them, so a
    pytest plugin loaded under its old name registers no hook or fixture twice (it names the new
    module in ``pytest_plugins`` instead).

    Args:
        old: the deprecated dotted module name, e.g. ``"khepri_db.policy.session"``.
        new: the module that now holds its names, e.g. ``"khepri_db.access.session"``.

    Returns:
        ``__getattr__(name)`` for the old module; it raises :class:`AttributeError` for a name the new
        module does not have.

    Warns:
        DeprecationWarning: once, when the old module is first imported.
    """
    warnings.warn(
        f"{old} is deprecated and will be removed in the next release: import {new} instead",
        DeprecationWarning,
        stacklevel=3,
    )
    module = importlib.import_module(new)

    def __getattr__(name: str) -> Any:  # noqa: N807 (the module hook's name is fixed by PEP 562)
        try:
            return getattr(module, name)
        except AttributeError:
            raise AttributeError(f"module {old!r} has no attribute {name!r}") from None

    return __getattr__
