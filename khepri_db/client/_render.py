"""The module text of ``khepri-db gen types`` from a :class:`~khepri_db.client.catalog.Catalog`:
the Python annotation of each PostgreSQL type, the models of relations and composite types, the
aliases of enums and domains, one typed function per RPC, after the runtime section
(:mod:`khepri_db.client._embed`). See docs/gen-types.md for the type mapping."""

from __future__ import annotations

import collections
import functools
import keyword
import re
from collections.abc import Sequence

from khepri_db.client._checks import check_constraints
from khepri_db.client._embed import Import, render_imports, runtime_section
from khepri_db.client._source import (
    Node,
    comment_lines,
    docstring_lines,
    format_node,
    pascal,
    py_names,
    snake,
    string_literal,
)
from khepri_db.client.catalog import Catalog, Column, Function, PgType, Relation

_SCALARS: dict[str, str] = {
    "bool": "bool", "int2": "int", "int4": "int", "int8": "int", "oid": "int", "xid": "int", "cid": "int",
    "float4": "float", "float8": "float", "numeric": "_decimal.Decimal",
    "text": "str", "varchar": "str", "bpchar": "str", "char": "str", "name": "str", "citext": "str",
    "uuid": "_uuid.UUID", "date": "_dt.date", "time": "_dt.time", "timetz": "TimeTz",
    "timestamp": "_dt.datetime", "timestamptz": "_dt.datetime", "interval": "Interval",
    "json": "Json", "jsonb": "Json", "bytea": "Bytea",
    "inet": "IPvAnyInterface", "cidr": "IPvAnyNetwork", "record": "dict[str, Json]", "void": "None",
}  # fmt: skip
"""``pg_catalog`` type name -> Python annotation (see docs/gen-types.md for the whole table); the
names without a module are the runtime section's, or imported as :data:`_IMPORTS` says."""

_IMPORTS: dict[str, Import] = {
    "_dt": ("datetime", None, "_dt"),
    "_decimal": ("decimal", None, "_decimal"),
    "_uuid": ("uuid", None, "_uuid"),
    "StrEnum": ("enum", "StrEnum", None),
    "Annotated": ("typing", "Annotated", None),
    "Literal": ("typing", "Literal", None),
    "Field": ("pydantic", "Field", None),
    "IPvAnyInterface": ("pydantic", "IPvAnyInterface", None),
    "IPvAnyNetwork": ("pydantic", "IPvAnyNetwork", None),
}
"""What a name the generated code uses (beyond the runtime section's) is imported as."""


@functools.lru_cache(maxsize=256)
def _imports_of(annotation: str) -> tuple[str, ...]:
    """The names of :data:`_IMPORTS` an annotation starts with (``_dt.date`` -> ``_dt``)."""
    return tuple(name for name in _IMPORTS if re.match(rf"{name}\b", annotation))


RESERVED = {"Annotated", "Literal", "Any", "StrEnum", "Field", "IPvAnyInterface", "IPvAnyNetwork", "ROW_MODELS",
             "RPCS"}  # fmt: skip
"""Module-level names generated types must not take (with every name of the runtime section)."""


class Renderer:
    """Builds the module text from a :class:`Catalog`."""

    def __init__(self, catalog: Catalog, header: Sequence[str]) -> None:
        self.catalog = catalog
        self.header = header
        self.types = catalog.types
        self.section = runtime_section()
        self.names: set[str] = set(RESERVED) | self.section.names
        self.type_names: dict[int, str] = {}
        self.blocks: list[list[str]] = []
        self.declared: set[int] = set()
        self.imports: set[str] = set()
        self.row_models: dict[int, str] = {}
        self.relation_names: dict[int, str] = {}
        for relation in catalog.relations:
            base = self._unique(self._prefixed(relation.schema, relation.name), ("Row", "Insert", "Update"))
            self.relation_names[relation.oid] = base
            self.row_models[relation.rowtype] = f"{base}Row"

    def _prefixed(self, schema: str, name: str) -> str:
        return pascal(name) if schema == "public" else pascal(schema) + pascal(name)

    def _unique(self, base: str, suffixes: Sequence[str] = ("",)) -> str:
        candidate, n = base, 1
        while any(candidate + s in self.names for s in suffixes):
            n += 1
            candidate = f"{base}{n}"
        self.names.update(candidate + s for s in suffixes)
        return candidate

    # types -------------------------------------------------------------------------------------

    def annotation(self, oid: int, ndims: int = 0) -> str:
        """The Python annotation of a value of type ``oid`` (without ``| None``)."""
        t = self.types[oid]
        if t.elem:
            inner = self.annotation(t.elem)
            for _ in range(max(ndims, 1)):
                inner = f"list[{inner}]"
            return inner
        if t.typtype == "d":
            return self._domain(t)
        if t.typtype == "e":
            return self._enum(t)
        if t.typtype == "c":
            return self.row_models.get(oid) or self._composite(t)
        if t.typtype == "r":
            return f"Range[{self.annotation(t.range_subtype)}]"
        if t.schema == "pg_catalog" and t.name in _SCALARS:
            text = _SCALARS[t.name]
            self.imports.update(_imports_of(text))
            return text
        if t.name == "citext":
            return "str"
        return "Text"

    def _domain(self, t: PgType) -> str:
        if t.oid in self.type_names:
            return self.type_names[t.oid]
        base = self.annotation(t.base)
        name = self._unique(self._prefixed(t.schema, t.name))
        self.type_names[t.oid] = name
        kwargs: dict[str, str] = {}
        literals: list[str] = []
        skipped = []
        for check in t.checks:
            translated = check_constraints(check, base)
            if translated is None:
                skipped.append(check)
                continue
            kwargs.update(translated[0])
            literals = translated[1] or literals
        lines = [f"# domain {t.schema}.{t.name} over {self.types[t.base].sql_name}"]
        for check in skipped:
            lines += comment_lines(f"not checked here (the database checks it): {check}")
        if literals:
            node = Node(f"{name} = Literal[", [string_literal(v) for v in literals], "]")
            self.imports.add("Literal")
        elif kwargs:
            args = [f"{k}={v}" for k, v in sorted(kwargs.items())]
            node = Node(f"{name} = Annotated[", [base, Node("Field(", list(args), ")")], "]")
            self.imports.update(("Annotated", "Field"))
        else:
            node = f"{name} = {base}"
        lines += format_node(node, 0)
        if t.comment:
            lines += docstring_lines(t.comment, "")
        self.blocks.append(lines)
        return name

    def _enum(self, t: PgType) -> str:
        if t.oid in self.type_names:
            return self.type_names[t.oid]
        name = self._unique(self._prefixed(t.schema, t.name), ("", "Enum"))
        self.type_names[t.oid] = name
        lines = [f"# enum {t.schema}.{t.name}"]
        lines += format_node(Node(f"{name} = Literal[", [string_literal(v) for v in t.enum_labels], "]"), 0)
        self.imports.add("Literal")
        lines += ["", "", f"class {name}Enum(StrEnum):"]
        lines += docstring_lines(t.comment or f"The labels of enum {t.schema}.{t.name}, as members.", "    ")
        lines.append("")
        members: set[str] = set()
        for label in t.enum_labels:
            member = re.sub(r"\W+", "_", label).strip("_").lower() or "empty"
            if member[0].isdigit() or keyword.iskeyword(member):
                member = f"v_{member}"
            while member in members or member.startswith("_") or member == "mro":
                member += "_"
            members.add(member)
            lines.append(f"    {member} = {string_literal(label)}")
        self.imports.add("StrEnum")
        self.blocks.append(lines)
        return name

    def _composite(self, t: PgType) -> str:
        if t.oid in self.type_names:
            return self.type_names[t.oid]
        name = self._unique(self._prefixed(t.schema, t.name))
        self.type_names[t.oid] = name
        py = py_names(attr for attr, _ in t.attributes)
        fields = [self._field(a, oid, 0, nullable=True, default="None", py=py[a]) for a, oid in t.attributes]
        kind = "composite type" if t.relkind == "c" else "row type of"
        doc = t.comment or f"The {kind} {t.schema}.{t.name}."
        self.blocks.append([f"class {name}(Composite):", *docstring_lines(doc, "    "), "", *fields])
        return name

    def _field(
        self,
        column: str,
        type_oid: int,
        ndims: int,
        *,
        nullable: bool,
        default: str | None,
        alias: str | None = None,
        py: str | None = None,
    ) -> str:
        py = py or snake(column)
        annotation = alias or self.annotation(type_oid, ndims)
        if nullable:
            annotation += " | None"
        if py != column:
            value = f"Field(alias={string_literal(column)})" if default is None else (
                f"Field({default}, alias={string_literal(column)})")  # fmt: skip
            self.imports.add("Field")
        else:
            value = default
        return f"    {py}: {annotation}" + (f" = {value}" if value is not None else "")

    # relations ---------------------------------------------------------------------------------

    def _column_check(self, relation: Relation, base: str, column: Column) -> str | None:
        """A module-level alias carrying the column's single-column CHECKs, or ``None``."""
        t = self.types[column.type_oid]
        if not column.checks or t.elem or t.typtype not in ("b", "d"):
            return None
        annotation = self.annotation(column.type_oid)
        scalar = self.types[t.base].name if t.typtype == "d" else t.name
        kind = _SCALARS.get(scalar, "")
        if kind not in ("str", "int", "float", "_decimal.Decimal"):
            return None
        kwargs: dict[str, str] = {}
        literals: list[str] = []
        for check in column.checks:
            translated = check_constraints(check, kind, column.name)
            if translated is None:
                continue
            kwargs.update(translated[0])
            literals = translated[1] or literals
        if not kwargs and not literals:
            return None
        alias = self._unique(base + pascal(column.name))
        lines = [f"# {relation.qualified}.{column.name}: its CHECK constraint(s)"]
        if literals:
            lines += format_node(Node(f"{alias} = Literal[", [string_literal(v) for v in literals], "]"), 0)
            self.imports.add("Literal")
        else:
            args = [f"{k}={v}" for k, v in sorted(kwargs.items())]
            lines += format_node(Node(f"{alias} = Annotated[", [annotation, Node("Field(", list(args), ")")], "]"), 0)
            self.imports.update(("Annotated", "Field"))
        self.blocks.append(lines)
        return alias

    def relation(self, relation: Relation) -> None:
        base = self.relation_names[relation.oid]
        checked = {c.name: self._column_check(relation, base, c) for c in relation.columns} if relation.is_table else {}
        py = py_names(c.name for c in relation.columns)
        kind = {"r": "table", "p": "table", "v": "view", "m": "materialized view", "f": "foreign table"}[relation.kind]
        comment = f"{relation.comment}\n\n" if relation.comment else ""
        selectable = [c for c in relation.columns if c.can_select]
        row = [f"class {base}Row(Row):"]
        row += docstring_lines(f"{comment}A row of {kind} {relation.qualified}.", "    ")
        row.append("")
        for column in selectable:
            nullable = not self._notnull(column) or not relation.is_table
            row.append(
                self._field(column.name, column.type_oid, column.ndims, nullable=nullable, default=None,
                            alias=checked.get(column.name), py=py[column.name])
            )  # fmt: skip
        self.blocks.append(row)
        writable_view = relation.kind == "v" and relation.updatable & 8
        if relation.is_table or writable_view:
            insertable = [c for c in relation.columns if c.can_insert and not c.generated and c.identity != "a"]
            if insertable:
                block = [f"class {base}Insert(Insert):"]
                doc = f"A new row of {kind} {relation.qualified} (unset fields: the database default)."
                block += docstring_lines(doc, "    ")
                block.append("")
                for column in insertable:
                    optional = column.has_default or column.identity or not self._notnull(column) or writable_view
                    nullable = not self._notnull(column)
                    block.append(
                        self._field(column.name, column.type_oid, column.ndims, nullable=nullable,
                                    default="DEFAULT" if optional else None, alias=checked.get(column.name),
                                    py=py[column.name])
                    )  # fmt: skip
                self.blocks.append(block)
        if relation.is_table or (relation.kind == "v" and relation.updatable & 4):
            updatable = [c for c in relation.columns if c.can_update and not c.generated and c.identity != "a"]
            if updatable:
                block = [f"class {base}Update(Update):"]
                block += docstring_lines(
                    f"Changes to rows of {kind} {relation.qualified} (only set fields are sent).", "    "
                )
                block.append("")
                for column in updatable:
                    block.append(
                        self._field(column.name, column.type_oid, column.ndims, nullable=not self._notnull(column),
                                    default="DEFAULT", alias=checked.get(column.name), py=py[column.name])
                    )  # fmt: skip
                self.blocks.append(block)

    def _notnull(self, column: Column) -> bool:
        return column.not_null or column.domain_not_null

    # functions ---------------------------------------------------------------------------------

    def function(self, function: Function, py_name: str) -> None:
        ret = self.types[function.rettype]
        returns = "scalar"
        if ret.name == "void" and ret.schema == "pg_catalog":
            result, returns = "None", "void"
        elif ret.name == "record" and ret.schema == "pg_catalog" and function.out:
            model = self._unique(pascal(py_name) + "Result")
            py = py_names(n for n, _ in function.out)
            fields = [self._field(n, t, 0, nullable=True, default="None", py=py[n]) for n, t in function.out]
            doc = f"A row returned by {function.schema}.{function.name}()."
            self.blocks.append([f"class {model}(Row):", *docstring_lines(doc, "    "), "", *fields])
            result, returns = model, "row"
        elif ret.typtype == "c":
            result, returns = self.annotation(function.rettype), "row"
        else:
            result = self.annotation(function.rettype)
        if function.returns_set:
            result = f"list[{result}]"
        elif returns != "void":
            result += " | None"
        params: list[Node | str] = ["client: Client"]
        arg_names = py_names(a.name for a in function.args)
        keyword_only = False
        for arg in function.args:
            annotation = self.annotation(arg.type_oid)
            if arg.has_default:
                if not keyword_only:
                    params.append("*")
                    keyword_only = True
                params.append(f"{arg_names[arg.name]}: {annotation} | None = OMIT")
            else:
                params.append(f"{arg_names[arg.name]}: {annotation}")
        decorator_args: list[Node | str] = [string_literal(function.schema), string_literal(function.name)]
        decorator_args.append(Node("{", [f"{string_literal(a.name)}: {string_literal(self._sql_type(a.type_oid))}"
                                          for a in function.args], "}"))  # fmt: skip
        if returns != "scalar":
            decorator_args.append(f"returns={string_literal(returns)}")
        if function.returns_set:
            decorator_args.append("returns_set=True")
        variadic = next((a.name for a in function.args if a.variadic), None)
        if variadic:
            decorator_args.append(f"variadic={string_literal(variadic)}")
        lines = format_node(Node("@rpc(", decorator_args, ")"), 0)
        lines += format_node(Node(f"def {py_name}(", params, f") -> {result}:"), 0)
        doc = function.comment or f"Call {function.schema}.{function.name}() (POST /rest/v1/rpc/{function.name})."
        defaults = [f"{a.name} defaults to {a.default}" for a in function.args if a.has_default]
        tail = f"\n\nSQL: {function.schema}.{function.name}({function.identity})"
        if defaults:
            tail += "; " + ", ".join(defaults) + " (leave OMIT to use it)"
        lines += docstring_lines(doc + tail, "    ")
        self.blocks.append(lines)

    def _sql_type(self, oid: int) -> str:
        return self.types[oid].sql_name

    # module ------------------------------------------------------------------------------------

    def render(self) -> str:
        for relation in self.catalog.relations:
            self.relation(relation)
        rpc_names: dict[str, str] = {}
        used: set[str] = set()
        overloads = collections.Counter((f.schema, f.name) for f in self.catalog.functions)
        for function in self.catalog.functions:
            qualified = function.name if function.schema == "public" else f"{function.schema}_{function.name}"
            base = snake(qualified)
            if base in self.section.names:  # `rpc`, `json`...: the runtime section's own names
                base += "_"
            py_name, n = base, 1
            while py_name in used:
                n += 1
                py_name = f"{base}_{n}"
            used.add(py_name)
            overloaded = overloads[(function.schema, function.name)] > 1
            key = f"{function.schema}.{function.name}" + (f"({function.identity})" if overloaded else "")
            rpc_names[key] = py_name
            self.function(function, py_name)
        models = [f"{string_literal(r.qualified)}: {self.relation_names[r.oid]}Row" for r in self.catalog.relations]
        tables = Node("ROW_MODELS: dict[str, type[Row]] = {", list(models), "}")
        rpcs = Node("RPCS = {", [f"{string_literal(k)}: {v}" for k, v in rpc_names.items()], "}")
        imports = {("__future__", "annotations", None), *self.section.imports, *(_IMPORTS[n] for n in self.imports)}
        # isort: one blank line after the imports before a comment (the runtime section's first line).
        parts = ["\n".join([*self.header, "", *render_imports(imports), "", self.section.text])]
        parts += ["\n".join(block) for block in self.blocks]
        tables_doc = docstring_lines("Row model of each exposed table and view.", "")
        rpcs_doc = docstring_lines("Generated function of each RPC, by schema.name (and arguments if overloaded).", "")
        parts.append("\n".join([*format_node(tables, 0), *tables_doc]))
        parts.append("\n".join([*format_node(rpcs, 0), *rpcs_doc]))
        return "\n\n\n".join(parts) + "\n"
