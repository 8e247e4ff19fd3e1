"""Local base images for buildah on hosts that cannot pull from registries.

The cpu variant builds ``FROM debian:bookworm-slim`` and copies uv from
``ghcr.io/astral-sh/uv:<ver>``. Where no registry is reachable, these make
the same names locally: a Debian minbase rootfs from the host's own Debian
mirror (mmdebstrap), imported with ``buildah from scratch`` + ``add`` +
``commit``, and a scratch image holding the ``uv``/``uvx`` binaries of the
pinned version. The host's CA bundle goes into the Debian base so TLS through
an intercepting proxy works inside builds. Everything is cached: the rootfs
tarball on disk, the images in buildah's storage.
"""

from __future__ import annotations

import os
import pwd
import re
import shutil
import subprocess
import tempfile
import zipfile
from pathlib import Path

from release_tool.adapters.docker import ImageBuildError

DEBIAN_IMAGE = "docker.io/library/debian:bookworm-slim"
UV_IMAGE = "ghcr.io/astral-sh/uv:{version}"
HOST_CA_BUNDLE = Path("/etc/ssl/certs/ca-certificates.crt")
HOST_EXTRA_CAS = Path("/usr/local/share/ca-certificates")
# Like the official slim images: no docs, man pages or locales.
_SLIM_DPKG = [
    "path-exclude=/usr/share/doc/*",
    "path-include=/usr/share/doc/*/copyright",
    "path-exclude=/usr/share/man/*",
    "path-exclude=/usr/share/info/*",
    "path-exclude=/usr/share/locale/*",
]


def default_cache_dir() -> Path:
    """``$XDG_CACHE_HOME`` or the account's real ``~/.cache`` (not a test's temp HOME)."""
    base = os.environ.get("XDG_CACHE_HOME")
    root = Path(base) if base else Path(pwd.getpwuid(os.getuid()).pw_dir) / ".cache"
    return root / "release-tool" / "images"


def ensure_buildah(*, install: bool = True) -> None:
    """Install buildah and mmdebstrap with apt when missing (root only)."""
    if shutil.which("buildah") and shutil.which("mmdebstrap"):
        return
    if not install or os.geteuid() != 0 or not shutil.which("apt-get"):
        raise ImageBuildError(
            "buildah/mmdebstrap are missing", hint="apt-get install -y buildah mmdebstrap (as root)"
        )
    env = os.environ | {"DEBIAN_FRONTEND": "noninteractive"}
    for cmd in (["apt-get", "update"], ["apt-get", "install", "-y", "buildah", "mmdebstrap"]):
        done = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
        if done.returncode != 0:
            raise ImageBuildError(f"`{' '.join(cmd)}` failed:\n{done.stderr[-2000:]}")


def image_exists(name: str) -> bool:
    """Whether buildah's local storage holds an image called ``name``."""
    done = subprocess.run(
        ["buildah", "inspect", "--type", "image", name], capture_output=True, check=False
    )
    return done.returncode == 0


def debian_mirror(sources_dir: Path = Path("/etc/apt")) -> str:
    """The Debian archive URL apt already uses (deb822 or one-line sources)."""
    texts = []
    for path in [sources_dir / "sources.list", *sorted(sources_dir.glob("sources.list.d/*"))]:
        if path.is_file() and path.suffix in {".list", ".sources", ""}:
            texts.append(path.read_text(encoding="utf-8", errors="replace"))
    for text in texts:
        for url in re.findall(r"(?:^URIs:|^deb)\s+(?:\[[^]]*\]\s+)?(\S+)", text, re.MULTILINE):
            if url.rstrip("/").endswith("/debian"):
                return url
    return "http://deb.debian.org/debian"


def ensure_debian_base(
    cache_dir: Path, *, name: str = DEBIAN_IMAGE, suite: str = "bookworm", mirror: str | None = None
) -> str:
    """Make ``name`` from a cached minbase rootfs unless it already exists; return it."""
    if image_exists(name):
        return name
    cache_dir.mkdir(parents=True, exist_ok=True)
    tarball = cache_dir / f"{suite}-minbase-slim.tar"
    if not tarball.is_file():
        partial = tarball.with_suffix(".partial.tar")
        cmd = ["mmdebstrap", "--variant=minbase", "--quiet"]
        cmd += [f"--dpkgopt={option}" for option in _SLIM_DPKG]
        cmd += [suite, str(partial), mirror or debian_mirror()]
        _check(cmd)
        partial.rename(tarball)
    container = _check(["buildah", "from", "scratch"]).strip()
    try:
        _check(["buildah", "add", container, str(tarball), "/"])
        if HOST_CA_BUNDLE.is_file():
            _check(["buildah", "add", container, str(HOST_CA_BUNDLE), str(HOST_CA_BUNDLE)])
        if HOST_EXTRA_CAS.is_dir():
            _check(["buildah", "add", container, f"{HOST_EXTRA_CAS}/", f"{HOST_EXTRA_CAS}/"])
        path = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
        _check(["buildah", "config", "--env", path, "--cmd", '["bash"]', container])
        _check(["buildah", "commit", "--quiet", "--format", "docker", container, name])
    finally:
        subprocess.run(["buildah", "rm", container], capture_output=True, check=False)
    return name


def ensure_uv_image(version: str, cache_dir: Path) -> str:
    """Make ``ghcr.io/astral-sh/uv:<version>`` (``/uv``, ``/uvx``) unless it exists; return it."""
    name = UV_IMAGE.format(version=version)
    if image_exists(name):
        return name
    binaries = _uv_binaries(version, cache_dir)
    container = _check(["buildah", "from", "scratch"]).strip()
    try:
        for binary in binaries:
            _check(["buildah", "add", "--chmod", "755", container, str(binary), f"/{binary.name}"])
        _check(["buildah", "config", "--entrypoint", '["/uv"]', container])
        _check(["buildah", "commit", "--quiet", "--format", "docker", container, name])
    finally:
        subprocess.run(["buildah", "rm", container], capture_output=True, check=False)
    return name


def _uv_binaries(version: str, cache_dir: Path) -> list[Path]:
    """The host's uv when it is that version, else the binaries of the PyPI wheel."""
    host = shutil.which("uv")
    if host:
        done = subprocess.run([host, "--version"], capture_output=True, text=True, check=False)
        real = Path(os.path.realpath(host))
        uvx = real.with_name("uvx")
        if done.stdout.split()[1:2] == [version] and uvx.is_file():
            return [real, uvx]
    target = cache_dir / f"uv-{version}"
    if not (target / "uv").is_file():
        with tempfile.TemporaryDirectory() as tmp:
            pip = ["python3", "-m", "pip", "download", "--quiet", "--no-deps", "--dest", tmp]
            platform = ["--only-binary=:all:", "--platform", "musllinux_1_1_x86_64"]
            _check([*pip, *platform, f"uv=={version}"])
            wheel = next(Path(tmp).glob("uv-*.whl"))
            target.mkdir(parents=True, exist_ok=True)
            with zipfile.ZipFile(wheel) as archive:
                for member in archive.namelist():
                    if member.endswith(("/scripts/uv", "/scripts/uvx")):
                        (target / Path(member).name).write_bytes(archive.read(member))
    return [target / "uv", target / "uvx"]


def _check(cmd: list[str]) -> str:
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise ImageBuildError(f"`{' '.join(cmd[:4])} ...` failed:\n{done.stderr[-2000:]}")
    return done.stdout
