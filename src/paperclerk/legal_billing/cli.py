"""``paperclerk legal …`` (legal e-billing): review LEDES invoices here and now against guidelines."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from paperclerk.core.cli import OrgOption, console, err_console, fail, organization

app = typer.Typer(help="Legal e-billing review.", no_args_is_help=True)


@app.command()
def review(
    files: Annotated[list[Path], typer.Argument(help="LEDES files (1998B, 1998BI, XML 2.0 / 2.1) or PDF bills")],
    guidelines_file: Annotated[Path | None, typer.Option("--guidelines", help="Guidelines, YAML or JSON")] = None,
    json_lines: Annotated[bool, typer.Option("--json", help="One JSON object per invoice (JSON Lines)")] = False,
) -> None:
    """Review law-firm invoices (LEDES, or PDF bills read from their time-entry tables) against billing guidelines,
    without a server: every line checked, every finding with its lines and proposed adjustment, and the totals
    billed, adjusted and approved. Files are reviewed in the order given; each sees the invoices before it
    (duplicates, daily hours). A broken file is reported with its line- and field-exact errors and the others go on
    (exit status 2)."""
    import json

    from paperclerk.core.errors import PaperclerkError
    from paperclerk.legal_billing.guidelines import Guidelines, parse_guidelines
    from paperclerk.legal_billing.printed import read_bill_file
    from paperclerk.legal_billing.review import Reviewer

    guidelines = Guidelines()
    if guidelines_file is not None:
        try:
            guidelines = parse_guidelines(guidelines_file.read_bytes(), source=str(guidelines_file))
        except (PaperclerkError, OSError) as exc:
            fail(str(exc))
        if guidelines.unknown_keys:
            err_console.print(f"note: {guidelines_file}: keys not used: {', '.join(guidelines.unknown_keys)}")
    reviewer = Reviewer(guidelines)
    failures = 0
    for file in files:
        try:
            invoices = read_bill_file(file)
        except (PaperclerkError, OSError, ValueError) as exc:
            failures += 1
            error = exc.to_dict() if isinstance(exc, PaperclerkError) else {
                "code": "FILE_UNREADABLE" if isinstance(exc, OSError) else "LEDES_UNSUPPORTED",
                "message": str(exc), "details": {}}
            if json_lines:
                typer.echo(json.dumps({"file": str(file), "error": error}, ensure_ascii=False))
            else:
                err_console.print(f"[red]{file}[/red]: {error['code']}: {error['message']}")
                for item in error["details"].get("errors", [])[1:]:
                    err_console.print(f"  line {item['line']}" + (f", {item['field']}" if item["field"] else "")
                                      + f": {item['message']}")
            continue
        for invoice in invoices:
            result = reviewer.review(invoice)
            if json_lines:
                typer.echo(json.dumps(result.to_dict(str(file)), ensure_ascii=False))
            else:
                _print_review(str(file), result.to_dict(str(file)))
    if failures:
        raise typer.Exit(2)


def _print_review(file: str, report: dict[str, object]) -> None:
    invoice = report["invoice"]
    totals = report["totals"]
    findings = report["findings"]
    assert isinstance(invoice, dict) and isinstance(totals, dict) and isinstance(findings, list)
    console.print(f"[bold]{file}[/bold] — {invoice['format']} invoice {invoice['invoice_number']} of "
                  f"{invoice['invoice_date']}, firm {invoice['law_firm_name'] or invoice['law_firm_id']}, matter "
                  f"{invoice['client_matter_id'] or invoice['law_firm_matter_id']}")
    for finding in findings:
        adjustment = finding["adjustment"]
        lines = ", ".join(str(line) for line in finding["lines"]) or "invoice"
        console.print(f"  {finding['severity']:<8} {finding['rule_id']:<14} [{lines}] {finding['message']} "
                      f"[dim]{adjustment['amount']} ({adjustment['reason']})[/dim]")
    console.print(f"  billed {totals['billed']}, adjustments {totals['adjustments']}, approved {totals['approved']}")


guidelines_app = typer.Typer(help="The organisation's billing guidelines.", no_args_is_help=True)
app.add_typer(guidelines_app, name="guidelines")


@guidelines_app.command("import")
def import_guidelines(file: Annotated[Path, typer.Argument(help="Guidelines, YAML or JSON")],
                      org: OrgOption = None) -> None:
    """Replace the organisation's guidelines with a YAML or JSON file (audited); invoices in review are
    re-reviewed."""
    from paperclerk.auth.principal import system_actor
    from paperclerk.core.db import session_scope
    from paperclerk.core.errors import PaperclerkError
    from paperclerk.legal_billing import workflow
    from paperclerk.legal_billing.guidelines import parse_guidelines

    organization_id = organization(org)
    try:
        guidelines = parse_guidelines(file.read_bytes(), source=str(file))
    except (PaperclerkError, OSError) as exc:
        fail(str(exc))
    with session_scope() as session:
        reviewed = workflow.set_guidelines(session, organization_id, guidelines,
                                           actor=system_actor("cli", organization_id=organization_id))
    if guidelines.unknown_keys:
        err_console.print(f"note: keys not used: {', '.join(guidelines.unknown_keys)}")
    console.print(f"guidelines imported; {reviewed} invoice(s) in review re-checked")


@guidelines_app.command("show")
def show_guidelines(org: OrgOption = None) -> None:
    """Print the organisation's guidelines as JSON (every key, defaults included)."""
    from paperclerk.core.db import session_scope
    from paperclerk.legal_billing import service
    from paperclerk.legal_billing.guidelines import dump_guidelines

    organization_id = organization(org)
    with session_scope() as session:
        typer.echo(dump_guidelines(service.get_guidelines(session, organization_id)))


@app.command("import")
def import_masterdata(
    kind: Annotated[str, typer.Argument(help="firms | matters | timekeepers | bar-roll")],
    file: Annotated[Path, typer.Argument(help="CSV with a header row")],
    org: OrgOption = None,
) -> None:
    """Import law firms (name, tax_id), matters (client_matter_id, firm_matter_id, law_firm_tax_id, name, budget,
    open_date, close_date, responsible_lawyer) or timekeepers (law_firm_tax_id, timekeeper_id, name,
    classification, bar_number, bar_jurisdiction, approved, rate, rate_from, rate_to, client_matter_id), or a
    bar's public roll into the offline register (name, bar_number, jurisdiction, status, admission_date); bad rows
    are listed with their row number, the others kept."""
    from paperclerk.auth.principal import system_actor
    from paperclerk.core.db import session_scope
    from paperclerk.core.errors import PaperclerkError
    from paperclerk.legal_billing import masterdata, service, verification

    organization_id = organization(org)
    actor = system_actor("cli", organization_id=organization_id)
    try:
        with file.open("rb") as handle:
            text = masterdata.csv_text(handle)
        with session_scope() as session:
            if kind == "bar-roll":
                outcome = verification.import_bar_roll(session, organization_id, text, actor=actor)
            else:
                outcome = masterdata.import_csv(session, organization_id, kind, text, actor=actor)
                service.rereview_open(session, organization_id)
    except (PaperclerkError, OSError) as exc:
        fail(str(exc))
    for problem in outcome.problems:
        err_console.print(f"row {problem['row']}: {problem['message']}")
    console.print(f"{kind}: {outcome.created} created, {outcome.updated} updated, {len(outcome.problems)} rejected")
    if outcome.problems:
        raise typer.Exit(2)


@app.command()
def verify(org: OrgOption = None) -> None:
    """Verify the attorneys on every invoice in review against bar admission records (the configured external
    database, else the offline register) and re-review those invoices."""
    from sqlalchemy import select

    from paperclerk.auth.principal import system_actor
    from paperclerk.core.db import session_scope
    from paperclerk.legal_billing import service, verification
    from paperclerk.legal_billing.models import LegalInvoice

    organization_id = organization(org)
    with session_scope() as session:
        invoice_ids = session.scalars(select(LegalInvoice.id).where(
            LegalInvoice.organization_id == organization_id, LegalInvoice.status.in_(service.OPEN_STATUSES))).all()
    actor = system_actor("cli", organization_id=organization_id)
    for invoice_id in invoice_ids:
        outcomes = verification.verify_invoice(organization_id, invoice_id, actor=actor)
        summary = ", ".join(f"{keeper}: {outcome}" for keeper, outcome in sorted(outcomes.items())) or "no attorneys"
        console.print(f"{invoice_id}: {summary}")
