"""Request and response bodies of the identity API."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from paperclerk.auth.models import ApiKey, Membership, Organization, User
from paperclerk.core.audit import AuditEntry


class LoginRequest(BaseModel):
    email: str = Field(max_length=254)
    password: str = Field(max_length=4096)
    organization: str | None = Field(default=None, max_length=64, description="Slug or id; needed only "
                                     "when the account belongs to several organisations")


class RefreshRequest(BaseModel):
    refresh_token: str = Field(max_length=200)


class LogoutRequest(BaseModel):
    refresh_token: str | None = Field(default=None, max_length=200)


class OrganizationOut(BaseModel):
    id: str
    name: str
    slug: str

    @classmethod
    def of(cls, organization: Organization) -> OrganizationOut:
        return cls(id=organization.id, name=organization.name, slug=organization.slug)


class TokenResponse(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_in: int
    refresh_token: str
    organization: OrganizationOut
    role: str


class MeOut(BaseModel):
    actor_type: str
    id: str | None
    label: str
    organization_id: str | None
    role: str
    permissions: list[str]


class UserOut(BaseModel):
    id: str
    email: str
    role: str | None
    is_active: bool
    created_at: datetime
    last_login_at: datetime | None
    locked_until: datetime | None

    @classmethod
    def of(cls, user: User, membership: Membership | None) -> UserOut:
        return cls(id=user.id, email=user.email, role=membership.role if membership else None,
                   is_active=user.is_active, created_at=user.created_at, last_login_at=user.last_login_at,
                   locked_until=user.locked_until)


class UserCreate(BaseModel):
    email: str = Field(max_length=254)
    role: str = "viewer"
    password: str | None = Field(default=None, max_length=1024,
                                 description="Leave out to generate one (shown once in the answer)")


class UserCreated(BaseModel):
    user: UserOut
    password: str | None = Field(description="The generated password (when you gave none), shown this once; null "
                                 "when you chose it. Like a chosen one it applies to a new account only: an address "
                                 "that had an account already keeps its own password")


class PasswordReset(BaseModel):
    password: str | None = Field(default=None, max_length=1024, description="Leave out to generate one")


class RoleChange(BaseModel):
    role: str


class ApiKeyOut(BaseModel):
    id: str
    name: str
    role: str
    prefix: str
    created_by: str | None
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None

    @classmethod
    def of(cls, key: ApiKey) -> ApiKeyOut:
        return cls(id=key.id, name=key.name, role=key.role, prefix=key.prefix, created_by=key.created_by,
                   created_at=key.created_at, last_used_at=key.last_used_at, revoked_at=key.revoked_at)


class ApiKeyCreate(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    role: str = "viewer"


class ApiKeyCreated(BaseModel):
    api_key: ApiKeyOut
    key: str = Field(description="The secret key, shown this once: send it as the X-API-Key header")


class AuditOut(BaseModel):
    id: str
    created_at: datetime
    actor_type: str
    actor_id: str | None
    actor_label: str
    ip: str | None
    action: str
    subject_type: str | None
    subject_id: str | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None

    @classmethod
    def of(cls, entry: AuditEntry) -> AuditOut:
        return cls(id=entry.id, created_at=entry.created_at, actor_type=entry.actor_type, actor_id=entry.actor_id,
                   actor_label=entry.actor_label, ip=entry.ip, action=entry.action,
                   subject_type=entry.subject_type, subject_id=entry.subject_id, before=entry.before,
                   after=entry.after)


class AuditPage(BaseModel):
    items: list[AuditOut]
    total: int
    limit: int
    offset: int
