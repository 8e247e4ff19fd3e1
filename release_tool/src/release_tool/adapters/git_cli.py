"""Writes through the git CLI: the one ``git`` runner and ``Repo``'s write methods.

Writes go through the git CLI so the user's hooks, signing and credential
helpers apply exactly as they would by hand. ``adapters.git.Repo`` is the
only user: it inherits ``GitCliWrites``. Failures become ``GitError``
carrying git's own message.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from release_tool.errors import GitError

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence


def run_git(
    path: Path,
    *args: str,
    ok_codes: Sequence[int] = (0,),
    input_text: str | None = None,
    strip: bool = True,
) -> str:
    """Run ``git -C path args``; stdout as text (undecodable bytes replaced).

    An exit status outside ``ok_codes`` raises ``GitError`` naming the repo,
    the first words of the command and git's message.
    """
    if not path.is_dir():
        raise GitError(f"{path}: not a git repository (no such folder)")
    proc = subprocess.run(
        ["git", "-C", str(path), "-c", "core.quotepath=off", *args],
        input=None if input_text is None else input_text.encode("utf-8"),
        capture_output=True,
        check=False,
    )
    if proc.returncode not in ok_codes:
        detail = (proc.stderr or proc.stdout).decode("utf-8", "replace").strip()
        raise GitError(f"{path}: git {' '.join(args[:3])} failed: {detail}")
    out = proc.stdout.decode("utf-8", "replace")
    return out.strip() if strip else out


class message_file:
    """A temp file holding a commit or tag message (so ``-F`` keeps it verbatim)."""

    def __init__(self, message: str) -> None:
        self.message = message if message.endswith("\n") else message + "\n"
        self.path = ""

    def __enter__(self) -> str:
        fd, self.path = tempfile.mkstemp(prefix="release-tool-msg-", suffix=".txt")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(self.message)
        return self.path

    def __exit__(self, *exc: object) -> None:
        Path(self.path).unlink(missing_ok=True)


def fast_import_tags(commit_id: str, tagger: str, tags: Sequence[tuple[str, str]]) -> str:
    """A ``git fast-import`` stream making annotated tags ``(name, message)`` at ``commit_id``."""

    def parts() -> Iterator[str]:
        for name, message in tags:
            data = message if message.endswith("\n") else message + "\n"
            size = len(data.encode("utf-8"))
            yield f"tag {name}\nfrom {commit_id}\ntagger {tagger}\ndata {size}\n"
            yield data
        yield "done\n"

    return "".join(parts())


class GitCliWrites:
    """The write half of ``adapters.git.Repo`` (commits, tags, pushes, resets, checkouts).

    The reads it needs (``head``, ``untracked``, ``tag_commit``,
    ``ref_exists``) are ``Repo``'s libgit2 reads; ``_wrote`` drops the
    libgit2 handle so later reads see what git wrote.
    """

    path: Path

    def _wrote(self) -> None:
        raise NotImplementedError

    def head(self) -> str:
        raise NotImplementedError

    def untracked(self, paths: Sequence[str]) -> list[str]:
        raise NotImplementedError

    def tag_commit(self, name: str) -> str | None:
        raise NotImplementedError

    def ref_exists(self, ref: str) -> bool:
        raise NotImplementedError

    def git(self, *args: str, ok_codes: Sequence[int] = (0,)) -> str:
        """Run ``git args`` here (the one runner); the handle is refreshed afterwards."""
        try:
            return run_git(self.path, *args, ok_codes=ok_codes)
        finally:
            self._wrote()

    def commit(self, paths: Sequence[str], message: str, *, verify: bool = False) -> str:
        """Commit the current content of ``paths`` (relative to the repo); return the commit id.

        One ``git commit --only -- <paths>`` (tracked files and submodule
        pointers need no ``git add``); paths git does not track yet are
        added first. Nothing else staged is included. ``verify`` runs the
        pre-commit and commit-msg hooks (a user's own commit); the release
        engine's commits skip them.
        """
        new = self.untracked(paths)
        if new:
            self.git("add", "--", *new)
        hooks = [] if verify else ["--no-verify"]
        with message_file(message) as msg:
            self.git("commit", "--quiet", *hooks, "--cleanup=verbatim", "-F", msg,
                     "--only", "--", *paths)  # fmt: skip
        return self.head()

    def create_tags(self, tags: Sequence[tuple[str, str]], target: str = "HEAD") -> None:
        """Make annotated tags ``(name, message)`` at ``target``, messages verbatim.

        One tag: ``git tag -a --cleanup=verbatim -F <file>``. Several (the
        folder members of the root repo): one ``git fast-import`` run writes
        them all, with the tagger git itself would use, instead of one
        process per tag.
        """
        if len(tags) == 1:
            name, message = tags[0]
            with message_file(message) as msg:
                self.git("tag", "-a", "--cleanup=verbatim", "-F", msg, name, target)
            return
        commit_id = self.git("rev-parse", f"{target}^{{commit}}")
        tagger = self.git("var", "GIT_COMMITTER_IDENT")
        stream = fast_import_tags(commit_id, tagger, tags)
        try:
            run_git(self.path, "fast-import", "--quiet", "--done", input_text=stream)
        except GitError as exc:
            names = ", ".join(name for name, _ in tags)
            raise GitError(f"{self.path}: creating tags {names} failed: {exc}") from None
        finally:
            self._wrote()

    def delete_tags(self, names: Sequence[str]) -> list[str]:
        """Delete those of the local tags ``names`` that exist; return them."""
        present = [name for name in names if self.tag_commit(name) is not None]
        if present:
            self.git("tag", "-d", *present)
        return present

    def reset_to(self, commit_id: str) -> None:
        """Move the current branch back to ``commit_id``, keeping the work tree (mixed reset)."""
        self.git("reset", "--quiet", "--mixed", commit_id)

    def remote_refs(self, remote: str, refs: Sequence[str]) -> dict[str, str]:
        """``git ls-remote``: full ref name -> commit id for those of ``refs`` the remote has."""
        if not refs:
            return {}
        out = self.git("ls-remote", "--refs", remote, *refs)
        found = {}
        for line in out.splitlines():
            sha, _, ref = line.partition("\t")
            found[ref.strip()] = sha.strip()
        return found

    def push(
        self, remote: str, refspecs: Sequence[str], *, atomic: bool = True, verify: bool = False
    ) -> None:
        """``git push`` of ``refspecs`` (``--atomic``: all land or none do).

        ``verify`` runs the pre-push hook (a user's own push); the release
        engine's pushes skip it.
        """
        if refspecs:
            mode = ["--atomic"] if atomic else []
            hooks = [] if verify else ["--no-verify"]
            self.git("push", *mode, "--porcelain", *hooks, remote, *refspecs)

    def push_atomic(self, remote: str, refs: Sequence[str]) -> None:
        """Push full ``refs`` (branch and tags) under their own names in one atomic push."""
        self.push(remote, [f"{ref}:{ref}" for ref in refs])

    def undo_push(
        self, remote: str, before: dict[str, str | None], after: dict[str, str]
    ) -> list[str]:
        """Put back remote refs that a push moved (tags deleted, branch rewound); return them.

        Only refs the remote still has at the pushed value are touched, each
        under ``--force-with-lease``, so a push that never landed is a no-op
        and a ref someone else moved since is left alone.
        """
        now = self.remote_refs(remote, list(before))
        specs: list[str] = []
        leases: list[str] = []
        for ref, old in before.items():
            new = after.get(ref)
            if new is None or old == new or now.get(ref) != new:
                continue
            specs.append(f"{old}:{ref}" if old else f":{ref}")
            leases.append(f"--force-with-lease={ref}:{new}")
        if specs:
            self.git("push", "--atomic", "--porcelain", "--no-verify", *leases, remote, *specs)
        return [spec.split(":", 1)[1] for spec in specs]

    def checkout(self, ref: str) -> None:
        """Check out a branch or commit."""
        self.git("checkout", "--quiet", ref)

    def create_or_fast_forward_branch(self, branch: str, start: str) -> str:
        """Check out ``branch``: create it at ``start`` or fast-forward it to ``start``."""
        if self.ref_exists(f"refs/heads/{branch}"):
            self.checkout(branch)
            self.git("merge", "--ff-only", "--quiet", start)
        else:
            self.git("checkout", "--quiet", "-b", branch, start)
        return self.head()

    def stash(self, message: str) -> bool:
        """Stash uncommitted changes (untracked included); True if anything was stashed."""
        before = self.git("stash", "list")
        self.git("stash", "push", "--include-untracked", "--quiet", "-m", message)
        return self.git("stash", "list") != before

    def stash_pop(self) -> None:
        """Re-apply and drop the latest stash."""
        self.git("stash", "pop", "--quiet")
