"""LocalStore and S3Store (against moto's real S3 server) pass the same contract."""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest

from domain.errors import StorageError
from pipelines.settings import load_settings
from pipelines.storage import LocalStore, ObjectStore, S3Store, open_store

BLOB = bytes(range(256)) * 64 + random.Random(7).randbytes(5000)  # binary, every byte value


@pytest.fixture(params=["local", "s3"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ObjectStore]:
    if request.param == "local":
        yield LocalStore(tmp_path / "objects")
    else:
        endpoint = request.getfixturevalue("s3_endpoint")
        yield S3Store(f"t-{uuid.uuid4().hex[:12]}", endpoint, create_bucket=True)


def test_put_get_binary_roundtrip(store: ObjectStore) -> None:
    store.put_bytes("scans/2024/a.tif", BLOB, content_type="image/tiff")
    assert store.get_bytes("scans/2024/a.tif") == BLOB
    store.put_bytes("scans/2024/a.tif", b"second")  # overwrite
    assert store.get_bytes("scans/2024/a.tif") == b"second"


def test_exists_list_delete(store: ObjectStore) -> None:
    keys = ["in/b/2.pdf", "in/a/1.pdf", "in/a/deep/er/3.png", "out/x.pdf", "top.txt"]
    for key in keys:
        store.put_bytes(key, key.encode())
    assert store.exists("in/a/1.pdf")
    assert not store.exists("in/a/missing.pdf")
    assert not store.exists("in/a")  # a "folder" is not an object
    assert list(store.list("in/")) == ["in/a/1.pdf", "in/a/deep/er/3.png", "in/b/2.pdf"]
    assert list(store.list("in/a/")) == ["in/a/1.pdf", "in/a/deep/er/3.png"]
    assert sorted(store.list()) == sorted(keys)
    store.delete("in/a/1.pdf")
    store.delete("in/a/1.pdf")  # idempotent
    assert not store.exists("in/a/1.pdf")
    assert "in/a/1.pdf" not in list(store.list("in/"))


def test_missing_key_is_a_storage_error(store: ObjectStore) -> None:
    with pytest.raises(StorageError, match="not found"):
        store.get_bytes("nope/never.bin")


@pytest.mark.parametrize("key", ["", "/abs", "a/../b", "../x", "a//b", "./a", "a/", "a\\b"])
def test_unsafe_keys_rejected(store: ObjectStore, key: str) -> None:
    with pytest.raises(StorageError, match="invalid object key"):
        store.put_bytes(key, b"x")


def test_url_names_the_object(store: ObjectStore) -> None:
    url = store.url("a/b.pdf")
    assert url.endswith("/a/b.pdf")
    assert url.startswith(("file://", "s3://"))


def test_local_writes_leave_no_temp_files(tmp_path: Path) -> None:
    local = LocalStore(tmp_path)
    for i in range(5):
        local.put_bytes("k/v.bin", bytes([i]) * 100)
    assert [p.name for p in (tmp_path / "k").iterdir()] == ["v.bin"]
    assert (tmp_path / "k" / "v.bin").read_bytes() == bytes([4]) * 100


def test_s3_keeps_content_type(s3_endpoint: str) -> None:
    bucket = f"t-{uuid.uuid4().hex[:12]}"
    S3Store(bucket, s3_endpoint, create_bucket=True).put_bytes("a.pdf", b"%PDF", "application/pdf")
    head = boto3.client("s3", endpoint_url=s3_endpoint).head_object(Bucket=bucket, Key="a.pdf")
    assert head["ContentType"] == "application/pdf"


def test_s3_missing_bucket_not_created_unless_told(s3_endpoint: str) -> None:
    store = S3Store(f"t-{uuid.uuid4().hex[:12]}", s3_endpoint)
    with pytest.raises(StorageError):
        store.put_bytes("a.bin", b"x")


def test_open_store_follows_settings(tmp_path: Path, s3_endpoint: str) -> None:
    local = open_store(load_settings({"HOCBA_STATE_DIR": str(tmp_path)}))
    assert isinstance(local, LocalStore) and local.root == tmp_path / "objects"
    env = {
        "HOCBA_STATE_DIR": str(tmp_path),
        "HOCBA_S3_ENDPOINT": s3_endpoint,
        "HOCBA_S3_BUCKET": f"t-{uuid.uuid4().hex[:12]}",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
    }
    remote = open_store(load_settings(env))  # development: bucket created on demand
    assert isinstance(remote, S3Store)
    remote.put_bytes("x/y", b"1")
    assert remote.get_bytes("x/y") == b"1"
