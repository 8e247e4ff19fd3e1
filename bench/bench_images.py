"""Image build benchmark: cold/warm/source-only build times, sizes, smoke latency (buildah, cpu).

Run as root on a host with buildah (or where it can be installed):

    uv run python bench/bench_images.py [--cold] > /tmp/images.md

Works on a copy of this repository (tracked and untracked files, committed
in a fresh repo) so nothing here is touched. ``--cold`` also times a build
with ``--no-cache`` (no layer reuse; the uv download cache mount stays warm,
so PyPI transfer is not in that figure). Prints a Markdown report.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from release_tool.adapters import buildah_bases
from release_tool.adapters.docker import BuildahBuilder, BuildRequest, buildah_command
from release_tool.adapters.image_smoke import smoke_image
from release_tool.testing.cli import run_cli

REPO = Path(__file__).resolve().parents[1]
GIT_ENV = os.environ | {
    "GIT_AUTHOR_NAME": "bench", "GIT_AUTHOR_EMAIL": "bench@example.org",
    "GIT_COMMITTER_NAME": "bench", "GIT_COMMITTER_EMAIL": "bench@example.org",
}  # fmt: skip


def git(cwd: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", *args], cwd=cwd, env=GIT_ENV, capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


def copy_repo(dest: Path) -> Path:
    files = git(REPO, "ls-files", "-z", "--cached", "--others", "--exclude-standard").split("\0")
    for rel in filter(None, files):
        if (REPO / rel).is_file():
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / rel, dest / rel)
    git(dest, "init", "--quiet", "--initial-branch", "main")
    git(dest, "add", "-A")
    git(dest, "commit", "--quiet", "-m", "bench")
    return dest


def local_name(tag: str) -> str:
    """buildah stores a short name (no registry) under ``localhost/``."""
    return tag if "/" in tag.split(":")[0] else f"localhost/{tag}"


def cli_build(ws: Path, *args: str) -> tuple[dict, float]:
    started = time.monotonic()
    command = ("docker", "build", "--mode", "dev", "--cuda", "cpu", "--builder", "buildah")
    result = run_cli(*command, "--json", *args, cwd=ws)
    seconds = time.monotonic() - started
    if result.exit_code != 0:
        sys.exit(result.stderr[-4000:])
    return json.loads(result.stdout)["built"][0], seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cold", action="store_true", help="also time a --no-cache build")
    args = parser.parse_args()
    rows: list[tuple[str, str]] = []
    started = time.monotonic()
    buildah_bases.ensure_buildah()
    cache = buildah_bases.default_cache_dir()
    uv_version = re.search(
        r"^ARG UV_VERSION=(\S+)$", (REPO / "docker/Dockerfile-uv").read_text(), re.M
    )
    assert uv_version
    buildah_bases.ensure_debian_base(cache)
    buildah_bases.ensure_uv_image(uv_version.group(1), cache)
    rows.append(
        (
            "bootstrap (buildah, debian base, uv image; 0 when cached)",
            f"{time.monotonic() - started:.1f} s",
        )
    )
    with tempfile.TemporaryDirectory() as tmp:
        ws = copy_repo(Path(tmp) / "ws")
        first, seconds = cli_build(ws)
        rows.append(
            (
                "build runtime through the tool (cache as found)",
                f"{seconds:.1f} s, {first['cached_steps']}/{first['steps']} steps cached",
            )
        )
        again, seconds = cli_build(ws)
        rows.append(
            (
                "rebuild, nothing changed",
                f"{seconds:.1f} s, {again['cached_steps']}/{again['steps']} steps cached",
            )
        )
        init = ws / "packages/bench-utils/src/bench_utils/__init__.py"
        init.write_text(init.read_text() + f'\nBENCH_PROBE = "{uuid.uuid4().hex}"\n')
        git(ws, "commit", "--quiet", "-am", "source-only change")
        probe, seconds = cli_build(ws)
        rows.append(
            (
                "rebuild after a source-only change",
                f"{seconds:.1f} s, {probe['cached_steps']}/{probe['steps']} steps cached",
            )
        )
        if args.cold:
            plan = json.loads(
                run_cli(
                    "docker",
                    "build",
                    "--mode",
                    "dev",
                    "--cuda",
                    "cpu",
                    "--builder",
                    "buildah",
                    "--dry-run",
                    "--json",
                    cwd=ws,
                ).stdout
            )
            image = plan["images"][0]
            request = BuildRequest(
                ws,
                ws / "docker/Dockerfile-uv",
                "runtime",
                image["build_args"],
                ("localhost/bench-nocache:cpu",),
                {},
            )
            command = buildah_command(request)
            command.insert(2, "--no-cache")
            began = time.monotonic()
            subprocess.run(command, cwd=ws, check=True, capture_output=True)
            rows.append(
                (
                    "build runtime with --no-cache (uv download cache warm)",
                    f"{time.monotonic() - began:.1f} s",
                )
            )
            subprocess.run(
                ["buildah", "rmi", "localhost/bench-nocache:cpu"], capture_output=True, check=False
            )
        base, _ = cli_build(ws, "--target", "base", "--image", "bench-devel")
        devel, _ = cli_build(
            ws,
            "--image",
            "bench-devel",
            "--build-arg",
            f"RUNTIME_BASE_IMAGE={local_name(base['tags'][0])}",
        )
        builder = BuildahBuilder()
        slim_info = builder.inspect(first["tags"][0])
        devel_info = builder.inspect(devel["tags"][0])
        rows.append(
            (
                "runtime image, slim base (debian minbase + python3.11)",
                f"{slim_info.size_bytes / 1e6:.0f} MB",
            )
        )
        rows.append(
            (
                "same packages on the devel-style base (toolchain, -dev headers, git)",
                f"{devel_info.size_bytes / 1e6:.0f} MB",
            )
        )
        for size, step in zip(slim_info.layer_sizes, slim_info.history, strict=False):
            label = " ".join(step.split())[:70]
            rows.append((f"  layer: `{label.replace('|', '/')}`", f"{size / 1e6:.1f} MB"))
        models = Path(tmp) / "models"
        models.mkdir()
        models.chmod(0o777)
        container = subprocess.run(
            ["buildah", "from", "--pull=never", "--quiet", first["tags"][0]],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        subprocess.run(
            [
                "buildah",
                "run",
                "--isolation",
                "chroot",
                "--volume",
                f"{models}:/out",
                container,
                "--",
                "python",
                "-m",
                "model_qwen_vl.testing.tiny",
                "--family",
                "qwen2_5_vl",
                "--out",
                "/out/model",
            ],
            capture_output=True,
            check=True,
        )
        subprocess.run(["buildah", "rm", container], capture_output=True, check=False)
        began = time.monotonic()
        smoke = smoke_image(
            builder,
            probe["tags"][0],
            volumes={str(models / "model"): "/models/model"},
            prompt="Hello",
        )
        rows.append(
            ("smoke: start to healthy (tiny Qwen2.5-VL, CPU)", f"{smoke.startup_seconds:.1f} s")
        )
        rows.append(
            ("smoke: whole check incl. one chat answer", f"{time.monotonic() - began:.1f} s")
        )
        subprocess.run(["buildah", "rmi", probe["tags"][1]], capture_output=True, check=False)
    print(
        f"Machine: {platform.node()}, {os.cpu_count()} cores, {platform.platform()}; buildah "
        + subprocess.run(["buildah", "--version"], capture_output=True, text=True).stdout.split()[2]
    )
    print()
    print("| measurement | value |")
    print("|---|---|")
    for name, value in rows:
        print(f"| {name} | {value} |")


if __name__ == "__main__":
    main()
