"""``paperclerk feedback …``: transcribe recordings and score feedback here and now, for operators and for measuring."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from paperclerk.core.cli import console, err_console

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
