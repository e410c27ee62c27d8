"""SQL that several bundled files share, written once: ``-- khepri-db include:`` lines.

A line ending in ``-- khepri-db include: <file>.sql`` is replaced, whole, by the text of
``<file>.sql`` from the including file's include directory, each of its lines indented as the
marker line is. What stands before the marker on that line is a stub the expansion drops: SQL that
gives the unexpanded file the same shape for sqlfluff (``cross join lateral unnest(null::text[]) as
roles (names) -- khepri-db include: api_roles.sql``), or nothing. ``-- khepri-db include:
<file>.sql as <name>`` also renames the included text's placeholder ``_khepri_<file stem>`` (a
whole word) to ``<name>``, so two scripts can each carry a copy of a function under a name of their
own. The marker is an SQL comment, so an unexpanded file stays valid SQL for sqlfluff; only the
expanded text is ever run.

Used by the engines for the extension stand-ins (``sql/extensions/_shared/``) and by doctor for
its rules (``sql/doctor/include/``). Includes do not nest.
"""

from __future__ import annotations

import re
from pathlib import Path

from khepri_db.core.errors import KhepriError

MARKER = "-- khepri-db include: "
"""What starts an include line (after its indentation)."""

_INCLUDE = re.compile(
    r"^(?P<indent>[ \t]*)(?:[^\n]*?[ \t])?-- khepri-db include: (?P<file>[A-Za-z0-9_.-]+\.sql)"
    r"(?: as (?P<name>[a-z_][a-z0-9_]*))?[ \t]*$",
    re.MULTILINE,
)


def expand_includes(text: str, source: Path | str, include_dir: Path, error: type[KhepriError]) -> str:
    """``text`` with every include line replaced by the file it names.

    Args:
        text: the including file's text.
        source: the including file, named in errors.
        include_dir: where the included files are.
        error: the error class to raise (the caller's face: ``EngineError``, ``DoctorError``).

    Returns:
        The expanded text; ``text`` itself when it has no include line.

    Raises:
        error: an include names a file ``include_dir`` does not have, naming ``source`` and the line.
    """
    if MARKER not in text:
        return text

    def expand(match: re.Match[str]) -> str:
        included = include_dir / match["file"]
        if not included.is_file():
            line = text.count("\n", 0, match.start()) + 1
            raise error(f"{source}:{line}: includes {match['file']}, which {include_dir} does not have")
        body = included.read_text(encoding="utf-8").rstrip("\n")
        if match["name"]:
            body = re.sub(rf"\b_khepri_{re.escape(included.stem)}\b", match["name"], body)
        indent = match["indent"]
        return "\n".join(indent + line if line else line for line in body.split("\n"))

    return _INCLUDE.sub(expand, text)
