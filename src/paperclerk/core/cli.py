"""What every ``paperclerk`` command shares, the core's and each product line's: the consoles, failing with a
message, and the organisation a command acts in (``--org``)."""

from __future__ import annotations

from typing import Annotated, NoReturn

import typer
from rich.console import Console

console = Console()
err_console = Console(stderr=True)

OrgOption = Annotated[str | None, typer.Option("--org", help="Organisation slug or id (default: the only one)")]


def fail(message: str, code: int = 1) -> NoReturn:
    err_console.print(f"[red]error:[/red] {message}")
    raise typer.Exit(code)


def organization(reference: str | None) -> str:
    """The organisation a command acts in: the named one, else the only one (created on a fresh install)."""
    from paperclerk.auth import service as accounts
    from paperclerk.auth.principal import system_actor
    from paperclerk.core.db import session_scope
    from paperclerk.core.errors import NotFound

    with session_scope() as session:
        if reference:
            try:
                return accounts.get_organization(session, reference).id
            except NotFound:
                fail(f"no organisation {reference!r}; see `paperclerk orgs list`")
        organizations = list(accounts.list_organizations(session))
        if len(organizations) > 1:
            fail("there are several organisations: choose one with --org")
        if organizations:
            return organizations[0].id
        created = accounts.create_organization(session, "Default", slug="default", actor=system_actor("cli"))
        err_console.print("created organisation 'default'")
        return created.id
