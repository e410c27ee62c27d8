"""What doctor needs to know about SQL and PL/pgSQL function bodies, read with sqlparse's lexer.

Two analyses, both on token streams (nothing here tokenizes SQL by hand):

* :func:`embedded_statements` turns a body into the SQL statements and expressions PL/pgSQL would
  hand to the SQL parser at run time, each made standalone: variables and parameters become typed
  ``NULL`` s and ``INTO`` targets are dropped. doctor then asks Postgres to *plan* each one
  (``EXPLAIN``, never executed), so a table or column that does not exist is reported by Postgres's
  own parser, not guessed.
* :func:`identity_arguments` finds the parameters that carry a caller-supplied user/athlete id
  (``p_user_id``, ``athlete_id``, ...) and whether the body ever compares them with the caller's
  identity (``auth.uid()``, or a value derived from it).

PL/pgSQL's block structure (``DECLARE``/``BEGIN``/``IF``/``LOOP``/``EXCEPTION``...) is followed
only as far as needed to find where each embedded statement or expression starts and ends.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from typing import Literal

from sqlparse import tokens as sqltok

from khepri_db.core.sqltext import Token, identifier, line_at, significant_tokens

TRIGGER_VARIABLES = frozenset(
    {"new", "old", "tg_op", "tg_name", "tg_when", "tg_level", "tg_relid", "tg_table_name", "tg_table_schema",
     "tg_nargs", "tg_argv", "tg_event", "tg_tag"}
)  # fmt: skip
"""Variables PL/pgSQL defines in trigger functions."""

SPECIAL_VARIABLES = frozenset({"found", "sqlstate", "sqlerrm"})
"""Variables PL/pgSQL defines in every function."""

_QUERY_HEADS = frozenset({"SELECT", "INSERT", "UPDATE", "DELETE", "WITH", "MERGE", "VALUES", "TABLE"})
_SKIPPED_HEADS = frozenset(
    {"RAISE", "GET", "EXECUTE", "NULL", "COMMIT", "ROLLBACK", "CLOSE", "FETCH", "MOVE", "CALL", "CREATE", "DROP",
     "CREATE OR REPLACE", "ALTER", "TRUNCATE", "LOCK", "NOTIFY", "LISTEN", "UNLISTEN", "ANALYZE", "VACUUM",
     "REFRESH", "SET", "RESET", "GRANT", "REVOKE", "COMMENT", "DISCARD", "SAVEPOINT", "RELEASE", "COPY", "IMPORT",
     "REINDEX", "CLUSTER"}
)  # fmt: skip
_INTO_STOP = frozenset(
    {"FROM", "WHERE", "GROUP", "HAVING", "ORDER", "LIMIT", "OFFSET", "UNION", "INTERSECT", "EXCEPT", "WINDOW",
     "FOR", "FETCH", "RETURNING", "ON", "USING", "SET", "VALUES", "END"}
)  # fmt: skip


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


@dataclass(frozen=True)
class BodyAnalysis:
    """The result of :func:`embedded_statements`.

    Attributes:
        statements: the embedded statements and expressions, in body order.
        variables: every name that is a variable or parameter in the body (lower case).
        local_relations: tables and CTEs the body creates itself (lower case), whose absence from
            the catalogs is expected.
    """

    statements: list[EmbeddedStatement]
    variables: frozenset[str]
    local_relations: frozenset[str]


@dataclass(frozen=True)
class Parameter:
    """A function parameter as :func:`embedded_statements` needs it.

    Attributes:
        name: its name (``None`` if unnamed; it is still ``$position``).
        position: 1-based position among the parameters the body can read (IN, INOUT, VARIADIC).
        type: its type as ``format_type`` prints it (``uuid``, ``public.athletes``...).
    """

    name: str | None
    position: int
    type: str


@dataclass
class _Chunk:
    tokens: list[Token]
    start: int  # index in the body's token list


@dataclass
class _Frame:
    """A construct of the body the walker is inside: ``block`` (``BEGIN ... END``; ``caught`` once
    its ``EXCEPTION`` section is seen), ``branch`` (``IF``/``CASE``) or ``loop``."""

    kind: Literal["block", "branch", "loop"]
    caught: bool = False


@dataclass
class _Scope:
    variables: dict[str, str | None] = field(default_factory=dict)  # name -> type (None: untyped)
    function_name: str = ""
    parameters: dict[str, str] = field(default_factory=dict)


def _chunks(tokens: list[Token]) -> list[_Chunk]:
    """Split at semicolons outside parentheses and brackets."""
    chunks: list[_Chunk] = []
    depth = 0
    current: list[Token] = []
    start = 0
    punctuation = sqltok.Punctuation
    for index, tok in enumerate(tokens):
        if tok.ttype is punctuation:  # what Token.is_punct checks, inlined: this loop is hot
            value = tok.value
            if value == "(" or value == "[":
                depth += 1
            elif value == ")" or value == "]":
                depth = max(0, depth - 1)
            elif value == ";" and depth == 0:
                if current:
                    chunks.append(_Chunk(current, start))
                current = []
                start = index + 1
                continue
        current.append(tok)
    if current:
        chunks.append(_Chunk(current, start))
    return chunks


def _find_word(tokens: Sequence[Token], start: int, *words: str) -> int:
    """Index of the first of ``words`` at parenthesis depth 0 from ``start``, or ``len(tokens)``."""
    depth = 0
    punctuation = sqltok.Punctuation
    for index in range(start, len(tokens)):
        tok = tokens[index]
        if tok.ttype is punctuation and tok.value in ("(", "["):
            depth += 1
        elif tok.ttype is punctuation and tok.value in (")", "]"):
            depth -= 1
        elif depth == 0 and tok.wordlike and tok.value.upper() in words:  # Token.is_word, inlined
            return index
    return len(tokens)


def _head(tok: Token) -> str:
    # Token.wordlike is what it says: the token is a keyword or a name (sqltext.tokens._tokens sets it)
    return tok.value.upper() if tok.wordlike else ""


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


class _Walker:
    """Walks one body's chunks and collects embedded statements."""

    def __init__(self, body: str, language: str, scope: _Scope) -> None:
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
                    tokens[end].is_word(*_INTO_STOP) and tokens[end].ttype in sqltok.Keyword
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
        if not query or _head(query[0]) not in _QUERY_HEADS:
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
            head = _head(tok)
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
                i = _find_word(chunk, i + 1, "THEN") + 1
                continue
            if head in {"IF", "ELSIF", "ELSEIF"}:
                end = _find_word(chunk, i + 1, "THEN")
                self.emit("expression", chunk[i + 1 : end])
                if head == "IF":
                    self.frames.append(_Frame("branch"))
                i = end + 1
                continue
            if head == "WHILE":
                end = _find_word(chunk, i + 1, "LOOP")
                self.emit("expression", chunk[i + 1 : end])  # evaluated at least once
                self.frames.append(_Frame("loop"))
                i = end + 1
                continue
            if head in {"FOR", "FOREACH"}:
                inside = _find_word(chunk, i + 1, "IN")
                for var in chunk[i + 1 : inside]:
                    var_name = identifier(var)
                    if var_name and not var.is_word("SLICE"):
                        self.scope.variables.setdefault(var_name, None)
                end = _find_word(chunk, inside + 1, "LOOP")
                source = list(chunk[inside + 1 : end])
                if source and source[0].is_word("REVERSE", "ARRAY"):
                    source = source[1:]
                    if head == "FOREACH":
                        self.emit("expression", source)
                        self.frames.append(_Frame("loop"))
                        i = end + 1
                        continue
                text = self.body[source[0].offset : source[-1].offset + len(source[-1].value)] if source else ""
                if source and _head(source[0]) in _QUERY_HEADS and ".." not in text:
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
                when = _find_word(chunk, i + 1, "WHEN")
                if when < len(chunk):
                    self.emit("expression", chunk[when + 1 :])
                labelled = when > i + 1
                if labelled or not any(f.kind == "loop" for f in self.frames):
                    self.exited = True  # may leave a block, not only the innermost loop
                return
            if head == "OPEN":
                for_at = _find_word(chunk, i + 1, "FOR")
                query = chunk[for_at + 1 :]
                if query and _head(query[0]) in _QUERY_HEADS:
                    self.emit("query", query)
                return
            if head in {"CREATE", "CREATE OR REPLACE"}:
                self._note_created(chunk[i:])
                return
            if head in _SKIPPED_HEADS:
                return
            if head in _QUERY_HEADS or tok.is_punct("("):
                self.emit("query", chunk[i:])
                self._note_ctes(chunk[i:])
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

    def _note_ctes(self, tokens: Sequence[Token]) -> None:
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


def embedded_statements(
    body: str,
    language: str,
    parameters: Sequence[Parameter] = (),
    *,
    function_name: str = "",
    is_trigger: bool = False,
) -> BodyAnalysis:
    """Find the statements and expressions a SQL or PL/pgSQL body hands to the SQL parser.

    Mirrors what PL/pgSQL does at run time: every statement it does not handle itself (``SELECT``,
    ``INSERT``, ``UPDATE``, ``DELETE``, ``MERGE``, ``WITH``, ``PERFORM``, ``RETURN QUERY``, the query
    of ``FOR ... IN``) and every expression (``IF``/``ELSIF``/``WHILE`` conditions, assignments,
    ``RETURN`` values, declaration defaults) is SQL planned against the catalogs. Dynamic SQL
    (``EXECUTE``) and DDL are skipped.

    Args:
        body: ``pg_proc.prosrc``.
        language: ``plpgsql`` or ``sql``.
        parameters: the function's readable parameters (names and types).
        function_name: the function's name (PL/pgSQL allows ``function_name.parameter``).
        is_trigger: the function returns ``trigger`` (``NEW``, ``OLD``, ``TG_*`` are variables).

    Returns:
        A :class:`BodyAnalysis`. Statements keep their body line for reporting.
    """
    scope = _Scope(function_name=function_name.lower())
    for param in parameters:
        scope.parameters[f"${param.position}"] = param.type
        if param.name:
            scope.variables[param.name.lower()] = param.type
    if language == "plpgsql":
        for special in SPECIAL_VARIABLES | (TRIGGER_VARIABLES if is_trigger else frozenset()):
            scope.variables.setdefault(special, None)
    tokens = significant_tokens(body)
    walker = _Walker(body, language, scope)
    for chunk in _chunks(tokens):
        if language == "plpgsql":
            walker.walk(chunk.tokens)
        elif chunk.tokens and (_head(chunk.tokens[0]) in _QUERY_HEADS or chunk.tokens[0].is_punct("(")):
            walker.emit("query", chunk.tokens)
            walker._note_ctes(chunk.tokens)
    statements = [
        s if every else dataclasses.replace(s, every_call=False)
        for s, every in zip(walker.statements, walker.every_call(), strict=True)
    ]
    return BodyAnalysis(statements, frozenset(scope.variables), frozenset(walker.local_relations - {""}))


# -- identity arguments ---------------------------------------------------------------------------


@dataclass(frozen=True)
class IdentityArgument:
    """A parameter that carries a caller-supplied user/tenant id, and how the body treats it.

    Attributes:
        name: the parameter name as declared.
        position: 1-based position.
        used_in_query: the parameter (or a variable copied from it) appears in a SQL statement.
        checked: some statement or condition puts it together with the caller's identity
            (``auth.uid()``, ``auth.jwt()``, a variable holding either, or a helper function that
            reads them), or an ``IF``/``ASSERT`` guard authorises the caller through such a
            helper or ``auth.role()``/``auth.jwt()``.
        line: body line of its first use in a SQL statement, or ``None``.
        named_like_identity: its name says it carries a user/tenant id (``p_user_id``...); the
            others are reported only with ``watch_all``.
        columns: the columns (lower case, unqualified) the parameter selects or writes rows by:
            compared with (``where c.user_id = p_user_id``, ``id in (...)``, ``= any(...)``), assigned
            to (``set owner_id = ...``) or inserted into (``insert into t (owner_id) values (...)``).

    ``used_in_query`` and ``line`` count only uses that select or write rows: a parameter that only
    feeds ``LIMIT``, ``OFFSET``, ``FETCH`` or ``ORDER BY`` (paging) is not used.
    """

    name: str
    position: int
    used_in_query: bool
    checked: bool
    line: int | None
    named_like_identity: bool = True
    columns: tuple[str, ...] = ()


def normalised_parameter_name(name: str) -> str:
    """``p_user_id`` -> ``user_id``: the usual parameter prefixes removed, lower case."""
    lowered = name.lower()
    for prefix in ("in_", "arg_", "p_", "_"):
        if lowered.startswith(prefix) and len(lowered) > len(prefix):
            return lowered[len(prefix) :]
    return lowered


_IDENTITY_CALLS = frozenset({("auth", "uid"), ("auth", "jwt"), ("auth", "email")})
_ROLE_CALLS = frozenset({("auth", "role"), ("auth", "jwt")})


def _calls(tokens: Sequence[Token]) -> list[tuple[str | None, str]]:
    """``(schema, name)`` of every function call among ``tokens``."""
    found: list[tuple[str | None, str]] = []
    punctuation = sqltok.Punctuation
    last = len(tokens) - 1
    for index, tok in enumerate(tokens):
        if index >= last or tokens[index + 1].value != "(" or tokens[index + 1].ttype is not punctuation:
            continue  # not followed by "(" (Token.is_punct, inlined: this runs for every token)
        name = identifier(tok)
        if name is None:
            continue
        schema = identifier(tokens[index - 2]) if index >= 2 and tokens[index - 1].is_punct(".") else None
        found.append((schema, name))
    return found


def _mentions_jwt_sub(tokens: Sequence[Token]) -> bool:
    return any(
        t.value.startswith("'")  # what both spellings start with: a cheap test first
        and t.ttype in sqltok.Literal.String.Single
        and t.value.lower() in {"'request.jwt.claim.sub'", "'request.jwt.claims'"}
        for t in tokens
    )


HelperIndex = Mapping[str, AbstractSet[str]]
"""Helper functions by name: lower-case name -> lower-case schemas (see :func:`helper_index`)."""


def helper_index(functions: Iterable[tuple[str, str]] | HelperIndex) -> HelperIndex:
    """``(schema, name)`` pairs indexed by name (a call matches a helper of its name in its schema,
    or in any when unqualified). An index is returned as is: doctor builds it once per run, not once
    per body (with a helper per function, building it per body grows with the square of the schema).
    """
    if isinstance(functions, Mapping):
        return functions
    index: dict[str, set[str]] = {}
    for s, n in functions:
        index.setdefault(n.lower(), set()).add(s.lower())
    return index


def identity_arguments(
    body: str,
    language: str,
    parameters: Sequence[Parameter],
    identity_names: Iterable[str],
    *,
    identity_functions: Iterable[tuple[str, str]] | HelperIndex = (),
    authorization_functions: Iterable[tuple[str, str]] | HelperIndex = (),
    function_name: str = "",
    watch_all: bool = False,
) -> list[IdentityArgument]:
    """Report, for each parameter named like a user/tenant id (every named parameter with
    ``watch_all``), whether the body checks it.

    Args:
        body: ``pg_proc.prosrc`` of a SQL or PL/pgSQL function.
        language: ``plpgsql`` or ``sql``.
        parameters: the readable parameters.
        identity_names: normalised names that mean "a user's or tenant's id" (``user_id``,
            ``athlete_id``...); a parameter matches after :func:`normalised_parameter_name`.
        identity_functions: ``(schema, name)`` of helper functions whose result is derived from the
            caller's identity (e.g. ``public.current_athlete_id()``, which reads ``auth.uid()``).
        authorization_functions: ``(schema, name)`` of boolean helpers that read the caller's
            identity or claims (``is_admin()``): an ``IF``/``ASSERT`` guard calling one authorises
            the caller for every argument (or their :func:`helper_index`).
        watch_all: watch every named parameter, not only those named like an id: a SECURITY
            DEFINER function reaching rows by ``p_project_id``, ``filter_text`` or ``target`` is as
            dangerous as one taking ``p_user_id``.

    Returns:
        One :class:`IdentityArgument` per watched parameter, in parameter order.
    """
    names = {n.lower() for n in identity_names}
    watched = {
        p.name.lower(): p for p in parameters if p.name and (watch_all or normalised_parameter_name(p.name) in names)
    }
    if not watched:
        return []
    identity_fns = helper_index(identity_functions)
    auth_fns = helper_index(authorization_functions)

    def is_identity_call(call: tuple[str | None, str]) -> bool:
        schema, name = call
        return (schema, name) in _IDENTITY_CALLS or (
            name in identity_fns and (schema is None or schema in identity_fns[name])
        )

    def is_authorization_call(call: tuple[str | None, str]) -> bool:
        schema, name = call
        return (schema, name) in _ROLE_CALLS or (name in auth_fns and (schema is None or schema in auth_fns[name]))

    tokens = significant_tokens(body)
    derived: dict[str, str] = {name: name for name in watched}  # variable -> parameter it carries
    identity_vars: set[str] = set()
    positional = {f"${p.position}": p.name.lower() for p in watched.values()}
    used: dict[str, int] = {}
    checked: set[str] = set()
    authorised = False
    reads_identity = False  # some statement or condition of the body reads the caller's identity

    own_name = function_name.lower()

    def names_in(chunk: Sequence[Token]) -> set[str]:
        out = set()
        punctuation = sqltok.Punctuation
        for index, tok in enumerate(chunk):
            qualified = index > 0 and chunk[index - 1].value == "." and chunk[index - 1].ttype is punctuation
            if qualified and not (index > 1 and own_name and identifier(chunk[index - 2]) == own_name):
                continue
            name = positional.get(tok.value) or identifier(tok)
            if name is not None:
                out.add(name)
        return out

    # Each statement part once: (kind, first offset, names mentioned, calls, whether it calls an
    # identity function or names the JWT's subject, the variables it assigns).
    analysed = []
    for chunk in _chunks(tokens):
        for kind, part in _statement_parts(chunk.tokens):
            if not part:
                continue
            calls = _calls(part)
            analysed.append(
                (kind, part, names_in(part), calls,
                 any(is_identity_call(c) for c in calls) or _mentions_jwt_sub(part), _assignment_targets(part))
            )  # fmt: skip
    columns: dict[str, set[str]] = {}
    # Two passes: the first learns which variables carry what, the second judges each statement.
    for learning in (True, False):
        for kind, part, mentioned, calls, reads_caller, targets in analysed:
            carries_identity = reads_caller or bool(mentioned & identity_vars)
            params_here = {derived[n] for n in mentioned if n in derived}
            if learning:
                for target in targets:
                    if carries_identity:
                        identity_vars.add(target)
                    elif params_here and target not in derived:
                        derived[target] = next(iter(sorted(params_here)))
                continue
            if kind == "guard" and any(is_authorization_call(c) for c in calls):
                authorised = True
            if carries_identity:
                checked.update(params_here)
                reads_identity = True
            if kind == "query" and params_here:
                carriers = {n: derived[n] for n in mentioned if n in derived}
                for param, found in _row_uses(part, carriers, positional, own_name).items():
                    used.setdefault(param, line_at(body, part[0].offset))
                    columns.setdefault(param, set()).update(found)
    return [
        IdentityArgument(
            name=p.name or f"${p.position}",
            position=p.position,
            used_in_query=key in used,
            # an argument not named like an id is checked when the body looks at the caller at all
            checked=authorised or key in checked or (normalised_parameter_name(key) not in names and reads_identity),
            line=used.get(key),
            named_like_identity=normalised_parameter_name(key) in names,
            columns=tuple(sorted(columns.get(key, ()))),
        )
        for key, p in watched.items()
    ]


_PAGING_CLAUSES = frozenset({"LIMIT", "OFFSET", "FETCH", "ORDER BY"})
_CLAUSE_WORDS = frozenset(
    {"SELECT", "FROM", "WHERE", "ON", "USING", "SET", "VALUES", "GROUP BY", "HAVING", "RETURNING", "WINDOW",
     "LIMIT", "OFFSET", "FETCH", "ORDER BY"}
)  # fmt: skip
_OPERAND_BOUNDS = frozenset(
    {"AND", "OR", "WHERE", "ON", "WHEN", "THEN", "ELSE", "SET", "HAVING", "SELECT", "USING", "CASE", "END",
     "RETURNING", "VALUES", "FROM", "GROUP BY", "ORDER BY", "LIMIT", "OFFSET", "FETCH", "JOIN", "INTO", "AS"}
)  # fmt: skip
_COMPARISONS = frozenset({"=", "==", "<>", "!=", "IN", "LIKE", "ILIKE"})


def _levels(tokens: Sequence[Token]) -> tuple[list[str | None], list[int]]:
    """For each token: the clause it is in (the innermost one: a parenthesis without its own clause
    is in the clause around it) and the index of the ``(`` opening its level (-1 at the top)."""
    clauses: list[str | None] = []
    opens: list[int] = []
    stack: list[tuple[int, str | None]] = [(-1, None)]
    for index, tok in enumerate(tokens):
        if tok.is_punct("("):
            clauses.append(next((c for _, c in reversed(stack) if c), None))
            opens.append(stack[-1][0])
            stack.append((index, None))
            continue
        if tok.is_punct(")") and len(stack) > 1:
            stack.pop()
        elif tok.wordlike:
            word = " ".join(tok.value.upper().split())
            distinct = index > 0 and tokens[index - 1].is_word("DISTINCT")  # is [not] distinct from
            if word in _CLAUSE_WORDS and not (word == "FROM" and distinct):
                stack[-1] = (stack[-1][0], word)
        clauses.append(next((c for _, c in reversed(stack) if c), None))
        opens.append(stack[-1][0])
    return clauses, opens


def _is_comparison(tokens: Sequence[Token], index: int) -> bool:
    tok = tokens[index]
    word = tok.value.upper()
    if word in _COMPARISONS and (tok.ttype in sqltok.Operator or tok.wordlike):
        return True
    return word == "FROM" and index > 0 and tokens[index - 1].is_word("DISTINCT")


def _column_before(tokens: Sequence[Token], index: int) -> str | None:
    """The column named just before ``tokens[index]`` (``c.user_id`` gives ``user_id``), skipping the
    ``NOT`` of ``not in`` and the ``IS NOT DISTINCT`` of ``is not distinct from``."""
    k = index - 1
    while k >= 0 and tokens[k].is_word("NOT", "IS", "DISTINCT"):
        k -= 1
    if k < 0 or tokens[k].ttype in sqltok.Keyword:
        return None
    return identifier(tokens[k])


def _column_after(tokens: Sequence[Token], index: int) -> str | None:
    """The column named just after ``tokens[index]`` (the last part of a dotted name)."""
    k = index + 1
    if k >= len(tokens) or tokens[k].ttype in sqltok.Keyword:
        return None
    name = identifier(tokens[k])
    while name is not None and k + 2 < len(tokens) and tokens[k + 1].is_punct("."):
        k += 2
        name = identifier(tokens[k])
    if k + 1 < len(tokens) and tokens[k + 1].is_punct("("):
        return None  # a function call, not a column
    return name


def _insert_columns(tokens: Sequence[Token]) -> list[str] | None:
    """The column list of ``insert into t [as a] (c1, c2)``, or ``None``."""
    at = next((k for k, t in enumerate(tokens[:2]) if t.is_word("INSERT")), None)
    if at is None:
        return None
    k = at + 1
    while k < len(tokens) and not tokens[k].is_punct("("):
        if tokens[k].is_word("VALUES", "SELECT", "DEFAULT", "WITH", "OVERRIDING"):
            return None
        k += 1
    columns: list[str] = []
    k += 1
    while k < len(tokens) and not tokens[k].is_punct(")"):
        name = identifier(tokens[k])
        if name is not None and not (k > 0 and tokens[k - 1].is_punct(".")):
            columns.append(name)
        k += 1
    return columns


def _matching(tokens: Sequence[Token], open_index: int) -> int:
    """Index of the ``)`` closing the ``(`` at ``open_index`` (the last token if unbalanced)."""
    depth = 0
    for index in range(open_index, len(tokens)):
        depth += tokens[index].is_punct("(") - tokens[index].is_punct(")")
        if depth == 0:
            return index
    return len(tokens) - 1


def _compared_column(tokens: Sequence[Token], opens: list[int], lo: int, hi: int) -> tuple[bool, str | None]:
    """Whether the operand ``tokens[lo:hi + 1]`` is one side of a comparison at its level, and the
    column on the other side (``None`` when that side is not a plain column)."""
    level = opens[lo]
    k = lo - 1
    while k > level and not (tokens[k].is_punct(",") or _head(tokens[k]) in _OPERAND_BOUNDS):
        if tokens[k].is_punct(")"):
            depth = 0
            while k > level:  # skip a parenthesised group
                depth += tokens[k].is_punct(")") - tokens[k].is_punct("(")
                if depth == 0:
                    break
                k -= 1
        elif _is_comparison(tokens, k):
            return True, _column_before(tokens, k)
        k -= 1
    k = hi + 1
    while k < len(tokens) and not (
        tokens[k].is_punct(",") or tokens[k].is_punct(")") or _head(tokens[k]) in _OPERAND_BOUNDS
    ):
        if tokens[k].is_punct("("):
            k = _matching(tokens, k)
        elif _is_comparison(tokens, k):
            return True, _column_after(tokens, k)
        k += 1
    return False, None


def _row_uses(
    tokens: Sequence[Token], carriers: dict[str, str], positional: dict[str, str], own_name: str
) -> dict[str, set[str]]:
    """Where the names in ``carriers`` (variable or parameter -> the parameter it carries) select or
    write rows in one SQL statement: parameter -> the columns it is compared with, assigned or
    inserted into (empty when no column can be named). Uses only in ``LIMIT``, ``OFFSET``,
    ``FETCH`` or ``ORDER BY`` are not uses."""
    clauses, opens = _levels(tokens)
    inserted = _insert_columns(tokens)
    uses: dict[str, set[str]] = {}
    count = len(tokens)
    for index, tok in enumerate(tokens):
        qualified = index > 0 and tokens[index - 1].is_punct(".")
        if qualified and not (index > 1 and own_name and identifier(tokens[index - 2]) == own_name):
            continue
        name = positional.get(tok.value) or identifier(tok)
        if name is None or name not in carriers or (index + 1 < count and tokens[index + 1].is_punct("(")):
            continue
        if clauses[index] in _PAGING_CLAUSES:
            continue
        found = uses.setdefault(carriers[name], set())
        lo = hi = index
        while True:
            level = opens[lo]
            compared, column = _compared_column(tokens, opens, lo, hi)
            if compared:
                if column is not None:
                    found.add(column)
                break
            if level < 0:
                # insert ... select <list>: the position in the select list names the column
                if inserted and clauses[lo] == "SELECT":
                    position = sum(
                        1 for j in range(lo) if tokens[j].is_punct(",") and opens[j] < 0 and clauses[j] == "SELECT"
                    )
                    if position < len(inserted):
                        found.add(inserted[position])
                break
            # a parenthesised tuple of VALUES: the position in the tuple names the column
            if (
                inserted
                and clauses[level] == "VALUES"
                and level > 0
                and (tokens[level - 1].is_word("VALUES") or tokens[level - 1].is_punct(","))
            ):
                position = sum(1 for j in range(level + 1, lo) if tokens[j].is_punct(",") and opens[j] == level)
                if position < len(inserted):
                    found.add(inserted[position])
                break
            # climb out of the parenthesis, with the function it calls if any (any(...), lower(...))
            calls = level > 0 and identifier(tokens[level - 1]) is not None
            lo = level - 1 if calls and tokens[level - 1].ttype not in sqltok.Keyword else level
            hi = _matching(tokens, level)
    return uses


def _assignment_targets(part: Sequence[Token]) -> list[str]:
    """Variables a statement part assigns: ``v := ...``, ``select ... into v``, ``returning ... into v``."""
    targets: list[str] = []
    for index, tok in enumerate(part):
        if not tok.wordlike and tok.value != ":=":
            continue  # neither `:=` (sqlparse's only Assignment) nor INTO: the common case, tested cheaply
        if tok.ttype in sqltok.Assignment and index > 0:
            name = identifier(part[0])
            if name:
                targets.append(name)
        if tok.is_word("INTO") and not (index > 0 and part[index - 1].is_word("INSERT", "MERGE")):
            k = index + 1
            if k < len(part) and part[k].is_word("STRICT"):
                k += 1
            while k < len(part) and not part[k].is_word(*_INTO_STOP):
                name = identifier(part[k])
                if name and not (k > 0 and part[k - 1].is_punct(".")):
                    targets.append(name)
                k += 1
    return targets


def _statement_parts(chunk: Sequence[Token]) -> list[tuple[str, list[Token]]]:
    """A chunk split into (kind, tokens): ``guard`` for IF/ELSIF/WHILE/ASSERT conditions,
    ``declare`` for a declaration, ``query`` for SQL statements, ``other`` for the rest."""
    parts: list[tuple[str, list[Token]]] = []
    i = 0
    while i < len(chunk):
        head = _head(chunk[i])
        if head in {"DECLARE", "BEGIN", "ELSE", "LOOP"} or chunk[i].value == "<<":
            i += 3 if chunk[i].value == "<<" else 1
            continue
        if head.startswith("END"):
            break
        if head in {"IF", "ELSIF", "ELSEIF", "WHILE", "WHEN", "EXCEPTION", "CASE"}:
            end = _find_word(chunk, i + 1, "THEN", "LOOP")
            parts.append(("guard" if head != "EXCEPTION" else "other", list(chunk[i + 1 : end])))
            i = end + 1
            continue
        if head == "ASSERT":
            parts.append(("guard", list(chunk[i + 1 :])))
            break
        if head in {"FOR", "FOREACH"}:
            inside = _find_word(chunk, i + 1, "IN")
            end = _find_word(chunk, inside + 1, "LOOP")
            parts.append(("query", list(chunk[inside + 1 : end])))
            i = end + 1
            continue
        rest = list(chunk[i:])
        if head in _QUERY_HEADS or head in {"PERFORM", "RETURN"}:
            parts.append(("query", rest))
        else:
            parts.append(("other", rest))
        break
    return parts
