"""The image build matrix: CUDA variants, build args, tags and OCI labels.

Pure: no subprocess, no docker. ``plan_images`` turns the workspace, the
``[tool.release-tool.docker]`` settings and the command's choices into an
``ImagePlan`` (one ``ImageBuild`` per variant) that ``--dry-run`` renders and
the builder adapters execute.

Tag scheme (documented in docs/images.md)::

    <registry>/<image>:<version>-<variant>[-<target>]          e.g. hyperbench:0.3.0-cu128
    <registry>/<image>:<version>-<variant>[-<target>]-<sha7>   e.g. hyperbench:0.3.0-cu128-1a2b3c4

``-<target>`` appears for every target but ``runtime``; ``+`` in a local
version becomes ``-`` (``+`` is not allowed in a tag).
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from release_tool.errors import ConfigError, NotFoundError

if TYPE_CHECKING:
    from pathlib import Path

MODES = ("dev", "staging", "prod")
TARGETS = ("base", "deps", "flash-attn", "members", "runtime", "dev")
_TAG_INVALID = re.compile(r"[^A-Za-z0-9_.-]")


@dataclass(frozen=True)
class Variant:
    """One column of the matrix: base images and the torch / flash-attn pairing."""

    name: str
    build_base: str
    runtime_base: str
    python_source: str  # "system" (distribution python) or "managed" (uv's CPython)
    torch_version: str | None = None
    flash_attn_version: str | None = None
    cxx11_abi: str | None = None
    exclude_packages: str = "flash-attn"
    local_wheels: tuple[str, ...] = ()

    @property
    def is_gpu(self) -> bool:
        return self.name != "cpu"


# PyPI's torch 2.6.0 is built for CUDA 12.4 and 2.8.0 for CUDA 12.8, so both
# lock from PyPI alone. flash-attn's wheels follow torch's C++ ABI: torch 2.6
# wheels use the old ABI (FALSE), torch >= 2.7 the new one (TRUE).
VARIANTS: dict[str, Variant] = {
    "cu124": Variant(
        name="cu124",
        build_base="nvidia/cuda:12.4.1-devel-ubuntu22.04",
        runtime_base="nvidia/cuda:12.4.1-base-ubuntu22.04",
        python_source="managed",
        torch_version="2.6.0",
        flash_attn_version="2.7.4.post1",
        cxx11_abi="FALSE",
    ),
    "cu128": Variant(
        name="cu128",
        build_base="nvidia/cuda:12.8.1-devel-ubuntu22.04",
        runtime_base="nvidia/cuda:12.8.1-base-ubuntu22.04",
        python_source="managed",
        torch_version="2.8.0",
        flash_attn_version="2.8.3",
        cxx11_abi="TRUE",
    ),
    # PyPI has no CPU build of torch for Linux: the lock's torch (a CUDA
    # build) and its CUDA-only dependencies are left out and a local
    # torch-*+cpu wheel from docker/wheels/ is installed instead.
    "cpu": Variant(
        name="cpu",
        build_base="debian:bookworm-slim",
        runtime_base="debian:bookworm-slim",
        python_source="system",
        exclude_packages="flash-attn|torch|triton|nvidia-[a-z0-9-]+|cuda-[a-z0-9-]+",
        local_wheels=("torch-*+cpu-*.whl",),
    ),
}


@dataclass(frozen=True)
class ImageBuild:
    """One image to build: variant, target, build args, tags, labels."""

    variant: str
    target: str
    build_args: dict[str, str]
    tags: tuple[str, ...]
    labels: dict[str, str]
    local_wheels: tuple[str, ...] = ()
    secrets: dict[str, str] = field(default_factory=dict)
    """Build secrets (id -> value): inputs that must not key the layer cache (``max_jobs``)."""

    @property
    def primary_tag(self) -> str:
        return self.tags[0]


@dataclass(frozen=True)
class ImagePlan:
    """Everything ``docker build`` will do, in order; ``--dry-run`` renders it."""

    context: Path
    dockerfile: Path
    mode: str
    builder: str
    push: bool
    images: tuple[ImageBuild, ...]
    notes: tuple[str, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class ImageSettings:
    """The ``[tool.release-tool.docker]`` values the plan needs (not the config table itself)."""

    image: str = "hyperbench"
    registry: str | None = None
    dockerfile: str = "docker/Dockerfile-uv"
    packages: tuple[str, ...] = ("bench-utils", "model-qwen-vl")
    extras: tuple[str, ...] = ("serve", "hf")
    python: str = "3.11"
    flash_attn_cuda_archs: str = "80;90"
    max_jobs: int | None = None
    nvcc_threads: int = 2
    base_images: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Revision:
    """The git facts labels and tags are made from."""

    sha: str
    created: str  # ISO 8601 commit date: reproducible, unlike "now"
    source: str | None = None


def parse_variants(text: str) -> tuple[str, ...]:
    """``"cu124,cu128"`` -> ``("cu124", "cu128")``; unknown names are a typed error."""
    names = tuple(dict.fromkeys(part.strip() for part in text.split(",") if part.strip()))
    unknown = [name for name in names if name not in VARIANTS]
    if unknown or not names:
        raise NotFoundError(
            f"unknown CUDA variant(s): {', '.join(unknown) or '(none given)'}",
            hint="choose from " + ", ".join(VARIANTS),
        )
    return names


def image_tags(
    settings: ImageSettings, version: str, variant: str, target: str, sha: str
) -> tuple[str, ...]:
    """The tags of one image: ``<version>-<variant>[-<target>]`` and the same plus ``-<sha7>``."""
    repo = settings.image
    if settings.registry:
        repo = f"{settings.registry.rstrip('/')}/{settings.image}"
    suffix = "" if target == "runtime" else f"-{target}"
    base = _TAG_INVALID.sub("-", f"{version}-{variant}{suffix}")
    tags = [f"{repo}:{base}"]
    if sha:
        tags.append(f"{repo}:{base}-{sha[:7]}")
    return tuple(tags)


def oci_labels(
    settings: ImageSettings, version: str, revision: Revision, variant: str, mode: str, target: str
) -> dict[str, str]:
    """OCI annotations (version, revision, source, created) plus our variant/mode/target."""
    labels = {
        "org.opencontainers.image.title": settings.image,
        "org.opencontainers.image.version": version,
        "org.opencontainers.image.revision": revision.sha,
        "org.opencontainers.image.created": revision.created,
        "io.hyperbench.variant": variant,
        "io.hyperbench.mode": mode,
        "io.hyperbench.target": target,
    }
    if revision.source:
        labels["org.opencontainers.image.source"] = revision.source
    return labels


def label_args(version: str, revision: Revision) -> dict[str, str]:
    """Build args of the Dockerfile's final ``LABEL`` (what changes with every commit).

    ``--label`` alone is not enough with buildah: a fully cached build
    returns the earlier image, old labels included.
    """
    return {
        "IMAGE_VERSION": version,
        "IMAGE_REVISION": revision.sha,
        "IMAGE_CREATED": revision.created,
        "IMAGE_SOURCE": revision.source or "",
    }


def build_args(
    settings: ImageSettings,
    variant: Variant,
    *,
    mode_dir: str,
    member_names: tuple[str, ...],
    lock_extras: frozenset[str],
    memory_gib: float | None = None,
) -> dict[str, str]:
    """The ``--build-arg`` values selecting a variant and a mode's lock."""
    dev = mode_dir == "."
    select = [f"--package {name}" for name in settings.packages] if dev else []
    # A lock extra named like the variant (e.g. `cu128` pinning torch) is selected too.
    extras = [*settings.extras, variant.name]
    select += [f"--extra {extra}" for extra in extras if extra in lock_extras]
    if dev:
        no_emit = "--no-emit-workspace"
    else:
        no_emit = " ".join(["--no-emit-project", *(f"--no-emit-package {m}" for m in member_names)])
    bases = settings.base_images
    args = {
        "BUILD_BASE_IMAGE": bases.get(f"{variant.name}-build", variant.build_base),
        "RUNTIME_BASE_IMAGE": bases.get(f"{variant.name}-runtime", variant.runtime_base),
        "PYTHON_VERSION": settings.python,
        "PYTHON_SOURCE": variant.python_source,
        "MODE_DIR": mode_dir,
        "UV_SELECT": " ".join(select),
        "UV_NO_EMIT_MEMBERS": no_emit,
        "EXCLUDE_PACKAGES": variant.exclude_packages,
        "LOCAL_WHEELS": " ".join(variant.local_wheels),
        "CUDA": variant.name,
    }
    if variant.is_gpu:
        args |= {
            "TORCH_VERSION": variant.torch_version or "",
            "FLASH_ATTN_VERSION": variant.flash_attn_version or "",
            "CXX11_ABI": variant.cxx11_abi or "TRUE",
            "FLASH_ATTN_CUDA_ARCHS": settings.flash_attn_cuda_archs,
            "NVCC_THREADS": str(settings.nvcc_threads),
        }
    return args


def public_url(url: str | None) -> str | None:
    """``url`` without credentials: ``https://user:token@host/x`` -> ``https://host/x``.

    A remote URL may carry a token; what goes into labels, ``IMAGE_SOURCE``
    and ``build.json`` is public.
    """
    if not url:
        return url
    return re.sub(r"^([a-z][a-z0-9+.-]*://)[^/@]*@", r"\1", url, flags=re.IGNORECASE)


def max_jobs_for(memory_gib: float | None, nvcc_threads: int) -> int:
    """nvcc needs about 5 GB per job and thread: the most jobs that fit in memory."""
    if not memory_gib:
        return 1
    return max(1, int(memory_gib // (5 * max(1, nvcc_threads))))


def lock_facts(
    lock_path: Path, packages: tuple[str, ...], *, root_only: bool = False
) -> tuple[frozenset[str], dict[str, str]]:
    """Extras the selected packages define, and every locked version by name.

    ``root_only`` (a pinned mode): only the mode's own project's extras. Its
    members' extras are chosen in its dependency list (``bench-utils[serve]``,
    as ``init`` writes it); ``uv export --extra`` names the root project's.
    """
    try:
        lock = tomllib.loads(lock_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise NotFoundError(f"{lock_path}: no uv.lock", hint="run `uv lock` first") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{lock_path}: not valid TOML: {exc}") from None
    extras: set[str] = set()
    versions: dict[str, str] = {}
    for package in lock.get("package", []):
        name = package.get("name", "")
        versions.setdefault(name, package.get("version", ""))
        is_root = package.get("source", {}).get("virtual") == "."
        if is_root or (not root_only and (not packages or name in packages)):
            extras.update(package.get("optional-dependencies", {}))
            extras.update(package.get("metadata", {}).get("provides-extras", []))
    return frozenset(extras), versions


def plan_images(
    settings: ImageSettings,
    *,
    root: Path,
    mode: str,
    mode_dir: str,
    variants: tuple[str, ...],
    target: str,
    builder: str,
    version: str | None,
    revision: Revision,
    member_names: tuple[str, ...],
    push: bool = False,
    memory_gib: float | None = None,
) -> ImagePlan:
    """The images ``release-tool docker build`` makes: one per variant, in the order given."""
    if mode not in MODES:
        raise NotFoundError(f"unknown mode {mode!r}", hint="choose from " + ", ".join(MODES))
    if target not in TARGETS:
        raise NotFoundError(f"unknown target {target!r}", hint="choose from " + ", ".join(TARGETS))
    dockerfile = root / settings.dockerfile
    if not dockerfile.is_file():
        raise NotFoundError(
            f"{dockerfile}: no Dockerfile", hint="set [tool.release-tool.docker] dockerfile"
        )
    lock_dir = root / mode_dir
    dev = mode == "dev"
    extras, versions = lock_facts(
        lock_dir / "uv.lock", settings.packages if dev else (), root_only=not dev
    )
    missing = [name for name in settings.packages if mode == "dev" and name not in versions]
    if missing:
        raise NotFoundError(
            f"{lock_dir / 'uv.lock'}: no package(s) {', '.join(missing)} to put in the image",
            hint="set [tool.release-tool.docker] packages to workspace members",
        )
    revision = Revision(revision.sha, revision.created, public_url(revision.source))
    if version is None:
        # the release version: what the mode's lock holds for the image's first package
        version = versions.get(settings.packages[0], "") if settings.packages else ""
        version = version or "0.0.0"
    notes: list[str] = []
    images = []
    for name in variants:
        variant = VARIANTS[name]
        pinned_by_extra = name in extras  # an extra named like the variant pins its torch
        torch = versions.get("torch")
        if variant.is_gpu and not pinned_by_extra and torch and torch != variant.torch_version:
            notes.append(
                f"{name}: uv.lock has torch {versions['torch']}, flash-attn is built for "
                f"torch {variant.torch_version} (add a `{name}` extra pinning torch to lock both)"
            )
        args = build_args(
            settings,
            variant,
            mode_dir=mode_dir,
            member_names=member_names,
            lock_extras=extras,
            memory_gib=memory_gib,
        ) | label_args(version, revision)
        images.append(
            ImageBuild(
                variant=name,
                target=target,
                build_args=args,
                tags=image_tags(settings, version, name, target, revision.sha),
                labels=oci_labels(settings, version, revision, name, mode, target),
                local_wheels=variant.local_wheels,
                secrets={
                    "max_jobs": str(
                        settings.max_jobs or max_jobs_for(memory_gib, settings.nvcc_threads)
                    )
                },
            )
        )
    return ImagePlan(
        context=root,
        dockerfile=dockerfile,
        mode=mode,
        builder=builder,
        push=push,
        images=tuple(images),
        notes=tuple(notes),
    )


def plan_as_dict(plan: ImagePlan) -> dict[str, object]:
    """Plain data for ``--json`` and ``--dry-run``."""
    return {
        "context": str(plan.context),
        "dockerfile": str(plan.dockerfile),
        "mode": plan.mode,
        "builder": plan.builder,
        "push": plan.push,
        "notes": list(plan.notes),
        "images": [
            {
                "variant": image.variant,
                "target": image.target,
                "tags": list(image.tags),
                "build_args": dict(image.build_args),
                "labels": dict(image.labels),
                "local_wheels": list(image.local_wheels),
                "secrets": sorted(image.secrets),
            }
            for image in plan.images
        ],
    }


_ARG_LINE = re.compile(r"^ARG (?P<name>[A-Z0-9_]+)(?:=(?P<value>.*))?$", re.MULTILINE)


def render_dockerfile(text: str, build_args: dict[str, str]) -> str:
    """The Dockerfile with each ``ARG`` default set to a variant's value.

    What a builder sees for that variant, as one file: linted per variant in
    the tests, and usable with builders that take no ``--build-arg``.
    """

    def replace(match: re.Match[str]) -> str:
        name = match.group("name")
        if name not in build_args:
            return match.group(0)
        value = build_args[name].replace("\\", "\\\\").replace('"', '\\"')
        return f'ARG {name}="{value}"'

    return _ARG_LINE.sub(replace, text)


def dockerfile_args(text: str) -> set[str]:
    """Every build arg the Dockerfile declares."""
    return {match.group("name") for match in _ARG_LINE.finditer(text)}
