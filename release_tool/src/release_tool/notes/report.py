"""Plain-text and JSON forms of collected changes, written for the user or the model's reader."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from release_tool.adapters.files import write_text_atomic as write_atomic
from release_tool.notes.budget import estimate_tokens
from release_tool.notes.collect import stat_text

if TYPE_CHECKING:
    from pathlib import Path

    from release_tool.notes.collect import MemberChanges
    from release_tool.notes.payload import Outgoing

UNCOMMITTED_FILE = "changes_uncommitted.txt"
SINCE_TAG_FILE = "changes_since_tag.txt"


def uncommitted_text(changes: MemberChanges) -> str:
    """Status, statistics and diff of the work tree (the seed tool's first file)."""
    if not changes.dirty:
        return f"# {changes.member}: no uncommitted changes\n"
    diff = "".join(f.patch for f in changes.uncommitted_files)
    return (
        f"# {changes.member}: uncommitted changes\n\n## Status\n{changes.status.rstrip()}\n\n"
        f"## Statistics\n{stat_text(changes.uncommitted_files)}\n\n## Diff\n{diff}"
    )


def since_tag_text(changes: MemberChanges) -> str:
    """Commit list, statistics and diff since the member's tag (the seed tool's second file)."""
    since = changes.since_tag or "the first commit"
    lines = [
        f"# {changes.member}: {len(changes.commits)} commit(s) since {since}",
        "",
        "## Commits",
    ]
    for commit in changes.commits:
        lines.append(f"{commit.short} {commit.subject}")
        lines += ["    " + line for line in commit.body.splitlines()]
    diff = "".join(f.patch for f in changes.range_files)
    return (
        "\n".join(lines) + f"\n\n## Statistics\n{stat_text(changes.range_files)}\n\n## Diff\n{diff}"
    )


def write_change_files(changes: MemberChanges, folder: Path) -> list[Path]:
    """Write both files under ``folder/<member>/``.

    The folder gets a ``.gitignore`` of ``*``: raw diffs may hold secrets.
    """
    folder.mkdir(parents=True, exist_ok=True)
    ignore = folder / ".gitignore"
    if not ignore.exists():
        write_atomic(ignore, "# written by release-tool: local diffs, never commit them\n*\n")
    target = folder / changes.member
    paths = [target / UNCOMMITTED_FILE, target / SINCE_TAG_FILE]
    write_atomic(paths[0], uncommitted_text(changes))
    write_atomic(paths[1], since_tag_text(changes))
    return paths


def changes_json(changes: MemberChanges) -> dict[str, Any]:
    """Everything ``changes --json`` prints for one member."""

    def files(items: Any) -> list[dict[str, Any]]:
        return [
            {"path": f.path, "added": f.added, "deleted": f.deleted, "binary": f.binary}
            for f in items
        ]

    return {
        "member": changes.member,
        "repo": str(changes.repo_root),
        "pathspec": changes.pathspec,
        "since_tag": changes.since_tag,
        "head": changes.head,
        "commits": [{"id": c.sha, "subject": c.subject, "body": c.body} for c in changes.commits],
        "since_tag_files": files(changes.range_files),
        "since_tag_diff": "".join(f.patch for f in changes.range_files),
        "uncommitted": {
            "status": changes.status,
            "files": files(changes.uncommitted_files),
            "diff": "".join(f.patch for f in changes.uncommitted_files),
        },
    }


def outgoing_json(requests: list[list[dict[str, str]]], outgoing: Outgoing) -> dict[str, Any]:
    """What a ``--dry-run`` says would be sent: requests and their size, exclusions, redactions."""
    sizes = [sum(estimate_tokens(m["content"]) for m in request) for request in requests]
    return {
        "requests": len(requests),
        "tokens_per_request": sizes,
        "tokens_total": sum(sizes),
        "budget_per_request": outgoing.budget.context_tokens - outgoing.budget.output_tokens,
        "excluded": outgoing.excluded,
        "omitted_for_size": outgoing.omitted_for_size,
        "redactions": [r.describe() for r in outgoing.redactions],
    }


def outgoing_lines(summary: dict[str, Any], *, llm_configured: bool = True) -> list[str]:
    """``outgoing_json`` for people; without a configured LLM, says nothing is sent."""
    lines = (
        []
        if llm_configured
        else ["  no LLM configured ([tool.release-tool.llm] model): nothing is sent; with one it"]
    )
    lines += [
        f"  would send {summary['requests']} request(s), about {summary['tokens_total']} tokens "
        f"(largest {max(summary['tokens_per_request'], default=0)}, "
        f"budget {summary['budget_per_request']} each)"
    ]
    for path, reason in summary["excluded"].items():
        lines.append(f"  not sent: {path} ({reason})")
    for item in summary["omitted_for_size"]:
        lines.append(f"  left out for size: {item}")
    for item in summary["redactions"]:
        lines.append(f"  redacted: {item}")
    return lines
