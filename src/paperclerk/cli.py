"""The ``paperclerk`` command: serve, worker, ingest, search, list, show, retry, db, samples, users, orgs, apikeys,
and each product line's group (``paperclerk <group> …``, from ``ProductLine.cli``)."""

from __future__ import annotations

import functools
import signal
import time
from collections import Counter
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from paperclerk import plugins
from paperclerk.auth.cli import apikeys_app, orgs_app, users_app
from paperclerk.config import get_settings
from paperclerk.core.cli import OrgOption, console, err_console, fail, organization
from paperclerk.core.lines import load_attribute
from paperclerk.ops.backup.cli import backup_app
from paperclerk.ops.env_example import config_app

app = typer.Typer(help="paperclerk: documents in; checked, searchable, reviewable data out.", no_args_is_help=True)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(users_app, name="users")
app.add_typer(orgs_app, name="orgs")
app.add_typer(apikeys_app, name="apikeys")
app.add_typer(backup_app, name="backup")
app.add_typer(config_app, name="config")


def main() -> None:
    app()


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply pending migrations to the configured database."""
    from paperclerk.core.schema import head_revisions, upgrade

    upgrade()
    console.print(f"database at revision {', '.join(sorted(head_revisions()))}")


@db_app.command("revision")
def db_revision(
    line: Annotated[str, typer.Argument(help="The product line (its name in plugin.py)")],
    message: Annotated[str, typer.Option("--message", "-m", help="What the migration changes")],
    empty: Annotated[bool, typer.Option(help="Write an empty migration instead of comparing models and database")]
    = False,
) -> None:
    """Write a product line's next migration (on its own branch) from its models; upgrade the database first."""
    from paperclerk.core.schema import new_revision

    try:
        path = new_revision(line, message, autogenerate=not empty)
    except ValueError as exc:
        fail(str(exc))
    console.print(f"wrote {path}")


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
    summary = _ingest_paths(paths, organization_id=organization(DEMO_SLUG), source="sample", wait=False,
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

        from paperclerk.ops.metrics import share_across_processes

        shared = share_across_processes(settings.data_dir / "metrics")
        start_http_server(metrics_port, addr=metrics_host, registry=shared)
    tracing.setup_tracing("paperclerk-worker")
    tracing.setup_sentry(settings.sentry_dsn.get_secret_value(), environment=settings.env)
    start_job_backend(settings, embedded_workers=False)
    wanted = [queue.strip() for queue in queues.split(",") if queue.strip()]
    system_events.startup("worker", queues=wanted)
    if settings.broker_url:
        from paperclerk.core.celery_app import get_celery, queue_name, start_heartbeat

        start_heartbeat(settings, wanted)
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
            fail(f"{path} does not exist")
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
        fail("no files found")
    summary = _ingest_paths(files, organization_id=organization(org), source="cli", wait=wait, show_progress=True)
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
            filters = DocumentFilter(organization_id=organization(org), status=status, kind=kind)
            hits, total = index.search(session, query, filters=filters,
                                       limit=limit, offset=0)
    except PaperclerkError as exc:
        fail(f"{exc.code}: {exc.message}")
    table = Table(title=f"{total} document(s) match {query!r}")
    for column in ("score", "document", "kind", "snippet"):
        table.add_column(column)
    for hit in hits:
        snippet = hit.snippet.replace("<mark>", "[bold yellow]").replace("</mark>", "[/bold yellow]")
        table.add_row(f"{hit.score:.2f}", f"{hit.filename}\n[dim]{hit.document_id}[/dim]", hit.kind or "", snippet)
    console.print(table)


@app.command("passages")
def build_passages(
    org: OrgOption = None,
    everything: Annotated[bool, typer.Option("--all", help="also documents embedded by another model")] = False,
) -> None:
    """Store the passages and embeddings of processed documents that have none (documents from before passage
    search; with --all, after changing the embedding model)."""
    from paperclerk.ai.service import embedding_provider
    from paperclerk.core.db import session_scope
    from paperclerk.search import passages

    organization_id = organization(org)
    with session_scope(readonly=True) as session:
        pending = passages.lacking(session, organization_id, model=embedding_provider().model, everything=everything)
    stored = without_vectors = 0
    columns = (TextColumn("passages"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=err_console) as progress:
        task = progress.add_task("passages", total=len(pending))
        for document_id in pending:
            with session_scope() as session:
                found = passages.rebuild(session, document_id, organization_id)
            stored += len(found.spans)
            without_vectors += len(found.spans) if found.missing_vectors else 0
            progress.advance(task)
    console.print(f"{len(pending)} document(s), {stored} passage(s)"
                  + (f", {without_vectors} without vectors (the embedding model did not answer)" if without_vectors
                     else ""))
    if without_vectors:
        raise typer.Exit(1)


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
        filters = DocumentFilter(organization_id=organization(org), status=status, kind=kind)
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
            doc = service.get(session, document_id, organization_id=organization(org), with_pages=True)
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
        fail(f"no document {document_id}")


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
    organization_id = organization(org)
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


@app.command("samples")
def samples_command() -> None:
    """Generate the sample documents and add them (processed by a running server)."""
    from paperclerk.core.schema import upgrade

    upgrade()
    _load_samples()


def _deprecated_alias(group: str, command: typer.models.CommandInfo) -> None:
    """``paperclerk <name>`` still runs ``paperclerk <group> <name>`` for one release: hidden from the help, with a
    note on stderr (standard output stays exactly the command's)."""
    callback = command.callback
    if callback is None:
        raise ValueError(f"the {group} command {command.name!r} has no callback")
    name = command.name or callback.__name__.replace("_", "-")

    @functools.wraps(callback)
    def alias(*args: Any, **kwargs: Any) -> Any:
        err_console.print(f"note: `paperclerk {name}` is now `paperclerk {group} {name}`; the old name goes in the "
                          "next release.", highlight=False, soft_wrap=True)
        return callback(*args, **kwargs)

    app.command(name, hidden=True, help=command.help)(alias)


def _line_command(line: str, commands: typer.Typer, name: str) -> Any:
    """The command called ``name`` of a line's Typer (its ``CommandInfo``)."""
    found = [info for info in commands.registered_commands
             if (info.name or (info.callback.__name__ if info.callback else "").replace("_", "-")) == name]
    if not found:
        raise ValueError(f"product line {line!r} names a command {name!r} that is not one of its commands")
    return found[0]


def _mount_lines() -> None:
    """Each line's commands under its group; lines sharing a group add their commands to one group."""
    groups: dict[str, tuple[typer.Typer, list[str]]] = {}
    for line in plugins.lines():
        if line.cli is None:
            continue
        commands: typer.Typer = load_attribute(line.cli)
        group, titles = groups.setdefault(line.group, (typer.Typer(no_args_is_help=True), []))
        group.add_typer(commands)
        titles.append(line.title)
        for name in line.cli_aliases:
            _deprecated_alias(line.group, _line_command(line.name, commands, name))
        for name in line.cli_verbs:
            verb = _line_command(line.name, commands, name)
            app.command(name, help=verb.help)(verb.callback)
    for name, (group, titles) in groups.items():
        app.add_typer(group, name=name, help=" · ".join(titles))


_mount_lines()


if __name__ == "__main__":  # pragma: no cover
    main()
