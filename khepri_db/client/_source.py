"""Python source as ``khepri-db gen types`` writes it: identifiers for SQL names, string literals,
docstrings and comments, and bracketed groups laid out as ``ruff format`` lays them out, so the
generated module is ruff-clean at 88 columns."""

from __future__ import annotations

import functools
import json
import keyword
import re
import textwrap
from collections.abc import Iterable
from dataclasses import dataclass

from pydantic import BaseModel


def pascal(name: str) -> str:
    words = re.split(r"[^0-9A-Za-z]+", name)
    text = "".join(w[:1].upper() + w[1:] for w in words if w)
    return text if text and not text[0].isdigit() else f"T{text}"


@functools.lru_cache(maxsize=65536)
def snake(name: str) -> str:
    text = re.sub(r"[^0-9A-Za-z_]+", "_", name)
    text = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", text).lower().strip("_") or "field"
    if text[0].isdigit():
        text = f"f_{text}"
    if keyword.iskeyword(text) or keyword.issoftkeyword(text):
        text += "_"
    if text.startswith("model_") or text in _BASEMODEL_NAMES or text == "client":
        text += "_"
    return text


_BASEMODEL_NAMES = {n for n in dir(BaseModel) if not n.startswith("_")} | {"payload"}


def py_names(names: Iterable[str]) -> dict[str, str]:
    """Python identifiers for SQL names, unique within one model or signature (``Id`` and ``id``
    become ``id`` and ``id_``)."""
    result: dict[str, str] = {}
    for name in names:
        py = snake(name)
        while py in result.values():
            py += "_"
        result[name] = py
    return result


def string_literal(text: str) -> str:
    """A Python string literal of ``text``, quoted as ``ruff format`` quotes it: double quotes, but
    single quotes for a text holding ``"`` and no ``'`` (e.g. the SQL type ``public."row"``)."""
    literal = json.dumps(text, ensure_ascii=False)
    if '"' in text and "'" not in text:
        return "'" + literal[1:-1].replace('\\"', '"') + "'"
    return literal


_WRAP_CHANGES = re.compile(r"[\t\v\f\r]")
"""Characters textwrap replaces (tabs expanded, other whitespace made spaces)."""


def docstring_lines(text: str, indent: str, width: int = 88) -> list[str]:
    """A docstring, wrapped; backslashes and triple quotes made safe."""
    text = text.replace("\\", "\\\\").replace('"""', '\\"\\"\\"').strip()
    lines: list[str] = []
    # Wrapped 6 columns short of the width: a text that fits is a one-line docstring, any other
    # has at least two lines, which ruff format never joins (whatever its line length).
    room = width - len(indent) - 6
    for paragraph in text.split("\n"):
        if len(paragraph) <= room and paragraph == paragraph.strip() and not _WRAP_CHANGES.search(paragraph):
            lines.append(paragraph)  # what textwrap.wrap would give, without its cost (most docstrings fit)
        else:
            lines.extend(textwrap.wrap(paragraph, room) or [""])
    if len(lines) == 1 and not lines[0].endswith('"'):
        return [f'{indent}"""{lines[0]}"""']
    return [f'{indent}"""{lines[0]}', *[f"{indent}{line}".rstrip() for line in lines[1:]], f'{indent}"""']


def comment_lines(text: str, width: int = 88) -> list[str]:
    """``text`` as ``#`` comment lines of at most ``width`` columns (continuations indented)."""
    return textwrap.wrap(text, width, initial_indent="# ", subsequent_indent="#   ", break_on_hyphens=False)


@dataclass
class Node:
    """A bracketed group for :func:`format_node`: ``head`` + items + ``tail``, exploded one item per line
    (with a magic trailing comma) when it does not fit, as ``ruff format`` keeps it."""

    head: str
    items: list[Node | str]
    tail: str


def flat_text(node: Node | str) -> str:
    if isinstance(node, str):
        return node
    return node.head + ", ".join(flat_text(i) for i in node.items) + node.tail


def format_node(node: Node | str, indent: int, width: int = 88, suffix: str = "") -> list[str]:
    flat = flat_text(node) + suffix
    if isinstance(node, str) or indent + len(flat) <= width or not node.items:
        return [" " * indent + flat]
    lines = [" " * indent + node.head]
    for item in node.items:
        lines.extend(format_node(item, indent + 4, width, ","))
    lines.append(" " * indent + node.tail + suffix)
    return lines
