"""Acting as ``anon``, a signed-in user or ``service_role`` as PostgREST does, under the name the access
matrix and its users have always imported. The code lives in core, shared by every face (issue 23):
:mod:`khepri_db.core.session` (``create_user``, ``as_user``, ``as_anon``, ``as_service_role``),
:mod:`khepri_db.core.request` (the claims, the request context, its rights check) and
:mod:`khepri_db.core.postgrest` (the settings PostgREST makes). This module re-exports every name it
offered before the move, so ``from khepri_db.access.session import create_user`` keeps working."""

from khepri_db.core.postgrest import DEFAULT_SEARCH_PATH, request_settings
from khepri_db.core.request import (
    API_ROLES,
    JWT_ISSUER,
    AuthUser,
    RequestRights,
    api_key_claims,
    check_rights,
    request_context,
    request_rights,
    user_claims,
)
from khepri_db.core.session import as_anon, as_service_role, as_user, create_user

__all__ = [
    "API_ROLES",
    "DEFAULT_SEARCH_PATH",
    "JWT_ISSUER",
    "AuthUser",
    "RequestRights",
    "api_key_claims",
    "as_anon",
    "as_service_role",
    "as_user",
    "check_rights",
    "create_user",
    "request_context",
    "request_rights",
    "request_settings",
    "user_claims",
]
