"""Blob storage on an S3-compatible server (moto on loopback): the store itself and the whole API path."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from paperclerk import samples
from paperclerk.config import Settings
from paperclerk.core.errors import TransientError
from paperclerk.core.storage import LocalBlobStore, S3BlobStore, get_store, make_store
from tests.conftest import Env, activate
from tests.helpers import api_client, assert_error, upload_and_wait
from tests.s3_server import MotoServer, free_port

pytestmark = pytest.mark.s3


def blob(tmp_path: Path, data: bytes) -> tuple[str, Path]:
    path = tmp_path / hashlib.sha256(data).hexdigest()[:12]
    path.write_bytes(data)
    return hashlib.sha256(data).hexdigest(), path


def store_for(endpoint: str, bucket: str, tmp_path: Path, prefix: str = "pc") -> S3BlobStore:
    return S3BlobStore(bucket, prefix, endpoint_url=endpoint, region="us-east-1", scratch=tmp_path / "scratch")


def test_s3_blob_store_round_trip(s3_server: MotoServer, aws_credentials: None, tmp_path: Path) -> None:
    bucket = s3_server.new_bucket()
    store = store_for(s3_server.url, bucket, tmp_path, prefix="/tenant-a/")
    store.check()
    data = b"%PDF-1.4 not really\n" + bytes(range(256)) * 5000  # > one multipart chunk? no: 1.2 MB
    sha, path = blob(tmp_path, data)

    assert not store.exists(sha)
    store.put(sha, path)
    store.put(sha, path)  # same bytes again: a no-op
    assert store.exists(sha)
    keys = [item["Key"] for item in s3_server.client().list_objects_v2(Bucket=bucket)["Contents"]]
    assert keys == [f"tenant-a/blobs/{sha[:2]}/{sha}"]

    body = store.open(sha)
    assert body.read() == data
    with store.local_path(sha) as local:
        assert local.read_bytes() == data
        assert local.parent == tmp_path / "scratch"
    assert not local.exists()  # scratch copies are removed

    with pytest.raises(TransientError) as missing, store.local_path("0" * 64):
        pass
    assert missing.value.code == "STORAGE_UNAVAILABLE"
    assert list((tmp_path / "scratch").iterdir()) == []


def test_s3_errors_are_transient_storage_errors(s3_server: MotoServer, aws_credentials: None,
                                                tmp_path: Path) -> None:
    sha, path = blob(tmp_path, b"some bytes")
    no_bucket = store_for(s3_server.url, "no-such-bucket-here", tmp_path)
    with pytest.raises(TransientError) as failed:
        no_bucket.check()
    assert failed.value.code == "STORAGE_UNAVAILABLE"
    # upload_file reports failures as boto3's S3UploadFailedError: still a storage error, not a crash.
    with pytest.raises(TransientError):
        no_bucket.put(sha, path)

    down = store_for(f"http://127.0.0.1:{free_port()}", "bucket", tmp_path)
    for action in (down.check, lambda: down.exists(sha), lambda: down.put(sha, path)):
        with pytest.raises(TransientError) as unreachable:
            action()
        assert unreachable.value.code == "STORAGE_UNAVAILABLE" and unreachable.value.retryable


def test_make_store_reads_the_storage_url(tmp_path: Path, aws_credentials: None) -> None:
    s3 = make_store(Settings(data_dir=tmp_path, storage_url="s3://bucket/some/prefix",
                             s3_endpoint_url="http://127.0.0.1:1"))
    assert isinstance(s3, S3BlobStore) and (s3.bucket, s3.prefix) == ("bucket", "some/prefix/")
    assert isinstance(make_store(Settings(data_dir=tmp_path)), LocalBlobStore)
    with pytest.raises(ValueError):
        make_store(Settings(data_dir=tmp_path, storage_url="bucket-without-scheme"))


def test_api_on_s3_storage_and_readiness_when_s3_goes_down(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                           aws_credentials: None) -> None:
    server = MotoServer(tmp_path / "moto.log").start()  # its own server: this test stops it
    try:
        bucket = server.new_bucket()
        activate(monkeypatch, Env(data_dir=tmp_path / "data", database_url="", storage_url=f"s3://{bucket}"),
                 PAPERCLERK_S3_ENDPOINT_URL=server.url)
        pdf = samples.text_pdf(["Statement of account for S3 storage test, page one.", "Page two."])
        with api_client() as client:
            [document] = upload_and_wait(client, ("statement.pdf", pdf))
            assert document["status"] in ("processed", "needs_review"), document
            assert [page["number"] for page in document["pages"]] == [1, 2]
            downloaded = client.get(f"/api/v1/documents/{document['id']}/file")
            assert downloaded.status_code == 200
            assert downloaded.content == pdf
            assert isinstance(get_store(), S3BlobStore)
            assert server.client().list_objects_v2(Bucket=bucket)["KeyCount"] == 1
            assert not (tmp_path / "data" / "blobs").exists()
            assert client.get("/health/ready").status_code == 200

            server.stop()
            error = assert_error(client.get("/health/ready"), 503, "NOT_READY")
            assert error["details"]["failing"] == ["storage"]
            assert error["details"]["checks"]["database"]["ok"] is True
            # Uploads while storage is down are refused as a temporary condition, not a crash.
            refused = client.post("/api/v1/documents", files=[("files", ("x.txt", b"new bytes", "text/plain"))])
            assert_error(refused, 503, "STORAGE_UNAVAILABLE")
    finally:
        server.stop()
