"""``paperclerk feedback …``: transcribe recordings and score feedback here and now, for operators and for measuring."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from paperclerk.core.cli import OrgOption, console, err_console, fail, organization

app = typer.Typer(help="Customer feedback intelligence.", no_args_is_help=True)


@app.command()
def transcribe(
    files: Annotated[list[Path], typer.Argument(help="Recordings: WebM/Opus, Ogg, MP4/AAC, WAV, MP3, FLAC")],
    json_lines: Annotated[bool, typer.Option("--json", help="One JSON object per file (JSON Lines)")] = False,
) -> None:
    """Transcribe recordings offline (Whisper base, shipped in pip packages; Swedish and English). Prints the
    language detected, the text, the audio's length and the milliseconds it took. A file that cannot be read is
    reported with its error code and the others go on (exit status 2)."""
    from paperclerk.core.errors import PaperclerkError
    from paperclerk.feedback.speech import transcribe_file

    failures = 0
    for file in files:
        try:
            result = transcribe_file(file)
        except (PaperclerkError, OSError) as exc:
            failures += 1
            error = exc.to_dict() if isinstance(exc, PaperclerkError) else {
                "code": "FILE_UNREADABLE", "message": str(exc), "details": {}}
            if json_lines:
                typer.echo(json.dumps({"file": str(file), "error": error}, ensure_ascii=False))
            else:
                err_console.print(f"[red]{file}[/red]: {error['code']}: {error['message']}")
            continue
        if json_lines:
            typer.echo(json.dumps({"file": str(file), "language": result.language, "text": result.text,
                                   "duration_s": result.duration_s, "ms": result.ms}, ensure_ascii=False))
        else:
            console.print(f"[bold]{file}[/bold] ({result.language}, {result.duration_s:.1f} s, {result.ms} ms)")
            console.print(result.text, markup=False)
    if failures:
        raise typer.Exit(2)


@app.command()
def score(
    json_lines: Annotated[bool, typer.Option("--json", help="One JSON object per line (JSON Lines)")] = False,
    categories: Annotated[str, typer.Option(help="The business's categories, comma-separated")] = "",
) -> None:
    """Score feedback read from standard input, one JSON object a line: ``{"id", "text"}`` with optional
    ``"business"`` and ``"category"`` (more categories the text is measured against). Offline: the same text always
    gets the same score. A line that is not such an object is reported with its line number (exit status 2)."""
    from paperclerk.feedback.quality import score_text, tier_for

    base = [item.strip() for item in categories.split(",") if item.strip()]
    failures = 0
    for number, line in enumerate(sys.stdin, start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            if not isinstance(item, dict) or not isinstance(item.get("text"), str):
                raise ValueError('each line must be an object with a "text" string')
        except ValueError as exc:
            failures += 1
            err_console.print(f"[red]line {number}[/red]: {exc}")
            continue
        extra = item.get("category")
        own = [*base, *([extra] if isinstance(extra, str) else extra if isinstance(extra, list) else [])]
        result = score_text(item["text"], [str(category) for category in own])
        out = {"id": item.get("id", number), "score": result.score, "tier": tier_for(result.score).name,
               "reasons": result.reasons, "criteria": result.criteria, "sentiment": result.sentiment,
               "topics": result.topics,
               "sentences": [{"text": s.text, "sentiment": s.sentiment, "label": s.label, "topics": list(s.topics)}
                             for s in result.sentences]}
        if json_lines:
            typer.echo(json.dumps(out, ensure_ascii=False))
        else:
            console.print(f"{out['id']}: {result.score} ({out['tier']}) — {'; '.join(result.reasons)}", markup=False)
    if failures:
        raise typer.Exit(2)


@app.command()
def retention() -> None:
    """Apply the retention rules now (the workers also do it every hour): recordings deleted
    ``VOICE_DATA_RETENTION_HOURS`` after transcription, feedback after ``DATA_RETENTION_DAYS``, customers not seen
    for that long pseudonymised (their ledger entries stay, without their identity)."""
    from paperclerk.core.db import session_scope
    from paperclerk.feedback.privacy import apply_retention

    with session_scope() as session:
        result = apply_retention(session)
    console.print(f"recordings deleted: {result.recordings_deleted}; feedback deleted: {result.feedback_deleted}; "
                  f"customers pseudonymised: {result.customers_pseudonymised}")


@app.command("import-pos")
def import_pos(
    source: Annotated[str, typer.Argument(help="square, zettle or shopify")],
    token: Annotated[str, typer.Option(envvar="PAPERCLERK_FEEDBACK_POS_TOKEN",
                                       help="The business's access token (Square), API key (Zettle) or Admin API "
                                            "token (Shopify); best given in the environment")],
    org: OrgOption = None,
    days: Annotated[int, typer.Option(min=1, max=90, help="Import the sales of the last N days")] = 1,
    shop: Annotated[str, typer.Option(help="Shopify: the shop's name (name.myshopify.com)")] = "",
    location: Annotated[str, typer.Option(help="Square: only this location")] = "",
) -> None:
    """Bring a business's sales in from its POS system (Square, Zettle, Shopify), so receipts can be checked against
    them; sales already imported are left as they are. Run it from cron (say hourly with --days 1)."""
    from datetime import UTC, datetime, timedelta

    from paperclerk.auth.principal import system_actor
    from paperclerk.core.db import session_scope
    from paperclerk.core.errors import PaperclerkError
    from paperclerk.feedback.payouts import import_from
    from paperclerk.feedback.pos.shopify import ShopifySource
    from paperclerk.feedback.pos.square import SquareSource
    from paperclerk.feedback.pos.transaction import PosSource
    from paperclerk.feedback.pos.zettle import ZettleSource

    sources: dict[str, PosSource] = {}
    if source == "square":
        sources[source] = SquareSource(token, location_id=location or None)
    elif source == "zettle":
        sources[source] = ZettleSource(token)
    elif source == "shopify" and shop:
        sources[source] = ShopifySource(shop, token)
    else:
        fail("choose square, zettle, or shopify with --shop")
    organization_id = organization(org)
    until = datetime.now(UTC)
    try:
        with session_scope() as session:
            result = import_from(session, system_actor("cli", organization_id=organization_id), sources[source],
                                 until - timedelta(days=days), until)
    except PaperclerkError as exc:
        fail(f"{exc.code}: {exc.message}")
    console.print(f"{result.created} new, {result.already_known} already known"
                  + (f"; unknown stores: {', '.join(result.unmatched_stores)}" if result.unmatched_stores else ""))
