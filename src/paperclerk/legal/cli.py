"""``paperclerk legal …`` (legal documents): the commands of the line, wired together."""

from __future__ import annotations

import typer

from paperclerk.legal import cases_cli

app = typer.Typer(help="Legal documents.", no_args_is_help=True)
app.add_typer(cases_cli.app, name="cases")
