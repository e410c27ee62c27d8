"""The calls ``access init`` declares for exposed functions: an argument per parameter, from the owner's
rows where the parameter names one of them.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from typing import Any

from psycopg import sql

from khepri_db.access._init_state import InitState
from khepri_db.access._owner_calls import plain_argument


class CallInference(InitState):
    """The declared call of every exposed function, mixed into
    :class:`~khepri_db.access._init_rows.Generator` (what it uses of it:
    :class:`~khepri_db.access._init_state.InitState`)."""

    def function_entries(self, declared: set[int], keys: Mapping[str, str]) -> dict[str, tuple[int, dict[str, Any]]]:
        """Function key -> (oid, entry with ``call``) for every exposed function not in ``declared``."""
        names: dict[str, int] = {}
        for obj in self.objects:
            if obj.kind == "function":
                base = obj.name.split("(", 1)[0]
                names[base] = names.get(base, 0) + 1
        entries: dict[str, tuple[int, dict[str, Any]]] = {}
        # what _argument looks for in ``keys``, read once for every argument of every function: the
        # tables' last name parts, and the (key, last name part) of those whose row an argument may
        # name (a row factory, not a view, an ``id`` column), in ``keys`` order
        short_names = {k.split(".")[-1] for k in keys.values()}
        rows_named: list[tuple[str, str]] = []
        for table_name, key in keys.items():
            catalog_entry = self.catalog.get(table_name)
            if table_name in self.reasons or catalog_entry is None or catalog_entry.kind in ("v", "m"):
                continue
            if "id" in catalog_entry.columns:
                rows_named.append((key, key.split(".")[-1]))
        for obj in self.objects:
            if obj.kind != "function" or obj.oid in declared:
                continue
            schema_name = obj.name.partition("(")[0]
            if obj.oid not in self._signatures:
                self._signatures[obj.oid] = self._signature(obj.oid)
            nargs, ndefaults, argnames, types, kinds, labels, modes, nspname, proname = self._signatures[obj.oid]
            # the key names the function as the catalog does (`grida_library.similar`), never quoted:
            # quote_ident's `"similar"` is not a declaration key
            bare_name = f"{nspname}.{proname}"
            key = bare_name + obj.name[len(schema_name) :] if names[schema_name] > 1 else bare_name
            in_names = [
                n for n, m in zip(argnames, modes or ["i"] * len(argnames), strict=False) if m in ("i", "b", "v")
            ]
            if not modes:
                in_names = list(argnames)
            values = []
            for index in range(nargs - ndefaults):
                argname = in_names[index] if index < len(in_names) else ""
                values.append(
                    self._argument(argname, types[index], kinds[index], labels[index], short_names, rows_named)
                )
            entry: dict[str, Any] = {}
            qualified = ".".join(
                part if re.fullmatch(r"[a-z_][a-z0-9_]*", part) else sql.Identifier(part).as_string(self.conn)
                for part in (nspname, proname)
            )
            if values or nargs:
                entry["call"] = f"select {qualified}({', '.join(values)})"
            entries[key] = (obj.oid, entry)
        return entries

    def _signature(self, oid: int) -> tuple[Any, ...]:
        """What a generated call needs of function ``oid``: argument counts, names, types, type
        categories, first enum labels and modes, schema and name."""
        row = self.conn.execute(
            "select p.pronargs, p.pronargdefaults, coalesce(p.proargnames, '{}'::text[]), "
            "array(select pg_catalog.format_type(t, null) from unnest(p.proargtypes) as t), "
            "array(select b.typcategory::text from unnest(p.proargtypes) with ordinality as a (t, o) "
            "      join pg_catalog.pg_type as ty on ty.oid = a.t join pg_catalog.pg_type as b "
            "      on b.oid = case when ty.typtype = 'd' then ty.typbasetype else ty.oid end order by a.o), "
            "array(select e.enumlabel::text from unnest(p.proargtypes) with ordinality as a (t, o) "
            "      left join lateral (select e.enumlabel from pg_catalog.pg_enum as e where e.enumtypid = a.t "
            "      order by e.enumsortorder limit 1) as e on true order by a.o), "
            "coalesce(p.proargmodes, '{}'::\"char\"[])::text[], n.nspname::text, p.proname::text "
            "from pg_catalog.pg_proc as p join pg_catalog.pg_namespace as n on n.oid = p.pronamespace "
            "where p.oid = %s",
            (oid,),
        ).fetchone()
        assert row is not None
        return tuple(row)

    def _argument(
        self,
        name: str,
        type_: str,
        kind: str,
        label: str | None,
        short_names: Collection[str],
        rows_named: Sequence[tuple[str, str]],
    ) -> str:
        """An SQL expression for one argument: the owner's row or user when the name says so, else a
        plain value of the type. ``short_names``: the declared tables' names without their schema;
        ``rows_named``: (declaration key, name without schema) of the tables whose row an argument may
        name (a row factory, not a view, an ``id`` column), in declaration order."""
        bare = name.lower().removeprefix("p_").removeprefix("_").removeprefix("in_")
        category = kind
        if bare.endswith("_id") or bare == "id":
            stem = bare.removesuffix("_id")
            if (
                stem in ("user", "uid", "owner", "profile")
                and type_ == "uuid"
                and stem + "s" not in short_names
                and stem not in short_names
            ):
                return "{user.id}::uuid"
            plurals = (stem, stem + "s", stem + "es", stem.removesuffix("y") + "ies")
            for key, short in rows_named:
                if short in plurals or any(short.endswith("_" + p) for p in plurals):
                    return f"{{{key}.id}}::{type_}"
        if type_ == "uuid" and "user" in bare:
            return "{user.id}::uuid"
        return plain_argument(type_, category, label)
