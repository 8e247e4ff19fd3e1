"""``init``: write staging/ and prod/ from the dev workspace, and the config table.

Each mode pins every member to its latest dev (staging) or stable (prod)
tag; a member without such a tag is left out with a note saying how to
make one. The plan is computed first and written only if nothing would be
overwritten (unless forced).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from release_tool.adapters.toml_files import (
    copy_document,
    dumps,
    get_path,
    inline_table,
    new_array,
    new_document,
    new_table,
    read_document,
    unwrap,
    write_text_atomic,
)
from release_tool.core.mode_requirements import as_in_mode
from release_tool.core.modes import MODES
from release_tool.core.names import requirement_name
from release_tool.core.pin_sources import needs_override, override_requirement, pin_source
from release_tool.errors import ExistsError

if TYPE_CHECKING:
    from pathlib import Path

    from release_tool.core.status import WorkspaceStatus
    from release_tool.core.workspace import Workspace

MODE_HEADERS = {
    "staging": "Staging mode: members pinned to dev tags (release-tool bump --dev re-pins).",
    "prod": "Prod mode: members pinned to stable tags (release-tool promote prod re-pins).",
}


@dataclass(frozen=True)
class FileWrite:
    """One file ``init`` writes."""

    path: Path
    content: str
    exists: bool


@dataclass(frozen=True)
class InitPlan:
    """The files to write and what could not be pinned."""

    root: Path
    writes: list[FileWrite]
    notes: list[str] = field(default_factory=list)
    pins: dict[str, dict[str, str]] = field(default_factory=dict)
    """mode -> member -> tag."""
    translated: list[str] = field(default_factory=list)
    """What the written config table took over (seed keys, detected tag schemes), or the
    schemes detected when the table is kept."""


def plan_init(workspace: Workspace, status: WorkspaceStatus, *, force: bool) -> InitPlan:
    """Compute what ``init`` writes; raise ``ExistsError`` if it would overwrite without force."""
    root = workspace.root
    root_doc = read_document(root / "pyproject.toml")
    writes: list[FileWrite] = []
    notes: list[str] = []
    translated: list[str] = []
    all_pins: dict[str, dict[str, str]] = {}
    for mode in MODES:
        content, pins, missing = render_mode(workspace, status, root_doc, mode)
        all_pins[mode] = pins
        kind = "dev" if mode == "staging" else "stable"
        action = "release-tool bump --dev" if mode == "staging" else "release-tool promote prod"
        for name in missing:
            problem = workspace.members[name].version_problem
            notes.append(
                f"{name}: not pinned in {mode}: {problem}"
                if problem
                else f"{name}: no {kind} tag, not pinned in {mode} (make one: {action} {name})"
            )
        path = workspace.mode_path(mode) / "pyproject.toml"
        writes.append(FileWrite(path, content, path.exists()))
    if get_path(root_doc, "tool", "release-tool") is None:
        text, translated = _with_config_table(root_doc, workspace)
        writes.append(FileWrite(root / "pyproject.toml", text, True))
    else:
        from release_tool.core.tag_schemes import detected_notes

        notes.append("[tool.release-tool] already present in pyproject.toml: kept")
        schemes = {name: m.tag_scheme for name, m in workspace.members.items()}
        translated += detected_notes(schemes, workspace.members)
    clashes = [w for w in writes if w.exists and w.path.parent != root]
    if clashes and not force:
        raise ExistsError(
            "init would overwrite " + ", ".join(str(w.path.relative_to(root)) for w in clashes),
            hint="re-run with --force to replace them",
        )
    return InitPlan(root, writes, notes, all_pins, translated)


def apply_init(plan: InitPlan) -> None:
    """Write every file of the plan (each write is atomic)."""
    for write in plan.writes:
        write_text_atomic(write.path, write.content)


def render_mode(
    workspace: Workspace, status: WorkspaceStatus, root_doc: Any, mode: str
) -> tuple[str, dict[str, str], list[str]]:
    """(pyproject text, member -> pinned tag, members left unpinned) for ``mode``."""
    project = get_path(root_doc, "project") or {}
    root_name = str(project.get("name", workspace.root.name))
    member_names = set(workspace.members)
    root_deps = [str(req) for req in unwrap(project.get("dependencies", [])) or []]
    third_party = [req for req in root_deps if requirement_name(req) not in member_names]
    as_in_dev = {requirement_name(req): as_in_mode(req) for req in root_deps}
    sources: dict[str, dict[str, str]] = {}
    pinned: dict[str, str] = {}
    missing: list[str] = []
    for row in status.members:
        tag = row.latest_dev if mode == "staging" else row.latest_stable
        if (
            mode == "staging"
            and row.latest_stable
            and (tag is None or row.latest_stable.version > tag.version)
        ):
            tag = row.latest_stable  # a newer stable release supersedes older dev tags
        if tag is None:
            missing.append(row.member.name)
            continue
        sources[row.member.name] = pin_source(workspace, row.member, tag.name)
        pinned[row.member.name] = tag.name

    doc = new_document(MODE_HEADERS[mode])
    proj = new_table()
    proj["name"] = f"{root_name}-{mode}"
    proj["version"] = "0.0.0"
    proj["requires-python"] = str(project.get("requires-python", ">=3.11"))
    members = [as_in_dev.get(name, name) for name in sources]
    proj["dependencies"] = new_array([*members, *third_party], multiline=True)
    doc["project"] = proj
    uv_table = new_table(super_table=True)
    uv_inner = new_table()
    uv_inner["package"] = False
    depended_on = needs_override(workspace)
    overrides = [override_requirement(n, src) for n, src in sources.items() if n in depended_on]
    if overrides:
        uv_inner["override-dependencies"] = new_array(overrides, multiline=True)
    src_table = new_table()
    for name, source in sources.items():
        src_table[name] = inline_table(source)
    uv_inner["sources"] = src_table
    uv_table["uv"] = uv_inner
    doc["tool"] = uv_table
    return dumps(doc), pinned, missing


def _with_config_table(root_doc: Any, workspace: Workspace) -> tuple[str, list[str]]:
    """The root pyproject with a ``[tool.release-tool]`` table that keeps today's settings.

    Values come from the loaded configuration, so what the seed's
    ``release_tool.toml`` said (``tag_prefix = ""``, ...) is kept, and the tag
    schemes detected from existing tags are written down. Returns the text
    and one note per translated or detected value.
    """
    import json

    from release_tool.core.config import legacy_translations
    from release_tool.core.tag_schemes import config_table

    config = workspace.config
    translated = legacy_translations(workspace.root)
    notes = []
    for seed_key, seed_value, ours, value in translated:
        shown = value.items() if isinstance(value, dict) else [(None, value)]
        for sub, item in shown:
            key = f"{ours}.{sub}" if sub else ours
            notes.append(
                f"release_tool.toml: {seed_key} = {json.dumps(seed_value)} -> "
                f"{key} = {json.dumps(item)}"
            )
    doc = copy_document(root_doc)  # the caller's document stays as it is
    table = new_table(comment="release-tool configuration (see the README's reference).")
    if config.members is not None:
        table["members"] = config.members
    table["staging-dir"] = config.staging_dir
    table["prod-dir"] = config.prod_dir
    table["git-remote"] = config.git_remote
    table["dev-branch"] = config.dev_branch
    table["main-branch"] = config.main_branch
    extra = {ours for _, _, ours, _ in translated}
    dumped = config.as_table()
    for key in ("changes-dir", "commit-message-filename", "tag-message-filename", "dry-run"):
        if key in extra:
            table[key] = dumped[key]
    templates, detected = config_table(workspace.members)
    notes += detected
    tag_table = new_table()
    for key, value in templates.items():
        tag_table[key] = value
    table["tag-template"] = tag_table
    tool = doc.get("tool")
    if tool is None:
        doc["tool"] = new_table(super_table=True)
        tool = doc["tool"]
    tool["release-tool"] = table
    return dumps(doc), notes
