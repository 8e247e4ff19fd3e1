"""``[tool.release-tool]`` configuration, validated with msgspec.

The seed tool's ``release_tool.toml`` (``[tool.release_tool]``) is read too,
so its users can migrate: its keys are translated to ours, and the
pyproject table wins where both set a value.

Every command reads the configuration, so its validation library sits on
every command's start-up path: msgspec imports in ~0.03 s where pydantic
took ~0.1 s (more than ``status``'s work; bench/README.md). Keys are
kebab-case (``rename="kebab"``), unknown keys are errors, constraints are
``msgspec.Meta`` annotations, tag templates are checked in ``__post_init__``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Any, Literal, Self

import msgspec

from release_tool.adapters.toml_files import get_path, read_toml, unwrap
from release_tool.core.tags import check_template
from release_tool.errors import ConfigError

LEGACY_FILE = "release_tool.toml"
TABLE = ("tool", "release-tool")
LEGACY_TABLE = ("tool", "release_tool")
DEFAULT_REPO_TEMPLATE = "v{version}"
DEFAULT_FOLDER_TEMPLATE = "{name}-v{version}"


class _Table(msgspec.Struct, kw_only=True, forbid_unknown_fields=True, rename="kebab"):
    """A config table: kebab-case keys, unknown keys refused."""

    @classmethod
    def from_values(cls, values: dict[str, Any]) -> Self:
        """The validated table (``msgspec.ValidationError`` names key and form)."""
        return msgspec.convert(values, cls)


def _template(key: str, value: str) -> None:
    try:
        check_template(value)
    except ValueError as exc:
        raise ValueError(f"{key}: {exc}") from None


class TagRule(_Table):
    """The tag template of the members one ``tag-template.members`` key names."""

    template: str
    short_prefix: str | None = None
    """What {short} drops from the name."""

    def __post_init__(self) -> None:
        _template("template", self.template)

    def as_table(self) -> dict[str, Any]:
        """The rule as written in the config (``short-prefix`` only when set)."""
        out: dict[str, Any] = {"template": self.template}
        if self.short_prefix is not None:
            out["short-prefix"] = self.short_prefix
        return out


def _rule(value: Any) -> TagRule:
    """A ``tag-template.members`` value (a template or a table) as a rule."""
    return TagRule.from_values({"template": value} if isinstance(value, str) else value)


class TagTemplates(_Table):
    """How tag names are made from a version (the language: ``core/tags.py``).

    ``members`` (a member name or a glob of names or paths -> template) wins
    over the layout keys; a layout key that is not set, like a member no key
    names, gets the scheme detected from the existing tags.
    """

    repo_value: str | None = msgspec.field(default=None, name="repo")
    """Tags inside a member's own repo (None: not configured, ``v{version}`` or detected)."""
    folder_value: str | None = msgspec.field(default=None, name="folder")
    """Tags in the root repo for a folder member (None: not configured)."""
    short_prefix: str | None = None
    """What {short} drops (default: the members' common prefix)."""
    rules: dict[str, Any] = msgspec.field(default_factory=dict, name="members")
    """Member name or glob -> template or {template, short-prefix} (as written)."""

    def __post_init__(self) -> None:
        for key, value in (("repo", self.repo_value), ("folder", self.folder_value)):
            if value is not None:
                _template(key, value)
        for key, rule in self.rules.items():  # here, so errors name the key (msgspec's
            try:  # paths do not)
                _rule(rule)
            except msgspec.ValidationError as exc:
                raise ValueError(f"members.{key}.{describe_error(exc)}") from None

    @property
    def repo(self) -> str:
        return DEFAULT_REPO_TEMPLATE if self.repo_value is None else self.repo_value

    @property
    def folder(self) -> str:
        return DEFAULT_FOLDER_TEMPLATE if self.folder_value is None else self.folder_value

    @property
    def members(self) -> dict[str, TagRule]:
        """``members`` with plain templates as rules."""
        return {key: _rule(rule) for key, rule in self.rules.items()}

    def is_set(self, key: Literal["repo", "folder"]) -> bool:
        """Whether the layout key was configured (else the scheme is detected)."""
        return (self.repo_value if key == "repo" else self.folder_value) is not None


class LLMSettings(_Table):
    """OpenAI-compatible endpoint used for commit messages and release notes."""

    base_url: str | None = None
    model: str | None = None
    api_key_env: str = "OPENAI_API_KEY"
    timeout: Annotated[float, msgspec.Meta(gt=0)] = 60.0
    max_retries: Annotated[int, msgspec.Meta(ge=0)] = 2
    temperature: Annotated[float, msgspec.Meta(ge=0)] = 0.0
    seed: int | None = 0
    context_tokens: Annotated[int, msgspec.Meta(gt=512)] = 8192
    output_tokens: Annotated[int, msgspec.Meta(gt=16)] = 1024
    stream: bool = False
    response_format: Literal["json_object", "json_object_schema", "json_schema", "none"] = (
        "json_object"
    )
    exclude: list[str] = msgspec.field(default_factory=list)
    """Extra globs of files never sent to the model."""
    cache: bool = True
    """Reuse validated answers for identical requests."""


class GitHubSettings(_Table):
    """GitHub API location and repository overrides."""

    api_url: str = "https://api.github.com"
    repos: dict[str, str] = msgspec.field(default_factory=dict)
    """Member name (or '.' for the root) -> owner/name."""


class DockerSettings(_Table):
    """Image names, the registry images are pushed to, and the build matrix."""

    image: str = "hyperbench"
    registry: str | None = None
    dockerfile: str = "docker/Dockerfile-uv"
    packages: list[str] = msgspec.field(default_factory=lambda: ["bench-utils", "model-qwen-vl"])
    """Members whose dependencies the runtime image installs (dev mode)."""
    extras: list[str] = msgspec.field(default_factory=lambda: ["serve", "hf"])
    """Extras of those members."""
    variants: list[str] = msgspec.field(default_factory=lambda: ["cu124", "cu128"])
    builder: Literal["docker", "buildah"] = "docker"
    python: str = "3.11"
    flash_attn_cuda_archs: str = "80;90"
    max_jobs: Annotated[int, msgspec.Meta(ge=1)] | None = None
    """Default: memory / 5 GB per nvcc thread."""
    nvcc_threads: Annotated[int, msgspec.Meta(ge=1)] = 2
    wheel_dirs: list[str] = msgspec.field(default_factory=lambda: ["/opt/wheels"])
    """Where the cpu variant finds a torch-*+cpu wheel."""
    base_images: dict[str, str] = msgspec.field(default_factory=dict)
    """Overrides, keyed '<variant>-build' / '<variant>-runtime'."""


class Config(_Table):
    """The validated ``[tool.release-tool]`` table."""

    members: list[str] | None = None
    """Member globs (default: the uv workspace members)."""
    exclude: list[str] = msgspec.field(default_factory=list)
    staging_dir: str = "staging"
    prod_dir: str = "prod"
    tag_template: TagTemplates = msgspec.field(default_factory=TagTemplates)
    git_remote: str = "origin"
    dev_branch: str = "dev"
    main_branch: str = "main"
    repo_urls: dict[str, str] = msgspec.field(default_factory=dict)
    """Member name (or '.' for the root repo) -> git URL used in pins."""
    pin_ref: Literal["tag", "rev"] = "tag"
    """Pins name the release tag, or the full commit sha it points at (for repos whose tags
    do not reach every clone)."""
    changes_dir: str = ".release-tool/changes"
    commit_message_filename: str = "commit_message.txt"
    tag_message_filename: str = "tag_message.md"
    dry_run: bool = False
    """Make --dry-run the default."""
    llm: LLMSettings = msgspec.field(default_factory=LLMSettings)
    github: GitHubSettings = msgspec.field(default_factory=GitHubSettings)
    docker: DockerSettings = msgspec.field(default_factory=DockerSettings)

    def mode_dir(self, mode: Literal["staging", "prod"]) -> str:
        """The folder (relative to the workspace root) of a pinned mode."""
        return self.staging_dir if mode == "staging" else self.prod_dir

    def as_table(self) -> dict[str, Any]:
        """Every key with its value, as ``[tool.release-tool]`` spells it."""
        data: dict[str, Any] = msgspec.to_builtins(self)
        return data


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
        config: Config = Config.from_values(values)
    except msgspec.ValidationError as exc:
        raise ConfigError(
            f"{source}: invalid [tool.release-tool] configuration:\n  {describe_error(exc)}",
            hint="see the configuration reference in the README",
        ) from None
    return config


_AT = re.compile(r"^(?P<message>.*?)(?: - at `\$(?P<path>.*)`)?$", re.DOTALL)
_UNKNOWN = re.compile(r"^Object contains unknown field `(?P<key>.+)`$")
_OURS = re.compile(r"^(?P<key>[a-z][^ :]*): (?P<message>.+)$", re.DOTALL)


def describe_error(exc: msgspec.ValidationError) -> str:
    """``key.path: what is wrong`` from msgspec's ``message - at `$.key.path```."""
    found = _AT.match(str(exc))
    assert found is not None  # the pattern matches any text
    message, path = found["message"], (found["path"] or "")
    keys = [part for part in re.split(r"\.|\[(\d+)\]", path) if part]
    if unknown := _UNKNOWN.match(message):
        return f"{'.'.join([*keys, unknown['key']])}: unknown key"
    if ours := _OURS.match(message):  # a __post_init__ check naming its key
        keys.append(ours["key"])
        message = ours["message"]
    else:
        message = message[:1].lower() + message[1:]
    return f"{'.'.join(keys) or '(table)'}: {message}"


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
