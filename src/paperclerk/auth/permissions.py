"""Who may do what: each role's permissions, in one table that routes name with ``require(...)``.

Roles are cumulative: a reviewer can do what a viewer can, an approver what a reviewer can,
an admin everything.
"""

from __future__ import annotations

from paperclerk.auth.models import Role

VIEWER_PERMISSIONS = frozenset({
    "documents:read",
    "search:read",
})
REVIEWER_PERMISSIONS = VIEWER_PERMISSIONS | {
    "documents:upload",
    "documents:retry",
    "documents:correct",
    "documents:dismiss",
}
APPROVER_PERMISSIONS = REVIEWER_PERMISSIONS | {
    "documents:approve",
    "documents:reject",
    "documents:export",
}
ADMIN_PERMISSIONS = APPROVER_PERMISSIONS | {
    "documents:delete",
    "users:manage",
    "apikeys:manage",
    "rules:manage",
    "settings:manage",
    "audit:read",
}

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.VIEWER: frozenset(VIEWER_PERMISSIONS),
    Role.REVIEWER: frozenset(REVIEWER_PERMISSIONS),
    Role.APPROVER: frozenset(APPROVER_PERMISSIONS),
    Role.ADMIN: frozenset(ADMIN_PERMISSIONS),
}
ALL_PERMISSIONS = ADMIN_PERMISSIONS
ROLES = tuple(role.value for role in Role)


def check_permission_name(permission: str) -> str:
    """Fail at import time for a typo in a route's ``require("…")``."""
    if permission not in ALL_PERMISSIONS:
        raise ValueError(f"unknown permission {permission!r}; known: {', '.join(sorted(ALL_PERMISSIONS))}")
    return permission


def role_allows(role: str, permission: str) -> bool:
    return permission in ROLE_PERMISSIONS.get(role, frozenset())


def permissions_of(role: str) -> frozenset[str]:
    return ROLE_PERMISSIONS.get(role, frozenset())
