"""Bad input gets a clear answer and loses nothing: never a 500, a hang or a dead worker."""

from __future__ import annotations

import pytest

from paperclerk import samples
from tests.helpers import api_client, assert_error, upload, upload_and_wait


@pytest.fixture
def small_limit(env, monkeypatch):
    from tests.conftest import activate

    return activate(monkeypatch, env, PAPERCLERK_MAX_UPLOAD_MB="1")


def test_oversized_upload_is_refused_from_content_length(small_limit):
    with api_client() as client:
        big = b"%PDF-1.7\n" + b"0" * (2 * 1024 * 1024)
        response = client.post("/api/v1/documents", files=[("files", ("big.pdf", big, "application/pdf"))])
        error = assert_error(response, 413, "FILE_TOO_LARGE")
        assert error["details"]["max_upload_mb"] == 1
        assert client.get("/api/v1/documents").json()["total"] == 0


def test_oversized_chunked_upload_is_refused_while_streaming(small_limit):
    body_sent = 0

    def chunks():
        nonlocal body_sent
        boundary = b"--x\r\n"
        yield boundary + b'Content-Disposition: form-data; name="files"; filename="big.txt"\r\n\r\n'
        for _ in range(64):  # up to 4 MB, in 64 KB pieces; refused after ~1 MB
            body_sent += 65536
            yield b"a" * 65536
        yield b"\r\n--x--\r\n"

    with api_client() as client:
        response = client.post("/api/v1/documents", content=chunks(),
                               headers={"content-type": "multipart/form-data; boundary=x"})
        assert_error(response, 413, "FILE_TOO_LARGE")
        assert client.get("/api/v1/documents").json()["total"] == 0


def test_unsupported_type_is_415(env):
    with api_client() as client:
        gif = b"GIF89a" + b"\x00" * 100
        assert_error(client.post("/api/v1/documents", files=[("files", ("a.gif", gif, "image/gif"))]),
                     415, "FILE_UNSUPPORTED")
        assert_error(client.post("/api/v1/documents", files=[("files", ("x.exe", b"\x7fELF" + b"\x01" * 200, "x"))]),
                     415, "FILE_UNSUPPORTED")


def test_zero_byte_file_is_a_clear_400(env):
    with api_client() as client:
        assert_error(client.post("/api/v1/documents", files=[("files", ("empty.pdf", b"", "application/pdf"))]),
                     400, "FILE_EMPTY")


def test_no_file_at_all_is_a_validation_error(env):
    with api_client() as client:
        assert_error(client.post("/api/v1/documents"), 422, "VALIDATION_ERROR")
        assert_error(client.post("/api/v1/documents", data={"files": "not a file"}), 422, "VALIDATION_ERROR")


def test_mixed_batch_accepts_good_files_and_lists_refused_ones(env):
    with api_client() as client:
        body = upload(client, ("ok.txt", b"fine text"), ("bad.gif", b"GIF89a" + b"\x00" * 50))
    assert len(body["documents"]) == 1
    assert body["rejected"][0]["filename"] == "bad.gif"
    assert body["rejected"][0]["error"]["code"] == "FILE_UNSUPPORTED"


@pytest.mark.parametrize("hostile, expected", [
    ("../../etc/passwd", "passwd"),
    ("..\\..\\windows\\system32\\evil.txt", "evil.txt"),
    ("<script>alert(1)</script>.txt", "script.txt"),
    ("<b>bold?</b>.txt" , "b.txt"),
    ("report<1>:final?.pdf", "report1final.pdf"),
    ("...", "unnamed"),
    ("invoice\u202egpj.exe", "invoicegpj.exe"),
    ("\u202etxt.exe", "txt.exe"),
    ("pay\u200bment\u2066.pdf\u2069", "payment.pdf"),
    ("line\u2028break\x85.txt", "linebreak.txt"),
])
def test_hostile_file_names_are_neutralised(env, hostile, expected):
    with api_client() as client:
        body = upload(client, (hostile, f"content for {hostile!r}".encode()))
    assert body["documents"][0]["filename"] == expected


def test_raw_nul_byte_in_multipart_file_name_is_removed(env):
    body = (b'--x\r\nContent-Disposition: form-data; name="files"; filename="nul\x00byte.txt"\r\n'
            b"Content-Type: text/plain\r\n\r\nraw nul name\r\n--x--\r\n")
    with api_client() as client:
        response = client.post("/api/v1/documents", content=body,
                               headers={"content-type": "multipart/form-data; boundary=x"})
    assert response.status_code == 202, response.text
    assert "\x00" not in response.json()["documents"][0]["filename"]
    assert response.json()["documents"][0]["filename"].endswith("byte.txt")


def test_long_file_name_is_shortened_keeping_its_extension(env):
    with api_client() as client:
        name = upload(client, ("a" * 3_000 + ".txt", b"long name"))["documents"][0]["filename"]
    assert name.endswith(".txt") and len(name.encode()) <= 200


def test_ten_kilobyte_file_name_is_a_clear_400(env):
    with api_client() as client:
        response = client.post("/api/v1/documents", files=[("files", ("a" * 10_000 + ".txt", b"x", "text/plain"))])
        error = assert_error(response, 400, "UPLOAD_MALFORMED")
        assert "header" in error["details"]["reason"].lower()
        assert client.get("/api/v1/documents").json()["total"] == 0


@pytest.mark.parametrize("name, data, code", [
    ("truncated.pdf", samples.truncated_pdf(), "FILE_CORRUPT"),
    ("encrypted.pdf", samples.encrypted_pdf(), "FILE_ENCRYPTED"),
    ("empty.pdf", samples.empty_pdf(), "FILE_EMPTY"),
    ("garbage.pdf", b"%PDF-1.7\n" + bytes(range(256)) * 40, "FILE_CORRUPT"),
    ("bomb.png", samples.image_bomb(), "FILE_TOO_COMPLEX"),
    ("bomb.docx", samples.docx_zip_bomb(), "FILE_TOO_COMPLEX"),
])
def test_unreadable_files_fail_with_a_precise_code(env, name, data, code):
    with api_client() as client:
        [doc] = upload_and_wait(client, (name, data), timeout=60)
        assert doc["status"] == "failed"
        assert doc["error"]["code"] == code, doc["error"]
        # the worker survived: a good document still goes through afterwards
        [ok] = upload_and_wait(client, ("after.txt", f"still alive after {name}".encode()))
        assert ok["status"] == "processed"
