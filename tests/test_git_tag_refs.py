"""Tags read from ref files (``adapters.git_tag_refs``) agree with git on real repos.

Every case is checked three ways: ``Repo.tags()`` (ref files + object
headers), ``Repo._tags_through_libgit2()`` (the fallback, ref by ref) and
git itself (``rev-parse <tag>^{commit}``, tags of no commit left out).
"""

from __future__ import annotations

import subprocess
from typing import TYPE_CHECKING

import pytest

from release_tool.adapters.git import Repo
from release_tool.adapters.git_tag_refs import TagRef, read_tag_refs

if TYPE_CHECKING:
    from pathlib import Path


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(repo), *args], check=True, capture_output=True, text=True
    ).stdout.strip()


def git_tags(repo: Path) -> dict[str, str]:
    """Tag name -> commit, as git peels it; tags of a tree or blob left out."""
    out = {}
    for name in git(repo, "tag", "--list").splitlines():
        proc = subprocess.run(
            ["git", "-C", str(repo), "rev-parse", "--verify", "-q", f"refs/tags/{name}^{{commit}}"],
            capture_output=True,
            text=True,
            check=False,
        )
        if proc.returncode == 0:
            out[name] = proc.stdout.strip()
    return out


def assert_agrees(repo: Path) -> dict[str, str]:
    r = Repo(repo)
    tags = r.tags()
    assert tags == git_tags(repo)
    assert tags == r._tags_through_libgit2()
    assert sorted(r.tag_names()) == sorted(git(repo, "tag", "--list").splitlines())
    return tags


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """Two commits; lightweight, annotated, nested (tag of a tag), tree and blob tags."""
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    (root / "a.txt").write_text("1\n", encoding="utf-8")
    git(root, "add", "a.txt")
    git(root, "commit", "-q", "-m", "one")
    git(root, "tag", "light-v0.1.0")
    git(root, "tag", "-a", "-m", "annotated", "pkg-v0.1.0")
    (root / "a.txt").write_text("2\n", encoding="utf-8")
    git(root, "commit", "-q", "-am", "two")
    git(root, "tag", "-a", "-m", "slash", "providers-amazon/9.0.0")
    git(root, "tag", "-a", "-m", "a tag of a tag", "nested-v1", "pkg-v0.1.0")
    git(root, "tag", "tree-v1", "HEAD^{tree}")
    git(root, "tag", "-a", "-m", "annotated tree", "atree-v1", "HEAD^{tree}")
    git(root, "tag", "blob-v1", "HEAD:a.txt")
    return root


def test_loose_tags_of_every_kind(repo: Path) -> None:
    assert not (repo / ".git" / "packed-refs").exists()
    tags = assert_agrees(repo)
    assert set(tags) == {"light-v0.1.0", "pkg-v0.1.0", "providers-amazon/9.0.0", "nested-v1"}
    assert tags["nested-v1"] == tags["pkg-v0.1.0"] == tags["light-v0.1.0"]


def test_packed_tags_with_peeled_lines(repo: Path) -> None:
    git(repo, "pack-refs", "--all")
    packed = (repo / ".git" / "packed-refs").read_text(encoding="utf-8")
    assert packed.startswith("# pack-refs with: peeled fully-peeled")
    assert not (repo / ".git" / "refs" / "tags" / "pkg-v0.1.0").exists()
    assert_agrees(repo)
    refs = read_tag_refs(repo / ".git")
    assert refs is not None
    annotated = git(repo, "rev-parse", "refs/tags/pkg-v0.1.0")
    commit = git(repo, "rev-parse", "pkg-v0.1.0^{commit}")
    assert refs["pkg-v0.1.0"] == TagRef(annotated, commit)
    assert refs["light-v0.1.0"] == TagRef(commit)
    tree = git(repo, "rev-parse", "HEAD^{tree}")
    assert refs["atree-v1"].peeled == tree  # peeled, yet not a commit: tags() drops it


def test_packed_tags_without_peeled_lines(repo: Path) -> None:
    """An older git (or another tool) may pack refs without ``^`` lines."""
    git(repo, "pack-refs", "--all")
    packed = repo / ".git" / "packed-refs"
    lines = packed.read_text(encoding="utf-8").splitlines()
    packed.write_text(
        "".join(f"{line}\n" for line in lines if not line.startswith(("#", "^"))),
        encoding="utf-8",
    )
    refs = read_tag_refs(repo / ".git")
    assert refs is not None
    assert all(ref.peeled is None for ref in refs.values())
    assert_agrees(repo)


def test_a_loose_ref_wins_over_its_packed_copy(repo: Path) -> None:
    git(repo, "pack-refs", "--all")
    git(repo, "tag", "-f", "light-v0.1.0", "HEAD")  # written loose; the packed line stays
    assert "refs/tags/light-v0.1.0" in (repo / ".git" / "packed-refs").read_text("utf-8")
    tags = assert_agrees(repo)
    assert tags["light-v0.1.0"] == git(repo, "rev-parse", "HEAD")


def test_a_deleted_packed_tag_is_gone(repo: Path) -> None:
    git(repo, "pack-refs", "--all")
    git(repo, "tag", "-d", "pkg-v0.1.0")
    assert "pkg-v0.1.0" not in assert_agrees(repo)


def test_a_linked_worktree_reads_the_shared_refs(repo: Path, tmp_path: Path) -> None:
    git(repo, "pack-refs", "--all")
    git(repo, "tag", "late-v2")  # loose, in the common dir
    other = tmp_path / "other"
    git(repo, "worktree", "add", "-q", "--detach", str(other), "HEAD^")
    assert (other / ".git").is_file()
    tags = assert_agrees(other)
    assert tags == Repo(repo).tags()
    assert "late-v2" in tags


def test_a_symbolic_tag_ref_falls_back_to_libgit2(repo: Path) -> None:
    git(repo, "symbolic-ref", "refs/tags/alias", "refs/tags/light-v0.1.0")
    assert read_tag_refs(repo / ".git") is None
    assert Repo(repo).tags()["alias"] == git(repo, "rev-parse", "light-v0.1.0")


def test_a_repo_without_tags(tmp_path: Path) -> None:
    git(tmp_path, "init", "-q", "-b", "main")
    assert read_tag_refs(tmp_path / ".git") == {}
    assert Repo(tmp_path).tags() == {}
    assert Repo(tmp_path).tag_names() == []


def test_a_tag_line_that_is_not_a_ref_is_left_to_libgit2(repo: Path) -> None:
    git(repo, "pack-refs", "--all")
    packed = repo / ".git" / "packed-refs"
    packed.write_text(
        packed.read_text(encoding="utf-8") + "not-an-id refs/tags/odd\n", encoding="utf-8"
    )
    assert read_tag_refs(repo / ".git") is None


def test_a_file_git_would_not_read_as_a_ref_is_left_to_libgit2(repo: Path) -> None:
    head = git(repo, "rev-parse", "HEAD")
    (repo / ".git" / "refs" / "tags" / "light-v0.1.0~").write_text(f"{head}\n", encoding="utf-8")
    assert read_tag_refs(repo / ".git") is None
    r = Repo(repo)
    assert r.tags() == r._tags_through_libgit2()
    assert "light-v0.1.0~" not in git(repo, "tag", "--list").splitlines()
