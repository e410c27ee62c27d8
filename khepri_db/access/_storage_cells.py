"""The Storage cells of verify-access: the owner's object in a declared bucket, read, uploaded, updated and
deleted as every actor.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from typing import Literal

from psycopg import sql

from khepri_db.access._attempts import (
    ALLOW_DELETE,
    ALLOW_DELETE_SQL,
    MAX_DEPENDENTS,
    Attempt,
)
from khepri_db.access._fresh_keys import (
    FRESH_KEY_ERRORS,
    fresh_object_name,
)
from khepri_db.access._run_state import RunState
from khepri_db.access.declaration import (
    OPERATIONS,
    Outcome,
    StorageDeclaration,
)
from khepri_db.access.report import CellResult


class StorageCells(RunState):
    """The cells of every declared bucket.
    Mixed into :class:`~khepri_db.access._runner.Runner`; what it uses of the run is declared by
    :class:`~khepri_db.access._run_state.RunState`."""

    def storage_cells(self, only: Collection[str] | None = None) -> Iterator[CellResult]:
        """The cells of every declared Storage bucket (of those whose ``storage.objects[<bucket>]`` is in
        ``only``, when given), probed like a table's: the target is the owner's object."""
        for bucket in self.decl.storage:
            if only is not None and bucket.name not in only:
                continue
            self._progress("bucket", bucket.bucket)
            for actor in self.decl.actors:
                allowed = bucket.allowed.get(actor, frozenset())
                for op in OPERATIONS:
                    expected: Literal["allowed", "denied"] = "allowed" if op in allowed else "denied"
                    undecided = self.decl.undecided_reason(bucket.spec, actor, op)
                    if op in ("insert", "delete"):  # the connecting role deletes rows: undone after the cell
                        with self._rolled_back():
                            actual, detail, attempt = self._storage_cell(bucket, actor, op)
                    else:
                        actual, detail, attempt = self._storage_cell(bucket, actor, op)
                    yield CellResult(
                        id=f"{bucket.name}:{actor}:{op}",
                        object=bucket.name,
                        kind="storage",
                        actor=actor,
                        operation=op,
                        expected=expected,
                        actual=actual,
                        ok=actual == expected and undecided is None,
                        detail=detail,
                        sqlstate=attempt.sqlstate,
                        rights=attempt.rights,
                        unreviewed=actor in bucket.spec.unreviewed or f"{actor}:{op}" in bucket.spec.unreviewed,
                        undecided=undecided,
                    )

    def _storage_cell(self, bucket: StorageDeclaration, actor: str, op: str) -> tuple[Outcome, str, Attempt]:
        """(actual, detail, attempt) of one Storage cell: the statement Supabase Storage's API runs for the
        request, as the JWT's role with its claims (supabase/storage ``src/storage/database/knex.ts``:
        ``findObject``, ``createObject``, ``updateObject``, ``deleteObject``), so the same RLS decides:

        * select (download, list): ``select`` of the owner's object: returned is *allowed*;
        * insert (upload, ``upsert: false``): the actor inserts a new object in the owner's folder
          (:meth:`_fresh_upload`; else the owner's object is deleted first, connecting role, and its path
          uploaded again) with ``owner``/``owner_id`` set to the actor's JWT ``sub`` (null for the API
          keys), as Storage does: a plain insert, which needs only an INSERT policy;
        * update (upload with ``upsert: true``, ``update()``): ``update ... set owner, owner_id, metadata``
          of the owner's object, the owner set to the actor's ``sub``: it reads the row, so the SELECT
          policies apply as well as UPDATE's ``using`` and ``with check``;
        * delete: ``delete`` of the owner's object with ``storage.allow_delete_query`` on, as Storage's API
          sets it (``storage.protect_delete()`` refuses direct deletes without it): SELECT and DELETE.
        """
        owner = self.fixtures.subjects["owner"]
        columns = self.objects.storage_columns
        target = owner.objects[bucket.bucket]
        where = sql.SQL("bucket_id = %s and name = %s")
        where_params = [bucket.bucket, target["name"]]
        path = f"/object/{bucket.bucket}/{target['name']}"
        _, claims = self._claims(actor)
        uploader = claims.get("sub") if actor not in ("anon", "service_role") else None
        if op == "select":
            query = sql.SQL("select 1 from storage.objects where {}").format(where)
            attempt = self._act(actor, query, where_params, "GET", path, rows=True)
            return (*attempt.decide("visible", "0 rows: filtered out by RLS"), attempt)
        if op == "delete":
            query = sql.SQL("delete from storage.objects where {}").format(where)
            attempt = self._act(actor, query, where_params, "DELETE", path, extra=[ALLOW_DELETE])
            for _ in range(MAX_DEPENDENTS):
                # Rows that reference the object (a documents row an "on upload" trigger made) stop the
                # delete only through their foreign key, after RLS let it through: cleared (connecting
                # role) and asked again, as for a table's delete cell.
                if attempt.sqlstate != "23503" or attempt.constraint is None:
                    break
                schema, referencing, constraint = attempt.constraint
                self.conn.execute(ALLOW_DELETE_SQL)  # undone with the cell's savepoint
                if (schema, referencing) == ("storage", "objects") or not self._delete_referencing(
                    schema, referencing, constraint, "storage", "objects", where, where_params
                ):
                    break
                attempt = self._act(actor, query, where_params, "DELETE", path, extra=[ALLOW_DELETE])
            return (*attempt.decide("deleted", "0 rows: filtered out by RLS"), attempt)
        if op == "insert":
            fresh = self._fresh_upload(bucket, actor, target["name"], uploader)
            if fresh is not None:
                return fresh
            self.conn.execute(ALLOW_DELETE_SQL)  # undone with the cell's savepoint
            cleared = self._admin_delete("storage", "objects", where, where_params)
            values = self.fixtures.object_values(bucket, target["name"], uploader, columns)
            query = sql.SQL("insert into storage.objects ({}) values ({})").format(
                sql.SQL(", ").join(sql.Identifier(c) for c in values),
                sql.SQL(", ").join(sql.SQL("%s::{}").format(sql.SQL(columns[c])) for c in values),
            )
            attempt = self._act(actor, query, list(values.values()), "POST", path)
            actual, detail = attempt.decide("uploaded", "no row inserted (a trigger returned null)")
            if actual == "error" and cleared:
                detail += f" (the owner's object could not be deleted first: {cleared})"
            note = "the owner's object deleted first: a new name in its folder is judged otherwise than its path"
            return actual, f"{detail} ({note})", attempt
        values = self.fixtures.object_values(bucket, target["name"], uploader, columns)
        assignments = [
            sql.SQL("{} = %s::{}").format(sql.Identifier(c), sql.SQL(columns[c]))
            for c in values
            if c in ("owner", "owner_id", "metadata")
        ]
        params = [v for c, v in values.items() if c in ("owner", "owner_id", "metadata")]
        if not assignments:
            assignments, params = [sql.SQL("name = name")], []
        query = sql.SQL("update storage.objects set {} where {}").format(sql.SQL(", ").join(assignments), where)
        attempt = self._act(actor, query, [*params, *where_params], "PUT", path)
        return (*attempt.decide("overwritten", "0 rows: filtered out by RLS"), attempt)

    def _fresh_upload(
        self, bucket: StorageDeclaration, actor: str, name: str, uploader: str | None
    ) -> tuple[Outcome, str, Attempt] | None:
        """The upload cell made with a new object name in the owner's folder
        (:func:`~khepri_db.access._fresh_keys.fresh_object_name`), the owner's object left in place; None
        when the path policies judge the new name otherwise than the owner's path (the upload of the
        owner's own path, which RLS checks before the unique index refuses it: 42501 from the policy,
        23505 past it), or the new name still collided: then the owner's object is deleted first."""
        columns = self.objects.storage_columns

        def upload(object_name: str) -> Attempt:
            values = self.fixtures.object_values(bucket, object_name, uploader, columns)
            query = sql.SQL("insert into storage.objects ({}) values ({})").format(
                sql.SQL(", ").join(sql.Identifier(c) for c in values),
                sql.SQL(", ").join(sql.SQL("%s::{}").format(sql.SQL(columns[c])) for c in values),
            )
            return self._act(actor, query, list(values.values()), "POST", f"/object/{bucket.bucket}/{object_name}")

        original = upload(name)
        attempt = upload(fresh_object_name(name))
        if attempt.status == "error" and attempt.sqlstate in FRESH_KEY_ERRORS:
            return None
        if (attempt.status == "refused") != (original.status == "refused"):
            return None
        actual, detail = attempt.decide("uploaded", "no row inserted (a trigger returned null)")
        return actual, f"{detail} (a new object in the owner's folder)", attempt
