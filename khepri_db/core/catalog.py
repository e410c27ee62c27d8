"""The one reader of relations, their columns and constraints from ``pg_catalog`` (``sql/catalog/``), for
every face that needs them: ``gen types`` (:mod:`khepri_db.client.catalog`), the access matrix
(:mod:`khepri_db.access._catalog`) and ``access init``'s row factories (:mod:`khepri_db.access._init_catalog`).

One column model (:class:`Column`) serves all three; each face keeps only what it adds of its own (which
relations it wants, what a policy says about a column). The rows are mapped to the dataclasses by
psycopg's ``class_row``: the queries name their columns as the fields.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import psycopg
from psycopg.rows import class_row

from khepri_db.core.project import load_sql

__all__ = ["Column", "Constraint", "Relation", "read_relations"]


@dataclass(frozen=True)
class Column:
    """A column of a relation as ``pg_attribute`` and its type describe it (``sql/catalog/columns.sql``).

    Attributes:
        relid: the relation's ``pg_class`` oid.
        attnum: the column's position (1-based; dropped columns are never read).
        name: the column name.
        type: ``format_type`` of the declared type and modifier, e.g. ``character varying(40)``,
            ``billing.status``, ``text[]`` (schema-qualified unless the type is visible on the session's
            search_path: the text a cast in the same session can use).
        type_oid: the declared type's oid (a domain's own oid, not its base type's).
        ndims: the declared array dimensions (``attndims``; 0 for a scalar, often 0 for arrays too).
        base: the base type's name, one level of domain resolved: ``text``, ``uuid``, ``timestamptz``, ``_text``.
        category: ``pg_type.typcategory`` of the base type (``S`` string, ``N`` numeric, ``B`` boolean,
            ``D`` date/time, ``E`` enum, ``A`` array, ``U`` user-defined...).
        not_null: the column's own ``NOT NULL``.
        domain_not_null: the domain's ``NOT NULL`` (false for a column whose type is not a domain).
        has_default: the column has a ``DEFAULT`` (``atthasdef``; generated columns too).
        domain_default: the domain has a default.
        identity: ``a`` (GENERATED ALWAYS AS IDENTITY), ``d`` (BY DEFAULT) or ``""``.
        generated: ``s`` (GENERATED ALWAYS AS (...) STORED) or ``""``.
        default_expression: the default's text (``pg_get_expr``), ``""`` when none.
        comment: the column's ``COMMENT``, ``""`` when none.
        labels: the base type's enum labels, in sort order (empty unless an enum).
        checks: the table's CHECK constraints on this column alone, by constraint name (C collation),
            as ``pg_get_constraintdef`` prints them (``CHECK ((char_length(name) <= 40))``).
        domain_checks: the domain's CHECK constraints (written on ``VALUE``), by name.
        can_select, can_insert, can_update: one of the API roles read holds the privilege on the table or
            on this column (all true when every privilege was asked to count as held).
    """

    relid: int
    attnum: int
    name: str
    type: str
    type_oid: int
    ndims: int
    base: str
    category: str
    not_null: bool
    domain_not_null: bool
    has_default: bool
    domain_default: bool
    identity: str
    generated: str
    default_expression: str
    comment: str
    labels: tuple[str, ...]
    checks: tuple[str, ...]
    domain_checks: tuple[str, ...]
    can_select: bool
    can_insert: bool
    can_update: bool

    def __post_init__(self) -> None:
        # psycopg reads arrays as lists; the model is frozen (and hashable) with tuples
        for name in ("labels", "checks", "domain_checks"):
            object.__setattr__(self, name, tuple(getattr(self, name)))

    @property
    def is_json(self) -> bool:
        """Typed ``json`` or ``jsonb`` (a domain over them included)."""
        return self.base in ("json", "jsonb")

    @property
    def set_by_database(self) -> bool:
        """An identity or generated column: PostgreSQL sets it (a generated column refuses any value)."""
        return bool(self.identity or self.generated)

    @property
    def required(self) -> bool:
        """An ``INSERT`` must give it a value: ``NOT NULL`` (its own or its domain's) and no default,
        identity or generation expression of its own or of its domain."""
        defaulted = self.has_default or self.domain_default or self.set_by_database
        return (self.not_null or self.domain_not_null) and not defaulted

    @property
    def all_checks(self) -> tuple[str, ...]:
        """The column's single-column CHECK constraints, then its domain's."""
        return self.checks + self.domain_checks


@dataclass(frozen=True)
class Constraint:
    """A primary key, unique, foreign key or CHECK constraint (``sql/catalog/constraints.sql``).

    Attributes:
        relid: the constrained relation's oid.
        name: the constraint name.
        kind: ``p`` primary key, ``u`` unique, ``f`` foreign key, ``c`` check (``pg_constraint.contype``).
        columns: the constrained columns, in key order (a CHECK's in attnum order).
        target_oid: a foreign key's referenced relation (0 otherwise).
        target: a foreign key's referenced relation as ``schema.name`` (``""`` otherwise).
        target_columns: a foreign key's referenced columns, in key order.
        definition: as ``pg_get_constraintdef`` prints it, e.g. ``FOREIGN KEY (user_id) REFERENCES auth.users(id)``.
    """

    relid: int
    name: str
    kind: str
    columns: tuple[str, ...]
    target_oid: int
    target: str
    target_columns: tuple[str, ...]
    definition: str

    def __post_init__(self) -> None:
        for name in ("columns", "target_columns"):
            object.__setattr__(self, name, tuple(getattr(self, name)))


@dataclass
class Relation:
    """A table, partitioned table, view, materialized view or foreign table, with its columns (attnum order)
    and constraints (by kind, then name) (``sql/catalog/relations.sql``).

    Attributes:
        oid: the ``pg_class`` oid.
        schema, name: where it is and what it is called (unquoted).
        kind: ``pg_class.relkind`` (``r``, ``p``, ``v``, ``m``, ``f``...).
        rowtype: the oid of its row type.
        comment: its ``COMMENT``, ``""`` when none.
        updatable: ``pg_relation_is_updatable`` (a bit mask of the events a view accepts).
        columns: its columns.
        constraints: its primary key, unique, foreign key and CHECK constraints.
    """

    oid: int
    schema: str
    name: str
    kind: str
    rowtype: int
    comment: str
    updatable: int
    columns: list[Column] = field(default_factory=list)
    constraints: list[Constraint] = field(default_factory=list)

    @property
    def is_table(self) -> bool:
        """Tables and partitioned tables (not views)."""
        return self.kind in ("r", "p")

    @property
    def qualified(self) -> str:
        """``schema.name``."""
        return f"{self.schema}.{self.name}"

    @property
    def primary_key(self) -> list[str]:
        """The primary key's columns in key order (empty when it has none)."""
        return next((list(c.columns) for c in self.constraints if c.kind == "p"), [])

    @property
    def uniques(self) -> list[list[str]]:
        """The column lists of its primary key and unique constraints (not of unique indexes alone)."""
        return [list(c.columns) for c in self.constraints if c.kind in ("p", "u")]

    @property
    def foreign_keys(self) -> list[Constraint]:
        """Its foreign key constraints."""
        return [c for c in self.constraints if c.kind == "f"]

    @property
    def multi_column_checks(self) -> list[Constraint]:
        """Its CHECK constraints over two or more columns (the single-column ones are each column's ``checks``)."""
        return [c for c in self.constraints if c.kind == "c" and len(c.columns) > 1]

    def checks_over(self, column: str) -> list[Constraint]:
        """Its CHECK constraints over ``column`` and at least one other column."""
        return [c for c in self.multi_column_checks if column in c.columns]


def read_relations(
    conn: psycopg.Connection, oids: Sequence[int], *, roles: Sequence[str] = (), all_privileges: bool = True
) -> dict[int, Relation]:
    """The relations ``oids`` with their columns and constraints, in three queries whatever their number.

    Args:
        conn: any role able to read the catalog.
        oids: ``pg_class`` oids; one that names no relation is left out of the result.
        roles: the API roles whose privileges the columns' ``can_*`` report (roles that do not exist raise;
            filter them first).
        all_privileges: report every privilege as held (``roles`` ignored).

    Returns:
        oid -> :class:`Relation`, in the order ``relations.sql`` sorts them (schema, then name, C collation).

    Raises:
        psycopg.Error: the catalog cannot be read (or a role of ``roles`` does not exist).
    """
    params = {"oids": list(dict.fromkeys(oids)), "roles": list(roles), "all": all_privileges}
    relations = {
        r.oid: r
        for r in conn.cursor(row_factory=class_row(Relation)).execute(load_sql("catalog", "relations.sql"), params)
    }
    for column in conn.cursor(row_factory=class_row(Column)).execute(load_sql("catalog", "columns.sql"), params):
        relations[column.relid].columns.append(column)
    for constraint in conn.cursor(row_factory=class_row(Constraint)).execute(
        load_sql("catalog", "constraints.sql"), params
    ):
        relations[constraint.relid].constraints.append(constraint)
    return relations
