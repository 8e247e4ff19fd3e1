"""Data layer against moto's S3 server on 127.0.0.1: stores, sync once with checksums."""

from __future__ import annotations

import hashlib
import json
from typing import TYPE_CHECKING

import pytest

from bench_orchestrator.datasync import MANIFEST, local_fingerprint, materialize, sync_s3
from bench_orchestrator.errors import DataError
from bench_orchestrator.storage import LocalStore, S3Store, open_store, split_s3_uri

if TYPE_CHECKING:
    from pathlib import Path

    from bench_orchestrator.testing import LocalS3


@pytest.fixture
def bucket(s3: LocalS3, request: pytest.FixtureRequest) -> str:
    name = "data-" + hashlib.md5(request.node.name.encode()).hexdigest()[:10]
    s3.client.create_bucket(Bucket=name)
    return name


def test_split_and_open() -> None:
    assert split_s3_uri("s3://b/a/b/") == ("b", "a/b")
    with pytest.raises(DataError):
        split_s3_uri("s3:///x")
    with pytest.raises(DataError, match="use a local path or s3://"):
        open_store("gs://b/x")


def test_local_and_s3_stores_read_what_they_write(tmp_path: Path, s3: LocalS3, bucket: str) -> None:
    for store in (LocalStore(tmp_path / "out"), S3Store(f"s3://{bucket}/runs/x", s3.url)):
        assert store.read_text("cells/a/state.json") is None
        store.write_text("cells/a/state.json", '{"ok": 1}')
        assert store.read_text("cells/a/state.json") == '{"ok": 1}'
    key = s3.client.get_object(Bucket=bucket, Key="runs/x/cells/a/state.json")
    assert key["Body"].read() == b'{"ok": 1}'


def test_sync_downloads_once_and_repairs_a_corrupted_copy(
    tmp_path: Path, s3: LocalS3, bucket: str
) -> None:
    source = tmp_path / "src"
    (source / "images").mkdir(parents=True)
    (source / "dataset.csv").write_text("id,question\n1,q\n")
    (source / "images" / "1.png").write_bytes(b"\x89PNG fake")
    uri = s3.upload_folder(source, bucket, "ds")
    cache = tmp_path / "cache"

    first = sync_s3(uri, cache, s3.url)
    assert first.downloaded == 2
    assert (first.path / "dataset.csv").read_text() == "id,question\n1,q\n"
    manifest = json.loads((first.path / MANIFEST).read_text())
    assert manifest["images/1.png"]["sha256"] == hashlib.sha256(b"\x89PNG fake").hexdigest()

    again = sync_s3(uri, cache, s3.url)
    assert again.downloaded == 0 and again.fingerprint == first.fingerprint

    (first.path / "images" / "1.png").write_bytes(b"tampered")
    repaired = sync_s3(uri, cache, s3.url)
    assert repaired.downloaded == 1
    assert (first.path / "images" / "1.png").read_bytes() == b"\x89PNG fake"

    s3.client.put_object(Bucket=bucket, Key="ds/dataset.csv", Body=b"id,question\n1,changed\n")
    changed = sync_s3(uri, cache, s3.url)
    assert changed.downloaded == 1 and changed.fingerprint != first.fingerprint


def test_empty_prefix_and_local_folders(tmp_path: Path, s3: LocalS3, bucket: str) -> None:
    with pytest.raises(DataError, match="no dataset files"):
        sync_s3(f"s3://{bucket}/nothing", tmp_path, s3.url)
    folder = tmp_path / "local"
    folder.mkdir()
    (folder / "a.csv").write_text("x")
    local = materialize(str(folder), tmp_path / "cache")
    assert local.path == folder and local.downloaded == 0
    (folder / "a.csv").write_text("y")
    assert local_fingerprint(folder) != local.fingerprint
    with pytest.raises(DataError, match="does not exist"):
        materialize(str(tmp_path / "absent"), tmp_path / "cache")
