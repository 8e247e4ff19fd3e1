"""The unit tier's ``FakeRepo`` answers like ``adapters.git.Repo`` on real git.

One scenario (folder commits, tags, dirty paths, commit/reset, tags made
and deleted, a push and its undo) runs against both; commit ids are
compared by position in the history, everything else as is.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from release_tool.adapters.git import Repo

sys.path.insert(0, str(Path(__file__).parent / "unit"))
from fakes import FakeRepo

if TYPE_CHECKING:
    from release_tool.core.ports import GitRepo


def _git(repo: Path, *args: str) -> str:
    done = subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True)
    return done.stdout.decode().strip()


class RealBuilder:
    def __init__(self, root: Path) -> None:
        self.root = root / "repo"
        self.root.mkdir(parents=True)
        _git(self.root, "init", "-q", "-b", "main")
        self.bare = root / "remote.git"
        _git(root, "init", "-q", "--bare", str(self.bare))
        _git(self.root, "remote", "add", "origin", str(self.bare))
        self.repo = Repo(self.root)

    def commit(self, message: str, *paths: str) -> str:
        for rel in paths:
            path = self.root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(message, encoding="utf-8")
        _git(self.root, "add", "-A")
        _git(self.root, "commit", "-q", "-m", message)
        return _git(self.root, "rev-parse", "HEAD")

    def tag(self, name: str) -> None:
        _git(self.root, "tag", name)

    def dirty(self, *paths: str) -> None:
        for rel in paths:
            (self.root / rel).parent.mkdir(parents=True, exist_ok=True)
            (self.root / rel).write_text("dirty", encoding="utf-8")

    def publish(self) -> None:
        _git(self.root, "push", "-q", "origin", "main")


class FakeBuilder:
    def __init__(self, root: Path) -> None:
        self.repo = FakeRepo(path=root, remotes={"origin": "bare"})

    def commit(self, message: str, *paths: str) -> str:
        return self.repo.add_commit(message, *paths)

    def tag(self, name: str) -> None:
        self.repo.tag(name)

    def dirty(self, *paths: str) -> None:
        self.repo.dirty += list(paths)

    def publish(self) -> None:
        self.repo.remote_state["refs/heads/main"] = self.repo.head()


def scenario(builder: Any) -> list[Any]:
    """Build a history, ask every question the core asks, and record the answers."""
    ids: dict[str, int] = {}

    def pos(sha: str | None) -> int | None:
        return None if sha is None else ids.setdefault(sha, len(ids))

    first = builder.commit("chore: layout", "packages/alpha/a.py", "packages/beta/b.py")
    pos(first)
    builder.tag("alpha-v0.1.0")
    second = builder.commit("feat(alpha): x", "packages/alpha/x.py")
    pos(second)
    builder.tag("alpha-v0.2.0")
    third = builder.commit("fix(beta): y", "packages/beta/y.py")
    pos(third)
    builder.publish()
    repo: GitRepo = builder.repo
    out: list[Any] = [
        repo.is_unborn,
        repo.is_detached,
        repo.branch(),
        pos(repo.head()),
        {name: pos(sha) for name, sha in repo.tags().items()},
        pos(repo.tag_commit("alpha-v0.2.0")),
        repo.tag_commit("missing"),
        [(pos(c.sha), c.subject) for c in repo.log(repo.head())],
        [c.subject for c in repo.log(repo.head(), first, "packages/alpha")],
        repo.count_commits(repo.head(), second, "packages/alpha"),
        repo.count_commits(repo.head(), None),
        repo.is_ancestor(first, third),
        repo.is_ancestor(third, first),
        repo.ref_exists("refs/heads/main"),
        repo.ref_exists("refs/heads/nope"),
        pos(repo.resolve("alpha-v0.1.0")),
        repo.resolve("nope"),
    ]
    builder.dirty("packages/alpha/new.py", ".release-tool/journal.jsonl")
    # (an untracked folder is one entry in git, ".release-tool/": compare with it ignored)
    out.append(repo.changed_paths([".release-tool"]))
    made = repo.commit(["packages/alpha/new.py"], "feat(alpha): new\n")
    out += [pos(made), repo.last_commit_message(), repo.changed_paths([".release-tool"])]
    repo.reset_to(third)
    out.append(pos(repo.head()))
    repo.create_tags([("a-v1", "A"), ("b-v1", "B")])
    out.append(sorted(repo.tags()))
    out.append(repo.delete_tags(["a-v1", "zzz"]))
    refs = ["refs/heads/main", "refs/tags/b-v1"]
    before = repo.remote_refs("origin", refs)
    out.append({ref: pos(sha) for ref, sha in before.items()})
    after = {ref: repo.rev_parse(ref) for ref in refs}
    repo.push_atomic("origin", refs)
    out.append(sorted(repo.remote_refs("origin", refs)))
    out.append(repo.undo_push("origin", {r: before.get(r) for r in refs}, after))
    out.append({ref: pos(sha) for ref, sha in repo.remote_refs("origin", refs).items()})
    return out


@pytest.mark.parametrize("builder", [RealBuilder, FakeBuilder])
def test_scenario_runs(builder: type, tmp_path: Path) -> None:
    assert scenario(builder(tmp_path))


def test_fake_and_real_repos_answer_alike(tmp_path: Path) -> None:
    real = scenario(RealBuilder(tmp_path / "real"))
    fake = scenario(FakeBuilder(tmp_path / "fake"))
    assert fake == real
