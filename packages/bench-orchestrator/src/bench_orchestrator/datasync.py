"""Datasets on this machine: a local folder as is, an S3 prefix synced once into a cache.

The sync keeps a manifest (key, ETag, size, SHA-256) next to the files. A
later sync lists the prefix and downloads only objects whose ETag changed or
whose local copy no longer matches its recorded SHA-256; a single-part ETag
(the object's MD5) is checked on download. A file lock makes concurrent cells
on one machine sync once. The dataset's fingerprint (for the content hash of
a cell) comes from the same listing, so it changes exactly when the data does.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from filelock import FileLock

from bench_orchestrator.errors import DataError
from bench_orchestrator.storage import s3_client, split_s3_uri

MANIFEST = ".hyperbench-sync.json"


@dataclass(frozen=True)
class SyncedData:
    """A dataset folder on this machine, its fingerprint and how many files were fetched."""

    path: Path
    fingerprint: str
    downloaded: int


def file_sha256(path: Path) -> str:
    """SHA-256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def local_fingerprint(folder: Path) -> str:
    """A digest of every file's relative path and SHA-256 under ``folder``."""
    if not folder.is_dir():
        raise DataError(f"dataset folder {folder} does not exist")
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and p.name != MANIFEST):
        digest.update(f"{path.relative_to(folder)}\0{file_sha256(path)}\n".encode())
    return digest.hexdigest()


def _listing(client: object, bucket: str, prefix: str) -> dict[str, dict[str, object]]:
    from botocore.exceptions import BotoCoreError, ClientError

    objects: dict[str, dict[str, object]] = {}
    paginator = client.get_paginator("list_objects_v2")  # type: ignore[attr-defined]
    try:
        for page in paginator.paginate(Bucket=bucket, Prefix=f"{prefix}/" if prefix else ""):
            for item in page.get("Contents", []):
                objects[item["Key"]] = {"etag": item["ETag"].strip('"'), "size": item["Size"]}
    except (BotoCoreError, ClientError) as exc:
        raise DataError(f"cannot list s3://{bucket}/{prefix}: {exc}") from exc
    if not objects:
        raise DataError(f"no dataset files under s3://{bucket}/{prefix}")
    return objects


def sync_s3(uri: str, cache_dir: Path, endpoint_url: str | None = None) -> SyncedData:
    """Mirror ``uri`` into ``cache_dir`` (once per machine) and return the local folder."""
    bucket, prefix = split_s3_uri(uri)
    target = cache_dir / "s3" / bucket / prefix
    target.mkdir(parents=True, exist_ok=True)
    client = s3_client(endpoint_url)
    with FileLock(str(target) + ".lock"):
        manifest_path = target / MANIFEST
        manifest = json.loads(manifest_path.read_text()) if manifest_path.is_file() else {}
        listing = _listing(client, bucket, prefix)
        downloaded = 0
        for key, remote in sorted(listing.items()):
            relative = key[len(prefix) + 1 :] if prefix else key
            local = target / relative
            known = manifest.get(relative)
            if (
                known
                and known["etag"] == remote["etag"]
                and local.is_file()
                and file_sha256(local) == known["sha256"]
            ):
                continue
            local.parent.mkdir(parents=True, exist_ok=True)
            partial = local.with_name(local.name + ".partial")
            client.download_file(bucket, key, str(partial))  # type: ignore[attr-defined]
            etag = str(remote["etag"])
            if "-" not in etag and hashlib.md5(partial.read_bytes()).hexdigest() != etag:
                partial.unlink()
                raise DataError(f"s3://{bucket}/{key}: downloaded bytes do not match its ETag")
            partial.replace(local)
            manifest[relative] = {**remote, "sha256": file_sha256(local)}
            downloaded += 1
        manifest_path.write_text(json.dumps(manifest, indent=1, sort_keys=True))
    listed = json.dumps(sorted((k, v["etag"]) for k, v in listing.items()))
    return SyncedData(target, hashlib.sha256(listed.encode()).hexdigest(), downloaded)


def materialize(uri: str, cache_dir: Path, endpoint_url: str | None = None) -> SyncedData:
    """The dataset folder on this machine: synced from S3, or the local folder itself."""
    if uri.startswith("s3://"):
        return sync_s3(uri, cache_dir, endpoint_url)
    folder = Path(uri)
    return SyncedData(folder, local_fingerprint(folder), 0)
