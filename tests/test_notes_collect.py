"""collect: commits and diffs since a member's latest tag, uncommitted work, path filters."""

from __future__ import annotations

from typing import TYPE_CHECKING

from notes_support import commit, git, make_own_repo_member, make_workspace, write

from release_tool.core.workspace import load_workspace
from release_tool.notes.collect import collect_member, latest_tag

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


def test_patches_count_lines_and_mark_binaries_per_file(tmp_path: Path) -> None:
    root = make_workspace(tmp_path / "ws")
    commit(root, "feat(alpha): x", {"packages/alpha/x.py": "a\n"})
    git(root, "tag", "alpha-v0.2.0")
    write(root / "packages/alpha/x.py", "b\nc\n")
    (root / "packages/alpha/img.png").write_bytes(b"\x89PNG\x00\x01\x02")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "feat(alpha): picture")
    ws = load_workspace(root)
    changes = collect_member(ws, ws.member("alpha"))
    files = [(f.path, f.added, f.deleted, f.binary) for f in changes.commits[0].files]
    assert files == [
        ("packages/alpha/img.png", 0, 0, True),
        ("packages/alpha/x.py", 2, 1, False),
    ]
    patch = changes.commits[0].files[1].patch
    assert patch.startswith("diff --git a/packages/alpha/x.py b/packages/alpha/x.py\n")
    assert "-a\n+b\n+c\n" in patch
    assert "Binary files" in changes.commits[0].files[0].patch


def test_renames_and_deletions_are_one_entry_each(tmp_path: Path) -> None:
    root = make_workspace(tmp_path / "ws")
    git(root, "mv", "packages/alpha/src/alpha/__init__.py", "packages/alpha/src/alpha/core.py")
    git(root, "commit", "-q", "-m", "refactor(alpha): rename")
    ws = load_workspace(root)
    changes = collect_member(ws, ws.member("alpha"))
    assert [f.path for f in changes.range_files] == ["packages/alpha/src/alpha/core.py"]
    assert "rename from packages/alpha/src/alpha/__init__.py" in changes.range_files[0].patch
