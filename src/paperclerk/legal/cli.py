"""``paperclerk legal …`` for legal documents: ``analyze`` reads files here and now, without a server; ``cases``
manages the case registry."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from paperclerk.core.cli import console, err_console
from paperclerk.legal import cases_cli

app = typer.Typer(help="Legal documents: cases, analysis.", no_args_is_help=True)
app.add_typer(cases_cli.app, name="cases")


@app.command()
def analyze(
    files: Annotated[list[Path], typer.Argument(help="Legal documents: PDF, DOCX, HTML, text, scans")],
    json_lines: Annotated[bool, typer.Option("--json", help="One JSON object per file (JSON Lines)")] = False,
) -> None:
    """Classify legal documents and find their entities, CUAD clauses, risks and deadlines (offline)."""
    import json

    from paperclerk.core.errors import PaperclerkError
    from paperclerk.legal.analysis.report import analyze_file

    failures = 0
    for file in files:
        try:
            report = analyze_file(file)
        except (PaperclerkError, OSError) as exc:
            failures += 1
            error = exc.to_dict() if isinstance(exc, PaperclerkError) else {"code": "FILE_UNREADABLE",
                                                                             "message": str(exc), "details": {}}
            if json_lines:
                typer.echo(json.dumps({"file": str(file), "error": error}, ensure_ascii=False))
            else:
                err_console.print(f"[red]{file}[/red]: {error['code']}: {error['message']}")
            continue
        if json_lines:
            typer.echo(json.dumps(report, ensure_ascii=False))
        else:
            _print_report(report)
    if failures:
        raise typer.Exit(2)


def _print_report(report: dict[str, Any]) -> None:
    console.print(f"[bold]{report['file']}[/bold]: {report['kind']} ({report['kind_confidence']:.2f})")
    for clause in report["clauses"]:
        console.print(f"  clause  {clause['category']} (p. {clause['page']}, {clause['confidence']:.2f}): "
                      f"{clause['text'][:100]}", markup=False)
    for risk in report["risks"]:
        console.print(f"  risk    {risk['severity']} {risk['code']}: {risk['reason']}", markup=False)
    for entity in report["entities"]:
        role = f" ({entity['role']})" if entity["role"] else ""
        console.print(f"  {entity['type']:<13}{role} {entity['text'][:100]}", markup=False)
    for deadline in report["deadlines"]:
        console.print(f"  deadline {deadline['due'] or ''} {deadline['description'][:100]}", markup=False)
