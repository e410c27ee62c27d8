"""How one file runs: in one transaction, split at a ``commit`` that closes no ``begin`` (as
``supabase db push`` commits there), or outside a transaction for a single ``create index
concurrently``-like statement; transaction statements that cannot be honoured are refused before
anything runs.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from khepri_db.core.errors import (
    MigrationError,
    SqlErrorInfo,
    UsageError,
)
from khepri_db.core.sqltext import Statement

# -- how a file runs -------------------------------------------------------------------------


NO_TRANSACTION_MARKER = "-- khepri:no-transaction"


class RunMode(StrEnum):
    """How :func:`apply_file` runs a file."""

    TRANSACTION = "transaction"
    """The statements in one transaction with the history rows; or, for a file whose own ``commit``
    ends a transaction (see :func:`plan_file`), in one transaction per segment, the history rows in
    the last one."""
    OUTSIDE = "outside"
    """The one statement outside a transaction, then the history rows in their own."""


@dataclass(frozen=True)
class ExecutionPlan:
    """What :func:`apply_file` executes for one file.

    Attributes:
        mode: in transactions, or the one statement outside any.
        segments: the statements to execute, as ``(index, statement)`` pairs, one list per
            transaction, in order; ``index`` is the statement's place in the file (and in
            ``schema_migrations.statements``). Usually one segment. The file's ``begin``/``commit``
            statements are recorded but not executed: the runner's transactions take their place.
        commits: for each segment but the last, the file's ``commit`` (``(index, statement)``) that
            ends it: the work up to there is committed before the next segment runs.
        ignored_begins: ``(line, opened_at)`` of each ``begin`` inside an open ``begin`` block: it
            does nothing, as PostgreSQL ignores it; the next ``commit`` ends the block.
        reason: why the file runs outside a transaction (the statement kind, or the marker).
    """

    mode: RunMode
    segments: list[list[tuple[int, Statement]]]
    commits: list[tuple[int, Statement]] = field(default_factory=list)
    reason: str = ""
    ignored_begins: list[tuple[int, int]] = field(default_factory=list)

    @property
    def run(self) -> list[tuple[int, Statement]]:
        """Every statement executed, in order, all segments together."""
        return [pair for segment in self.segments for pair in segment]

    @property
    def commit_lines(self) -> list[int]:
        """File lines of the ``commit`` statements that end a segment early (empty for one transaction)."""
        return [statement.code_line for _, statement in self.commits]


_TRANSACTION_CONTROL = {"BEGIN", "COMMIT", "END", "ROLLBACK", "ABORT"}
_OPENS = {"BEGIN", "START TRANSACTION"}
_CLOSES = {"COMMIT", "END"}
_UNDOES = {"ROLLBACK", "ABORT"}

_OUTSIDE_TRANSACTION = re.compile(
    r"(?P<kind>create\s+(?:unique\s+)?index\s+concurrently|drop\s+index\s+concurrently"
    r"|reindex\s*(?:\([^)]*\)\s*)?(?:index|table|schema|database|system)\s+concurrently"
    r"|reindex\s*(?:\([^)]*\)\s*)?(?:schema|database|system)|vacuum|alter\s+system"
    r"|create\s+database|drop\s+database|create\s+tablespace|drop\s+tablespace)\b",
    re.IGNORECASE,
)
"""Statements PostgreSQL refuses inside a transaction block (SQLSTATE 25001), by their first words."""

_NAME = r'(?:"(?:[^"]|"")*"|[^\s".]+)'
_ADD_ENUM_VALUE = re.compile(rf"alter\s+type\s+{_NAME}(?:\s*\.\s*{_NAME})?\s+add\s+value\b", re.IGNORECASE)
"""``alter type ... add value``: PostgreSQL refuses to use the new value before it commits (55P04)."""


def _transaction_control(statement: Statement) -> str | None:
    """``"BEGIN"``, ``"COMMIT"``... when ``statement`` opens or ends a transaction, else ``None``.
    (``rollback to savepoint``, ``savepoint`` and ``release`` are fine inside a file's transaction.)"""
    words = statement.words(4)
    if not words:
        return None
    if words[0] in _CLOSES and any(words[k : k + 2] == ("AND", "CHAIN") for k in range(1, len(words) - 1)):
        return f"{words[0]} AND CHAIN"
    if words[0] == "START" and words[1:2] == ("TRANSACTION",):
        return "START TRANSACTION"
    if words[0] == "PREPARE" and words[1:2] == ("TRANSACTION",):
        return "PREPARE TRANSACTION"
    if words[0] not in _TRANSACTION_CONTROL:
        return None
    if words[0] == "ROLLBACK" and len(words) > 1 and words[1] in {"TO", "PREPARED"}:
        return None if words[1] == "TO" else "ROLLBACK PREPARED"
    if words[0] == "COMMIT" and words[1:2] == ("PREPARED",):
        return "COMMIT PREPARED"
    if words[0] == "BEGIN" and words[1:2] == ("ATOMIC",):
        return None
    return words[0]


def _outside_kind(statement: Statement) -> str | None:
    """The kind of statement (e.g. ``"create index concurrently"``) when PostgreSQL cannot run it in
    a transaction block, else ``None``."""
    match = _OUTSIDE_TRANSACTION.match(statement.text, statement.code_offset)
    return " ".join(match.group("kind").lower().split()) if match else None


def _adds_enum_value(statement: Statement) -> bool:
    return _ADD_ENUM_VALUE.match(statement.text, statement.code_offset) is not None


def _refuse(
    path: Path, index: int, statement: Statement, message: str, hint: str, sqlstate: str | None = None
) -> MigrationError:
    return MigrationError(path, statement.code_line, index, SqlErrorInfo(sqlstate, message), hint=hint)


def _refuse_control(path: Path, index: int, statement: Statement, kind: str, why: str, hint: str) -> MigrationError:
    return _refuse(path, index, statement, f"`{kind.lower()}` inside a migration file: {why}", hint)


_KEEP_BLOCK_ROLE = "select pg_catalog.set_config('khepri_db.block_role', pg_catalog.current_setting('role'), true)"
_RESTORE_BLOCK_ROLE = "select pg_catalog.set_config('role', pg_catalog.current_setting('khepri_db.block_role'), true)"


def _synthetic(statement: Statement, text: str) -> Statement:
    """A statement khepri-db runs in place of a file's ``begin``/``commit`` (same place and line)."""
    return Statement(text, statement.offset, statement.code_line)


def _segments(
    path: Path, real: Sequence[tuple[int, Statement]]
) -> tuple[list[list[tuple[int, Statement]]], list[tuple[int, Statement]], list[tuple[int, int]]]:
    """Split a file's statements where the Supabase CLI commits them; refuse what it would record
    wrongly. Returns ``(segments, commits, ignored_begins)`` as :class:`ExecutionPlan` holds them."""
    segments: list[list[tuple[int, Statement]]] = [[]]
    commits: list[tuple[int, Statement]] = []
    ignored: list[tuple[int, int]] = []
    opened: tuple[int, Statement] | None = None  # the `begin` of an explicit block still open
    adds_value = False  # the open block holds an `alter type ... add value`

    def split(index: int, statement: Statement) -> None:
        if segments[-1]:  # a commit with nothing before it in its transaction splits nothing
            segments.append([])
            commits.append((index, statement))

    for index, statement in real:
        kind = _transaction_control(statement)
        if kind is None:
            segments[-1].append((index, statement))
            adds_value = adds_value or (opened is not None and _adds_enum_value(statement))
        elif kind in _UNDOES:
            raise _refuse_control(
                path,
                index,
                statement,
                kind,
                "it undoes the statements before it, yet `supabase db push` records the file as applied",
                "remove it: a failing statement already rolls its file back; to undo work on purpose, write "
                "the statements that undo it, or use `savepoint` / `rollback to savepoint`",
            )
        elif kind in _OPENS:
            if opened is not None:  # PostgreSQL ignores it (a warning): the next `commit` ends the block
                ignored.append((statement.code_line, opened[1].code_line))
                continue
            opened, adds_value = (index, statement), False
            segments[-1].append((index, _synthetic(statement, _KEEP_BLOCK_ROLE)))
        elif kind in _CLOSES:
            if opened is None or adds_value:
                # commits the CLI's implicit transaction (or a block whose new enum value later
                # statements may use): what follows runs in a transaction of its own
                split(index, statement)
            else:
                # the block stays in the file's transaction, but its commit would have ended what it
                # set for its own transaction (`set local role`, set_config(..., true)): the role at
                # least goes back to what it was at its `begin`, as after a real commit
                segments[-1].append((index, _synthetic(statement, _RESTORE_BLOCK_ROLE)))
            opened, adds_value = None, False
        else:
            raise _refuse_control(
                path,
                index,
                statement,
                kind,
                "khepri-db runs each file in transactions of its own and cannot follow this statement",
                "remove it; end a transaction with a plain `commit;`",
            )
    if opened is not None:
        index, statement = opened
        raise _refuse_control(
            path,
            index,
            statement,
            _transaction_control(statement) or "begin",
            "no `commit` closes it, so the file's transaction would stay open past its end",
            "add `commit;` where the transaction ends, or remove the `begin`",
        )
    if len(segments) > 1 and not segments[-1]:  # a final `commit`: nothing follows it
        segments.pop()
        commits.pop()
    return segments, commits, ignored


def plan_file(path: Path, statements: Sequence[Statement], *, marker: bool = False) -> ExecutionPlan:
    """Decide how a migration (or seed) file runs, before anything of it runs.

    How ``supabase db push`` / ``supabase migration up`` (CLI 2.117, measured against PostgreSQL 18)
    run a file: with no transaction statement in it, the file and its history row are one
    transaction. With one, every statement outside a ``begin ... commit`` block commits on its own,
    each block is one transaction, and the history row is written last, on its own, only when every
    statement succeeded. khepri-db leaves the same database and history when the file succeeds, and
    commits only where the file asks for it:

    * ``begin`` (or ``start transaction``) ... ``commit`` (or ``end``) pairs, one around the whole
      file or any number in the middle of it: the file runs in one transaction with its history
      row (the pairs are recorded, not executed). If it fails, nothing of it remains (the CLI
      would keep what it had committed).
    * a ``commit`` that closes no ``begin`` (e.g. after ``alter type ... add value``: PostgreSQL
      refuses to use a new enum value before it commits, SQLSTATE 55P04), or that closes a pair
      holding an ``alter type ... add value``: the file runs in segments, each in its own
      transaction, split after each such ``commit``; the history row is written in the last
      segment's transaction, so a file is recorded only when all of it applied. A segment that
      fails is rolled back whole (the CLI keeps its statements that ran before the failure); the
      segments before it stay committed, as with the CLI, and the error says which lines. A
      ``commit`` with nothing before it in its segment, or at the very end, splits nothing.
    * a ``begin`` while a ``begin`` block is open does nothing, as PostgreSQL (and so the CLI)
      ignores it: the next ``commit`` ends the block (:func:`plan_warnings` says so).

    Args:
        path: the file (for messages).
        statements: its statements, as :func:`khepri_db.core.sqltext.split_statements` gives them.
        marker: the file starts with ``-- khepri:no-transaction``.

    Returns:
        The :class:`ExecutionPlan`: :attr:`ExecutionPlan.commits` lists the splitting ``commit``
        statements (callers warn about them, see :func:`plan_warnings`).

    Raises:
        MigrationError: naming the file and the line of the offending statement, for what the CLI
            would apply or record wrongly: a ``rollback`` / ``abort`` anywhere (the CLI records
            the file as applied with that work undone; ``rollback to savepoint`` is fine), a
            ``begin`` no ``commit`` closes, ``commit and chain``, ``prepare transaction`` /
            ``commit prepared`` / ``rollback prepared``; and a
            statement that cannot run in a transaction next to other statements (the CLI would
            commit the statements before it on its own).
        UsageError: a ``-- khepri:no-transaction`` file holds more or less than one statement.
    """
    real = [(i, s) for i, s in enumerate(statements) if not s.comment_only]
    segments, commits, ignored = _segments(path, real)
    body = [pair for segment in segments for pair in segment]
    if marker:
        if len(body) != 1:
            raise UsageError(
                f"{path}: a `{NO_TRANSACTION_MARKER}` migration must hold exactly one statement, found {len(body)}",
                hint="split it into one file per statement",
            )
        return ExecutionPlan(RunMode.OUTSIDE, [body], reason=f"`{NO_TRANSACTION_MARKER}`")
    outside = [(i, s, kind) for i, s in body if (kind := _outside_kind(s))]
    if outside:
        i, statement, kind = outside[0]
        if len(real) == 1:
            return ExecutionPlan(RunMode.OUTSIDE, [body], reason=f"`{kind}` cannot run inside a transaction")
        raise _refuse(
            path,
            i,
            statement,
            f"`{kind}` cannot run inside a transaction, and this file holds {len(real)} statements",
            "move it into a migration file of its own: a file holding only that statement runs outside "
            "a transaction (as `supabase db push` runs it)",
            "25001",
        )
    return ExecutionPlan(RunMode.TRANSACTION, segments, commits, ignored_begins=ignored)


def plan_warnings(path: Path, plan: ExecutionPlan) -> list[str]:
    """What to tell the user about how ``plan`` runs the file at ``path``: that it commits part of
    its work on its own (see :func:`plan_file`), and each ``begin`` it holds that does nothing."""
    warnings = [
        f"{path}:{line}: a `begin` inside the transaction opened at line {opened_at} does nothing (PostgreSQL "
        "ignores it, under `supabase db push` too): the next `commit` ends that transaction"
        for line, opened_at in plan.ignored_begins
    ]
    lines = plan.commit_lines
    if lines:
        where = f"line {lines[0]}" if len(lines) == 1 else "lines " + ", ".join(str(n) for n in lines)
        warnings.append(
            f"{path}: commits at {where}, as `supabase db push` does: the statements before "
            f"{'it' if len(lines) == 1 else 'each'} stay applied if a later one fails"
        )
    return warnings
