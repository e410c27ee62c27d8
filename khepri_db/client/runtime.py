"""The runtime of generated type modules (``khepri-db gen types --lang python``), in one namespace.

Two modules hold it: :mod:`khepri_db.client.values` (the base models :class:`Row`,
:class:`Insert`, :class:`Update`, :class:`Composite` and the value types PostgREST and psycopg
disagree on: bytea, interval, timetz, ranges) and :mod:`khepri_db.client.calls` (:func:`rpc`,
the decorator behind every generated RPC function, which calls the function through psycopg, as
the connection's role or as one PostgREST request for a JWT's claims (:class:`PsycopgCaller`),
or through supabase-py, and raises the :class:`~khepri_db.core.errors.RpcError` subclass for
the SQLSTATE, :func:`khepri_db.core.postgrest.rpc_error`).

Every generated module carries a copy of both modules' code, with the RPC errors of
:mod:`khepri_db.core.errors` and all of :mod:`khepri_db.core.postgrest`, in its runtime
section (:mod:`khepri_db.client._embed` writes it), so that an app needs no khepri-db.
Hence the rules of those two modules: at import time only the standard library and pydantic
(psycopg, httpx and supabase-py's postgrest are imported inside the functions that call
through them); from khepri-db only names the runtime section also carries (those imports
are left out of the copy); no ``__future__`` import beyond annotations; code (module
docstrings are not copied) within 88 columns, formatted so that ``ruff format`` leaves it
alone at 88 and at 120.

Modules generated before the runtime was embedded import this module
(``from khepri_db.client import runtime as _rt``); its names stay for them, re-exported here.

See ``docs/gen-types.md``.
"""

from __future__ import annotations

from pydantic import Field, IPvAnyInterface, IPvAnyNetwork

from khepri_db.client.calls import Client, PsycopgCaller, RpcSpec, call_supabase, rpc
from khepri_db.client.values import (
    DEFAULT,
    OMIT,
    Bytea,
    Composite,
    Insert,
    Interval,
    Json,
    Range,
    Row,
    Text,
    TimeTz,
    Update,
)

__all__ = [
    "DEFAULT",
    "OMIT",
    "Bytea",
    "Client",
    "Composite",
    "Field",
    "IPvAnyInterface",
    "IPvAnyNetwork",
    "Insert",
    "Interval",
    "Json",
    "PsycopgCaller",
    "Range",
    "Row",
    "RpcSpec",
    "Text",
    "TimeTz",
    "Update",
    "call_supabase",
    "rpc",
]
