"""The rows the access matrix probes: two owners (``owner`` and ``other``) with their users, a user per
custom actor and a row of every table from the declaration's factories, plus more owners for the
re-parenting probes; and the declaration's ``{refs}`` templates rendered into bound SQL."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import psycopg
from psycopg import sql
from psycopg.rows import dict_row
from psycopg.types.json import Jsonb

from khepri_db.access import session as _session
from khepri_db.access._catalog import _Relation
from khepri_db.access._validate import located
from khepri_db.access.declaration import (
    REF,
    AccessDeclarationError,
    Declaration,
    Reference,
    RowFactoryError,
    StorageDeclaration,
    TableDeclaration,
    find_references,
    ownership_references,
    storage_object_name,
    value_texts,
)
from khepri_db.core import postgrest as _postgrest
from khepri_db.core.catalog import Column


@dataclass
class _Subject:
    """One owner (``owner`` or ``other``): their user, one user per custom actor, and their rows."""

    label: str
    user: _session.AuthUser
    actor_users: dict[str, _session.AuthUser] = field(default_factory=dict)
    rows: dict[str, dict[str, Any]] = field(default_factory=dict)
    objects: dict[str, dict[str, Any]] = field(default_factory=dict)


def _user_values(user: _session.AuthUser) -> dict[str, Any]:
    return {"id": user.id, "email": user.email, "phone": user.phone}


def _message(exc: psycopg.Error) -> str:
    diag = exc.diag
    text = diag.message_primary or str(exc).strip().splitlines()[0]
    return f"{text} [SQLSTATE {diag.sqlstate}]" if diag.sqlstate else text


class Fixtures:
    """Users and rows of one :func:`khepri_db.access.probe.verify_access` run, made by the connecting
    role (RLS does not restrict it) inside the run's transaction, and the SQL built from them.

    Args:
        conn: the run's connection (in its transaction).
        declaration: the access declaration.
        relations: the declared relations as found in the catalog (:mod:`khepri_db.access._catalog`).
    """

    def __init__(self, conn: psycopg.Connection, declaration: Declaration, relations: Mapping[str, _Relation]) -> None:
        self.conn = conn
        self.decl = declaration
        self.relations = relations
        self.run_id = uuid.uuid4().hex[:12]
        self.subjects: dict[str, _Subject] = {}
        self.shared_rows: dict[str, dict[str, Any]] = {}
        self._made = 0  # extra owners made for the re-parenting probes
        self.resolve_ref: Callable[[str], Reference | None] = declaration.resolve
        self._mogrifier = psycopg.ClientCursor(conn)

    def _actor_user(self, name: str, local_part: str) -> _session.AuthUser:
        """A new user for custom actor ``name`` (its declared metadata; an anonymous user when the
        actor is anonymous, else ``<local_part>-<run>@access.khepri.test``)."""
        spec = self.decl.custom_actors[name]
        return _session.create_user(
            self.conn,
            None if spec.is_anonymous else f"{local_part}-{self.run_id}@access.khepri.test",
            app_metadata=spec.app_metadata,
            user_metadata=spec.user_metadata,
            is_anonymous=spec.is_anonymous,
        )

    def setup(self) -> None:
        for label in ("owner", "other"):
            subject = _Subject(label, _session.create_user(self.conn, f"{label}-{self.run_id}@access.khepri.test"))
            for name in self.decl.custom_actors:
                subject.actor_users[name] = self._actor_user(name, f"{name}-of-{label}")
            self.subjects[label] = subject
        for table in self.decl.factory_order:
            if table.spec.row is None:
                continue
            for label in ("owner",) if table.spec.shared else ("owner", "other"):
                subject = self.subjects[label]
                created = self.make_row(table, subject, label)
                if table.spec.shared:
                    self.shared_rows[table.name] = created
                else:
                    subject.rows[table.name] = created

    def setup_storage(self, columns: Mapping[str, str], buckets: set[str]) -> list[str]:
        """Make the declared buckets' objects: for ``owner`` and ``other`` one row of ``storage.objects``
        each, named by the bucket's ``path`` with the user substituted, ``owner``/``owner_id`` set to the
        user's id as Storage sets them on upload (as the connecting role, like table rows). A declared
        bucket missing from ``storage.buckets`` (``buckets`` holds those found) is made first, in the
        run's transaction (rolled back with it); the notes returned say so."""
        notes: list[str] = []
        for bucket in self.decl.storage:
            if bucket.bucket not in buckets:
                self.conn.execute(
                    "insert into storage.buckets (id, name) values (%s, %s) on conflict (id) do nothing",
                    (bucket.bucket, bucket.bucket),
                )
                notes.append(
                    f"{located(self.decl.path, bucket.line)}: bucket {bucket.bucket!r} is not in storage.buckets "
                    "(no migration or seed makes it): made for this run only, in its rolled-back transaction"
                )
            for label in ("owner", "other"):
                subject = self.subjects[label]
                subject.objects[bucket.bucket] = self.make_object(bucket, subject, label, columns)
        return notes

    def object_name(self, bucket: StorageDeclaration, subject: _Subject) -> str:
        """The bucket's ``path`` with its references filled in for ``subject`` (``<uid>/khepri-probe.txt``)."""
        return REF.sub(
            lambda m: str(self.value_of(self.resolve_ref(m.group(1)), subject, None)),  # type: ignore[arg-type]
            bucket.spec.path,
        )

    def object_values(
        self, bucket: StorageDeclaration, name: str, uploader: str | None, columns: Mapping[str, str]
    ) -> dict[str, Any]:
        """Column -> value of an object row as Storage's upload writes it (``createObject`` in supabase/storage
        ``src/storage/database/knex.ts``: bucket_id, name, owner and, since 2024, owner_id, the uploader's
        JWT ``sub``; metadata), for the columns ``storage.objects`` has."""
        values: dict[str, Any] = {"bucket_id": bucket.bucket, "name": name}
        if "owner" in columns:
            values["owner"] = uploader
        if "owner_id" in columns:
            values["owner_id"] = uploader
        if "metadata" in columns:
            values["metadata"] = Jsonb(bucket.spec.metadata if bucket.spec.metadata is not None else {})
        return values

    def make_object(
        self, bucket: StorageDeclaration, subject: _Subject, label: str, columns: Mapping[str, str]
    ) -> dict[str, Any]:
        """Insert ``subject``'s object of ``bucket`` (as the connecting role) and return its row."""
        values = self.object_values(bucket, self.object_name(bucket, subject), subject.user.id, columns)
        query = sql.SQL("insert into storage.objects ({}) values ({}) returning *").format(
            sql.SQL(", ").join(sql.Identifier(c) for c in values),
            sql.SQL(", ").join(sql.SQL("%s::{}").format(sql.SQL(columns[c])) for c in values),
        )
        # Storage inserts it within the uploader's request: its settings (request.jwt.claims,
        # request.headers...) are there for triggers on storage.objects that read them (an
        # "on upload" trigger forwarding the Authorization header), then restored; the role stays
        # the connecting one, as for table rows.
        settings = [
            (n, v)
            for n, v in _postgrest.request_settings(
                self.conn,
                "authenticated",
                _session.user_claims(subject.user),
                path=f"/object/{bucket.bucket}/{values['name']}",
            )
            if n.startswith("request.")
        ]
        try:
            with self.conn.transaction(), self.conn.cursor(row_factory=dict_row) as cur:
                previous = cur.execute(
                    "select " + ", ".join(f"current_setting(%s, true) as s{i}" for i in range(len(settings))),
                    [n for n, _ in settings],
                ).fetchone()
                cur.execute(
                    "select " + ", ".join("set_config(%s, %s, true)" for _ in settings),
                    [part for pair in settings for part in pair],
                )
                created = cur.execute(query, list(values.values())).fetchone()
                restored = [(n, (previous or {}).get(f"s{i}") or "") for i, (n, _) in enumerate(settings)]
                cur.execute(
                    "select " + ", ".join("set_config(%s, %s, true)" for _ in restored),
                    [part for pair in restored for part in pair],
                )
        except psycopg.Error as exc:
            raise RowFactoryError(
                f"{located(self.decl.path, bucket.line)}: storage.{bucket.bucket}: making the {label}'s object "
                f"{values['name']!r} failed: {_message(exc)}",
                table=storage_object_name(bucket.bucket),
                reason=_message(exc),
                sqlstate=exc.diag.sqlstate,
                hint="fix the bucket's path (one object per user: it must name the user, as {user.id} does)",
            ) from exc
        assert created is not None
        return dict(created)

    def make_row(self, table: TableDeclaration, subject: _Subject, label: str) -> dict[str, Any]:
        """Insert ``subject``'s row of ``table`` from its factory (as the connecting role) and return it."""
        assert table.spec.row is not None
        query, params = self.insert(table, table.spec.row, subject, None, returning=True)
        # savepoint, insert (its values inlined as literals, as the pgTAP export writes it) and release
        # in one round trip; the rollback in a second when the insert fails
        statement = sql.SQL(self._mogrifier.mogrify(query, params))
        try:
            with self.conn.cursor(row_factory=dict_row) as cur:
                cur.execute(sql.SQL("savepoint khepri_row;\n{}\n;release savepoint khepri_row").format(statement))
                cur.nextset()  # the insert's rows
                created = cur.fetchone()
        except psycopg.Error as exc:
            self.conn.execute("rollback to savepoint khepri_row; release savepoint khepri_row")
            raise RowFactoryError(
                f"{located(self.decl.path, table.line)}: tables.{table.key}.row: making the {label}'s row "
                f"failed: {_message(exc)}",
                table=table.name,
                reason=_message(exc),
                sqlstate=exc.diag.sqlstate,
                constraint=exc.diag.constraint_name,
                hint="fix the row values (they must satisfy the table's constraints), and run as the role "
                "that owns the tables (the migrating role), which RLS does not restrict",
            ) from exc
        if created is None:
            raise RowFactoryError(
                f"{located(self.decl.path, table.line)}: tables.{table.key}.row inserted no row "
                "(a trigger returned null?)",
                table=table.name,
                reason="the insert returned no row (a trigger returned null?)",
            )
        return dict(created)

    def new_subject(
        self, label: str, user: _session.AuthUser, actor_users: Mapping[str, _session.AuthUser]
    ) -> _Subject:
        """One more owner for the re-parenting probes: ``user`` with the given actor users (new users for
        the custom actors not given), and a row of every per-owner table made by its factory."""
        self._made += 1
        subject = _Subject(label, user, dict(actor_users))
        for name in self.decl.custom_actors:
            if name not in subject.actor_users:
                subject.actor_users[name] = self._actor_user(name, f"{name}-probe{self._made}")
        for table in self.decl.factory_order:
            if table.spec.row is not None and not table.spec.shared:
                subject.rows[table.name] = self.make_row(table, subject, label)
        return subject

    def reparent_targets(self, actor: str) -> Iterator[tuple[str, Callable[[], _Subject]]]:
        """Every owner ``actor`` could try to move the owner's row to: (description, how to make them).

        * the other owner (someone the actor has no tie to);
        * for a custom actor (a coach, an admin): the actor's own rows, and another owner the same
          actor reaches the way it reaches the owner (a second athlete of the same coach);
        * for the owner: an owner they reach as each custom actor (an athlete they coach).

        The extra owners are made inside a rolled-back savepoint (see :meth:`table_cells`), so no other
        cell sees them.
        """
        owner = self.subjects["owner"]
        yield "the other owner", lambda: self.subjects["other"]
        if actor in self.decl.custom_actors:
            me = owner.actor_users[actor]
            yield f"the {actor}'s own rows", lambda: self.new_subject(f"{actor}'s own", me, {})
            yield (
                f"another owner whose {actor} is the same user",
                lambda: self.new_subject(
                    f"another owner of the {actor}",
                    _session.create_user(self.conn, f"peer-probe{self._made}-{self.run_id}@access.khepri.test"),
                    {actor: me},
                ),
            )
        elif actor == "owner":
            for name in self.decl.custom_actors:
                yield (
                    f"an owner whose {name} is the owner",
                    lambda name=name: self.new_subject(  # type: ignore[misc]
                        f"an owner the owner is {name} of",
                        _session.create_user(self.conn, f"ward-probe{self._made}-{self.run_id}@access.khepri.test"),
                        {name: owner.user},
                    ),
                )

    def value_of(self, ref: Reference, subject: _Subject, row: Mapping[str, Any] | None) -> Any:
        if ref.root == "user":
            source: Mapping[str, Any] = _user_values(subject.user)
        elif ref.root == "run":
            source = {"id": self.run_id}
        elif ref.root == "row":
            source = row or {}
        elif ref.root in self.decl.custom_actors:
            source = _user_values(subject.actor_users[ref.root])
        else:
            source = self.shared_rows.get(ref.root) or subject.rows.get(ref.root) or {}
        if ref.column not in source:
            raise AccessDeclarationError(
                f"{self.decl.path}: {{{ref.text}}}: no such value (known: {', '.join(sorted(source)) or 'none'})"
            )
        return source[ref.column]

    def snippet(self, text: str, subject: _Subject, row: Mapping[str, Any] | None) -> tuple[sql.Composable, list[Any]]:
        """A SQL snippet with its ``{refs}`` turned into bound parameters (``%`` kept literal)."""
        parts: list[sql.Composable] = []
        params: list[Any] = []
        position = 0
        for match in REF.finditer(text):
            parts.append(sql.SQL(text[position : match.start()].replace("%", "%%")))
            ref = self.resolve_ref(match.group(1))
            assert ref is not None  # validated at load time
            parts.append(sql.Placeholder())
            params.append(self.value_of(ref, subject, row))
            position = match.end()
        parts.append(sql.SQL(text[position:].replace("%", "%%")))
        return sql.Composed(parts), params

    def value(
        self, column: Column, value: Any, subject: _Subject, row: Mapping[str, Any] | None
    ) -> tuple[sql.Composable, list[Any]]:
        cast = sql.SQL("::" + column.type)
        if isinstance(value, dict) and set(value) == {"sql"}:
            snippet, params = self.snippet(value["sql"], subject, row)
            return sql.Composed([sql.SQL("("), snippet, sql.SQL(")")]), params
        if isinstance(value, str):
            refs = list(REF.finditer(value))
            if len(refs) == 1 and refs[0].group(0) == value:
                ref = self.resolve_ref(refs[0].group(1))
                assert ref is not None
                bound = self.value_of(ref, subject, row)
            elif refs:
                bound = REF.sub(
                    lambda m: str(self.value_of(self.resolve_ref(m.group(1)), subject, row)),  # type: ignore[arg-type]
                    value,
                )
            else:
                bound = value
            if column.is_json and not isinstance(bound, str):
                bound = Jsonb(bound)
            return sql.Composed([sql.Placeholder(), cast]), [bound]
        if column.is_json:
            return sql.Composed([sql.Placeholder(), cast]), [Jsonb(value)]
        return sql.Composed([sql.Placeholder(), cast]), [value]

    def insert(
        self,
        table: TableDeclaration,
        values: Mapping[str, Any],
        subject: _Subject,
        row: Mapping[str, Any] | None,
        *,
        returning: bool,
    ) -> tuple[sql.Composable, list[Any]]:
        relation = self.relations[table.name]
        rendered = [self.value(relation.columns[c], v, subject, row) for c, v in values.items()]
        if values:
            query = sql.SQL("insert into {} ({}) values ({})").format(
                sql.Identifier(table.schema, table.table),
                sql.SQL(", ").join(sql.Identifier(c) for c in values),
                sql.SQL(", ").join(r[0] for r in rendered),
            )
        else:  # `row = {}`: every column takes its default
            query = sql.SQL("insert into {} default values").format(sql.Identifier(table.schema, table.table))
        if returning and table.spec.on_conflict and values:
            query = sql.Composed([
                query,
                sql.SQL(" on conflict ({}) do update set {}").format(
                    sql.SQL(", ").join(sql.Identifier(c) for c in table.spec.on_conflict),
                    sql.SQL(", ").join(sql.SQL("{0} = excluded.{0}").format(sql.Identifier(c)) for c in values),
                ),
            ])  # fmt: skip
        if returning:
            query = sql.Composed([query, sql.SQL(" returning *")])
        return query, [p for r in rendered for p in r[1]]

    def target_row(self, table: TableDeclaration, subject: _Subject) -> Mapping[str, Any] | None:
        if table.spec.shared:
            return self.shared_rows.get(table.name)
        return subject.rows.get(table.name)

    def match(self, table: TableDeclaration, subject: _Subject) -> tuple[sql.Composable, list[Any]]:
        row = self.target_row(table, subject)
        if table.spec.match:
            snippet, params = self.snippet(table.spec.match, subject, row)
            return sql.Composed([sql.SQL("("), snippet, sql.SQL(")")]), params
        relation = self.relations[table.name]
        assert row is not None
        conditions = [
            sql.SQL("{} = {}").format(
                sql.Identifier(c), sql.Composed([sql.Placeholder(), sql.SQL("::" + relation.columns[c].type)])
            )
            for c in relation.primary_key
        ]
        return sql.SQL(" and ").join(conditions), [row[c] for c in relation.primary_key]

    def default_update_columns(self, table: TableDeclaration) -> list[str]:
        row = table.spec.row or {}
        literal = [c for c, v in row.items() if not any(find_references(t) for t in value_texts(v))]
        return literal or list(row)

    def reference_columns(self, table: TableDeclaration) -> dict[str, Any]:
        """Columns of the row whose values come from the owner (their user, rows or actors)."""
        owned: dict[str, Any] = {}
        for column, value in (table.spec.row or {}).items():
            refs = [self.resolve_ref(r) for r in ownership_references(value)]
            if any(ref is not None and ref.root != "run" and ref.root not in self.shared_rows for ref in refs):
                owned[column] = value
        return owned
