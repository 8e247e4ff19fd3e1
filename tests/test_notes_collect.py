"""collect: commits and diffs since a member's latest tag, uncommitted work, path filters."""

from __future__ import annotations

from typing import TYPE_CHECKING

from notes_support import commit, git, make_own_repo_member, make_workspace, write

from release_tool.core.workspace import load_workspace
from release_tool.notes.collect import collect_member, latest_tag, split_patch

if TYPE_CHECKING:
    from pathlib import Path


def test_folder_member_sees_only_its_own_commits_since_its_tag(tmp_path: Path) -> None:
    root = make_workspace(tmp_path / "ws")
    mine = commit(root, "feat(alpha): add greet", {"packages/alpha/src/alpha/greet.py": "X = 1\n"})
    commit(root, "fix(beta): repair", {"packages/beta/src/beta/fix.py": "Y = 2\n"})
    ws = load_workspace(root)
    changes = collect_member(ws, ws.member("alpha"))
    assert changes.since_tag == "alpha-v0.1.0"
    assert [c.sha for c in changes.commits] == [mine]
    assert [f.path for f in changes.range_files] == ["packages/alpha/src/alpha/greet.py"]
    assert changes.commits[0].files[0].added == 1
    assert not changes.dirty


def test_latest_tag_picks_the_highest_version_reachable(tmp_path: Path) -> None:
    root = make_workspace(tmp_path / "ws")
    commit(root, "feat: one", {"packages/alpha/a.py": "1\n"})
    git(root, "tag", "alpha-v0.2.0")
    git(root, "tag", "alpha-v0.10.0.dev1")
    git(root, "tag", "unrelated-v9.0.0")
    ws = load_workspace(root)
    assert latest_tag(ws, ws.member("alpha")) == "alpha-v0.10.0.dev1"
    assert latest_tag(ws, ws.member("alpha"), stable_only=True) == "alpha-v0.2.0"


def test_uncommitted_changes_include_untracked_files(tmp_path: Path) -> None:
    root = make_workspace(tmp_path / "ws")
    write(root / "packages/alpha/src/alpha/__init__.py", '"""Changed."""\n')
    write(root / "packages/alpha/new.py", "print('new')\n")
    write(root / "packages/beta/other.py", "print('other')\n")
    ws = load_workspace(root)
    changes = collect_member(ws, ws.member("alpha"))
    assert changes.dirty
    assert "?? packages/alpha/new.py" in changes.status
    assert "beta" not in changes.status
    paths = sorted(f.path for f in changes.uncommitted_files)
    assert paths == ["packages/alpha/new.py", "packages/alpha/src/alpha/__init__.py"]


def test_own_repo_member_uses_its_repo_and_v_tags(tmp_path: Path) -> None:
    root = make_workspace(tmp_path / "ws", members=("alpha",))
    folder = make_own_repo_member(root, "gamma")
    sha = commit(folder, "feat: gamma thing", {"src/gamma/thing.py": "T = 1\n"})
    ws = load_workspace(root)
    changes = collect_member(ws, ws.member("gamma"))
    assert changes.since_tag == "v0.1.0"
    assert [c.sha for c in changes.commits] == [sha]
    assert changes.pathspec is None


def test_first_release_without_tag_covers_the_whole_history(tmp_path: Path) -> None:
    root = make_workspace(tmp_path / "ws")
    git(root, "tag", "-d", "alpha-v0.1.0")
    ws = load_workspace(root)
    changes = collect_member(ws, ws.member("alpha"))
    assert changes.since_tag is None
    assert [c.subject for c in changes.commits] == ["chore: initial layout"]


def test_split_patch_counts_lines_and_marks_binaries() -> None:
    patch = (
        "diff --git a/x.py b/x.py\n--- a/x.py\n+++ b/x.py\n@@ -1 +1,2 @@\n-a\n+b\n+c\n"
        "diff --git a/img.png b/img.png\nBinary files a/img.png and b/img.png differ\n"
    )
    files = split_patch(patch)
    assert [(f.path, f.added, f.deleted, f.binary) for f in files] == [
        ("x.py", 2, 1, False),
        ("img.png", 0, 0, True),
    ]
