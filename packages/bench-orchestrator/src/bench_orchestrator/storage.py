"""Where outputs live: a local folder or an S3 prefix, behind one small interface.

Keys are ``/``-separated paths relative to the store's root (the
experiment's ``output``). S3 goes through boto3; ``s3_endpoint_url`` points
it at any S3-compatible server (MinIO, moto on 127.0.0.1 in the tests).
"""

from __future__ import annotations

import os
from abc import ABC, abstractmethod
from pathlib import Path
from typing import Any

from bench_orchestrator.errors import DataError


def split_s3_uri(uri: str) -> tuple[str, str]:
    """``s3://bucket/a/b`` -> (``bucket``, ``a/b``)."""
    if not uri.startswith("s3://"):
        raise DataError(f"not an S3 URI: {uri}")
    bucket, _, prefix = uri[len("s3://") :].partition("/")
    if not bucket:
        raise DataError(f"S3 URI without a bucket: {uri}")
    return bucket, prefix.strip("/")


def s3_client(endpoint_url: str | None) -> Any:
    """A boto3 S3 client; credentials and region come from the usual AWS variables."""
    import boto3

    return boto3.client(
        "s3",
        endpoint_url=endpoint_url,
        region_name=os.environ.get("AWS_DEFAULT_REGION", "us-east-1"),
    )


class Store(ABC):
    """Read and write files by key under one root."""

    uri: str

    @abstractmethod
    def read_bytes(self, key: str) -> bytes | None:
        """The file's bytes, or ``None`` when it does not exist."""

    @abstractmethod
    def write_bytes(self, key: str, data: bytes) -> None:
        """Create or replace the file."""

    def read_text(self, key: str) -> str | None:
        """The file as UTF-8 text, or ``None``."""
        data = self.read_bytes(key)
        return None if data is None else data.decode("utf-8")

    def write_text(self, key: str, text: str) -> None:
        """Write UTF-8 text."""
        self.write_bytes(key, text.encode("utf-8"))

    def upload(self, key: str, path: Path) -> None:
        """Copy a local file to ``key``."""
        self.write_bytes(key, path.read_bytes())

    def location(self, key: str) -> str:
        """A human-readable address of ``key``."""
        return f"{self.uri.rstrip('/')}/{key}"


class LocalStore(Store):
    """A folder on this machine (or a shared file system)."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)
        self.uri = str(self.root)

    def read_bytes(self, key: str) -> bytes | None:
        """The file's bytes, or ``None``."""
        path = self.root / key
        return path.read_bytes() if path.is_file() else None

    def write_bytes(self, key: str, data: bytes) -> None:
        """Write through a temporary file and rename, so a kill never leaves half a file."""
        path = self.root / key
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(path.name + ".partial")
        partial.write_bytes(data)
        partial.replace(path)


class S3Store(Store):
    """A prefix in an S3 bucket."""

    def __init__(self, uri: str, endpoint_url: str | None = None) -> None:
        self.uri = uri
        self.bucket, self.prefix = split_s3_uri(uri)
        self.client = s3_client(endpoint_url)

    def _key(self, key: str) -> str:
        return f"{self.prefix}/{key}" if self.prefix else key

    def read_bytes(self, key: str) -> bytes | None:
        """The object's bytes, or ``None`` when there is no such key."""
        from botocore.exceptions import ClientError

        try:
            response = self.client.get_object(Bucket=self.bucket, Key=self._key(key))
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
                return None
            raise DataError(f"cannot read {self.location(key)}: {exc}") from exc
        return bytes(response["Body"].read())

    def write_bytes(self, key: str, data: bytes) -> None:
        """Put the object (S3 puts are atomic)."""
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            self.client.put_object(Bucket=self.bucket, Key=self._key(key), Body=data)
        except (BotoCoreError, ClientError) as exc:
            raise DataError(f"cannot write {self.location(key)}: {exc}") from exc


def open_store(uri: str, s3_endpoint_url: str | None = None) -> Store:
    """The store for a local path or an ``s3://`` URI."""
    if uri.startswith("s3://"):
        return S3Store(uri, s3_endpoint_url)
    if "://" in uri:
        raise DataError(f"unsupported output location {uri} (use a local path or s3://)")
    return LocalStore(uri)
