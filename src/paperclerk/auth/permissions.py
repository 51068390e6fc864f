"""Who may do what: each role's permissions, in one table that routes name with ``require(...)``.

Roles are cumulative: a reviewer can do what a viewer can, an approver what a reviewer can,
an admin everything. The core's permissions are listed here; each product line adds its own in its
``ProductLine.permissions`` (name, wording, lowest role), merged when this module is imported.
"""

from __future__ import annotations

from paperclerk import plugins
from paperclerk.auth.models import Role
from paperclerk.core.lines import ROLE_ORDER, Permission

CORE_PERMISSIONS = (
    Permission("documents:read", "view documents", Role.VIEWER),
    Permission("search:read", "search documents", Role.VIEWER),
    Permission("documents:upload", "upload documents", Role.REVIEWER),
    Permission("documents:retry", "retry documents", Role.REVIEWER),
    Permission("documents:correct", "correct documents", Role.REVIEWER),
    Permission("documents:dismiss", "dismiss findings", Role.REVIEWER),
    Permission("documents:approve", "approve documents", Role.APPROVER),
    Permission("documents:reject", "reject documents", Role.APPROVER),
    Permission("documents:export", "export documents", Role.APPROVER),
    Permission("documents:delete", "delete documents", Role.ADMIN),
    Permission("users:manage", "manage users", Role.ADMIN),
    Permission("apikeys:manage", "manage API keys", Role.ADMIN),
    Permission("rules:manage", "change the rules", Role.ADMIN),
    Permission("settings:manage", "change the organisation's settings", Role.ADMIN),
    Permission("audit:read", "view the audit trail", Role.ADMIN),
)
if tuple(Role) != ROLE_ORDER:
    raise RuntimeError("auth.models.Role and core.lines.ROLE_ORDER must list the same roles in the same order")


def _declared() -> dict[str, Permission]:
    declared: dict[str, Permission] = {}
    for permission in (*CORE_PERMISSIONS, *(item for line in plugins.lines() for item in line.permissions)):
        if permission.name in declared:
            raise ValueError(f"permission {permission.name!r} is declared twice")
        declared[permission.name] = permission
    return declared


#: Every permission by name, with its wording and lowest role.
PERMISSIONS = _declared()
ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    role: frozenset(name for name, permission in PERMISSIONS.items()
                    if ROLE_ORDER.index(permission.lowest_role) <= ROLE_ORDER.index(role))
    for role in ROLE_ORDER
}
ALL_PERMISSIONS = frozenset(PERMISSIONS)
ROLES = ROLE_ORDER


def check_permission_name(permission: str) -> str:
    """Fail at import time for a typo in a route's ``require("…")``."""
    if permission not in ALL_PERMISSIONS:
        raise ValueError(f"unknown permission {permission!r}; known: {', '.join(sorted(ALL_PERMISSIONS))}")
    return permission


def wording(permission: str) -> str:
    """What the permission lets a person do, in words ("approve documents")."""
    known = PERMISSIONS.get(permission)
    return known.wording if known else permission


def role_allows(role: str, permission: str) -> bool:
    return permission in ROLE_PERMISSIONS.get(role, frozenset())


def permissions_of(role: str) -> frozenset[str]:
    return ROLE_PERMISSIONS.get(role, frozenset())
