"""``paperclerk backup create|list|verify|restore|prune``."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from paperclerk.config import get_settings
from paperclerk.core.errors import PaperclerkError

backup_app = typer.Typer(help="Back up, verify, restore and prune (database and stored files).",
                         no_args_is_help=True)
console = Console()
err_console = Console(stderr=True)

TargetOption = Annotated[str | None, typer.Option(
    "--to", help="A directory or s3://bucket[/prefix] (default PAPERCLERK_BACKUP_TARGET, else <data dir>/backups)")]


def _progress(stage: str, done: int, total: int) -> None:
    err_console.print(f"[dim]{stage}: {done}/{total}[/dim]")


def _fail(exc: PaperclerkError) -> None:
    err_console.print(f"[red]error {exc.code}:[/red] {exc.message}", soft_wrap=True)
    for problem in exc.details.get("problems", [])[:20]:
        err_console.print(f"  {problem}", soft_wrap=True)
    holds = exc.details.get("holds")
    if holds:
        err_console.print("  holds: " + ", ".join(f"{name} {count}" for name, count in holds.items()), soft_wrap=True)
    raise typer.Exit(1)


def _location(option: str | None) -> str:
    from paperclerk.ops.backup.targets import default_location

    return option or default_location(get_settings())


@backup_app.command("create")
def create(to: TargetOption = None) -> None:
    """Write one backup (database snapshot + every stored file + manifest); prints its path as the last line."""
    from paperclerk.ops.backup import service

    try:
        report = service.create(get_settings(), to=_location(to), progress=_progress)
    except PaperclerkError as exc:
        _fail(exc)
    header = report.header
    err_console.print(f"backup of {header.rows} rows and {header.blobs} files ({header.blob_bytes:,} bytes), "
                      f"{'encrypted' if header.encrypted else 'not encrypted'}, in {report.seconds:.1f} s")
    typer.echo(report.location)


@backup_app.command("list")
def list_(location: TargetOption = None) -> None:
    """The backups at a target, oldest first."""
    from paperclerk.ops.backup import service

    try:
        listed = service.list_backups(get_settings(), _location(location))
    except PaperclerkError as exc:
        _fail(exc)
    table = Table(title=f"{len(listed)} backup(s) at {_location(location)}")
    for column in ("backup", "created (UTC)", "database", "rows", "files", "bytes", "encrypted"):
        table.add_column(column)
    for item in listed:
        header = item.header
        if header is None:
            table.add_row(item.name, "[yellow]incomplete[/yellow]", "", "", "", "", "")
            continue
        table.add_row(item.location, f"{header.created_at:%Y-%m-%d %H:%M:%S}", header.dialect, str(header.rows),
                      str(header.blobs), f"{header.blob_bytes:,}", "yes" if header.encrypted else "no")
    console.print(table)


@backup_app.command("verify")
def verify(path: Annotated[str, typer.Argument(help="A backup: its directory or s3:// location")]) -> None:
    """Read every file of a backup and check it against the manifest (and the key, when encrypted)."""
    from paperclerk.ops.backup import service

    try:
        report = service.verify(get_settings(), path, progress=_progress)
    except PaperclerkError as exc:
        _fail(exc)
    console.print(f"ok: {report.files_checked} files match the manifest ({report.header.rows} rows) "
                  f"in {report.seconds:.1f} s")


@backup_app.command("restore")
def restore(
    path: Annotated[str, typer.Argument(help="A backup: its directory or s3:// location")],
    force: Annotated[bool, typer.Option("--force", help="Replace the data of a non-empty instance")] = False,
) -> None:
    """Restore a backup into the configured instance (stop its servers and workers first)."""
    from paperclerk.ops.backup import service

    try:
        report = service.restore(get_settings(), path, force=force, progress=_progress)
    except PaperclerkError as exc:
        _fail(exc)
    console.print(f"restored {sum(report.tables.values())} rows in {len(report.tables)} tables and "
                  f"{report.files_checked - 1} files in {report.seconds:.1f} s")


@backup_app.command("prune")
def prune(
    location: TargetOption = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Only say what would be deleted")] = False,
) -> None:
    """Delete the backups that the retention (PAPERCLERK_BACKUP_KEEP_DAILY/WEEKLY/MONTHLY) does not keep."""
    from paperclerk.ops.backup import service

    try:
        pruned = service.prune(get_settings(), _location(location), dry_run=dry_run)
    except PaperclerkError as exc:
        _fail(exc)
    verb = "would delete" if dry_run else "deleted"
    for item in pruned.deleted:
        console.print(f"{verb} {item.location}")
    console.print(f"kept {len(pruned.kept)}, {verb} {len(pruned.deleted)}")
