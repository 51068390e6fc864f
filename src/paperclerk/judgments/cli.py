"""``paperclerk judge CASE…`` (also ``paperclerk judgments judge``): draft judgments here and now, offline by
default; ``paperclerk judgments precedents`` searches the precedent store."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from paperclerk.core.cli import console, err_console, fail

app = typer.Typer(help="Judgment assistant.", no_args_is_help=True)


@app.command()
def judge(
    cases: Annotated[list[Path], typer.Argument(help="A case: a file, or a folder of the case's files")],
    jurisdiction: Annotated[str, typer.Option(help="INDIA, UK, US or ECHR (EU/ECHR)")] = "INDIA",
    question: Annotated[list[str] | None, typer.Option("--question", help="A question to decide (repeatable)")] = None,
    json_lines: Annotated[bool, typer.Option("--json", help="One JSON object per case (JSON Lines)")] = False,
) -> None:
    """Draft a judgment for each case with the offline precedent engine: facts, issues and arguments taken from
    the file (each with where it is printed), the most similar decided cases, and the predicted outcome with its
    probability. Files that cannot be read are reported on stderr and the rest of the case is used; a case none
    of whose files can be read is reported and the others go on (exit status 2)."""
    from paperclerk.judgments import precedents
    from paperclerk.judgments.casefile import read_case
    from paperclerk.judgments.draft import jurisdiction_of
    from paperclerk.judgments.precedent_engine import draft

    try:
        canonical = jurisdiction_of(jurisdiction)
    except ValueError as exc:
        fail(str(exc))
    store = precedents.shipped()
    failures = 0
    for path in cases:
        if not path.exists():
            failures += 1
            err_console.print(f"[red]{path}[/red]: no such file or folder")
            continue
        case = read_case(path)
        for error in case.errors:
            err_console.print(f"[yellow]{path}[/yellow]: {error['file']}: {error['code']}: {error['message']}")
        if not case.documents:
            failures += 1
            err_console.print(f"[red]{path}[/red]: no document of the case could be read")
            continue
        result = draft(case, name=str(path), jurisdiction=canonical, store=store, questions=question or [])
        if json_lines:
            typer.echo(json.dumps(result.to_json(), ensure_ascii=False))
            continue
        console.print(f"[bold]{path}[/bold] — {canonical}, {result.engine} engine: "
                      f"{result.outcome_label} ({result.outcome_probability})", highlight=False)
        for section in result.sections:
            console.print(f"\n[bold]{section.title}[/bold]\n{section.text}", highlight=False)
    if failures:
        raise typer.Exit(2)


@app.command("precedents")
def search_precedents(
    text: Annotated[str, typer.Argument(help="Words of a case (its facts, its issues)")],
    jurisdiction: Annotated[str, typer.Option(help="INDIA, UK, US or ECHR")] = "INDIA",
    count: Annotated[int, typer.Option(min=1, max=50)] = 5,
) -> None:
    """The decided cases of the precedent store most like TEXT, with their outcome and holding."""
    from paperclerk.judgments import precedents
    from paperclerk.judgments.draft import jurisdiction_of

    try:
        canonical = jurisdiction_of(jurisdiction)
    except ValueError as exc:
        fail(str(exc))
    for match in precedents.shipped().similar(text, canonical, count):
        console.print(f"{match.similarity:.3f}  {match.precedent.citation}  [{match.precedent.outcome}]  "
                      f"{match.precedent.holding[:160]}", highlight=False)
