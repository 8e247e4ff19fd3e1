"""Helpers for tests and benchmarks: a mode folder locked for the tiny models, a local S3.

``write_test_mode`` makes what ``prod/`` is in a real workspace: a project
whose uv.lock installs bench-utils[serve] and model-qwen-vl[hf] (from this
checkout, editable) with the CPU torch wheel, so the ``process`` manager
syncs a real venv from a real lock. ``LocalS3`` runs moto's S3 in server mode
on 127.0.0.1.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from typing import TYPE_CHECKING, Any, Self

from model_qwen_vl.testing.provision import PINNED, torch_requirement

if TYPE_CHECKING:
    from pathlib import Path

S3_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
}


def write_test_mode(folder: Path, packages_root: Path) -> Path:
    """Write and lock a mode folder (pyproject.toml + uv.lock) for the tiny Qwen models."""
    folder.mkdir(parents=True, exist_ok=True)
    torch = torch_requirement()
    torch_dep, torch_source = (
        ("torch", f'torch = {{ path = "{torch}" }}\n') if torch.endswith(".whl") else (torch, "")
    )
    members = ("bench-utils", "model-interface", "model-qwen-vl")
    sources = "".join(
        f'{name} = {{ path = "{packages_root / name}", editable = true }}\n' for name in members
    )
    deps = ["bench-utils[serve]", "model-qwen-vl[hf]", torch_dep, *PINNED]
    (folder / "pyproject.toml").write_text(
        '[project]\nname = "hyperbench-test-mode"\nversion = "0.0.0"\n'
        'requires-python = ">=3.11"\ndependencies = [\n'
        + "".join(f'    "{dep}",\n' for dep in deps)
        + "]\n\n[tool.uv]\npackage = false\n"
        "environments = [\"sys_platform == 'linux' and platform_machine == 'x86_64'\"]\n\n"
        "[tool.uv.sources]\n" + sources + torch_source,
        encoding="utf-8",
    )
    uv = os.environ.get("UV") or shutil.which("uv") or "uv"
    env = {k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"}
    result = subprocess.run(
        [uv, "lock", "--project", str(folder)], capture_output=True, text=True, env=env
    )
    if result.returncode != 0:
        raise RuntimeError(f"uv lock of the test mode failed:\n{result.stderr[-3000:]}")
    return folder


class LocalS3:
    """``with LocalS3() as s3:`` moto's S3 server on 127.0.0.1; ``s3.client`` is boto3's."""

    def __init__(self) -> None:
        from moto.server import ThreadedMotoServer

        from bench_orchestrator.envs.process import free_port

        for key, value in S3_ENV.items():
            os.environ.setdefault(key, value)
        self.port = free_port()
        self.server = ThreadedMotoServer(ip_address="127.0.0.1", port=self.port, verbose=False)
        self.client: Any = None

    @property
    def url(self) -> str:
        """The endpoint URL for ``s3_endpoint_url``."""
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> Self:
        from bench_orchestrator.storage import s3_client

        self.server.start()
        self.client = s3_client(self.url)
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.server.stop()

    def upload_folder(self, folder: Path, bucket: str, prefix: str) -> str:
        """Upload every file under ``folder``; return the ``s3://`` URI of the prefix."""
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            key = f"{prefix}/{path.relative_to(folder).as_posix()}"
            self.client.upload_file(str(path), bucket, key)
        return f"s3://{bucket}/{prefix}"
