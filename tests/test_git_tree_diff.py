"""Raw tree comparison (``adapters.git_tree_diff``) against entry listings of real trees.

The fast path trusts that two trees of the same size that differ only inside
entry ids share one layout; every way that could be wrong (an entry added,
removed, renamed with the same content and name length, its mode changed)
is made with git here and checked against pygit2's own listing, and the walk
built on it against ``git rev-list --count -- path``.
"""

from __future__ import annotations

import itertools
import subprocess
from typing import TYPE_CHECKING

import pygit2
import pytest

from release_tool.adapters.git import Repo
from release_tool.adapters.git_tree_diff import Layout, TreeDiffer

if TYPE_CHECKING:
    from pathlib import Path


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(repo), *args], check=True, capture_output=True, text=True
    ).stdout.strip()


def commit_all(repo: Path, message: str) -> str:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "--allow-empty", "-m", message)
    return git(repo, "rev-parse", "HEAD")


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


@pytest.fixture
def history(tmp_path: Path) -> tuple[Path, list[str]]:
    """A ``packages`` folder changed every way the comparison must notice, one commit each."""
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    for name in ("aa", "ab", "ac", "ba", "bb"):
        write(repo / "packages" / name / "x.txt", f"{name}\n")
    commits = [commit_all(repo, "start")]
    steps = [
        lambda: write(repo / "packages/ab/x.txt", "changed\n"),  # one id
        lambda: write(repo / "packages/aa/x.txt", "first\n"),  # the first entry
        lambda: write(repo / "packages/bb/x.txt", "last\n"),  # the last entry
        lambda: [write(repo / f"packages/{n}/x.txt", "two\n") for n in ("ab", "ba")],  # two ids
        lambda: write(repo / "packages/ca/x.txt", "new\n"),  # an entry added
        lambda: git(repo, "rm", "-q", "-r", "packages/ca"),  # and removed
        lambda: git(repo, "mv", "packages/ac", "packages/ad"),  # same content, same length
        lambda: git(repo, "mv", "packages/ad", "packages/adx"),  # same content, longer
        lambda: write(repo / "packages/notes.txt", "a file among folders\n"),
        lambda: (repo / "packages/notes.txt").chmod(0o755),  # a mode, no id
        lambda: git(repo, "mv", "packages/adx", "packages/ac"),  # back where it was
    ]
    for index, step in enumerate(steps):
        step()
        commits.append(commit_all(repo, f"step {index}"))
    return repo, commits


def listing(repo: pygit2.Repository, oid: pygit2.Oid) -> dict[bytes, tuple[int, bytes]]:
    tree = repo[oid]
    assert isinstance(tree, pygit2.Tree)
    return {entry.name.encode(): (entry.filemode, entry.id.raw) for entry in tree}  # type: ignore[union-attr]


def _id(entry: tuple[int, bytes] | None) -> bytes | None:
    return entry[1] if entry is not None else None


def test_layout_matches_the_listing(history: tuple[Path, list[str]]) -> None:
    path, commits = history
    repo = pygit2.Repository(str(path))
    for sha in commits:
        oid = repo[sha].peel(pygit2.Commit).tree["packages"].id
        data = repo.odb.read(oid)[1]
        layout = Layout.parse(data, 20)
        expected = listing(repo, oid)
        assert list(layout.names) == list(expected)
        assert {n: layout.entry_id(data, n) for n in layout.names} == {
            n: oid for n, (_, oid) in expected.items()
        }


def test_every_pair_of_trees_compares_like_the_listings(history: tuple[Path, list[str]]) -> None:
    """Neighbours (the walk's case) and any two trees, in both directions, with one
    differ shared by all comparisons so layouts learned on the way are reused."""
    path, commits = history
    repo = pygit2.Repository(str(path))
    trees = [repo[sha].peel(pygit2.Commit).tree["packages"].id for sha in commits]
    differ = TreeDiffer(lambda oid: repo.odb.read(pygit2.Oid(raw=oid))[1], 20)
    pairs = list(itertools.pairwise(trees)) + list(itertools.permutations(trees, 2))
    for mine, theirs in pairs:
        left, right = listing(repo, mine), listing(repo, theirs)
        wanted = set(left) | set(right)
        expected = {
            name: (_id(left.get(name)), _id(right.get(name)))
            for name in wanted
            if left.get(name) != right.get(name)  # id or mode
        }
        assert differ.changed(mine.raw, theirs.raw, wanted) == expected
        assert differ.changed(mine.raw, theirs.raw, {b"ab"}) == {
            k: v for k, v in expected.items() if k == b"ab"
        }


def test_a_missing_side_lists_everything_wanted(history: tuple[Path, list[str]]) -> None:
    path, commits = history
    repo = pygit2.Repository(str(path))
    oid = repo[commits[0]].peel(pygit2.Commit).tree["packages"].id
    differ = TreeDiffer(lambda raw: repo.odb.read(pygit2.Oid(raw=raw))[1], 20)
    ids = listing(repo, oid)
    assert differ.changed(oid.raw, None, {b"aa", b"zz"}) == {b"aa": (ids[b"aa"][1], None)}
    assert differ.changed(None, oid.raw, {b"bb"}) == {b"bb": (None, ids[b"bb"][1])}


@pytest.mark.parametrize(
    "extra",
    [(), ("packages",), ("elsewhere", "packages/aa/deeper")],
    ids=["below-one-folder", "the-folder-itself", "two-places"],
)
def test_walk_counts_match_git_through_renames(
    history: tuple[Path, list[str]], extra: tuple[str, ...]
) -> None:
    """Folders below one path (the walk asks each tree for that path once) and folders
    in several places (the walk compares from the root) count like git."""
    path, commits = history
    names = ("aa", "ab", "ac", "ad", "adx", "ba", "bb", "ca", "notes.txt")
    folders = [f"packages/{name}" for name in names] + list(extra)
    for since in (None, commits[0], commits[3], commits[6]):
        ranges = {folder: (folder, since) for folder in folders}
        counts = Repo(path).count_commits_many(commits[-1], ranges)
        for folder in folders:
            revs = f"{since}..HEAD" if since else "HEAD"
            expected = git(path, "rev-list", "--count", revs, "--", folder)
            assert counts[folder] == int(expected), (folder, since)


def test_walk_counts_match_git_across_a_merge(history: tuple[Path, list[str]]) -> None:
    """With a merge the walk compares each commit with every parent (not the chain)."""
    path, commits = history
    git(path, "checkout", "-q", "-b", "side", commits[4])
    write(path / "packages/aa/side.txt", "side\n")
    commit_all(path, "aa on side")
    write(path / "packages/ba/side.txt", "side\n")
    side = commit_all(path, "ba on side")
    git(path, "checkout", "-q", "main")
    write(path / "packages/bb/main.txt", "main\n")
    commit_all(path, "bb on main")
    git(path, "merge", "-q", "--no-ff", "-m", "merge side", "side")
    write(path / "packages/ab/after.txt", "after\n")
    head = commit_all(path, "ab after the merge")
    folders = [f"packages/{n}" for n in ("aa", "ab", "ac", "ba", "bb", "ca", "notes.txt")]
    for since in (None, commits[2], commits[8], side):
        ranges = {folder: (folder, since) for folder in folders}
        counts = Repo(path).count_commits_many(head, ranges)
        for folder in folders:
            revs = f"{since}..HEAD" if since else "HEAD"
            expected = git(path, "rev-list", "--count", revs, "--", folder)
            assert counts[folder] == int(expected), (folder, since)
