"""``paperclerk invoices …``: extract and check invoices here and now, the validation rules and tolerances
(rules, rule, tolerance), master-data imports (import) and exports (export)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from paperclerk.core.cli import OrgOption, console, err_console, fail, organization

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from paperclerk.auth.principal import Principal

app = typer.Typer(help="Accounts-payable invoices.", no_args_is_help=True)


@app.command()
def extract(
    files: Annotated[list[Path], typer.Argument(help="Invoices: PDF, scan, photo, UBL / CII XML")],
    json_lines: Annotated[bool, typer.Option("--json", help="One JSON object per file (JSON Lines)")] = False,
) -> None:
    """Extract and validate invoices here and now, without a server; prints fields, lines and findings."""
    import json

    from paperclerk.core.errors import PaperclerkError
    from paperclerk.invoices.file_report import analyze_file

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
            typer.echo(json.dumps(report, ensure_ascii=False, default=str))
        else:
            _print_invoice(report)
    if failures:
        raise typer.Exit(2)


def _print_invoice(report: dict[str, object]) -> None:
    fields = Table(title=f"{report['file']} — {report['kind']}")
    for column in ("field", "value", "confidence", "page", "by"):
        fields.add_column(column)
    evidence = report["evidence"]
    assert isinstance(evidence, dict) and isinstance(report["fields"], dict)
    for name, value in report["fields"].items():
        proof = evidence.get(name, {})
        fields.add_row(name, str(value), f"{proof.get('confidence', 0):.2f}", str(proof.get("page", "")),
                       str(proof.get("extractor", "")))
    console.print(fields)
    lines = report["lines"]
    if isinstance(lines, list) and lines:
        table = Table(title="line items")
        for column in ("description", "quantity", "unit_price", "amount", "tax_rate"):
            table.add_column(column)
        for line in lines:
            table.add_row(*(str(line.get(column) or "") for column in
                            ("description", "quantity", "unit_price", "amount", "tax_rate")))
        console.print(table)
    findings = report["findings"]
    if isinstance(findings, list):
        for finding in findings:
            console.print(f"[bold]{finding['severity']}[/bold] {finding['rule_id']}: {finding['message']} "
                          f"[dim]fix: {finding['fix']}[/dim]")


@app.command()
def rules(org: Annotated[str | None, typer.Option(
        "--org", help="Show this organisation's settings (default: the built-in defaults)")] = None) -> None:
    """The invoice validation rules and tolerances: id, severity, what each checks."""
    from paperclerk.invoices import policy

    states, values = None, {}
    if org is not None:
        from paperclerk.core.db import session_scope

        organization_id = organization(org)
        with session_scope(readonly=True) as session:
            states = {state.rule.id: state for state in policy.rule_states(session, organization_id)}
            values = policy.tolerance_values(session, organization_id)
    table = Table(title="invoice validation rules")
    for column in ("id", "severity", "checks", "title", "what it checks"):
        table.add_column(column)
    for info in policy.catalogue().values():
        state = states[info.id] if states else None
        severity = state.effective_severity if state else info.default_severity
        if state and not state.enabled:
            severity = "off"
        table.add_row(info.id, severity, info.scope.replace("_", " "), info.title, info.description)
    console.print(table)
    tolerances = Table(title="tolerances")
    for column in ("name", "value", "default", "meaning"):
        tolerances.add_column(column)
    for item in policy.TOLERANCES.values():
        tolerances.add_row(item.name, _shown(values.get(item.name, item.default)), _shown(item.default),
                           item.description)
    console.print(tolerances)


def _shown(value: object) -> str:
    return ", ".join(value) if isinstance(value, tuple) else str(value)


@app.command()
def rule(
    rule_id: Annotated[str, typer.Argument(help="A rule id from `paperclerk rules`")],
    enabled: Annotated[bool | None, typer.Option("--on/--off", help="Turn the rule on or off")] = None,
    severity: Annotated[str | None, typer.Option(help="info, warning, error, critical, or default")] = None,
    org: OrgOption = None,
) -> None:
    """Turn an invoice rule on or off or change its severity for an organisation; open invoices are re-checked."""
    from paperclerk.invoices import policy

    changes: dict[str, object] = {}
    if enabled is not None:
        changes["enabled"] = enabled
    if severity is not None:
        changes["severity"] = None if severity == "default" else severity
    if not changes:
        fail("say what to change: --on, --off or --severity")
    _change_policy(org, lambda session, organization_id, actor: policy.set_rules(
        session, organization_id, {rule_id: changes}, actor=actor))
    console.print(f"{rule_id}: updated")


@app.command()
def tolerance(
    name: Annotated[str, typer.Argument(help="A tolerance from `paperclerk rules`")],
    value: Annotated[str, typer.Argument(help="The new value (field names comma-separated), or default")],
    org: OrgOption = None,
) -> None:
    """Set an invoice validation tolerance for an organisation; open invoices are re-checked."""
    from paperclerk.invoices import policy

    parsed: object = None if value == "default" else [item.strip() for item in value.split(",") if item.strip()] \
        if name == "required_fields" else value
    _change_policy(org, lambda session, organization_id, actor: policy.set_tolerances(
        session, organization_id, {name: parsed}, actor=actor))
    console.print(f"{name}: {value}")


def _change_policy(org: str | None, change: Callable[[Session, str, Principal], object]) -> None:
    """Run one change of an organisation's invoice policy as the CLI, then re-check its open invoices."""
    from paperclerk.auth.principal import system_actor
    from paperclerk.core.db import session_scope
    from paperclerk.core.errors import PaperclerkError
    from paperclerk.core.schema import upgrade

    upgrade()
    organization_id = organization(org)
    try:
        with session_scope() as session:
            change(session, organization_id, system_actor("cli", organization_id=organization_id))
    except PaperclerkError as exc:
        fail(f"{exc.code}: {exc.message}")


@app.command("import")
def import_masterdata(
    what: Annotated[str, typer.Argument(help="vendors, pos (purchase orders) or receipts (goods receipts)")],
    file: Annotated[Path, typer.Argument(help="CSV file, UTF-8, first row naming the columns")],
    org: OrgOption = None,
) -> None:
    """Import vendors, purchase-order lines or goods-receipt lines from CSV; bad rows are listed with their row
    number."""
    from paperclerk.auth.principal import system_actor
    from paperclerk.core.db import session_scope
    from paperclerk.core.errors import PaperclerkError
    from paperclerk.core.schema import upgrade
    from paperclerk.invoices.masterdata import imports

    importers = {"vendors": imports.import_vendors, "pos": imports.import_purchase_orders,
                 "receipts": imports.import_goods_receipts}
    if what not in importers:
        fail(f"cannot import {what!r}: choose vendors, pos or receipts")
    try:
        text = file.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        fail(f"cannot read {file} as UTF-8 text: {exc}")
    upgrade()
    organization_id = organization(org)
    actor = system_actor("cli", organization_id=organization_id)
    try:
        with session_scope() as session:
            report = importers[what](session, organization_id, text, actor=actor)
    except PaperclerkError as exc:
        fail(f"{exc.code}: {exc.message}")
    console.print(f"{what}: {report.created} created, {report.updated} updated, {len(report.rejected)} rejected")
    for row, reason in report.rejected:
        err_console.print(f"row {row}: {reason}")
    if report.rejected:
        raise typer.Exit(1)


@app.command("export")
def export_invoices(
    format: Annotated[str, typer.Option("--format", help="csv, json or ubl (a zip of UBL XML files)")],
    out: Annotated[Path, typer.Option("--out", help="File to write")],
    columns: Annotated[str | None, typer.Option(help="CSV columns, comma-separated")] = None,
    include_exported: Annotated[bool, typer.Option(help="Export already exported invoices again")] = False,
    org: OrgOption = None,
) -> None:
    """Export approved invoices and mark them exported (they are not exported again unless asked)."""
    from paperclerk.auth.principal import system_actor
    from paperclerk.core.db import session_scope
    from paperclerk.core.errors import PaperclerkError
    from paperclerk.invoices import exports

    organization_id = organization(org)
    chosen = [column.strip() for column in columns.split(",") if column.strip()] if columns else None
    try:
        with session_scope() as session:
            result = exports.export(session, organization_id, format=format, columns=chosen,
                                    include_exported=include_exported,
                                    actor=system_actor("cli", organization_id=organization_id))
            out.write_bytes(result.content)
    except PaperclerkError as exc:
        fail(f"{exc.code}: {exc.message}")
    console.print(f"{len(result.invoice_ids)} invoice(s) written to {out}")
