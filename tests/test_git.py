"""adapters.git.Repo against real repos: reads through libgit2, writes through the git CLI."""

from __future__ import annotations

import subprocess
from typing import TYPE_CHECKING

import pytest

from release_tool.adapters.git import Repo
from release_tool.errors import GitError

if TYPE_CHECKING:
    from pathlib import Path


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(repo), *args], check=True, capture_output=True, text=True
    ).stdout.strip()


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def committed(repo: Path, message: str, files: dict[str, str]) -> str:
    for rel, text in files.items():
        write(repo / rel, text)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)
    return git(repo, "rev-parse", "HEAD")


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    committed(root, "chore: init", {"a/x.py": "1\n", "b/y.py": "1\n"})
    return root


def test_unborn_repo_has_a_branch_but_no_head(tmp_path: Path) -> None:
    git(tmp_path, "init", "-q", "-b", "trunk")
    repo = Repo(tmp_path)
    assert (repo.is_unborn, repo.branch(), repo.head_commit()) == (True, "trunk", None)
    with pytest.raises(GitError, match="cannot read HEAD"):
        repo.head()
    assert repo.state().head is None


def test_not_a_repo_is_a_git_error(tmp_path: Path) -> None:
    with pytest.raises(GitError, match="not a git repository"):
        Repo(tmp_path).tags()
    assert Repo(tmp_path).remote_url("origin") is None


def test_log_and_count_filter_by_folder(repo: Path) -> None:
    base = git(repo, "rev-parse", "HEAD")
    a = committed(repo, "feat: a", {"a/z.py": "2\n"})
    b = committed(repo, "feat: b", {"b/z.py": "2\n"})
    r = Repo(repo)
    assert [c.sha for c in r.log(r.head(), base)] == [b, a]
    assert [c.subject for c in r.log(r.head(), base, "a")] == ["feat: a"]
    assert r.count_commits(r.head(), base, "b") == 1
    assert r.count_commits(r.head(), None) == 3


def test_commit_adds_new_paths_and_leaves_other_staged_work_out(repo: Path) -> None:
    write(repo / "a/new.py", "new\n")
    write(repo / "b/y.py", "staged\n")
    git(repo, "add", "b/y.py")
    r = Repo(repo)
    sha = r.commit(["a/new.py"], "feat: new\n\n# kept verbatim\n")
    assert sha == r.head() == git(repo, "rev-parse", "HEAD")
    assert git(repo, "show", "--name-only", "--format=", "HEAD") == "a/new.py"
    assert r.last_commit_message() == "feat: new\n\n# kept verbatim\n"
    assert git(repo, "diff", "--cached", "--name-only") == "b/y.py"


def test_commit_runs_hooks_only_when_asked(repo: Path) -> None:
    hook = repo / ".git/hooks/pre-commit"
    write(hook, "#!/bin/sh\necho refused by hook >&2\nexit 1\n")
    hook.chmod(0o755)
    write(repo / "a/x.py", "2\n")
    r = Repo(repo)
    with pytest.raises(GitError, match="refused by hook"):
        r.commit(["a/x.py"], "fix: x", verify=True)
    r.commit(["a/x.py"], "fix: x")  # the release engine's commits skip hooks
    assert r.log(r.head())[0].subject == "fix: x"


def test_tags_one_or_many_verbatim_then_deleted(repo: Path) -> None:
    r = Repo(repo)
    r.create_tags([("v1", "# Heading\n\nbody")])
    r.create_tags([("a-v1", "# A\n"), ("b-v1", "# B\n")])
    head = r.head()
    assert r.tags() == {"v1": head, "a-v1": head, "b-v1": head}
    assert r.tag_message("a-v1") == "# A\n"
    assert git(repo, "tag", "-l", "--format=%(contents)", "v1") == "# Heading\n\nbody"
    assert r.delete_tags(["a-v1", "missing"]) == ["a-v1"]
    assert sorted(r.tags()) == ["b-v1", "v1"]


def test_merged_tags_are_those_head_contains(repo: Path) -> None:
    git(repo, "tag", "old")
    git(repo, "checkout", "-q", "-b", "side")
    committed(repo, "side", {"s.py": "1\n"})
    git(repo, "tag", "side-tag")
    git(repo, "checkout", "-q", "main")
    assert sorted(Repo(repo).merged_tags()) == ["old"]
    assert Repo(repo).is_ancestor("main", "side")
    assert not Repo(repo).is_ancestor("side", "main")


def test_dirty_paths_status_and_worktree_patches(repo: Path) -> None:
    write(repo / "a/x.py", "1\n2\n")
    write(repo / "a/new.py", "n\n")
    write(repo / "b/y.py", "changed\n")
    git(repo, "add", "b/y.py")
    r = Repo(repo)
    assert r.changed_paths() == ["a/new.py", "a/x.py", "b/y.py"]
    assert r.changed_paths(ignore=["a"]) == ["b/y.py"]
    assert r.status_lines(None) == " M a/x.py\nM  b/y.py\n?? a/new.py\n"  # as git prints it
    assert r.status_lines("a") == " M a/x.py\n?? a/new.py\n"
    printed = subprocess.run(
        ["git", "-C", str(repo), "status", "--short"], check=True, capture_output=True, text=True
    ).stdout
    assert r.status_lines(None) == printed
    patches = {p.path: p for p in r.worktree_patches("a")}
    assert sorted(patches) == ["a/new.py", "a/x.py"]
    assert (patches["a/x.py"].added, patches["a/x.py"].deleted) == (1, 0)
    assert "new file mode" in patches["a/new.py"].patch


def test_push_and_undo_against_a_bare_remote(repo: Path, tmp_path: Path) -> None:
    bare = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", str(bare))
    git(repo, "remote", "add", "origin", str(bare))
    git(repo, "push", "-q", "origin", "main")
    old = git(repo, "rev-parse", "HEAD")
    r = Repo(repo)
    assert r.remote_url("origin") == str(bare)
    committed(repo, "feat: next", {"a/n.py": "1\n"})
    r.create_tags([("v2", "two")])
    refs = ["refs/heads/main", "refs/tags/v2"]
    before = r.remote_refs("origin", refs)
    assert before == {"refs/heads/main": old}
    after = {ref: r.rev_parse(ref) for ref in refs}
    r.push_atomic("origin", refs)
    assert r.remote_refs("origin", refs)["refs/heads/main"] == r.head()
    undone = r.undo_push("origin", {ref: before.get(ref) for ref in refs}, after)
    assert undone == refs
    assert r.remote_refs("origin", refs) == {"refs/heads/main": old}


def test_read_file_at_a_ref_and_gitlinks(repo: Path) -> None:
    git(repo, "tag", "t1")
    committed(repo, "change", {"a/x.py": "2\n"})
    r = Repo(repo)
    assert r.read_file_at("t1", "a/x.py") == "1\n"
    assert r.read_file_at("HEAD", "a/x.py") == "2\n"
    assert r.read_file_at("HEAD", "missing.py") is None
    assert r.read_file_at("no-such-ref", "a/x.py") is None
    assert r.gitlinks() == {}


def test_state_from_one_read_of_head(repo: Path, tmp_path: Path) -> None:
    """Branch, detached HEAD and upstream distance as git reports them."""
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", str(remote))
    git(repo, "remote", "add", "origin", str(remote))
    git(repo, "push", "-q", "-u", "origin", "main")
    state = Repo(repo).state()
    assert (state.branch, state.detached, state.upstream, state.ahead, state.behind) == (
        "main",
        False,
        "origin/main",
        0,
        0,
    )
    assert state.head == git(repo, "rev-parse", "HEAD")
    committed(repo, "feat: ahead", {"a/new.py": "1\n"})
    state = Repo(repo).state()
    assert (state.ahead, state.behind) == (1, 0)
    git(repo, "checkout", "-q", "--detach", "HEAD~1")
    state = Repo(repo).state()
    assert (state.branch, state.detached, state.upstream) == (None, True, None)
    assert state.head == git(repo, "rev-parse", "HEAD")
