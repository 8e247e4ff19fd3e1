"""``[tool.release-tool]`` configuration, validated with pydantic.

The seed tool's ``release_tool.toml`` (``[tool.release_tool]``) is read too,
so its users can migrate: its keys are translated to ours, and the
pyproject table wins where both set a value.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from release_tool.adapters.toml_files import get_path, read_toml, unwrap
from release_tool.core.tags import check_template
from release_tool.errors import ConfigError

LEGACY_FILE = "release_tool.toml"
TABLE = ("tool", "release-tool")
LEGACY_TABLE = ("tool", "release_tool")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True, frozen=True)


class TagRule(_Model):
    """The tag template of the members one ``tag-template.members`` key names."""

    template: str
    short_prefix: str | None = Field(
        None, alias="short-prefix", description="what {short} drops from the name"
    )

    @field_validator("template")
    @classmethod
    def _valid(cls, value: str) -> str:
        return check_template(value)


class TagTemplates(_Model):
    """How tag names are made from a version (the language: ``core/tags.py``).

    ``members`` (a member name or a glob of names or paths -> template) wins
    over the layout keys; a layout key that is not set, like a member no key
    names, gets the scheme detected from the existing tags.
    """

    repo: str = Field("v{version}", description="tags inside a member's own repo")
    folder: str = Field(
        "{name}-v{version}", description="tags in the root repo for a folder member"
    )
    short_prefix: str | None = Field(
        None, alias="short-prefix", description="what {short} drops (default: common prefix)"
    )
    members: dict[str, TagRule] = Field(
        default_factory=dict, description="member name or glob -> template or {template, ...}"
    )

    @field_validator("repo", "folder")
    @classmethod
    def _valid(cls, value: str) -> str:
        return check_template(value)

    @field_validator("members", mode="before")
    @classmethod
    def _plain_templates(cls, value: Any) -> Any:
        if isinstance(value, dict):
            return {k: {"template": v} if isinstance(v, str) else v for k, v in value.items()}
        return value

    def is_set(self, key: Literal["repo", "folder"]) -> bool:
        """Whether the layout key was configured (else the scheme is detected)."""
        return key in self.model_fields_set


class LLMSettings(_Model):
    """OpenAI-compatible endpoint used for commit messages and release notes."""

    base_url: str | None = Field(None, alias="base-url")
    model: str | None = None
    api_key_env: str = Field("OPENAI_API_KEY", alias="api-key-env")
    timeout: float = Field(60.0, gt=0)
    max_retries: int = Field(2, ge=0, alias="max-retries")
    temperature: float = Field(0.0, ge=0)
    seed: int | None = 0
    context_tokens: int = Field(8192, gt=512, alias="context-tokens")
    output_tokens: int = Field(1024, gt=16, alias="output-tokens")
    stream: bool = False
    response_format: Literal["json_object", "json_object_schema", "json_schema", "none"] = Field(
        "json_object", alias="response-format"
    )
    exclude: list[str] = Field(
        default_factory=list, description="extra globs of files never sent to the model"
    )
    cache: bool = Field(True, description="reuse validated answers for identical requests")


class GitHubSettings(_Model):
    """GitHub API location and repository overrides."""

    api_url: str = Field("https://api.github.com", alias="api-url")
    repos: dict[str, str] = Field(
        default_factory=dict, description="member name (or '.' for the root) -> owner/name"
    )


class DockerSettings(_Model):
    """Image names, the registry images are pushed to, and the build matrix."""

    image: str = "hyperbench"
    registry: str | None = None
    dockerfile: str = "docker/Dockerfile-uv"
    packages: list[str] = Field(
        default_factory=lambda: ["bench-utils", "model-qwen-vl"],
        description="members whose dependencies the runtime image installs (dev mode)",
    )
    extras: list[str] = Field(
        default_factory=lambda: ["serve", "hf"], description="extras of those members"
    )
    variants: list[str] = Field(default_factory=lambda: ["cu124", "cu128"])
    builder: Literal["docker", "buildah"] = "docker"
    python: str = "3.11"
    flash_attn_cuda_archs: str = Field("80;90", alias="flash-attn-cuda-archs")
    max_jobs: int | None = Field(
        None, ge=1, alias="max-jobs", description="default: memory / 5 GB per nvcc thread"
    )
    nvcc_threads: int = Field(2, ge=1, alias="nvcc-threads")
    wheel_dirs: list[str] = Field(
        default_factory=lambda: ["/opt/wheels"],
        alias="wheel-dirs",
        description="where the cpu variant finds a torch-*+cpu wheel",
    )
    base_images: dict[str, str] = Field(
        default_factory=dict,
        alias="base-images",
        description="overrides, keyed '<variant>-build' / '<variant>-runtime'",
    )


class Config(_Model):
    """The validated ``[tool.release-tool]`` table."""

    members: list[str] | None = Field(
        None, description="member globs (default: the uv workspace members)"
    )
    exclude: list[str] = Field(default_factory=list)
    staging_dir: str = Field("staging", alias="staging-dir")
    prod_dir: str = Field("prod", alias="prod-dir")
    tag_template: TagTemplates = Field(
        default_factory=lambda: TagTemplates.model_validate({}), alias="tag-template"
    )
    git_remote: str = Field("origin", alias="git-remote")
    dev_branch: str = Field("dev", alias="dev-branch")
    main_branch: str = Field("main", alias="main-branch")
    repo_urls: dict[str, str] = Field(
        default_factory=dict,
        alias="repo-urls",
        description="member name (or '.' for the root repo) -> git URL used in pins",
    )
    pin_ref: Literal["tag", "rev"] = Field(
        "tag",
        alias="pin-ref",
        description="pins name the release tag, or the full commit sha it points at "
        "(for repos whose tags do not reach every clone)",
    )
    changes_dir: str = Field(".release-tool/changes", alias="changes-dir")
    commit_message_filename: str = Field("commit_message.txt", alias="commit-message-filename")
    tag_message_filename: str = Field("tag_message.md", alias="tag-message-filename")
    dry_run: bool = Field(False, alias="dry-run", description="make --dry-run the default")
    llm: LLMSettings = Field(default_factory=lambda: LLMSettings.model_validate({}))
    github: GitHubSettings = Field(default_factory=lambda: GitHubSettings.model_validate({}))
    docker: DockerSettings = Field(default_factory=lambda: DockerSettings.model_validate({}))

    def mode_dir(self, mode: Literal["staging", "prod"]) -> str:
        """The folder (relative to the workspace root) of a pinned mode."""
        return self.staging_dir if mode == "staging" else self.prod_dir


LEGACY_KEYS = {
    "packages_dir",
    "prod_pyproject_path",
    "staging_pyproject_path",
    "tag_prefix",
    "git_remote",
    "dry_run",
    "changes_output_dir",
    "commit_message_filename",
    "tag_message_filename",
}


def load_config(root: Path, pyproject: Any) -> Config:
    """Merge the legacy ``release_tool.toml`` (if any) with ``[tool.release-tool]``."""
    values: dict[str, Any] = {}
    legacy_path = root / LEGACY_FILE
    if legacy_path.is_file():
        for _, _, key, value in legacy_translations(root):
            values[key] = value
    table = get_path(pyproject, *TABLE)
    source = root / "pyproject.toml"
    if table is not None:
        plain = unwrap(table)
        if not isinstance(plain, dict):
            raise ConfigError(f"{source}: [tool.release-tool] must be a table")
        legacy_tags = values.get("tag-template")
        values.update(plain)
        if isinstance(legacy_tags, dict) and isinstance(plain.get("tag-template"), dict):
            # tag_prefix set the repo template; a table setting only folder keeps it
            values["tag-template"] = {**legacy_tags, **plain["tag-template"]}
    elif legacy_path.is_file():
        source = legacy_path
    return validate_config(values, source)


def legacy_translations(root: Path) -> list[tuple[str, Any, str, Any]]:
    """(seed key, seed value, our key, our value) for each key of ``release_tool.toml``.

    Empty without that file. Our keys are top-level keys of ``[tool.release-tool]``.
    """
    path = root / LEGACY_FILE
    if not path.is_file():
        return []
    legacy = unwrap(get_path(read_toml(path), *LEGACY_TABLE)) or {}
    return _translate_legacy(path, legacy)


def validate_config(values: dict[str, Any], source: Path) -> Config:
    """Validate plain values, naming file, key and expected form on error."""
    try:
        return Config.model_validate(values)
    except ValidationError as exc:
        lines = [_describe(err) for err in exc.errors()]
        raise ConfigError(
            f"{source}: invalid [tool.release-tool] configuration:\n  " + "\n  ".join(lines),
            hint="see the configuration reference in the README",
        ) from None


def _describe(err: Any) -> str:
    key = ".".join(str(part) for part in err["loc"]) or "(table)"
    if err["type"] == "extra_forbidden":
        return f"{key}: unknown key"
    expected = err["msg"]
    got = err.get("input")
    shown = f" (got {got!r})" if got is not None and not isinstance(got, dict) else ""
    return f"{key}: {expected}{shown}"


def _translate_legacy(path: Path, legacy: dict[str, Any]) -> list[tuple[str, Any, str, Any]]:
    unknown = sorted(set(legacy) - LEGACY_KEYS)
    if unknown:
        raise ConfigError(
            f"{path}: [tool.release_tool]: unknown key(s) {', '.join(unknown)}",
            hint="known keys: " + ", ".join(sorted(LEGACY_KEYS)),
        )
    for key, value in legacy.items():
        expected = bool if key == "dry_run" else str
        if not isinstance(value, expected):
            raise ConfigError(
                f"{path}: [tool.release_tool].{key}: expected a {expected.__name__}, got {value!r}"
            )
    out: list[tuple[str, Any, str, Any]] = []
    if "packages_dir" in legacy:
        value = legacy["packages_dir"]
        out.append(("packages_dir", value, "members", [f"{value.rstrip('/')}/*"]))
    for key, ours in (
        ("prod_pyproject_path", "prod-dir"),
        ("staging_pyproject_path", "staging-dir"),
    ):
        if key in legacy:
            out.append((key, legacy[key], ours, str(Path(legacy[key]).parent) or "."))
    if "tag_prefix" in legacy:
        # the seed tagged each member's own repo: <prefix><version>
        template = legacy["tag_prefix"] + "{version}"
        out.append(("tag_prefix", legacy["tag_prefix"], "tag-template", {"repo": template}))
    renames = {
        "git_remote": "git-remote",
        "dry_run": "dry-run",
        "changes_output_dir": "changes-dir",
        "commit_message_filename": "commit-message-filename",
        "tag_message_filename": "tag-message-filename",
    }
    for key, ours in renames.items():
        if key in legacy:
            out.append((key, legacy[key], ours, legacy[key]))
    return out
