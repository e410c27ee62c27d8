"""The format of ``supabase/access.toml`` as pydantic reads it (docs/access.md): actors, tables, functions
and Storage buckets, each with what its actors may do.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

DEFAULT_STORAGE_PATH = "{user.id}/khepri-probe.txt"
"""The owner's object name when ``[storage.<bucket>]`` gives no ``path``: a file in the user's folder, as
the per-user-folder policies (``(storage.foldername(name))[1] = auth.uid()::text``) expect."""


class ActorSpec(BaseModel):
    """``[actors.<name>]``: a custom actor, i.e. one more signed-in user per owner.

    Rows can point at the actor's user with ``{<name>.id}`` (e.g. a coach link's ``coach_user_id``).
    """

    model_config = ConfigDict(extra="forbid")

    description: str = Field("", description="who this actor is, for people reading the matrix")
    app_metadata: dict[str, Any] = Field(
        default_factory=dict, description="extra raw_app_meta_data (server-set: safe for authorisation)"
    )
    user_metadata: dict[str, Any] = Field(default_factory=dict, description="raw_user_meta_data")
    claims: dict[str, Any] = Field(default_factory=dict, description="JWT claims to add or override")
    is_anonymous: bool = Field(False, description="an anonymous sign-in (still role authenticated)")


class TableSpec(BaseModel):
    """``[tables.<name>]``: how to make the owner's row, and who may do what with it."""

    model_config = ConfigDict(extra="forbid")

    description: str = ""
    row: dict[str, Any] | None = Field(None, description="column -> value of the owner's row (the factory)")
    insert_row: dict[str, Any] | None = Field(None, description="values the insert probe sends (default: row)")
    update_columns: list[str] | None = Field(None, description="columns the update probe sets to themselves")
    match: str | None = Field(None, description="SQL condition finding the target row (default: primary key)")
    shared: bool = Field(False, description="one row for everybody (reference data), not one per owner")
    handover: bool = Field(True, description="probe whether an allowed update can move the row to another owner")
    on_conflict: list[str] | None = Field(
        None,
        description="the columns of a unique key: the factory updates the row that already holds that key (a row a "
        "trigger on auth.users made, such as a profile) instead of failing",
    )
    allow: dict[str, list[str] | Literal["all"]] = Field(default_factory=dict, description="actor -> operations")
    unreviewed: list[str] = Field(
        default_factory=list,
        description="parts written by `khepri-db access init` from what it observed, that nobody has reviewed yet: "
        "row (the factory), an actor (all its cells) or actor:operation (one cell)",
    )
    undecided: dict[str, str] = Field(
        default_factory=dict,
        description="cells nobody could decide, with why: actor:operation (one cell), an actor (its cells) or * "
        "(every cell) -> the reason. verify-access still probes them and reports what happened, as undecided: "
        "never as passed, never as a mismatch",
    )
    accepted_risks: dict[str, str] = Field(
        default_factory=dict,
        description="risks the team accepts, with why: actor:operation, an actor or * -> the reason (e.g. anon may "
        "sign a public guestbook). verify-access still lists them, as accepted; --fail-on risk ignores them",
    )
    unbuildable: str | None = Field(
        None,
        description="why no row of this table can be made (written by `khepri-db access init`): the table counts as "
        "declared, nothing is probed, and every cell is undecided with this reason",
    )


class FunctionSpec(BaseModel):
    """``[functions."<schema.name>"]``: how to call a function, and who may."""

    model_config = ConfigDict(extra="forbid")

    description: str = ""
    call: str | None = Field(None, description="SQL calling it (default: select <function>() if it takes no args)")
    allow: list[str] = Field(default_factory=list, description="actors that may execute it")
    denied_sqlstates: list[Annotated[str, StringConstraints(pattern=r"^[0-9A-Z]{5}$")]] = Field(
        default_factory=list,
        description="SQLSTATEs besides 42501 that mean 'refused' for this function, e.g. P0002 for RPCs that "
        "answer 'not found' rather than reveal that another user's row exists",
    )
    unreviewed: list[str] = Field(
        default_factory=list,
        description="parts written by `khepri-db access init` that nobody has reviewed yet: call, denied_sqlstates, "
        "or an actor (its execute cell)",
    )
    undecided: dict[str, str] = Field(
        default_factory=dict,
        description="execute cells nobody could decide: an actor or * (every actor) -> the reason. verify-access "
        "still calls the function and reports what happened, as undecided: never as passed, never as a mismatch",
    )
    accepted_risks: dict[str, str] = Field(
        default_factory=dict,
        description="risks of this function the team accepts, with why: an actor or * -> the reason. verify-access "
        "still lists them, as accepted; --fail-on risk ignores them",
    )


class StorageSpec(BaseModel):
    """``[storage.<bucket_id>]``: the objects of one Storage bucket (rows of ``storage.objects``), and who
    may read, upload, overwrite and delete the owner's object.

    Supabase Storage runs every request as the JWT's role with the request's claims, and RLS on
    ``storage.objects`` decides (https://supabase.com/docs/guides/storage/security/access-control):
    download and list need SELECT, upload INSERT, overwrite (upsert) SELECT and UPDATE, delete SELECT
    and DELETE. The operations here are those four statements.
    """

    model_config = ConfigDict(extra="forbid")

    description: str = ""
    path: str = Field(
        DEFAULT_STORAGE_PATH,
        description="the owner's object name in the bucket (storage.objects.name); references as in a table's row",
    )
    metadata: dict[str, Any] | None = Field(None, description="storage.objects.metadata of the objects (jsonb)")
    allow: dict[str, list[str] | Literal["all"]] = Field(default_factory=dict, description="actor -> operations")
    unreviewed: list[str] = Field(
        default_factory=list,
        description="parts written by `khepri-db access init` that nobody has reviewed yet: path, an actor or "
        "actor:operation",
    )
    undecided: dict[str, str] = Field(
        default_factory=dict, description="cells nobody could decide: actor:operation, an actor or * -> the reason"
    )
    accepted_risks: dict[str, str] = Field(
        default_factory=dict, description="risks the team accepts: actor:operation, an actor or * -> why"
    )


class AccessFile(BaseModel):
    """The whole ``access.toml`` document."""

    model_config = ConfigDict(extra="forbid")

    version: Literal[1] = 1
    actors: dict[str, ActorSpec] = Field(default_factory=dict)
    tables: dict[str, TableSpec] = Field(default_factory=dict)
    functions: dict[str, FunctionSpec] = Field(default_factory=dict)
    storage: dict[str, StorageSpec] = Field(default_factory=dict)
