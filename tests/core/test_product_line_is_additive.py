"""The proof that a product line is purely additive: a throwaway line written at test time in a temporary package,
registered through ``PAPERCLERK_EXTRA_LINES`` (the mechanism ``paperclerk.plugins`` reads), brings a document
kind, a permission, a table with its migration branch (written by ``paperclerk db revision``), an API route, a
page in the shell with its navigation item, and a command in an existing CLI group, without a single existing
file being edited.

Each step runs in a fresh ``paperclerk`` process, as a deployment would, so nothing leaks into this one.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.conftest import Env

ROOT = Path(__file__).resolve().parents[2]

LINE_FILES = {
    "__init__.py": '"""Memos: a throwaway product line."""\n',
    "plugin.py": """
        from paperclerk.core.lines import DocumentKind, NavItem, Permission, ProductLine

        LINE = ProductLine(
            name="memos", title="Memos", package="memos",
            model_modules=("memos.models",),
            api_routers=("memos.api:router",),
            page_routers=("memos.pages:router",),
            templates="templates",
            cli="memos.cli:app", cli_group="invoices",
            kinds=(DocumentKind("memo", "Memo", {"memorandum": 3, "memo to": 3, "all staff": 1}),),
            nav=(NavItem("memos", "Memos", "/memos", "memos:read", 500),),
            permissions=(Permission("memos:read", "read memos", "reviewer"),),
            migrations="migrations",
        )
    """,
    "models.py": """
        from sqlalchemy import ForeignKey, String
        from sqlalchemy.orm import Mapped, mapped_column

        from paperclerk.core.db import Base, new_id


        class Memo(Base):
            __tablename__ = "memos"

            id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
            organization_id: Mapped[str] = mapped_column(ForeignKey("organizations.id"), index=True)
            title: Mapped[str] = mapped_column(String(200))
    """,
    "api.py": """
        from typing import Annotated

        from fastapi import APIRouter, Depends
        from sqlalchemy import select
        from sqlalchemy.orm import Session

        from paperclerk.api_errors import error_responses
        from paperclerk.auth.dependencies import require
        from paperclerk.auth.principal import Principal
        from paperclerk.core.db import read_session
        from memos.models import Memo

        router = APIRouter(prefix="/api/v1/memos", tags=["memos"])


        @router.get("", responses=error_responses(401, 403))
        def list_memos(principal: Annotated[Principal, Depends(require("memos:read"))],
                       session: Annotated[Session, Depends(read_session)]) -> list[str]:
            return list(session.scalars(select(Memo.title).where(Memo.organization_id == principal.tenant)))
    """,
    "pages.py": """
        from typing import Annotated

        from fastapi import APIRouter, Depends, Request
        from fastapi.responses import HTMLResponse
        from sqlalchemy import select

        from paperclerk.core.db import session_scope
        from paperclerk.web.shell import Viewer, page_require, render
        from memos.models import Memo

        router = APIRouter(include_in_schema=False)


        @router.get("/memos", response_class=HTMLResponse)
        def memos_page(request: Request, viewer: Annotated[Viewer, Depends(page_require("memos:read"))]
                       ) -> HTMLResponse:
            with session_scope(readonly=True) as session:
                memos = list(session.scalars(select(Memo).where(Memo.organization_id == viewer.principal.tenant)))
                return render(request, "memos/list.html", {"memos": memos, "nav": "memos"}, viewer=viewer)
    """,
    "templates/list.html": """
        {% extends "base.html" %}
        {% block title %}Memos{% endblock %}
        {% block content %}
        <h1>Memos</h1>
        <ul>{% for memo in memos %}<li data-memo>{{ memo.title }}</li>{% endfor %}</ul>
        {% endblock %}
    """,
    "cli.py": """
        import typer
        from sqlalchemy import func, select

        from paperclerk.core.cli import OrgOption, console, organization
        from paperclerk.core.db import session_scope
        from memos.models import Memo

        app = typer.Typer()


        @app.command("memo-count")
        def memo_count(org: OrgOption = None) -> None:
            \"\"\"How many memos the organisation has.\"\"\"
            organization_id = organization(org)
            with session_scope(readonly=True) as session:
                count = session.scalar(select(func.count()).where(Memo.organization_id == organization_id))
            console.print(f"{count} memo(s)")
    """,
}

#: Runs in a fresh process with the line registered: what the app, the classifier and the schema make of it.
PROBE = """
import json

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from fastapi.testclient import TestClient
from sqlalchemy import inspect

from paperclerk import plugins
from paperclerk.app import create_app
from paperclerk.core.db import Base, get_engine, session_scope
from paperclerk.core.schema import at_heads
from paperclerk.pipeline.classify import classify
from memos.models import Memo
from tests.helpers import api_key, organization_id

reviewer, viewer = api_key("acme", "reviewer"), api_key("acme", "viewer")
with session_scope() as session:
    session.add(Memo(organization_id=organization_id("acme"), title="Quarterly memo"))
plugins.load()
with get_engine().connect() as connection:
    drift = [str(item) for item in compare_metadata(MigrationContext.configure(connection), Base.metadata)
             if "memos" in str(item)]
    tables = inspect(connection).get_table_names()
html = {"Accept": "text/html"}
with TestClient(create_app(), raise_server_exceptions=False) as client:
    api = client.get("/api/v1/memos", headers={"X-API-Key": reviewer})
    page = client.get("/memos", headers={"X-API-Key": reviewer, **html})
    inbox = client.get("/", headers={"X-API-Key": reviewer, **html})
    refused_api = client.get("/api/v1/memos", headers={"X-API-Key": viewer})
    refused_page = client.get("/memos", headers={"X-API-Key": viewer, **html})
    anonymous = client.get("/memos", headers=html, follow_redirects=False)
    documented = "/api/v1/memos" in client.get("/openapi.json").json()["paths"]
print(json.dumps({
    "tables": tables, "drift": drift, "at_heads": at_heads(), "documented": documented,
    "api": [api.status_code, api.json()], "page": [page.status_code, page.text], "inbox": inbox.text,
    "refused": [refused_api.status_code, refused_api.json()["error"]["code"], refused_page.status_code,
                refused_page.text],
    "anonymous": [anonymous.status_code, anonymous.headers.get("location")],
    "kind": classify("MEMORANDUM\\nMemo to: all staff\\nThe canteen closes early on Friday.")[0],
}))
"""


@pytest.fixture
def memos_line(tmp_path: Path) -> dict[str, str]:
    """The throwaway line in a temporary package, and the environment of a deployment that registers it."""
    for name, text in LINE_FILES.items():
        path = tmp_path / "lines" / "memos" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip())
    deployment = Env(data_dir=tmp_path / "data", database_url="")
    return {**os.environ, **deployment.variables, "PAPERCLERK_EXTRA_LINES": "memos.plugin",
            "PYTHONPATH": os.pathsep.join([str(tmp_path / "lines"), str(ROOT)]), "COLUMNS": "200"}


#: The newest revision of the core's own migrations.
CORE_HEAD = "0011"


def _run(environment: dict[str, str], *arguments: str) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([sys.executable, *arguments], env=environment, cwd=ROOT, capture_output=True, text=True,
                          timeout=240, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    return done


def test_a_new_line_is_wired_in_without_editing_any_file(memos_line: dict[str, str], tmp_path: Path) -> None:
    tracked_before = subprocess.run(["git", "status", "--porcelain"], cwd=ROOT, capture_output=True, text=True,
                                    check=False).stdout
    cli = ("-m", "paperclerk.cli")
    before = _run(memos_line, *cli, "db", "upgrade").stdout.strip().removeprefix("database at revision ").split(", ")
    assert CORE_HEAD in before  # the core's head, beside the branches of the core's plug-ins (notifications)
    first = Path(_run(memos_line, *cli, "db", "revision", "memos", "-m", "memos").stdout.split("wrote ")[-1].strip())
    assert first.parent == tmp_path / "lines" / "memos" / "migrations"
    migration = first.read_text()
    assert "branch_labels: str | Sequence[str] | None = ('memos',)" in migration  # its own branch
    assert f"depends_on: str | Sequence[str] | None = '{CORE_HEAD}'" in migration  # on the core's head
    assert "op.create_table('memos'" in migration and "drop_table" not in migration.split("def downgrade")[0]
    revision = re.search(r"^revision: str = '(\w+)'", migration, re.MULTILINE).group(1)  # type: ignore[union-attr]
    upgraded = _run(memos_line, *cli, "db", "upgrade").stdout.strip()
    assert upgraded == f"database at revision {', '.join(sorted([*before, revision]))}"

    seen = json.loads(_run(memos_line, "-c", PROBE).stdout.strip().splitlines()[-1])
    assert "memos" in seen["tables"] and seen["drift"] == [] and seen["at_heads"]
    assert seen["api"] == [200, ["Quarterly memo"]] and seen["documented"]
    status, page = seen["page"]
    assert status == 200 and "<li data-memo>Quarterly memo</li>" in page
    assert '<a href="/memos" aria-current="page">Memos</a>' in page  # the shell's top bar, the line's item
    assert '<a href="/invoices"' in page and 'href="/static/app.css' in page
    assert '<a href="/memos">Memos</a>' in seen["inbox"]
    api_status, code, page_status, refusal = seen["refused"]
    assert (api_status, code, page_status) == (403, "FORBIDDEN", 403) and "read memos" in refusal
    assert seen["anonymous"] == [303, "/login?next=/memos"]
    assert seen["kind"] == "memo"

    assert _run(memos_line, *cli, "invoices", "memo-count").stdout.strip() == "1 memo(s)"
    listed = _run(memos_line, *cli, "invoices", "--help").stdout
    assert "memo-count" in listed and "extract" in listed  # one group, two lines' commands

    second = Path(_run(memos_line, *cli, "db", "revision", "memos", "-m", "memo subjects", "--empty")
                  .stdout.split("wrote ")[-1].strip())
    assert f"down_revision: str | None = '{revision}'" in second.read_text()  # the branch goes on

    tracked_after = subprocess.run(["git", "status", "--porcelain"], cwd=ROOT, capture_output=True, text=True,
                                   check=False).stdout
    assert tracked_after == tracked_before
