"""Benchmark: ``release-tool status --json`` vs asking git one subprocess at a time.

Builds multi-repo sandbox workspaces (every member its own repo, attached as
a submodule, ~200 commits and ~20 tags each) of 10, 50 and 100 members, then
times, warm (after one untimed run):

* ``cli``: ``release-tool status --json`` as a user runs it (a new process,
  bytecode cache warm);
* ``core``: the same work in-process (``workspace_status``), without start-up;
* ``baseline``: the seed tool's way: per member, one ``git`` process per
  question (tags, commits since the latest tag, dirty state, branch,
  ahead/behind, the tag's pyproject), timed in-process and as its own Python
  process (as the seed tool runs).

Run: ``uv run python bench/bench_status.py [--sizes 10,50,100] [--repeat 5]``.
Prints a Markdown table for bench/README.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from release_tool.testing.sandbox import Sandbox, build_sandbox, make_specs

COMMITS = 200
TAGS = tuple(
    v
    for minor in range(5)
    for v in (f"0.{minor}.0.dev1", f"0.{minor}.0.dev2", f"0.{minor}.0.dev3", f"0.{minor}.0")
)  # 20 tags


def baseline(root: Path, members: list[Path]) -> None:
    """One git process per question per member, like a shell loop over the repos."""
    for path in members:
        tags = subprocess.run(
            ["git", "tag", "--list", "v*", "--sort=-v:refname"],
            cwd=path,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()
        latest = tags[0] if tags else None
        if latest:
            subprocess.run(
                ["git", "rev-list", "--count", f"{latest}..HEAD"],
                cwd=path,
                capture_output=True,
                check=True,
            )
        subprocess.run(["git", "status", "--porcelain"], cwd=path, capture_output=True, check=True)
        subprocess.run(
            ["git", "rev-parse", "--abbrev-ref", "HEAD"], cwd=path, capture_output=True, check=True
        )
        subprocess.run(
            ["git", "rev-list", "--left-right", "--count", "HEAD...@{u}"],
            cwd=path,
            capture_output=True,
            check=True,
        )
        subprocess.run(
            ["git", "show", f"{latest}:pyproject.toml"], cwd=path, capture_output=True, check=True
        )


def timed(fn, repeat: int) -> float:  # type: ignore[no-untyped-def]
    fn()  # warm-up
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - start)
    return statistics.median(runs)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="10,50,100")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--baseline-only", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.baseline_only:  # the seed tool's way as its own process
        baseline(args.baseline_only, sorted(args.baseline_only.glob("packages/*")))
        return

    tmp = Path(tempfile.mkdtemp(prefix="bench-status-"))
    gitconfig = tmp / "gitconfig"
    gitconfig.write_text(
        '[user]\n\tname = Bench\n\temail = bench@example.org\n[protocol "file"]\n\tallow = always\n'
    )
    os.environ["GIT_CONFIG_GLOBAL"] = str(gitconfig)
    os.environ["GIT_CONFIG_NOSYSTEM"] = "1"

    from release_tool.adapters.git import Repo
    from release_tool.core.status import workspace_status
    from release_tool.core.workspace import load_workspace

    exe = Path(sys.executable).parent / "release-tool"
    # "warm" as a user's second run: Python's bytecode cache written and used
    cli_env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    rows = []
    for n in (int(s) for s in args.sizes.split(",")):
        start = time.perf_counter()
        sb = build_sandbox(
            tmp / f"n{n}", make_specs(n, layout="submodule", commits=COMMITS, tags=TAGS)
        )
        built = time.perf_counter() - start
        members = [m.path for m in sb.members.values()]

        def cli(sb: Sandbox = sb) -> None:
            subprocess.run(
                [str(exe), "status", "--json"],
                cwd=sb.root,
                capture_output=True,
                check=True,
                env=cli_env,
            )

        def core(sb: Sandbox = sb) -> None:
            workspace_status(load_workspace(sb.root), open_repo=Repo)

        t_cli, t_core = timed(cli, args.repeat), timed(core, args.repeat)
        t_base = timed(lambda sb=sb, members=members: baseline(sb.root, members), args.repeat)

        def base_process(sb: Sandbox = sb) -> None:
            subprocess.run(
                [sys.executable, __file__, "--baseline-only", str(sb.root)],
                capture_output=True,
                check=True,
                env=cli_env,
            )

        t_base_proc = timed(base_process, args.repeat)
        rows.append((n, built, t_cli, t_core, t_base, t_base_proc))
        print(
            f"n={n}: build {built:.1f}s cli {t_cli:.3f}s core {t_core:.3f}s baseline {t_base:.3f}s",
            file=sys.stderr,
        )

    print(
        f"Machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, git {subprocess.run(['git', '--version'], capture_output=True, text=True).stdout.split()[-1]}"
    )
    print(
        f"Members: own repos as submodules, {COMMITS} commits and {len(TAGS)} tags each; "
        f"median of {args.repeat} warm runs.\n"
    )
    print(
        "| members | `status --json` process | baseline process | speed-up | in-process core | in-process baseline | speed-up |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|")
    for n, _built, t_cli, t_core, t_base, t_base_proc in rows:
        print(
            f"| {n} | {t_cli:.3f} s | {t_base_proc:.3f} s | {t_base_proc / t_cli:.1f}x "
            f"| {t_core:.3f} s | {t_base:.3f} s | {t_base / t_core:.1f}x |"
        )


if __name__ == "__main__":
    main()
