"""Benchmark: release notes for 10 members x 50 commits with a 5 MB diff.

Measures, against the scripted OpenAI-compatible server on 127.0.0.1 (a
fast, well-behaved model, so the figures are the tool's own cost): LLM
calls, estimated tokens sent, the largest request against the budget, and
wall time, for a first run and a cached re-run. The commit-only notes (no
LLM) are measured in the same run as the baseline, and the tokens a naive
"send the whole diff" request would need are computed for comparison.

    uv run python bench/bench_notes.py [--members 10] [--commits 50] [--mb 5] [--out FILE]
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from release_tool.core.config import LLMSettings
from release_tool.core.workspace import load_workspace
from release_tool.notes import NotesOptions, release_notes
from release_tool.notes.budget import estimate_tokens
from release_tool.notes.redact import redact
from release_tool.testing.llm_server import ScriptedLLMServer

KINDS = ["feat", "fix", "refactor", "docs", "perf", "feat", "fix", "test"]


def git(repo: Path, *args: str, stdin: str | None = None) -> str:
    return subprocess.run(
        ["git", "-C", str(repo), *args], check=True, capture_output=True, text=True, input=stdin
    ).stdout


def build(root: Path, members: int, commits: int, megabytes: float) -> int:
    """A monorepo workspace; returns the bytes of diff added since the tags."""
    rng = random.Random(7)
    root.mkdir(parents=True)
    git(root, "init", "-q")
    names = [f"pkg{i:02d}" for i in range(members)]
    (root / "pyproject.toml").write_text(
        '[project]\nname = "ws"\nversion = "0.1.0"\n\n'
        '[tool.uv.workspace]\nmembers = ["packages/*"]\n'
    )
    for name in names:
        folder = root / "packages" / name
        (folder / "src" / name).mkdir(parents=True)
        (folder / "pyproject.toml").write_text(
            f'[project]\nname = "{name}"\nversion = "0.1.0"\nrequires-python = ">=3.11"\n'
        )
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "chore: initial layout")
    for name in names:
        git(root, "tag", f"{name}-v0.1.0")
    per_commit = int(megabytes * 1024 * 1024 / (members * commits))
    total = 0
    # fast-import keeps 500 commits to a few seconds
    stream = []
    mark = 0
    for c in range(commits):
        for name in names:
            mark += 1
            kind = KINDS[(c + len(name)) % len(KINDS)]
            lines, size = [], 0
            while size < per_commit:
                line = f"value_{c}_{size} = {rng.randrange(10**9)}  # {kind} work\n"
                lines.append(line)
                size += len(line)
            body = "".join(lines)
            total += len(body)
            path = f"packages/{name}/src/{name}/m{c:03d}.py"
            extra = ""
            if c == 10:  # a lock file and a minified bundle: never sent
                lock = "".join(f'name = "dep{n}"\nversion = "1.{n}"\n' for n in range(2000))
                mini = "var a=" + ",".join(str(n) for n in range(5000)) + ";\n"
                extra = (
                    f"M 100 inline packages/{name}/uv.lock\ndata {len(lock)}\n{lock}\n"
                    f"M 100 inline packages/{name}/static/app.min.js\ndata {len(mini)}\n{mini}\n"
                )
            message = f"{kind}({name}): change number {c}\n\nDetails of change {c} in {name}.\n"
            stream.append(
                f"commit refs/heads/main\nmark :{mark}\n"
                f"committer Bench <bench@example.org> {1700000000 + mark} +0000\n"
                f"data {len(message.encode())}\n{message}"
                + ("from refs/heads/main^0\n" if mark == 1 else "")
                + f"M 100644 inline {path}\ndata {len(body.encode())}\n{body}\n"
                + extra.replace("M 100 inline", "M 100644 inline")
            )
    git(root, "fast-import", "--quiet", stdin="".join(stream))
    git(root, "reset", "-q", "--hard", "main")
    return total


def run_all(root: Path, options: NotesOptions) -> dict[str, float]:
    ws = load_workspace(root)
    started = time.perf_counter()
    calls = hits = sent = biggest = 0
    llm = 0
    for member in ws.ordered():
        notes = release_notes(ws, member, "0.2.0", settings=options)
        calls += notes.stats.calls
        hits += notes.stats.cache_hits
        sent += notes.stats.tokens_sent
        biggest = max(biggest, notes.stats.max_request_tokens)
        llm += notes.source == "llm"
    return {
        "wall": time.perf_counter() - started,
        "calls": calls,
        "hits": hits,
        "sent": sent,
        "biggest": biggest,
        "llm": llm,
    }


def _shown_args() -> str:
    """The command-line arguments, without ``--out FILE``."""
    argv, shown = sys.argv[1:], []
    while argv:
        arg = argv.pop(0)
        if arg == "--out":
            argv.pop(0)
        elif not arg.startswith("--out="):
            shown.append(arg)
    return " ".join(shown) or "(defaults)"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=10)
    parser.add_argument("--commits", type=int, default=50)
    parser.add_argument("--mb", type=float, default=5.0)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--base-url", help="a real OpenAI-compatible server instead of the script")
    parser.add_argument("--model", default="scripted")
    parser.add_argument("--context", type=int, help="context-tokens (default: the config's)")
    parser.add_argument("--response-format", default="json_object")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-notes-"))
    os.environ.update(
        HOME=str(tmp),
        GIT_CONFIG_GLOBAL=str(tmp / "gitconfig"),
        GIT_AUTHOR_NAME="Bench",
        GIT_AUTHOR_EMAIL="bench@example.org",
        GIT_COMMITTER_NAME="Bench",
        GIT_COMMITTER_EMAIL="bench@example.org",
    )
    (tmp / "gitconfig").write_text("[init]\n\tdefaultBranch = main\n")
    root = tmp / "ws"
    t0 = time.perf_counter()
    diff_bytes = build(root, args.members, args.commits, args.mb)
    built = time.perf_counter() - t0
    settings = LLMSettings.from_values(
        {"response-format": args.response_format, "timeout": 600, "max-retries": 0}
        | ({"context-tokens": args.context, "output-tokens": 512} if args.context else {})
    )
    budget = settings.context_tokens
    baseline = run_all(root, NotesOptions(llm=settings, cache_dir=tmp / "none", date="2026-01-02"))
    with ScriptedLLMServer() as server:
        url = args.base_url or server.url
        llm = settings.model_copy(update={"model": args.model, "base_url": url})
        opts = NotesOptions(llm=llm, cache_dir=tmp / "cache", date="2026-01-02")
        first = run_all(root, opts)
        second = run_all(root, opts)
        received_first = first["calls"] if args.base_url else len(server.chat_requests)
        received_second = second["calls"] if args.base_url else 0
        if not args.base_url:
            received_second = len(server.chat_requests) - received_first
        sizes = [
            sum(estimate_tokens(m["content"]) for m in r.body["messages"]) + r.body["max_tokens"]
            for r in server.chat_requests
        ] or [int(first["biggest"])]
    server_label = (
        f"`{args.model}` at {args.base_url}"
        if args.base_url
        else "the scripted OpenAI-compatible server on 127.0.0.1"
    )
    whole = git(root, "diff", "HEAD~" + str(args.members * args.commits), "HEAD")
    naive = estimate_tokens(whole)
    t0 = time.perf_counter()
    _, secrets = redact(whole, "bench")
    scan = time.perf_counter() - t0
    rows = [
        ("commits only (no LLM, baseline)", baseline, 0),
        ("LLM, first run", first, received_first),
        ("LLM, cached re-run", second, received_second),
    ]
    lines = [
        "#### Figures",
        "",
        f"Machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, {git(root, 'version').strip()}.",
        f"Workspace: {args.members} folder members x {args.commits} commits, "
        f"{diff_bytes / 1e6:.2f} MB of diff since the tags (plus a lock file and a minified "
        f"bundle per member, excluded); built in {built:.1f} s.",
        f"LLM: {server_label} through the real `openai` "
        f"client; budget {budget} tokens per request (context), {settings.output_tokens} "
        f"reserved for the answer.",
        "",
        "| run | wall time | LLM calls (server saw) | cache hits | est. tokens sent "
        "| largest request | notes from LLM |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for label, r, seen in rows:
        lines.append(
            f"| {label} | {r['wall']:.2f} s | {r['calls']:.0f} ({seen}) | {r['hits']:.0f} "
            f"| {r['sent']:,.0f} | {r['biggest']:,.0f} | {r['llm']:.0f}/{args.members} |"
        )
    lines += [
        "",
        f"Largest request the server received: {max(sizes, default=0):,} tokens "
        f"(estimate incl. output reserve) against a budget of {budget}: "
        f"{'none over budget' if max(sizes, default=0) <= budget else 'OVER BUDGET'}.",
        f"Sending the whole diff in one request would need about {naive:,} tokens "
        f"({naive / budget:.0f}x the budget).",
        f"Secret scan (token patterns + detect-secrets on pre-filtered lines) of the whole "
        f"{len(whole) / 1e6:.2f} MB diff in one piece: {scan:.2f} s ({len(secrets)} findings).",
        "",
        f"Command: `uv run python bench/bench_notes.py {_shown_args()}`",
    ]
    text = "\n".join(lines) + "\n"
    sys.stdout.write(text)
    if args.out:
        with args.out.open("a") as out:
            out.write(text + "\n")


if __name__ == "__main__":
    main()
