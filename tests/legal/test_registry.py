"""A case's registry: uploads filed under a folder, listed as a tree, new versions becoming current while earlier
ones stay readable, what changed between two versions, moves, each version's processing history; and the refusals
(a bad folder, a version of another case's document, the same bytes filed twice)."""

from __future__ import annotations

import pytest

from paperclerk.core.errors import InvalidRequest
from paperclerk.legal import registry
from paperclerk.legal.models import RegistryEntry
from tests.conftest import wait_until_final
from tests.helpers import api_client, assert_error
from tests.legal.conftest import CONTRACT_V1, CONTRACT_V2, MOTION


def _file(client, case_id: str, name: str, text: str, **form: str):
    return client.post(f"/api/v1/legal/cases/{case_id}/documents", data=form,
                       files={"file": (name, text.encode(), "text/plain")})


def test_filing_versions_diff_move_and_history(env) -> None:
    with api_client() as client:
        case = client.post("/api/v1/legal/cases", json={"number": "R-1", "title": "Registry"}).json()
        other = client.post("/api/v1/legal/cases", json={"number": "R-2", "title": "Other"}).json()
        first = _file(client, case["id"], "msa.txt", CONTRACT_V1, folder="contracts/services//")
        assert first.status_code == 202, first.text
        motion = _file(client, case["id"], "motion.txt", MOTION, folder="/pleadings/motions")
        wait_until_final([first.json()["documents"][0]["id"], motion.json()["documents"][0]["id"]])
        (entry,) = [item for item in client.get(f"/api/v1/legal/cases/{case['id']}/documents").json()
                    if item["title"] == "msa.txt"]
        assert entry["folder"] == "/contracts/services" and entry["current_version"] == 1
        second = _file(client, case["id"], "msa-v2.txt", CONTRACT_V2, version_of=entry["id"], note="30 days")
        wait_until_final([second.json()["documents"][0]["id"]])
        detail = client.get(f"/api/v1/legal/registry/{entry['id']}").json()
        assert detail["current_version"] == 2 and [v["version"] for v in detail["versions"]] == [1, 2]
        assert detail["versions"][1]["note"] == "30 days" and detail["versions"][1]["filename"] == "msa-v2.txt"
        first_file = client.get(f"/api/v1/documents/{detail['versions'][0]['document_id']}/file")
        assert first_file.status_code == 200 and first_file.content == CONTRACT_V1.encode()
        stages = [item["stage"] for item in detail["versions"][0]["history"]]
        assert stages[0] == "intake" and "extract" in stages and stages[-1] == "pipeline"

        changes = client.get(f"/api/v1/legal/registry/{entry['id']}/diff", params={"from": 1, "to": 2}).json()
        edited = [change for change in changes["changes"] if change["op"] != "equal"]
        assert [change["op"] for change in edited] == ["replace", "insert"], edited
        assert "ninety days" in edited[0]["old"][0] and "thirty days" in edited[0]["new"][0]
        assert edited[1]["new"] == ["5. Confidentiality. Each party keeps the other's information confidential."]
        assert_error(client.get(f"/api/v1/legal/registry/{entry['id']}/diff", params={"from": 1, "to": 7}), 404,
                     "VERSION_NOT_FOUND")

        moved = client.post(f"/api/v1/legal/registry/{entry['id']}/move", json={"folder": "/contracts/signed",
                                                                               "title": "MSA"})
        assert moved.status_code == 200 and moved.json()["folder"] == "/contracts/signed"
        assert_error(client.post(f"/api/v1/legal/registry/{entry['id']}/move", json={"folder": "/a/../b"}), 400,
                     "FOLDER_INVALID")
        assert_error(_file(client, other["id"], "x.txt", "other text", version_of=entry["id"]), 404,
                     "REGISTRY_ENTRY_NOT_FOUND")
        assert_error(_file(client, case["id"], "again.txt", CONTRACT_V1), 409, "DOCUMENT_ALREADY_FILED")
        assert_error(_file(client, case["id"], "empty.txt", ""), 400, "FILE_EMPTY")
        assert len(client.get(f"/api/v1/legal/cases/{case['id']}/documents").json()) == 2
    with api_client(organization="rival") as rival:
        assert_error(rival.get(f"/api/v1/legal/registry/{entry['id']}"), 404, "REGISTRY_ENTRY_NOT_FOUND")
        assert_error(_file(rival, case["id"], "x.txt", "rival text"), 404, "CASE_NOT_FOUND")


@pytest.mark.parametrize(("given", "stored"), [("", "/"), ("/", "/"), ("pleadings", "/pleadings"),
                                               (" /Pleadings / Motions/ ", "/Pleadings/Motions"),
                                               ("a\\b", "/a/b")])
def test_folders_are_normalised(given: str, stored: str) -> None:
    assert registry.normalize_folder(given) == stored


@pytest.mark.parametrize("given", ["/a/../b", "./x", "/a\x00b", "/" + "x" * 81, "/".join("abcdefghijklm")])
def test_bad_folders_are_refused(given: str) -> None:
    with pytest.raises(InvalidRequest) as refused:
        registry.normalize_folder(given)
    assert refused.value.code == "FOLDER_INVALID"


def test_tree_lists_every_ancestor_in_order() -> None:
    entries = [RegistryEntry(folder=folder, title=title) for folder, title in
               [("/pleadings/motions", "m1"), ("/", "root"), ("/contracts", "c1"), ("/pleadings/motions", "m2")]]
    folders = registry.tree(entries)
    assert [(folder.path, folder.depth) for folder in folders] == [
        ("/", 0), ("/contracts", 1), ("/pleadings", 1), ("/pleadings/motions", 2)]
    assert [entry.title for entry in folders[3].entries] == ["m1", "m2"] and folders[2].entries == []


def test_diff_by_paragraph() -> None:
    changes = registry.diff(["a", "b", "c"], ["a", "B", "c", "d"])
    assert [(change.op, change.old, change.new) for change in changes] == [
        ("equal", ("a",), ("a",)), ("replace", ("b",), ("B",)), ("equal", ("c",), ("c",)), ("insert", (), ("d",))]
