"""``paperclerk judge CASE…`` (also ``paperclerk judgments judge``): draft judgments here and now, offline by
default; ``paperclerk judgments precedents`` searches the precedent store and ``paperclerk judgments
import-precedents`` adds it to an organisation's documents (then the search finds the precedents too)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from paperclerk.core.cli import OrgOption, console, err_console, fail, organization

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


@app.command("import-precedents")
def import_precedents(
    org: OrgOption = None,
    jurisdiction: Annotated[str | None, typer.Option(help="Only this jurisdiction's precedents")] = None,
) -> None:
    """Add the precedent store's judgments to the organisation's documents, kind judgment (one text document each:
    citation, court, outcome, holding, facts, arguments), so that the search finds them by words and by meaning once
    the workers have processed them. A precedent imported before (the same bytes) is not added twice."""
    import io

    from paperclerk.auth.principal import system_actor
    from paperclerk.config import get_settings
    from paperclerk.core.db import session_scope
    from paperclerk.documents import service as documents
    from paperclerk.judgments import precedents
    from paperclerk.judgments.draft import jurisdiction_of

    organization_id = organization(org)
    try:
        wanted = jurisdiction_of(jurisdiction) if jurisdiction else None
    except ValueError as exc:
        fail(str(exc))
    settings = get_settings()
    actor = system_actor("precedent import", organization_id=organization_id)
    added = again = 0
    for precedent in precedents.shipped().precedents:
        if wanted is not None and precedent.jurisdiction != wanted:
            continue
        text = (f"{precedent.citation}\n{precedent.court}\nOutcome: {precedent.outcome}\n\nHolding\n"
                f"{precedent.holding}\n\nFacts\n{precedent.facts}\n\nArguments\n{precedent.arguments}\n")
        with documents.spool(io.BytesIO(text.encode()), settings=settings) as spooled, session_scope() as session:
            intake = documents.receive(session, spooled, organization_id=organization_id,
                                       filename=f"precedent-{precedent.id}.txt", source="precedent-store",
                                       settings=settings, actor=actor, declared_kind="judgment")
        again += intake.duplicate
        added += not intake.duplicate
    console.print(f"{added} precedents added, {again} already there", highlight=False)
