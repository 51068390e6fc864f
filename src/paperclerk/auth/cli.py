"""``paperclerk users|orgs|apikeys …``: manage accounts from the command line (audited as ``cli``).

Wiring (cli.py)::

    from paperclerk.auth.cli import apikeys_app, orgs_app, users_app
    app.add_typer(users_app, name="users")
    app.add_typer(orgs_app, name="orgs")
    app.add_typer(apikeys_app, name="apikeys")

``bootstrap_demo()`` creates the demo organisation and its administrator once and returns the
credentials (``make run`` prints them); later calls return ``None``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy import select

from paperclerk.auth import service
from paperclerk.auth.models import Organization, Role
from paperclerk.auth.principal import system_actor
from paperclerk.core.db import session_scope
from paperclerk.core.errors import PaperclerkError

users_app = typer.Typer(help="User accounts.", no_args_is_help=True)
orgs_app = typer.Typer(help="Organisations.", no_args_is_help=True)
apikeys_app = typer.Typer(help="API keys.", no_args_is_help=True)
console = Console()
err_console = Console(stderr=True)
CLI = system_actor("cli")

DEMO_ORGANIZATION = "Demo"
DEMO_SLUG = "demo"
DEMO_ADMIN = "admin@demo.example"


def _fail(error: PaperclerkError) -> None:
    err_console.print(f"[red]error:[/red] {error.message} [dim]({error.code})[/dim]", soft_wrap=True)
    raise typer.Exit(1)


def _upgrade() -> None:
    from paperclerk.core.schema import upgrade

    upgrade()


RoleOption = Annotated[str, typer.Option(help="viewer, reviewer, approver or admin")]
OrgOption = Annotated[str, typer.Option("--org", help="Organisation slug or id")]


@users_app.command("create")
def users_create(
    email: str,
    org: OrgOption,
    role: RoleOption = Role.VIEWER.value,
    password: Annotated[str | None, typer.Option(help="Leave out to generate one (printed once)")] = None,
) -> None:
    """Create a user as a member of an organisation."""
    _upgrade()
    generated = service.generate_password() if password is None else None
    try:
        with session_scope() as session:
            organization = service.get_organization(session, org)
            user = service.create_user(session, email, password or generated or "", organization_id=organization.id,
                                       role=role, actor=CLI)
            user_id = user.id
    except PaperclerkError as error:
        _fail(error)
    console.print(f"created user {email.strip().lower()} ({user_id}) as {role} in {org}")
    if generated:
        console.print(f"password (shown once): [bold]{generated}[/bold]", soft_wrap=True)


@users_app.command("list")
def users_list(org: Annotated[str | None, typer.Option("--org", help="Only this organisation")] = None) -> None:
    """List users (with their role when --org is given)."""
    _upgrade()
    try:
        with session_scope(readonly=True) as session:
            organization_id = service.get_organization(session, org).id if org else None
            rows = service.list_users(session, organization_id)
            table = Table("email", "id", "role", "active", "last login", "locked until")
            for user, membership in rows:
                table.add_row(user.email, user.id, membership.role if membership else "-",
                              "yes" if user.is_active else "no",
                              user.last_login_at.isoformat(timespec="seconds") if user.last_login_at else "-",
                              user.locked_until.isoformat(timespec="seconds") if user.locked_until else "-")
    except PaperclerkError as error:
        _fail(error)
    console.print(table)


@users_app.command("disable")
def users_disable(email: str) -> None:
    """Disable a user and end all their sessions."""
    _upgrade()
    try:
        with session_scope() as session:
            user = service.find_user_by_email(session, email)
            service.disable_user(session, user.id, actor=CLI)
    except PaperclerkError as error:
        _fail(error)
    console.print(f"disabled {email.strip().lower()}")


@users_app.command("reset-password")
def users_reset_password(
    email: str,
    password: Annotated[str | None, typer.Option(help="Leave out to generate one (printed once)")] = None,
) -> None:
    """Set a new password (or generate one); unlocks the account and ends its sessions."""
    _upgrade()
    try:
        with session_scope() as session:
            user = service.find_user_by_email(session, email)
            _, generated = service.reset_password(session, user.id, password, actor=CLI)
    except PaperclerkError as error:
        _fail(error)
    console.print(f"password of {email.strip().lower()} reset")
    if generated:
        console.print(f"password (shown once): [bold]{generated}[/bold]", soft_wrap=True)


@orgs_app.command("create")
def orgs_create(name: str, slug: Annotated[str | None, typer.Option(help="Defaults to the name, slugified")] = None
                ) -> None:
    """Create an organisation."""
    _upgrade()
    try:
        with session_scope() as session:
            organization = service.create_organization(session, name, slug=slug, actor=CLI)
            result = (organization.slug, organization.id)
    except PaperclerkError as error:
        _fail(error)
    console.print(f"created organisation {result[0]} ({result[1]})")


@orgs_app.command("list")
def orgs_list() -> None:
    """List organisations."""
    _upgrade()
    with session_scope(readonly=True) as session:
        table = Table("slug", "name", "id")
        for organization in service.list_organizations(session):
            table.add_row(organization.slug, organization.name, organization.id)
    console.print(table)


@apikeys_app.command("create")
def apikeys_create(name: str, org: OrgOption, role: RoleOption = Role.VIEWER.value) -> None:
    """Create an API key; the key is printed once and cannot be shown again."""
    _upgrade()
    try:
        with session_scope() as session:
            organization = service.get_organization(session, org)
            key, secret = service.create_api_key(session, organization.id, role, name,
                                                 actor=system_actor("cli", organization_id=organization.id))
            key_id = key.id
    except PaperclerkError as error:
        _fail(error)
    console.print(f"created API key {name} ({key_id}) with role {role}")
    console.print(f"key (shown once): [bold]{secret}[/bold]", soft_wrap=True)


@apikeys_app.command("revoke")
def apikeys_revoke(key: Annotated[str, typer.Argument(help="The key's id or prefix")]) -> None:
    """Revoke an API key at once."""
    _upgrade()
    try:
        with session_scope() as session:
            revoked = service.revoke_api_key(session, key, actor=CLI)
            prefix = revoked.prefix
    except PaperclerkError as error:
        _fail(error)
    console.print(f"revoked API key {prefix}")


@dataclass(frozen=True)
class DemoCredentials:
    organization: str
    email: str
    password: str


def bootstrap_demo() -> DemoCredentials | None:
    """Create the demo organisation and its administrator with a random strong password, once.

    Returns the credentials the first time (print them; only the hash is kept) and ``None`` when
    the demo administrator already exists. Expects the schema to be up to date.
    """
    with session_scope() as session:
        actor = system_actor("bootstrap")
        organization = session.scalar(select(Organization).where(Organization.slug == DEMO_SLUG))
        if organization is None:
            organization = service.create_organization(session, DEMO_ORGANIZATION, slug=DEMO_SLUG, actor=actor)
        try:
            service.find_user_by_email(session, DEMO_ADMIN)
        except PaperclerkError:
            password = service.generate_password()
            service.create_user(session, DEMO_ADMIN, password, organization_id=organization.id, role=Role.ADMIN,
                                actor=actor)
            return DemoCredentials(organization=DEMO_SLUG, email=DEMO_ADMIN, password=password)
        return None
