"""Cases through the API and the command line: create, change, list, tenant scoping, audit, and the CSV import
with its per-row errors (bad rows listed, good rows kept) and the files it refuses whole."""

from __future__ import annotations

from sqlalchemy import select
from typer.testing import CliRunner

from paperclerk.cli import app as cli
from paperclerk.core.audit import AuditEntry
from paperclerk.core.db import session_scope
from tests.helpers import api_client, api_key, assert_error

CASE = {"number": "2024-117", "title": "Acme v. Beta", "court": "S.D.N.Y.", "jurisdiction": "US-NY",
        "opened_on": "2024-05-02", "responsible": ["ann@acme.example"],
        "parties": [{"name": "Acme Corp", "role": "plaintiff"}, {"name": "Beta Services LLC", "role": "defendant"}]}


def _import(client, text: str | bytes):
    data = text.encode() if isinstance(text, str) else text
    return client.post("/api/v1/legal/cases/import", files={"file": ("cases.csv", data, "text/csv")})


def test_create_change_list_and_scope(any_env) -> None:
    with api_client() as client:
        created = client.post("/api/v1/legal/cases", json=CASE)
        assert created.status_code == 201, created.text
        case = created.json()
        assert case["status"] == "open" and [p["role"] for p in case["parties"]] == ["plaintiff", "defendant"]
        assert_error(client.post("/api/v1/legal/cases", json=CASE), 409, "CASE_NUMBER_TAKEN")
        assert_error(client.post("/api/v1/legal/cases", json={"number": "X-1"}), 400, "CASE_FIELDS_REQUIRED")
        assert client.post("/api/v1/legal/cases", json={**CASE, "parties": "Acme"}).status_code == 422
        assert_error(client.patch(f"/api/v1/legal/cases/{case['id']}", json={"closed_on": "2020-01-01"}), 400,
                     "CASE_DATES_INVALID")
        changed = client.patch(f"/api/v1/legal/cases/{case['id']}", json={"status": "closed",
                                                                         "closed_on": "2025-01-31", "court": ""})
        assert changed.status_code == 200, changed.text
        body = changed.json()
        assert (body["status"], body["closed_on"], body["court"], body["title"]) == (
            "closed", "2025-01-31", None, "Acme v. Beta")
        listed = client.get("/api/v1/legal/cases", params={"q": "beta"}).json()
        assert listed["total"] == 1 and listed["items"][0]["number"] == "2024-117"
        assert client.get("/api/v1/legal/cases", params={"status": "open"}).json()["total"] == 0
    with api_client(organization="rival") as rival:
        assert_error(rival.get(f"/api/v1/legal/cases/{case['id']}"), 404, "CASE_NOT_FOUND")
        assert rival.get("/api/v1/legal/cases").json()["total"] == 0
    with api_client(role="viewer") as viewer:
        assert_error(viewer.post("/api/v1/legal/cases", json={**CASE, "number": "V-1"}), 403, "FORBIDDEN")
    with session_scope() as session:
        actions = session.scalars(select(AuditEntry.action).where(AuditEntry.subject_id == case["id"])).all()
        assert sorted(actions) == ["legal_case.create", "legal_case.update"]


def test_csv_import_keeps_good_rows_and_lists_bad_ones(env) -> None:
    text = ("number,title,court,status,opened_on,responsible,parties\n"
            "C-1,First,High Court,open,2024-01-02,ann@acme.example;bob@acme.example,"
            "Acme Corp (claimant); Beta (respondent)\n"
            "C-2,Second,,pending,,,\n"
            "C-3,Third,,,3 May 2024,,\n"
            ",No number,,,,,\n"
            "C-4,Fourth,,,,,Acme (a) (b)\n"
            "C-5,Fifth,,,,,,one cell too many\n"
            "C-6,,,,,,\n"
            "C-1,First renamed,,closed,,,\n")
    with api_client() as client:
        response = _import(client, text)
        assert response.status_code == 200, response.text
        result = response.json()
        assert (result["created"], result["updated"]) == (1, 1), result
        problems = {item["row"]: item["message"] for item in result["problems"]}
        assert set(problems) == {3, 4, 5, 6, 7, 8}, problems
        assert "status 'pending'" in problems[3] and "not a date" in problems[4]
        assert "number is required" in problems[5] and "Name (role)" in problems[6]
        assert "more cells" in problems[7] and "title" in problems[8]
        (case,) = client.get("/api/v1/legal/cases").json()["items"]
        assert (case["title"], case["status"], case["responsible"]) == (
            "First renamed", "closed", ["ann@acme.example", "bob@acme.example"])
        assert [(p["name"], p["role"]) for p in case["parties"]] == [("Acme Corp", "claimant"), ("Beta", "respondent")]
        assert_error(_import(client, "title,court\nx,y\n"), 400, "CSV_MISSING_COLUMNS")
        assert_error(_import(client, b"\x00\x01PK\x03\x04binary"), 400, "CSV_INVALID")
        assert_error(_import(client, b"number,title\n" + b"x" * (5 * 1024 * 1024 + 10)), 400, "CSV_TOO_LARGE")
        assert client.get("/api/v1/legal/cases").json()["total"] == 1


def test_cli_imports_cases_and_reports_bad_rows(env, tmp_path) -> None:
    api_key("acme", "admin")
    file = tmp_path / "cases.csv"
    file.write_text("number,title,opened_on\nK-1,Kept,2024-02-03\nK-2,Broken,yesterday\n")
    result = CliRunner().invoke(cli, ["legal", "cases", "import", str(file), "--org", "acme"])
    assert result.exit_code == 2, result.output
    assert "1 case(s) created" in result.stdout and "row 3: opened_on 'yesterday'" in result.stderr
    listed = CliRunner().invoke(cli, ["legal", "cases", "list", "--org", "acme"])
    assert listed.exit_code == 0 and "K-1\topen\tKept" in listed.stdout
    missing = CliRunner().invoke(cli, ["legal", "cases", "import", str(tmp_path / "nope.csv"), "--org", "acme"])
    assert missing.exit_code == 1
