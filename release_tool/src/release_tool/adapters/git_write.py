"""Git writes through GitPython: commits, annotated tags, atomic pushes, resets.

Every function takes the repo's work tree path and returns plain values,
so the plan runner can journal them. Reads that must be fast live in
``git_read`` (pygit2).
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from release_tool.errors import GitError

if TYPE_CHECKING:
    from collections.abc import Sequence


def _repo(path: Path):  # -> git.cmd.Git, imported lazily so --help stays fast
    """A GitPython command runner for the work tree ``path`` (no repo object to build)."""
    import git

    if not path.is_dir():
        raise GitError(f"{path}: not a git repository (no such folder)")
    return _Runner(git.cmd.Git(str(path)))


class _Runner:
    """``_repo(path).git.<command>(...)`` as with ``git.Repo``, without reading the repo."""

    def __init__(self, runner: object) -> None:
        self.git = runner


def _run(path: Path, *args: str, env: dict[str, str] | None = None) -> str:
    """Run ``git <args>`` in ``path``; a failure becomes ``GitError`` with git's own message."""
    import git

    try:
        return _repo(path).git.execute(["git", *args], env=env)  # type: ignore[attr-defined]
    except git.GitCommandError as exc:
        detail = (exc.stderr or exc.stdout or "").strip().removeprefix("stderr:").strip(" '\n")
        raise GitError(f"{path}: git {' '.join(args[:3])} failed: {detail}") from None


def head(path: Path) -> str:
    """The commit id HEAD points to (read in-process: it is asked before and after every step)."""
    import pygit2

    try:
        repo = pygit2.Repository(str(path))
        return str(repo.head.target)
    except (pygit2.GitError, KeyError) as exc:
        raise GitError(f"{path}: cannot read HEAD ({exc})") from None


def current_branch(path: Path) -> str | None:
    """The checked-out branch, or None when HEAD is detached."""
    import git

    try:
        return _repo(path).git.symbolic_ref("--short", "-q", "HEAD") or None
    except git.GitCommandError:
        return None


def commit(path: Path, paths: Sequence[str], message: str) -> str:
    """Commit the current content of ``paths`` (relative to the repo); return the commit id.

    One ``git commit --only -- <paths>`` (tracked files and submodule
    pointers need no ``git add``); paths git does not track yet are added
    first. Nothing else staged is included.
    """
    new = _untracked(path, paths)
    if new:
        _run(path, "add", "--", *new)
    with _message_file(message) as msg:
        _run(path, "commit", "--quiet", "--no-verify", "--cleanup=verbatim", "-F", msg,
             "--only", "--", *paths)  # fmt: skip
    return head(path)


def _untracked(path: Path, paths: Sequence[str]) -> list[str]:
    """Those of ``paths`` that are not in the index (read in-process)."""
    import pygit2

    index = pygit2.Repository(str(path)).index
    return [p for p in paths if p not in index]


def last_commit_message(path: Path) -> str:
    """The full message of HEAD (to recognise a commit made before a crash)."""
    import pygit2

    repo = pygit2.Repository(str(path))
    return str(repo.head.peel(pygit2.Commit).message)


def create_tag(path: Path, name: str, message: str, target: str = "HEAD") -> str:
    """Make an annotated tag with a verbatim message; return the commit it points to."""
    with _message_file(message) as msg:
        _run(path, "tag", "-a", "--cleanup=verbatim", "-F", msg, name, target)
    return tag_commit(path, name) or ""


def create_tags(path: Path, tags: Sequence[tuple[str, str]], target: str = "HEAD") -> None:
    """Make annotated tags ``(name, message)`` at ``target``, messages verbatim.

    One tag: ``git tag -a --cleanup=verbatim -F <file>``. Several (the
    folder members of the root repo): one ``git fast-import`` run writes
    them all, with the tagger git itself would use (``git var
    GIT_COMMITTER_IDENT``), instead of one process per tag.
    """
    if len(tags) == 1:
        create_tag(path, *tags[0], target=target)
        return
    commit_id = _run(path, "rev-parse", f"{target}^{{commit}}")
    ident = _run(path, "var", "GIT_COMMITTER_IDENT")
    stream = []
    for name, message in tags:
        data = message if message.endswith("\n") else message + "\n"
        raw = data.encode("utf-8")
        stream.append(f"tag {name}\nfrom {commit_id}\ntagger {ident}\ndata {len(raw)}\n")
        stream.append(data)
    stream.append("done\n")
    done = subprocess.run(
        ["git", "fast-import", "--quiet", "--done"],
        cwd=path,
        input="".join(stream).encode("utf-8"),
        capture_output=True,
        check=False,
    )
    if done.returncode != 0:
        names = ", ".join(name for name, _ in tags)
        raise GitError(f"{path}: creating tags {names} failed: {done.stderr.decode().strip()}")


def delete_tags(path: Path, names: Sequence[str]) -> list[str]:
    """Delete those of the local tags ``names`` that exist; return them."""
    present = [name for name in names if tag_commit(path, name) is not None]
    if present:
        _run(path, "tag", "-d", *present)
    return present


def tag_commit(path: Path, name: str) -> str | None:
    """The commit a tag points to (peeled), or None if the tag does not exist (in-process)."""
    import pygit2

    try:
        repo = pygit2.Repository(str(path))
        ref = repo.references.get(f"refs/tags/{name}")
        if ref is None:
            return None
        return str(ref.peel(pygit2.Commit).id)
    except (pygit2.GitError, KeyError, ValueError):
        return None


def reset_to(path: Path, commit_id: str) -> None:
    """Move the current branch back to ``commit_id``, keeping the work tree (mixed reset).

    The files the undone commits changed are restored separately from the
    journal's backups, so nothing the user had in the work tree is lost.
    """
    _run(path, "reset", "--quiet", "--mixed", commit_id)


def remote_url(path: Path, remote: str) -> str | None:
    """The configured URL of ``remote``, or None."""
    import git

    try:
        return _repo(path).git.config("--get", f"remote.{remote}.url") or None
    except git.GitCommandError:
        return None


def remote_refs(path: Path, remote: str, refs: Sequence[str]) -> dict[str, str]:
    """``git ls-remote``: full ref name -> commit id for those of ``refs`` the remote has."""
    if not refs:
        return {}
    out = _run(path, "ls-remote", "--refs", remote, *refs)
    found = {}
    for line in out.splitlines():
        sha, _, ref = line.partition("\t")
        found[ref.strip()] = sha.strip()
    return found


def rev_parse(path: Path, ref: str) -> str:
    """The object id ``ref`` names (a tag ref gives the tag object, not the commit)."""
    return _run(path, "rev-parse", ref)


def push_atomic(path: Path, remote: str, refs: Sequence[str]) -> None:
    """Push full ``refs`` (branch and tags) in one ``git push --atomic``: all land or none do."""
    if refs:
        _run(
            path,
            "push",
            "--atomic",
            "--porcelain",
            "--no-verify",
            remote,
            *[f"{ref}:{ref}" for ref in refs],
        )


def undo_push(
    path: Path, remote: str, before: dict[str, str | None], after: dict[str, str]
) -> list[str]:
    """Put back remote refs that a push moved (tags deleted, branch rewound); return them.

    Only refs the remote still has at the pushed value are touched, each
    under ``--force-with-lease``, so a push that never landed is a no-op
    and a ref someone else moved since is left alone.
    """
    now = remote_refs(path, remote, list(before))
    specs: list[str] = []
    leases: list[str] = []
    for ref, old in before.items():
        new = after.get(ref)
        if new is None or old == new or now.get(ref) != new:
            continue
        specs.append(f"{old}:{ref}" if old else f":{ref}")
        leases.append(f"--force-with-lease={ref}:{new}")
    if specs:
        _run(path, "push", "--atomic", "--porcelain", "--no-verify", *leases, remote, *specs)
    return [spec.split(":", 1)[1] for spec in specs]


def is_dirty(path: Path, ignore: Sequence[str] = ()) -> list[str]:
    """Paths with uncommitted changes (untracked included), minus those under ``ignore``."""
    out = _run(path, "status", "--porcelain=v1", "--untracked-files=normal")
    paths = [line[3:].strip().strip('"') for line in out.splitlines() if line.strip()]
    return [
        p for p in paths if not any(p == i or p.startswith(i.rstrip("/") + "/") for i in ignore)
    ]


def create_or_fast_forward_branch(path: Path, branch: str, start: str) -> str:
    """Check out ``branch``: create it at ``start`` or fast-forward it to ``start``."""
    if _run(path, "branch", "--list", branch):
        _run(path, "checkout", "--quiet", branch)
        _run(path, "merge", "--ff-only", "--quiet", start)
    else:
        _run(path, "checkout", "--quiet", "-b", branch, start)
    return head(path)


def stash(path: Path, message: str) -> bool:
    """Stash uncommitted changes (untracked included); True if anything was stashed."""
    before = _run(path, "stash", "list")
    _run(path, "stash", "push", "--include-untracked", "--quiet", "-m", message)
    return _run(path, "stash", "list") != before


def checkout(path: Path, ref: str) -> None:
    """Check out a branch or commit."""
    _run(path, "checkout", "--quiet", ref)


class _message_file:
    """A temp file holding a commit or tag message (so ``-F`` keeps it verbatim)."""

    def __init__(self, message: str) -> None:
        self.message = message if message.endswith("\n") else message + "\n"

    def __enter__(self) -> str:
        fd, self.path = tempfile.mkstemp(prefix="release-tool-msg-", suffix=".txt")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(self.message)
        return self.path

    def __exit__(self, *exc: object) -> None:
        Path(self.path).unlink(missing_ok=True)


def stash_pop(path: Path) -> None:
    """Re-apply and drop the latest stash."""
    _run(path, "stash", "pop", "--quiet")


def ref_exists(path: Path, ref: str) -> bool:
    """Whether ``ref`` (a full ref name) exists."""
    import git

    try:
        _repo(path).git.rev_parse("-q", "--verify", ref)
    except git.GitCommandError:
        return False
    return True


def is_ancestor(path: Path, ancestor: str, descendant: str) -> bool:
    """Whether ``ancestor`` is reachable from ``descendant``."""
    import git

    try:
        _repo(path).git.merge_base("--is-ancestor", ancestor, descendant)
    except git.GitCommandError:
        return False
    return True


def ls_remote(path: Path, remote: str) -> dict[str, str]:
    """Every branch and tag of ``remote``: full ref name -> object id (tags not peeled)."""
    out = _run(path, "ls-remote", "--refs", remote, "refs/heads/*", "refs/tags/*")
    found = {}
    for line in out.splitlines():
        sha, _, ref = line.partition("\t")
        found[ref.strip()] = sha.strip()
    return found
