"""The ``paperclerk`` command: serve, worker, ingest, search, list, show, retry, db, samples, import, export,
extract and the invoice rules (rules, rule, tolerance)."""

from __future__ import annotations

import signal
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from paperclerk.auth.cli import apikeys_app, orgs_app, users_app
from paperclerk.config import get_settings
from paperclerk.ops.backup.cli import backup_app
from paperclerk.ops.env_example import config_app

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from paperclerk.auth.principal import Principal

app = typer.Typer(help="paperclerk: documents in; checked, searchable, reviewable data out.", no_args_is_help=True)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(users_app, name="users")
app.add_typer(orgs_app, name="orgs")
app.add_typer(apikeys_app, name="apikeys")
app.add_typer(backup_app, name="backup")
app.add_typer(config_app, name="config")
console = Console()
err_console = Console(stderr=True)


def main() -> None:
    app()


def _fail(message: str, code: int = 1) -> None:
    err_console.print(f"[red]error:[/red] {message}")
    raise typer.Exit(code)


OrgOption = Annotated[str | None, typer.Option("--org", help="Organisation slug or id (default: the only one)")]


def _organization(reference: str | None) -> str:
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
                _fail(f"no organisation {reference!r}; see `paperclerk orgs list`")
        organizations = list(accounts.list_organizations(session))
        if len(organizations) > 1:
            _fail("there are several organisations: choose one with --org")
        if organizations:
            return organizations[0].id
        created = accounts.create_organization(session, "Default", slug="default", actor=system_actor("cli"))
        err_console.print("created organisation 'default'")
        return created.id


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply pending migrations to the configured database."""
    from paperclerk.core.schema import current_revision, upgrade

    upgrade()
    console.print(f"database at revision {current_revision()}")


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Address to bind (default PAPERCLERK_HOST)")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default PAPERCLERK_PORT)")] = None,
    samples: Annotated[bool, typer.Option(help="Load the generated sample documents first")] = False,
) -> None:
    """Apply migrations and run the server; without a broker, worker threads run inside it."""
    import uvicorn

    from paperclerk.app import create_app
    from paperclerk.core.schema import upgrade
    from paperclerk.ops import system_events, tracing
    from paperclerk.ops.logging import configure_logging

    settings = get_settings()
    configure_logging(settings.log_level, json_lines=settings.log_json)
    if settings.migrate_on_start:
        upgrade()
    if samples:
        _load_samples()
    host, port = host or settings.host, port or settings.port
    console.print(f"paperclerk is running at [bold]http://{host}:{port}[/bold]  (API docs: http://{host}:{port}/docs)",
                  soft_wrap=True)
    application = system_events.LifecycleEvents(create_app(embedded_workers=not settings.broker_url),
                                                process="serve", address=f"{host}:{port}")
    try:
        uvicorn.run(application, host=host, port=port, log_config=None, access_log=False)
    finally:
        tracing.flush()


def _load_samples() -> None:
    """The demo organisation, its administrator (credentials printed once) and the sample documents."""
    from paperclerk import samples
    from paperclerk.auth.cli import DEMO_SLUG, bootstrap_demo

    credentials = bootstrap_demo()
    if credentials is not None:
        console.print(f"demo login (shown once, keep it): [bold]{credentials.email}[/bold] / "
                      f"[bold]{credentials.password}[/bold]  (organisation {credentials.organization})", soft_wrap=True)
    directory = get_settings().data_dir / "samples"
    paths = samples.write_samples(directory)
    summary = _ingest_paths(paths, organization_id=_organization(DEMO_SLUG), source="sample", wait=False,
                            show_progress=False)
    console.print(f"samples: {summary['accepted']} new, {summary['duplicates']} already loaded")


@app.command()
def worker(
    queues: Annotated[str, typer.Option(help="Comma-separated queues to consume: default,ocr")] = "default,ocr",
    concurrency: Annotated[int, typer.Option(help="Parallel jobs in this worker")] = 2,
    metrics_port: Annotated[int, typer.Option(help="Serve Prometheus metrics on this port (0: off)")] = 0,
    metrics_host: Annotated[str, typer.Option(help="Address for the metrics port (0.0.0.0 in a container)")
                            ] = "127.0.0.1",
) -> None:
    """Run a job worker: a Celery worker when a broker is configured, else a database-polling worker."""
    from paperclerk.core.worker import WorkerPool, start_job_backend
    from paperclerk.ops import system_events, tracing
    from paperclerk.ops.logging import configure_logging

    settings = get_settings()
    configure_logging(settings.log_level, json_lines=settings.log_json)
    if metrics_port:
        from prometheus_client import start_http_server

        start_http_server(metrics_port, addr=metrics_host)
    tracing.setup_tracing("paperclerk-worker")
    tracing.setup_sentry(settings.sentry_dsn.get_secret_value(), environment=settings.env)
    start_job_backend(settings, embedded_workers=False)
    wanted = [queue.strip() for queue in queues.split(",") if queue.strip()]
    system_events.startup("worker", queues=wanted)
    if settings.broker_url:
        from paperclerk.core.celery_app import get_celery, queue_name

        # Task events stay on (the Celery config sends them) and so does remote control: Flower needs both.
        try:
            get_celery().worker_main([
                "worker", "--loglevel", settings.log_level, "--concurrency", str(concurrency),
                "--queues", ",".join(queue_name(queue) for queue in wanted), "--without-gossip", "--without-mingle",
            ])
        finally:  # Celery leaves through SystemExit once its warm shutdown is done
            system_events.shutdown("worker", queues=wanted)
            tracing.flush()
        return
    pool = WorkerPool(settings.model_copy(update={
        "workers": concurrency if "default" in wanted and "ocr" not in wanted else 0,
        "ocr_workers": concurrency if "ocr" in wanted else 0,
    }))
    pool.start()
    console.print(f"worker polling the database for {', '.join(wanted)} jobs; Ctrl+C to stop")
    signal.signal(signal.SIGTERM, _stop_on_sigterm)  # an orchestrator's stop: finish like Ctrl+C
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pool.stop()
        system_events.shutdown("worker", queues=wanted)


def _stop_on_sigterm(_signal: int, _frame: object) -> None:
    raise KeyboardInterrupt


def _collect(paths: list[Path]) -> list[Path]:
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*") if p.is_file() and not p.name.startswith(".")))
        elif path.is_file():
            files.append(path)
        else:
            _fail(f"{path} does not exist")
    return files


@app.command()
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="Files or folders (folders are read recursively)")],
    wait: Annotated[bool, typer.Option(help="Wait until every document is processed")] = True,
    org: OrgOption = None,
) -> None:
    """Add files to paperclerk; with --wait (default) process them here and print a summary."""
    from paperclerk.core.schema import upgrade
    from paperclerk.ops.logging import configure_logging

    settings = get_settings()
    configure_logging("WARNING", json_lines=settings.log_json)
    upgrade()
    files = _collect(paths)
    if not files:
        _fail("no files found")
    summary = _ingest_paths(files, organization_id=_organization(org), source="cli", wait=wait, show_progress=True)
    if summary["failed"]:
        raise typer.Exit(2)


def _ingest_paths(files: list[Path], *, organization_id: str, source: str, wait: bool,
                  show_progress: bool) -> dict[str, int]:
    from paperclerk.auth.principal import system_actor
    from paperclerk.core.db import session_scope
    from paperclerk.core.errors import FileRejected
    from paperclerk.core.worker import start_job_backend
    from paperclerk.documents import service

    settings = get_settings()
    actor = system_actor(source, organization_id=organization_id)
    pool = start_job_backend(settings, embedded_workers=wait)
    document_ids: set[str] = set()
    rejected: list[tuple[str, str, str]] = []
    duplicates = 0
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=err_console, disable=not show_progress) as progress:
        task = progress.add_task("storing", total=len(files))
        for file in files:
            try:
                with file.open("rb") as stream, service.spool(stream, settings=settings) as spooled, \
                        session_scope() as session:
                    intake = service.receive(session, spooled, organization_id=organization_id, filename=file.name,
                                             source=source, settings=settings, actor=actor)
                    document_ids.add(intake.document.id)
                    duplicates += intake.duplicate
            except FileRejected as refusal:
                rejected.append((str(file), refusal.code, refusal.message))
            progress.advance(task)
        outcome = _wait_for(document_ids, progress) if wait and document_ids else Counter()
    if pool is not None:
        pool.stop()
    if show_progress:
        _print_summary(len(files), len(document_ids), duplicates, outcome, rejected, document_ids if wait else set())
    return {"accepted": len(document_ids) - duplicates, "duplicates": duplicates,
            "failed": outcome.get("failed", 0) + len(rejected)}


def _wait_for(document_ids: set[str], progress: Progress) -> Counter[str]:
    from sqlalchemy import select

    from paperclerk.core.db import session_scope
    from paperclerk.documents.models import FINAL_STATUSES, Document

    task = progress.add_task("processing", total=len(document_ids))
    ids = list(document_ids)
    while True:
        statuses: Counter[str] = Counter()
        with session_scope(readonly=True) as session:
            for start in range(0, len(ids), 500):
                statuses.update(session.scalars(select(Document.status).where(Document.id.in_(ids[start:start + 500]))))
        done = sum(count for status, count in statuses.items() if status in FINAL_STATUSES)
        progress.update(task, completed=done)
        if done >= len(ids):
            return statuses
        time.sleep(0.2)


def _print_summary(files: int, documents: int, duplicates: int, outcome: Counter[str],
                   rejected: list[tuple[str, str, str]], waited_for: set[str]) -> None:
    table = Table(title="ingest summary")
    table.add_column("")
    table.add_column("count", justify="right")
    table.add_row("files", str(files))
    table.add_row("new documents", str(documents - duplicates))
    table.add_row("already stored", str(duplicates))
    table.add_row("refused", str(len(rejected)))
    for status, count in sorted(outcome.items()):
        table.add_row(status, str(count))
    console.print(table)
    if rejected:
        _print_problems("refused files", rejected)
    if outcome.get("failed"):
        _print_problems("failed documents", _failures(waited_for))


def _failures(document_ids: set[str]) -> list[tuple[str, str, str]]:
    from sqlalchemy import select

    from paperclerk.core.db import session_scope
    from paperclerk.documents.models import Document, DocumentStatus

    with session_scope(readonly=True) as session:
        rows = session.execute(select(Document.filename, Document.error_code, Document.error_message).where(
            Document.id.in_(list(document_ids)), Document.status == DocumentStatus.FAILED)).all()
    return [(row.filename, row.error_code or "", row.error_message or "") for row in rows]


def _print_problems(title: str, rows: list[tuple[str, str, str]]) -> None:
    table = Table(title=title)
    for column in ("file", "code", "message"):
        table.add_column(column)
    for row in rows:
        table.add_row(*row)
    console.print(table)


@app.command()
def search(
    query: Annotated[str, typer.Argument(help='Words, "a phrase", OR, -exclude')],
    limit: Annotated[int, typer.Option(min=1, max=100)] = 10,
    status: Annotated[str | None, typer.Option()] = None,
    kind: Annotated[str | None, typer.Option()] = None,
    org: OrgOption = None,
) -> None:
    """Full-text search; prints ranked documents with highlighted snippets."""
    from paperclerk.core.db import session_scope
    from paperclerk.core.errors import PaperclerkError
    from paperclerk.documents.filters import DocumentFilter
    from paperclerk.search import index

    try:
        with session_scope(readonly=True) as session:
            filters = DocumentFilter(organization_id=_organization(org), status=status, kind=kind)
            hits, total = index.search(session, query, filters=filters,
                                       limit=limit, offset=0)
    except PaperclerkError as exc:
        _fail(f"{exc.code}: {exc.message}")
    table = Table(title=f"{total} document(s) match {query!r}")
    for column in ("score", "document", "kind", "snippet"):
        table.add_column(column)
    for hit in hits:
        snippet = hit.snippet.replace("<mark>", "[bold yellow]").replace("</mark>", "[/bold yellow]")
        table.add_row(f"{hit.score:.2f}", f"{hit.filename}\n[dim]{hit.document_id}[/dim]", hit.kind or "", snippet)
    console.print(table)


@app.command("list")
def list_documents(
    status: Annotated[str | None, typer.Option()] = None,
    kind: Annotated[str | None, typer.Option()] = None,
    limit: Annotated[int, typer.Option(min=1, max=1000)] = 50,
    org: OrgOption = None,
) -> None:
    """List documents, newest first, with their status and error."""
    from paperclerk.core.db import session_scope
    from paperclerk.documents import service
    from paperclerk.documents.filters import DocumentFilter

    with session_scope(readonly=True) as session:
        filters = DocumentFilter(organization_id=_organization(org), status=status, kind=kind)
        items, total = service.list_documents(session, filters=filters, limit=limit, offset=0)
    table = Table(title=f"{total} document(s)")
    for column in ("id", "file", "status", "kind", "pages", "error"):
        table.add_column(column)
    for doc in items:
        error = f"{doc.error_code}: {doc.error_message}" if doc.error_code else ""
        table.add_row(doc.id, doc.filename, doc.status, doc.kind or "", str(doc.page_count or ""), error)
    console.print(table)


@app.command()
def show(document_id: str, org: OrgOption = None) -> None:
    """One document: status, error, pages and processing history."""
    from paperclerk.core.db import session_scope
    from paperclerk.core.errors import NotFound
    from paperclerk.documents import service

    try:
        with session_scope(readonly=True) as session:
            doc = service.get(session, document_id, organization_id=_organization(org), with_pages=True)
            console.print(f"[bold]{doc.filename}[/bold]  {doc.id}\nstatus: {doc.status}   kind: {doc.kind}   "
                          f"language: {doc.language}   pages: {doc.page_count}   type: {doc.media_type}")
            if doc.error_code:
                console.print(f"[red]error {doc.error_code}[/red]: {doc.error_message}")
            history = Table(title="processing history")
            for column in ("when", "attempt", "stage", "outcome", "ms", "note"):
                history.add_column(column)
            for entry in doc.history:
                history.add_row(entry.created_at.strftime("%H:%M:%S"), str(entry.attempt), entry.stage, entry.outcome,
                                f"{entry.duration_ms:.1f}" if entry.duration_ms is not None else "",
                                f"{entry.error_code + ': ' if entry.error_code else ''}{entry.message or ''}")
            console.print(history)
    except NotFound:
        _fail(f"no document {document_id}")


@app.command()
def retry(document_ids: Annotated[list[str], typer.Argument(help="Ids of failed documents")],
          org: OrgOption = None) -> None:
    """Queue failed documents for processing again (a running server or worker picks them up)."""
    from paperclerk.auth.principal import system_actor
    from paperclerk.core.db import session_scope
    from paperclerk.core.errors import PaperclerkError
    from paperclerk.core.worker import start_job_backend
    from paperclerk.documents import service

    start_job_backend(get_settings(), embedded_workers=False)
    organization_id = _organization(org)
    actor = system_actor("cli", organization_id=organization_id)
    problems = 0
    for document_id in document_ids:
        try:
            with session_scope() as session:
                service.retry(session, document_id, organization_id=organization_id, actor=actor)
            console.print(f"{document_id}: queued")
        except PaperclerkError as exc:
            problems += 1
            err_console.print(f"{document_id}: [red]{exc.code}[/red] {exc.message}")
    if problems:
        raise typer.Exit(1)


@app.command()
def extract(
    files: Annotated[list[Path], typer.Argument(help="Invoices: PDF, scan, photo, UBL / CII XML")],
    json_lines: Annotated[bool, typer.Option("--json", help="One JSON object per file (JSON Lines)")] = False,
) -> None:
    """Extract and validate invoices here and now, without a server; prints fields, lines and findings."""
    import json

    from paperclerk.core.errors import PaperclerkError
    from paperclerk.invoices.analysis import analyze_file

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

        organization_id = _organization(org)
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
        _fail("say what to change: --on, --off or --severity")
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
    from paperclerk.invoices import workflow

    upgrade()
    organization_id = _organization(org)
    try:
        with session_scope() as session:
            change(session, organization_id, system_actor("cli", organization_id=organization_id))
            workflow.revalidate_open(session, organization_id)
    except PaperclerkError as exc:
        _fail(f"{exc.code}: {exc.message}")


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
    from paperclerk.invoices import masterdata, workflow

    importers = {"vendors": masterdata.import_vendors, "pos": masterdata.import_purchase_orders,
                 "receipts": masterdata.import_goods_receipts}
    if what not in importers:
        _fail(f"cannot import {what!r}: choose vendors, pos or receipts")
    try:
        text = file.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        _fail(f"cannot read {file} as UTF-8 text: {exc}")
    upgrade()
    organization_id = _organization(org)
    actor = system_actor("cli", organization_id=organization_id)
    try:
        with session_scope() as session:
            report, _ = workflow.import_master_data(session, organization_id, importers[what], text, actor=actor)
    except PaperclerkError as exc:
        _fail(f"{exc.code}: {exc.message}")
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

    organization_id = _organization(org)
    chosen = [column.strip() for column in columns.split(",") if column.strip()] if columns else None
    try:
        with session_scope() as session:
            result = exports.export(session, organization_id, format=format, columns=chosen,
                                    include_exported=include_exported,
                                    actor=system_actor("cli", organization_id=organization_id))
            out.write_bytes(result.content)
    except PaperclerkError as exc:
        _fail(f"{exc.code}: {exc.message}")
    console.print(f"{len(result.invoice_ids)} invoice(s) written to {out}")


@app.command("samples")
def samples_command() -> None:
    """Generate the sample documents and add them (processed by a running server)."""
    from paperclerk.core.schema import upgrade

    upgrade()
    _load_samples()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
