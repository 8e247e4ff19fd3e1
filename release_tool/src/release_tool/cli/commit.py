"""``release-tool commit``: commit each member's uncommitted changes with a written message."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from release_tool.cli.options import flag, json_option, members_argument, pass_state

if TYPE_CHECKING:
    from pathlib import Path

    from release_tool.cli.context import AppState
    from release_tool.core.workspace import Member, Workspace
    from release_tool.notes.collect import MemberChanges


def register(app: click.Group) -> None:
    @app.command("commit")
    @members_argument()
    @flag("edit", "Open $EDITOR on each message.")
    @flag("push", "Push each commit.")
    @flag("dry-run", "Show what would be sent and committed.")
    @json_option
    @flag("no-llm", "Do not ask the model.")
    @flag("fail-on-secret", "Refuse if a secret would be sent.")
    @pass_state
    def commit(
        app_state: AppState,
        members: tuple[str, ...],
        edit: bool,
        push: bool,
        dry_run: bool,
        as_json: bool,
        no_llm: bool,
        fail_on_secret: bool,
    ) -> None:
        """Commit each member with uncommitted changes, with a Conventional Commits message.

        The message comes from the configured LLM ([tool.release-tool.llm])
        or, without one, from the changed paths. MEMBERS: default all.
        """
        from release_tool.adapters.llm import resolve_endpoint
        from release_tool.cli.output_rows import CommitRow
        from release_tool.core.jsonable import dump
        from release_tool.notes.collect import collect_member
        from release_tool.notes.commit_message import commit_message
        from release_tool.notes.release import NotesOptions
        from release_tool.notes.report import outgoing_json, outgoing_lines

        term = app_state.terminal
        ws = app_state.workspace()
        dry_run = dry_run or ws.config.dry_run
        options = NotesOptions(llm=ws.config.llm, use_llm=not no_llm, fail_on_secret=fail_on_secret)
        if not dry_run:  # the workspace lock, held until the command ends
            from release_tool.core.guard import mutating

            click.get_current_context().with_resource(mutating(ws.root, "commit"))
        results: list[dict[str, Any]] = []
        chat = app_state.chat(ws.config.llm)
        for member in ws.select(list(members) or None):
            changes = collect_member(ws, member, history=False)
            if not changes.dirty:
                continue
            written = commit_message(changes, options, client=chat, call=not dry_run)
            data = dump(CommitRow.of(written))
            data["would_send"] = outgoing_json([written.request], written.outgoing)
            if dry_run:
                results.append(data)
                if not as_json:
                    term.text(f"{member.name}: would commit with the message below")
                    configured = resolve_endpoint(ws.config.llm) is not None
                    for line in outgoing_lines(data["would_send"], llm_configured=configured):
                        term.text(line)
                    term.text(_indent(written.message))
                continue
            if written.fallback_reason and written.source != "llm" and not no_llm:
                term.warn(f"{member.name}: message made from paths ({written.fallback_reason})")
            message = _edited(written.message) if edit else written.message
            data["message"] = message
            data["commit"] = _commit(ws, member, changes, message)
            data["pushed"] = _push(ws, changes) if push else False
            results.append(data)
            if not as_json:
                term.success(f"{member.name}: committed {data['commit'][:10]}")
                term.text(_indent(message))
        if as_json:
            from release_tool.cli.output import CommitOutput, document

            term.json(document(CommitOutput(dry_run=dry_run, members=results)))
        elif not results:
            term.info("nothing to commit: no member has uncommitted changes")


def _edited(message: str) -> str:
    """``message`` after the user edited it in ``$VISUAL`` / ``$EDITOR`` (default vi)."""
    import os
    import shlex
    import subprocess
    import tempfile
    from pathlib import Path

    from release_tool.errors import PlanRefusedError

    editor = os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"
    with tempfile.TemporaryDirectory(prefix="release-tool-") as folder:
        path = Path(folder) / "COMMIT_EDITMSG.txt"
        path.write_text(message, encoding="utf-8")
        proc = subprocess.run([*shlex.split(editor), str(path)], check=False)
        if proc.returncode != 0:
            raise PlanRefusedError(
                f"the editor ({editor}) exited with {proc.returncode}; nothing committed"
            )
        text = path.read_text(encoding="utf-8")
    if not text.strip():
        raise PlanRefusedError("the commit message is empty after editing; nothing committed")
    return text if text.endswith("\n") else text + "\n"


def _commit(ws: Workspace, member: Member, changes: MemberChanges, message: str) -> str:
    """Commit the member's folder (or whole repo) the way release steps commit, hooks run."""
    from release_tool.adapters.files import write_text_atomic as write_atomic
    from release_tool.adapters.git import Repo

    write_atomic(_message_file(ws, member), message)  # kept for the user, as documented
    return Repo(changes.repo_root).commit([changes.pathspec or "."], message, verify=True)


def _push(ws: Workspace, changes: MemberChanges) -> bool:
    from release_tool.adapters.git import Repo

    Repo(changes.repo_root).push(ws.config.git_remote, ["HEAD"], atomic=False, verify=True)
    return True


def _message_file(ws: Workspace, member: Member) -> Path:
    folder = ws.root / ws.config.changes_dir
    folder.mkdir(parents=True, exist_ok=True)
    if not (folder / ".gitignore").exists():
        (folder / ".gitignore").write_text("*\n", encoding="utf-8")
    return folder / member.name / ws.config.commit_message_filename


def _indent(text: str) -> str:
    return "\n".join("    " + line if line else "" for line in text.rstrip("\n").splitlines())
