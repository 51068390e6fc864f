"""Who is calling: a user (token or session cookie), an API key, or the system (CLI, tasks)."""

from __future__ import annotations

from dataclasses import dataclass

from paperclerk.auth.errors import Forbidden
from paperclerk.auth.models import ActorType
from paperclerk.auth.permissions import role_allows


@dataclass(frozen=True)
class Principal:
    actor_type: str
    #: The user's or the API key's id; ``None`` for the system.
    id: str | None
    organization_id: str | None
    role: str
    #: What people read in the audit trail: the e-mail address, ``api key <name> (<prefix>)``, ``cli``.
    label: str
    #: The session (refresh-token family) a user's token or cookie belongs to.
    session_id: str | None = None
    #: How the credentials came: ``bearer``, ``api_key``, ``cookie`` or ``system``.
    via: str = "system"

    def can(self, permission: str) -> bool:
        return self.actor_type == ActorType.SYSTEM or role_allows(self.role, permission)

    @property
    def tenant(self) -> str:
        """The organisation this caller acts in; every query it makes is scoped to it."""
        if self.organization_id is None:
            raise Forbidden("This caller belongs to no organisation.", code="ORGANIZATION_REQUIRED")
        return self.organization_id

    @property
    def is_user(self) -> bool:
        return self.actor_type == ActorType.USER


def system_actor(label: str = "system", *, organization_id: str | None = None) -> Principal:
    """The actor for changes made by the CLI or by background work (full rights, audited by label)."""
    return Principal(actor_type=ActorType.SYSTEM, id=None, organization_id=organization_id, role="admin",
                     label=label)
