"""``release-tool docker build|smoke``: build the image matrix, smoke-test a runtime image."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import click

from release_tool.cli.options import flag, json_option, pass_state

if TYPE_CHECKING:
    from release_tool.cli.context import AppState
    from release_tool.cli.terminal import Terminal
    from release_tool.core.images import ImagePlan, ImageSettings, Revision
    from release_tool.core.workspace import Workspace


@click.group("docker")
def docker_app() -> None:
    """Build and smoke-test the workspace's container images."""


def register(app: click.Group) -> None:
    app.add_command(docker_app)


@docker_app.command("build")
@click.option(
    "--mode", default="prod", show_default=True, help="Lock to build from: dev, staging, prod."
)
@click.option("--target", default="runtime", show_default=True, help="Dockerfile stage to build.")
@click.option("--cuda", help="Comma-separated variants: cu124, cu128, cpu (default: config).")
@click.option("--builder", help="docker (buildx) or buildah (default: config).")
@flag("push", "Push every tag after building.")
@click.option(
    "--version", help="Version in the tags (default: the lock's version of the first package)."
)
@click.option("--image", help="Image name (default: the configured docker image).")
@click.option(
    "--build-arg", multiple=True, help="KEY=VALUE passed to the build, over the variant's."
)
@click.option(
    "--cache-registry",
    help="Registry repository for the layer cache (tag <variant>-<target> in it).",
)
@flag("dry-run", "Print the plan, build nothing.")
@json_option
@pass_state
def build(
    app_state: AppState,
    mode: str,
    target: str,
    cuda: str | None,
    builder: str | None,
    push: bool,
    version: str | None,
    image: str | None,
    build_arg: tuple[str, ...],
    cache_registry: str | None,
    dry_run: bool,
    as_json: bool,
) -> None:
    """Build the image matrix with live progress; tags <image>:<version>-<variant>[-<sha7>]."""
    from release_tool.adapters import docker as adapter
    from release_tool.adapters import image_build
    from release_tool.core.images import parse_variants, plan_as_dict

    term = app_state.terminal
    workspace = app_state.workspace()
    settings = workspace.config.docker
    variants = parse_variants(cuda if cuda is not None else ",".join(settings.variants))
    builder = builder or settings.builder
    overrides = _parse_build_args(list(build_arg))
    plan = _plan(workspace, mode, target, variants, builder, push, version, image, overrides)
    if dry_run or workspace.config.dry_run:
        _render_plan(term, plan, as_json)
        return
    backend = adapter.get_builder(builder)
    wheel_dirs = [Path(folder) for folder in settings.wheel_dirs]
    built = []
    for note in plan.notes:
        term.warn(note)
    secrets_dir = Path(tempfile.mkdtemp(prefix="release-tool-secrets-"))
    for item in plan.images:
        wheels_dir = plan.context / "docker" / "wheels"
        image_build.stage_local_wheels(item.local_wheels, wheel_dirs, wheels_dir)
        secret_files = {}
        for key, value in item.secrets.items():
            secret_files[key] = secrets_dir / key
            secret_files[key].write_text(value, encoding="utf-8")
        cache_ref = f"{cache_registry}:{item.variant}-{item.target}" if cache_registry else None
        request = adapter.BuildRequest(
            context=plan.context,
            dockerfile=plan.dockerfile,
            target=item.target,
            build_args=item.build_args,
            tags=item.tags,
            labels=item.labels,
            push=push,
            secret_files=secret_files,
            cache_ref=cache_ref,
        )
        term.info(f"building {item.primary_tag} ({builder}, target {item.target})")
        with term.status(f"{item.variant}: starting") as status:

            def on_line(line: str, status: object = status, variant: str = item.variant) -> None:
                step = image_build.progress_line(line)
                if step is None:
                    return
                if status is not None:
                    status.update(f"{variant}: {step}")  # type: ignore[attr-defined]
                else:
                    term.info(f"  [{variant}] {step}")

            result = image_build.build_image(backend, request, item.variant, on_line)
        built.append(result)
        term.success(
            f"{item.primary_tag}: {result.size_bytes / 1e6:.0f} MB, {result.seconds:.0f} s, "
            f"{result.cached_steps}/{result.steps} steps cached"
        )
    if as_json:
        from release_tool.cli.output import DockerBuildOutput, document

        built_rows = [vars(item) for item in built]
        fields = {**plan_as_dict(plan), "built": built_rows}
        output = DockerBuildOutput(dry_run=False, fields=fields)
        term.json(document(output))


@docker_app.command("smoke")
@click.argument("image")
@click.option("--builder", help="docker or buildah (default: config, else docker).")
@click.option(
    "--model-dir",
    type=click.Path(path_type=Path),
    help="A model folder mounted read-only at /models/model.",
)
@click.option("--port", type=int, help="Host port (default: a free one).")
@click.option("--prompt", help="Also ask /v1/chat/completions this prompt.")
@click.option(
    "--timeout", type=float, default=180.0, show_default=True, help="Seconds to wait for /health."
)
@json_option
@pass_state
def smoke(
    app_state: AppState,
    image: str,
    builder: str | None,
    model_dir: Path | None,
    port: int | None,
    prompt: str | None,
    timeout: float,
    as_json: bool,
) -> None:
    """Start IMAGE, check /health and /v1/models (and a chat answer with --prompt)."""
    from release_tool.adapters.docker import get_builder
    from release_tool.adapters.image_smoke import smoke_image

    term = app_state.terminal
    builder = builder or _configured_builder(app_state)
    volumes = {str(model_dir.resolve()): "/models/model"} if model_dir else {}
    term.info(f"starting {image} ({builder})")
    result = smoke_image(
        get_builder(builder), image, port=port, volumes=volumes, prompt=prompt, timeout=timeout
    )
    if as_json:
        from release_tool.cli.output import DockerSmokeOutput, document

        term.json(document(DockerSmokeOutput(fields=vars(result))))
        return
    term.success(f"{image}: healthy after {result.startup_seconds:.1f} s on port {result.port}")
    term.text(f"models: {', '.join(result.models)}")
    if result.answer is not None:
        term.text(f"answer: {result.answer}")


def _configured_builder(app_state: AppState) -> str:
    """The workspace's configured builder; ``docker`` outside a workspace."""
    from release_tool.errors import ReleaseToolError

    try:
        return app_state.workspace().config.docker.builder
    except ReleaseToolError:
        return "docker"


def _plan(
    workspace: Workspace,
    mode: str,
    target: str,
    variants: tuple[str, ...],
    builder: str,
    push: bool,
    version: str | None,
    image: str | None = None,
    overrides: dict[str, str] | None = None,
) -> ImagePlan:
    from dataclasses import replace

    from release_tool.adapters import host
    from release_tool.core.images import MODES, plan_images
    from release_tool.errors import NotFoundError

    if mode not in MODES:
        raise NotFoundError(f"unknown mode {mode!r}", hint="choose from " + ", ".join(MODES))
    mode_dir = "." if mode == "dev" else workspace.config.mode_dir(mode)  # type: ignore[arg-type]
    if not (workspace.root / mode_dir / "uv.lock").is_file():
        raise NotFoundError(
            f"{mode} mode has no lock: {workspace.root / mode_dir / 'uv.lock'}",
            hint="lock that mode first, or build another one with --mode dev",
        )
    settings = image_settings(workspace)
    if image:
        settings = replace(settings, image=image)
    plan = plan_images(
        settings,
        root=workspace.root,
        mode=mode,
        mode_dir=mode_dir,
        variants=variants,
        target=target,
        builder=builder,
        version=version,
        revision=_revision(workspace),
        member_names=tuple(sorted(workspace.members)),
        push=push,
        memory_gib=host.memory_gib(),
    )
    if not overrides:
        return plan
    images = tuple(replace(item, build_args=item.build_args | overrides) for item in plan.images)
    return replace(plan, images=images)


def _parse_build_args(values: list[str]) -> dict[str, str]:
    from release_tool.errors import ConfigError

    out = {}
    for value in values:
        key, sep, rest = value.partition("=")
        if not sep or not key:
            raise ConfigError(f"--build-arg {value!r}: expected KEY=VALUE")
        out[key] = rest
    return out


def image_settings(workspace: Workspace) -> ImageSettings:
    """The pure core's view of ``[tool.release-tool.docker]``."""
    from release_tool.core.images import ImageSettings

    docker = workspace.config.docker
    return ImageSettings(
        image=docker.image,
        registry=docker.registry,
        dockerfile=docker.dockerfile,
        packages=tuple(docker.packages),
        extras=tuple(docker.extras),
        python=docker.python,
        flash_attn_cuda_archs=docker.flash_attn_cuda_archs,
        max_jobs=docker.max_jobs,
        nvcc_threads=docker.nvcc_threads,
        base_images=dict(docker.base_images),
    )


def _revision(workspace: Workspace) -> Revision:
    """HEAD's sha and commit date, and the source URL (config or the git remote)."""
    from datetime import UTC, datetime

    from release_tool.adapters.git import Repo
    from release_tool.core.images import Revision

    if not workspace.is_git_repo:
        return Revision(sha="", created="1970-01-01T00:00:00+00:00")
    repo = Repo(workspace.root)
    head = repo.head_commit()
    if head is None:
        return Revision(sha="", created="1970-01-01T00:00:00+00:00")
    created = datetime.fromtimestamp(head.time, tz=UTC).isoformat()
    source = workspace.config.repo_urls.get(".") or repo.remote_url(workspace.config.git_remote)
    return Revision(sha=head.sha, created=created, source=source)


def _render_plan(term: Terminal, plan: ImagePlan, as_json: bool) -> None:
    from release_tool.adapters.docker import BuildRequest, buildah_command, buildx_command
    from release_tool.core.images import plan_as_dict

    commands = []
    for image in plan.images:
        request = BuildRequest(
            plan.context,
            plan.dockerfile,
            image.target,
            image.build_args,
            image.tags,
            image.labels,
            plan.push,
        )
        render = buildah_command if plan.builder == "buildah" else buildx_command
        commands.append(render(request))
    if as_json:
        from release_tool.cli.output import DockerBuildOutput, document

        fields = {**plan_as_dict(plan), "commands": commands}
        output = DockerBuildOutput(dry_run=True, fields=fields)
        term.json(document(output))
        return
    term.info(f"plan: {len(plan.images)} image(s) from {plan.mode} mode ({plan.builder})")
    for note in plan.notes:
        term.warn(note)
    for image, command in zip(plan.images, commands, strict=True):
        term.text(f"{image.variant} ({image.target}):")
        for tag in image.tags:
            term.text(f"  tag   {tag}")
        for key, value in image.build_args.items():
            term.text(f"  arg   {key}={value}")
        term.text("  run   " + " ".join(command[:4]) + " ...")
        if plan.push:
            term.text("  push  " + ", ".join(image.tags))
