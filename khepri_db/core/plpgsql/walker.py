"""The walk through a PL/pgSQL body that finds each embedded statement and expression
(:class:`Walker`, driven by :func:`khepri_db.core.plpgsql.embedded.embedded_statements`): PL/pgSQL's
block structure (``DECLARE``/``BEGIN``/``IF``/``LOOP``/``EXCEPTION``...) followed only as far as needed to
find where each starts and ends and whether every call runs it, declared variables and their types, and
the standalone form of each (variables as typed ``NULL`` s, ``INTO`` targets dropped)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from sqlparse import tokens as sqltok

from khepri_db.core.plpgsql.blocks import (
    INTO_STOP,
    QUERY_HEADS,
    SKIPPED_HEADS,
    find_word,
    head_word,
)
from khepri_db.core.sqltext import Token, identifier, line_at


@dataclass(frozen=True)
class EmbeddedStatement:
    """A SQL statement or expression inside a function body, made standalone.

    Attributes:
        line: 1-based line of its first token within the body.
        kind: ``query`` (plan ``sql`` as is) or ``expression`` (plan ``select <sql>``).
        sql: the text to plan: variables replaced by typed ``NULL`` s, ``INTO`` targets removed.
        raw: the text as written in the body.
        every_call: every call of the function runs it: it is not inside a branch, a loop or an
            exception handler, no block around it catches its errors, and no ``RETURN`` (or
            ``EXIT`` out of a block) can end the call before it. Always true in a SQL function.
    """

    line: int
    kind: Literal["query", "expression"]
    sql: str
    raw: str
    every_call: bool = True

    @property
    def plannable(self) -> str:
        """The statement to hand to ``EXPLAIN``."""
        return self.sql if self.kind == "query" else f"select ({self.sql})"


@dataclass
class _Frame:
    """A construct of the body the walker is inside: ``block`` (``BEGIN ... END``; ``caught`` once
    its ``EXCEPTION`` section is seen), ``branch`` (``IF``/``CASE``) or ``loop``."""

    kind: Literal["block", "branch", "loop"]
    caught: bool = False


@dataclass
class Scope:
    variables: dict[str, str | None] = field(default_factory=dict)  # name -> type (None: untyped)
    function_name: str = ""
    parameters: dict[str, str] = field(default_factory=dict)


_ROWTYPE = re.compile(r"%\s*rowtype\s*$", re.IGNORECASE)
_TYPE_REF = re.compile(r"%\s*type\s*$", re.IGNORECASE)


def _declared_type(body: str, tokens: Sequence[Token]) -> str | None:
    """The type of a declaration's tokens (after the name), as a cast target, or ``None``."""
    index = 0
    if index < len(tokens) and tokens[index].is_word("CONSTANT"):
        index += 1
    end = index
    while end < len(tokens) and not (
        tokens[end].is_word("COLLATE", "NOT", "NOT NULL", "DEFAULT", "ALIAS", "CURSOR", "REFCURSOR", "SCROLL", "NO")
        or tokens[end].ttype in sqltok.Assignment
        or (tokens[end].value == "=" and tokens[end].ttype in sqltok.Operator)
    ):
        end += 1
    if end == index:
        return None
    text = body[tokens[index].offset : tokens[end - 1].offset + len(tokens[end - 1].value)].strip()
    if _TYPE_REF.search(text) or text.lower() in {"record", "refcursor"}:
        return None
    return _ROWTYPE.sub("", text).strip() or None


class Walker:
    """Walks one body's chunks and collects embedded statements."""

    def __init__(self, body: str, language: str, scope: Scope) -> None:
        self.body = body
        self.language = language
        self.scope = scope
        self.statements: list[EmbeddedStatement] = []
        self.local_relations: set[str] = set()
        self.declaring = False
        # where each statement sits (frames are shared and updated: a block learns it catches errors
        # only at its EXCEPTION), and whether a RETURN or EXIT came before it
        self.frames: list[_Frame] = []
        self.placement: list[tuple[tuple[_Frame, ...], bool]] = []
        self.exited = False

    def every_call(self) -> list[bool]:
        """For each statement, whether every call runs it (see :attr:`EmbeddedStatement.every_call`)."""
        return [
            not exited and all(f.kind == "block" and not f.caught for f in frames) for frames, exited in self.placement
        ]

    # -- emitting ---------------------------------------------------------------------------

    def emit(self, kind: Literal["query", "expression"], tokens: Sequence[Token]) -> None:
        if not tokens:
            return
        raw = self.body[tokens[0].offset : tokens[-1].offset + len(tokens[-1].value)]
        sql = self.substitute(tokens, drop_into=kind == "query")
        if sql.strip():
            self.append(EmbeddedStatement(line_at(self.body, tokens[0].offset), kind, sql, raw))

    def append(self, statement: EmbeddedStatement) -> None:
        self.statements.append(statement)
        self.placement.append((tuple(self.frames), self.exited))

    def _protected(self, tokens: Sequence[Token]) -> set[int]:
        """Token indexes that name columns even when a variable has the same name."""
        protected: set[int] = set()
        punctuation = sqltok.Punctuation
        count = len(tokens)
        # Token.is_punct and Token.is_word inlined (this runs for every token of every statement)
        for index, tok in enumerate(tokens):
            nxt = tokens[index + 1] if index + 1 < count else None
            prev = tokens[index - 1] if index > 0 else None
            if nxt is not None:
                value = nxt.value
                if (value == "(" and nxt.ttype is punctuation) or value == "=>":
                    protected.add(index)  # function name, named argument
            if prev is not None:
                value = prev.value
                if (
                    (value == "." and prev.ttype is punctuation)
                    or value == "::"
                    or (prev.wordlike and value.upper() == "AS")
                ):
                    protected.add(index)
                elif (
                    nxt is not None
                    and nxt.value == "="
                    and ((prev.wordlike and value.upper() == "SET") or (value == "," and prev.ttype is punctuation))
                ):
                    protected.add(index)  # UPDATE ... SET col = ...
            if not (tok.value == "(" and tok.ttype is punctuation):
                continue
            opens_column_list = prev is not None and (
                prev.is_word("CONFLICT")
                or (index >= 3 and tokens[index - 2].is_word("INTO") and tokens[index - 3].is_word("INSERT"))
                or (index >= 5 and tokens[index - 4].is_word("INTO") and tokens[index - 5].is_word("INSERT")
                    and tokens[index - 2].is_punct("."))
                or (index >= 2 and tokens[index - 2].is_word("AS") and _is_insert_alias(tokens, index - 2))
            )  # fmt: skip
            if opens_column_list:
                depth = 0
                for inner in range(index, len(tokens)):
                    if tokens[inner].is_punct("("):
                        depth += 1
                    elif tokens[inner].is_punct(")"):
                        depth -= 1
                        if depth == 0:
                            break
                    protected.add(inner)
        return protected

    def substitute(self, tokens: Sequence[Token], *, drop_into: bool) -> str:
        """Reassemble ``tokens``' text with variables replaced and ``INTO`` targets removed."""
        edits: list[tuple[int, int, str]] = []  # (start offset, end offset, replacement)
        protected = self._protected(tokens)
        variables = self.scope.variables
        index = 0
        while index < len(tokens):
            tok = tokens[index]
            if (
                drop_into
                and tok.wordlike
                and tok.value.upper() == "INTO"
                and not (index > 0 and (tokens[index - 1].is_word("INSERT", "MERGE")))
            ):
                end = index + 1
                if end < len(tokens) and tokens[end].is_word("STRICT"):
                    end += 1
                while end < len(tokens) and not (
                    tokens[end].is_word(*INTO_STOP) and tokens[end].ttype in sqltok.Keyword
                ):
                    end += 1
                last = tokens[end - 1]
                edits.append((tok.offset, last.offset + len(last.value), " "))
                index = end
                continue
            if tok.value.startswith("$") and tok.ttype in sqltok.Name.Placeholder and tok.value[1:].isdigit():
                param_type = self.scope.parameters.get(tok.value)
                edits.append((tok.offset, tok.offset + len(tok.value), _null(param_type)))
                index += 1
                continue
            name = identifier(tok)
            if name is not None and index not in protected:
                # function_name.parameter
                if (
                    name == self.scope.function_name
                    and index + 2 < len(tokens)
                    and tokens[index + 1].is_punct(".")
                    and identifier(tokens[index + 2]) in variables
                ):
                    target = identifier(tokens[index + 2])
                    last = tokens[index + 2]
                    edits.append((tok.offset, last.offset + len(last.value), _null(variables.get(target or ""))))
                    index += 3
                    continue
                if name in variables and not (tok.ttype in sqltok.Keyword and name in _KEYWORD_LIKE):
                    end = index + 1
                    typed = variables.get(name)
                    fields: list[str] = []
                    while (
                        end + 1 < len(tokens) and tokens[end].is_punct(".") and identifier(tokens[end + 1]) is not None
                    ):
                        fields.append(tokens[end + 1].value)
                        end += 2
                    last = tokens[end - 1]
                    if fields and typed is not None and len(fields) == 1:
                        replacement = f"({_null(typed)}).{fields[0]}"
                    elif fields:
                        replacement = "NULL"
                    else:
                        replacement = _null(typed)
                    edits.append((tok.offset, last.offset + len(last.value), replacement))
                    index = end
                    continue
            index += 1
        start = tokens[0].offset
        end = tokens[-1].offset + len(tokens[-1].value)
        text = []
        position = start
        for edit_start, edit_end, replacement in edits:
            text.append(self.body[position:edit_start])
            text.append(replacement)
            position = edit_end
        text.append(self.body[position:end])
        return "".join(text)

    # -- walking ----------------------------------------------------------------------------

    def declare(self, tokens: Sequence[Token]) -> None:
        name = identifier(tokens[0]) if tokens else None
        if name is None or tokens[0].value.startswith("#"):
            return
        rest = list(tokens[1:])
        cursor = next((k for k, t in enumerate(rest[:4]) if t.is_word("CURSOR")), None)
        if cursor is not None:
            self.scope.variables[name] = None
            self._declare_cursor(rest[cursor + 1 :])
            return
        self.scope.variables[name] = _declared_type(self.body, rest)
        for index, tok in enumerate(rest):
            if tok.ttype in sqltok.Assignment or tok.is_word("DEFAULT") or (tok.value == "=" and index > 0):
                self.emit("expression", rest[index + 1 :])
                break

    def _declare_cursor(self, tokens: Sequence[Token]) -> None:
        """``[( arguments )] FOR|IS query`` of a bound cursor: the query is planned with the cursor's
        arguments as variables (they are names only inside it)."""
        arguments: dict[str, str | None] = {}
        k = 0
        if tokens and tokens[0].is_punct("("):
            depth, close = 0, len(tokens)
            for index, tok in enumerate(tokens):
                if tok.is_punct("("):
                    depth += 1
                elif tok.is_punct(")"):
                    depth -= 1
                    if depth == 0:
                        close = index
                        break
            start = 1
            while start < close:
                end = min(_top_level_comma(tokens, start), close)
                argument = identifier(tokens[start])
                if argument is not None:
                    arguments[argument] = _declared_type(self.body, tokens[start + 1 : end])
                start = end + 1
            k = close + 1
        if k >= len(tokens) or not tokens[k].is_word("FOR", "IS"):
            return
        query = tokens[k + 1 :]
        if not query or head_word(query[0]) not in QUERY_HEADS:
            return
        shadowed = {a: self.scope.variables[a] for a in arguments if a in self.scope.variables}
        self.scope.variables.update(arguments)
        try:
            self.emit("query", query)
        finally:
            for argument in arguments:
                del self.scope.variables[argument]
            self.scope.variables.update(shadowed)

    def walk(self, chunk: Sequence[Token]) -> None:
        i = 0
        while i < len(chunk):
            tok = chunk[i]
            head = head_word(tok)
            if tok.value.startswith("#"):
                i += 2  # #variable_conflict use_column, #print_strict_params on, #option dump
                continue
            if tok.value == "<<":
                i += 3  # <<label>>
                continue
            if head == "DECLARE":
                self.declaring = True
                i += 1
                continue
            if head == "BEGIN":
                self.declaring = False
                self.frames.append(_Frame("block"))
                i += 1
                continue
            if self.declaring:
                self.declare(chunk[i:])
                return
            if head.startswith("END"):
                self._close(" ".join(head.split()))
                return
            if head == "ELSE":
                i += 1
                continue
            if head == "LOOP":
                self.frames.append(_Frame("loop"))
                i += 1
                continue
            if head in {"EXCEPTION", "WHEN", "CASE"}:
                if head == "EXCEPTION":
                    block = next((f for f in reversed(self.frames) if f.kind == "block"), None)
                    if block is not None:
                        block.caught = True  # errors of its statements may be handled
                elif head == "CASE":
                    self.frames.append(_Frame("branch"))
                i = find_word(chunk, i + 1, "THEN") + 1
                continue
            if head in {"IF", "ELSIF", "ELSEIF"}:
                end = find_word(chunk, i + 1, "THEN")
                self.emit("expression", chunk[i + 1 : end])
                if head == "IF":
                    self.frames.append(_Frame("branch"))
                i = end + 1
                continue
            if head == "WHILE":
                end = find_word(chunk, i + 1, "LOOP")
                self.emit("expression", chunk[i + 1 : end])  # evaluated at least once
                self.frames.append(_Frame("loop"))
                i = end + 1
                continue
            if head in {"FOR", "FOREACH"}:
                inside = find_word(chunk, i + 1, "IN")
                for var in chunk[i + 1 : inside]:
                    var_name = identifier(var)
                    if var_name and not var.is_word("SLICE"):
                        self.scope.variables.setdefault(var_name, None)
                end = find_word(chunk, inside + 1, "LOOP")
                source = list(chunk[inside + 1 : end])
                if source and source[0].is_word("REVERSE", "ARRAY"):
                    source = source[1:]
                    if head == "FOREACH":
                        self.emit("expression", source)
                        self.frames.append(_Frame("loop"))
                        i = end + 1
                        continue
                text = self.body[source[0].offset : source[-1].offset + len(source[-1].value)] if source else ""
                if source and head_word(source[0]) in QUERY_HEADS and ".." not in text:
                    self.emit("query", source)  # run once, when the loop starts
                self.frames.append(_Frame("loop"))
                i = end + 1
                continue
            if head == "RETURN":
                rest = list(chunk[i + 1 :])
                if rest and rest[0].is_word("QUERY"):
                    if len(rest) > 1 and not rest[1].is_word("EXECUTE"):
                        self.emit("query", rest[1:])
                    return
                if rest and rest[0].is_word("NEXT"):
                    self.emit("expression", rest[1:])
                    return
                self.emit("expression", rest)
                self.exited = True  # what follows does not run on the calls that return here
                return
            if head == "PERFORM":
                rest = chunk[i + 1 :]
                if rest:
                    sql = self.substitute(rest, drop_into=False)
                    raw = self.body[tok.offset : rest[-1].offset + len(rest[-1].value)]
                    self.append(EmbeddedStatement(line_at(self.body, tok.offset), "query", f"select {sql}", raw))
                return
            if head == "ASSERT":
                end = _top_level_comma(chunk, i + 1)
                self.emit("expression", chunk[i + 1 : end])
                return
            if head in {"EXIT", "CONTINUE"}:
                when = find_word(chunk, i + 1, "WHEN")
                if when < len(chunk):
                    self.emit("expression", chunk[when + 1 :])
                labelled = when > i + 1
                if labelled or not any(f.kind == "loop" for f in self.frames):
                    self.exited = True  # may leave a block, not only the innermost loop
                return
            if head == "OPEN":
                for_at = find_word(chunk, i + 1, "FOR")
                query = chunk[for_at + 1 :]
                if query and head_word(query[0]) in QUERY_HEADS:
                    self.emit("query", query)
                return
            if head in {"CREATE", "CREATE OR REPLACE"}:
                self._note_created(chunk[i:])
                return
            if head in SKIPPED_HEADS:
                return
            if head in QUERY_HEADS or tok.is_punct("("):
                self.emit("query", chunk[i:])
                self.note_ctes(chunk[i:])
                return
            # assignment: target [.field | [index]] := expression
            for j in range(i, len(chunk)):
                if chunk[j].ttype in sqltok.Assignment or (
                    chunk[j].value == "=" and j > i and self.language == "plpgsql"
                ):
                    self.emit("expression", chunk[j + 1 :])
                    return
                if not (identifier(chunk[j]) is not None or chunk[j].is_punct(".") or chunk[j].is_punct("[")
                        or chunk[j].is_punct("]") or chunk[j].ttype in sqltok.Literal):  # fmt: skip
                    break
            return

    def _close(self, end: str) -> None:
        """Leave the construct ``END``, ``END IF``, ``END LOOP`` or ``END CASE`` closes."""
        kind = {"END IF": "branch", "END CASE": "branch", "END LOOP": "loop"}.get(end, "block")
        while self.frames:
            if self.frames.pop().kind == kind:
                return

    def _note_created(self, tokens: Sequence[Token]) -> None:
        at = next((k for k, t in enumerate(tokens) if t.is_word("TABLE", "VIEW", "SEQUENCE")), None)
        if at is None:
            return
        k = at + 1
        while k < len(tokens) and tokens[k].is_word("IF", "NOT", "EXISTS", "IF NOT EXISTS"):
            k += 1
        if k >= len(tokens):
            return
        name = identifier(tokens[k])
        if k + 2 < len(tokens) and tokens[k + 1].is_punct("."):
            name = identifier(tokens[k + 2])
        if name:
            self.local_relations.add(name)

    def note_ctes(self, tokens: Sequence[Token]) -> None:
        for k, tok in enumerate(tokens[:-1]):
            if tok.is_word("WITH", "RECURSIVE") or tok.is_punct(","):
                name = identifier(tokens[k + 1])
                after = tokens[k + 2] if k + 2 < len(tokens) else None
                if name and after is not None and (after.is_word("AS") or after.is_punct("(")):
                    self.local_relations.add(name)


_KEYWORD_LIKE = frozenset({"null", "true", "false", "default", "and", "or", "not", "is", "in", "select", "from"})


def _is_insert_alias(tokens: Sequence[Token], as_index: int) -> bool:
    """True when ``tokens[as_index]`` is the ``AS`` of ``INSERT INTO t AS alias``."""
    for back in (2, 4):  # insert into t as / insert into s . t as
        k = as_index - back
        if k >= 1 and tokens[k].is_word("INTO") and tokens[k - 1].is_word("INSERT"):
            return True
    return False


def _top_level_comma(tokens: Sequence[Token], start: int) -> int:
    depth = 0
    for index in range(start, len(tokens)):
        if tokens[index].is_punct("("):
            depth += 1
        elif tokens[index].is_punct(")"):
            depth -= 1
        elif depth == 0 and tokens[index].is_punct(","):
            return index
    return len(tokens)


def _null(type_name: str | None) -> str:
    return f"(NULL::{type_name})" if type_name else "NULL"
