"""``paperclerk legal cases …``: the case list from the command line (import a CSV, list the cases)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from paperclerk.core.cli import OrgOption, console, err_console, fail, organization

app = typer.Typer(help="Cases (matters) of the legal document line.", no_args_is_help=True)


@app.command("import")
def import_cases(file: Annotated[Path, typer.Argument(help="CSV: number, title, court, jurisdiction, status, "
                                                           "opened_on, closed_on, responsible, parties, description")],
                 org: OrgOption = None) -> None:
    """Create or update cases from a CSV file (by number); every row that cannot be read is listed with its number
    and reason and the others are kept (exit status 2 when a row was refused)."""
    from paperclerk.auth.principal import system_actor
    from paperclerk.core.db import session_scope
    from paperclerk.core.errors import PaperclerkError
    from paperclerk.legal import cases

    organization_id = organization(org)
    try:
        with file.open("rb") as handle:
            text = cases.csv_text(handle)
        with session_scope() as session:
            outcome = cases.import_csv(session, organization_id, text,
                                       actor=system_actor("cli", organization_id=organization_id))
    except (PaperclerkError, OSError) as exc:
        fail(str(exc))
    console.print(f"{outcome.created} case(s) created, {outcome.updated} updated")
    for problem in outcome.problems:
        err_console.print(f"row {problem['row']}: {problem['message']}")
    if outcome.problems:
        raise typer.Exit(2)


@app.command("list")
def list_cases(org: OrgOption = None) -> None:
    """The organisation's cases: number, status, title."""
    from paperclerk.core.db import session_scope
    from paperclerk.legal import cases

    organization_id = organization(org)
    with session_scope(readonly=True) as session:
        items, _ = cases.list_cases(session, organization_id, limit=10_000)
        for case in items:
            typer.echo(f"{case.number}\t{case.status}\t{case.title}")
