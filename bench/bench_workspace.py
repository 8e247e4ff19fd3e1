"""Benchmark (issue 11 point 5): status on big workspaces, and start-up.

Three comparisons, each against its baseline in the same run, interleaved
(A, B, A, B, ...) so load from other jobs hits both alike; medians of
``--repeat`` runs after one untimed warm-up:

1. ``monorepo``: ``release-tool status`` on 80 folder members, 5,000 commits,
   400 tags (``release_tool.testing.workspaces.long_history``) vs a shell
   loop asking git per member: ``git describe --tags --abbrev=0 --match
   '<name>-v*'``, ``git rev-list --count TAG..HEAD -- <path>``, ``git status
   --porcelain -- <path>``. Targets: ≤ 1.0 s and ≥ 5x.
2. ``submodules``: ``release-tool status --json`` on 100 submodule members
   (200 commits, 20 tags each) vs the same loop per member repo
   (``describe --match 'v*'``, ``rev-list --count TAG..HEAD``, ``status
   --porcelain``). Targets: ≤ 0.35 s and ≥ 2.5x.
3. ``startup``: ``release-tool --help`` vs ``python -c pass`` (the floor).
   Target: ≤ 0.15 s.
4. ``changes`` (monorepo and submodules): ``release-tool changes`` (both
   files per member written) vs the seed tool's stage 1 as a shell loop:
   seven ``git`` processes per member (``status --porcelain``, ``diff HEAD
   --stat``, ``diff HEAD``, ``describe --match``, ``log TAG..HEAD``, ``diff
   --stat TAG..HEAD``, ``diff TAG..HEAD``), their output written to two
   files per member. Target: at least as fast (≥ 1x).

Bytecode cache: the CLI runs without ``PYTHONDONTWRITEBYTECODE`` (a user's
second run: ``.pyc`` written by the warm-up and used); ``--no-pyc`` sets it and
points ``PYTHONPYCACHEPREFIX`` at an empty folder, so every run compiles every
module it imports from source (a machine that never writes bytecode, like this
project's CI boxes; ``__pycache__`` folders written earlier are not read).

Run: ``uv run python bench/bench_workspace.py [--repeat 7] [--no-pyc]``.
Prints a Markdown table for bench/README.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from functools import partial
from pathlib import Path

from release_tool.testing.sandbox import build_sandbox, make_specs
from release_tool.testing.workspaces import long_history

SUB_TAGS = tuple(
    v
    for minor in range(5)
    for v in (f"0.{minor}.0.dev1", f"0.{minor}.0.dev2", f"0.{minor}.0.dev3", f"0.{minor}.0")
)

MONOREPO_LOOP = r"""
for dir in packages/*/; do
  name=$(basename "$dir")
  tag=$(git describe --tags --abbrev=0 --match "$name-v*" 2>/dev/null)
  if [ -n "$tag" ]; then git rev-list --count "$tag..HEAD" -- "$dir" >/dev/null
  else git rev-list --count HEAD -- "$dir" >/dev/null; fi
  git status --porcelain -- "$dir" >/dev/null
done
"""

SUBMODULE_LOOP = r"""
for dir in packages/*/; do
  tag=$(git -C "$dir" describe --tags --abbrev=0 --match "v*" 2>/dev/null)
  if [ -n "$tag" ]; then git -C "$dir" rev-list --count "$tag..HEAD" >/dev/null
  else git -C "$dir" rev-list --count HEAD >/dev/null; fi
  git -C "$dir" status --porcelain >/dev/null
done
"""


MONOREPO_CHANGES_LOOP = r"""
out=$(mktemp -d)
for dir in packages/*/; do
  name=$(basename "$dir"); mkdir -p "$out/$name"
  { git status --porcelain -- "$dir"; git diff HEAD --stat -- "$dir"; git diff HEAD -- "$dir"; } \
    > "$out/$name/changes_uncommitted.txt"
  tag=$(git describe --tags --abbrev=0 --match "$name-v*" 2>/dev/null)
  range=${tag:+$tag..}HEAD
  { git log --format='%h %s%n%b' "$range" -- "$dir"; git diff --stat "${tag:-HEAD}" HEAD -- "$dir";
    git diff "${tag:-HEAD}" HEAD -- "$dir"; } > "$out/$name/changes_since_tag.txt"
done
rm -rf "$out"
"""

SUBMODULE_CHANGES_LOOP = r"""
out=$(mktemp -d)
for dir in packages/*/; do
  name=$(basename "$dir"); mkdir -p "$out/$name"
  { git -C "$dir" status --porcelain; git -C "$dir" diff HEAD --stat; git -C "$dir" diff HEAD; } \
    > "$out/$name/changes_uncommitted.txt"
  tag=$(git -C "$dir" describe --tags --abbrev=0 --match "v*" 2>/dev/null)
  range=${tag:+$tag..}HEAD
  { git -C "$dir" log --format='%h %s%n%b' "$range"; git -C "$dir" diff --stat "${tag:-HEAD}" HEAD;
    git -C "$dir" diff "${tag:-HEAD}" HEAD; } > "$out/$name/changes_since_tag.txt"
done
rm -rf "$out"
"""


def run(cmd: list[str], cwd: Path, env: dict[str, str]) -> None:
    subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, check=True)


def interleaved(fns: dict[str, object], repeat: int) -> dict[str, float]:
    """Median wall and CPU time of each callable, run in turn ``repeat`` times after a warm-up.

    CPU time (user + system of the child processes) is reported beside wall
    time: on a shared 2-core box the load from other jobs stretches wall time
    of both sides, CPU time much less.
    """
    times: dict[str, list[float]] = {name: [] for name in fns}
    cpu: dict[str, list[float]] = {name: [] for name in fns}
    for fn in fns.values():
        fn()  # type: ignore[operator]
    for _ in range(repeat):
        for name, fn in fns.items():
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            start = time.perf_counter()
            fn()  # type: ignore[operator]
            times[name].append(time.perf_counter() - start)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu[name].append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    out = {name: statistics.median(values) for name, values in times.items()}
    out.update({f"{name}-cpu": statistics.median(values) for name, values in cpu.items()})
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument(
        "--no-pyc", action="store_true", help="no bytecode cache: compile every module every run"
    )
    parser.add_argument(
        "--only", default="monorepo,submodules,startup,changes-monorepo,changes-submodules"
    )
    args = parser.parse_args()
    only = set(args.only.split(","))

    tmp = Path(tempfile.mkdtemp(prefix="bench-workspace-"))
    gitconfig = tmp / "gitconfig"
    gitconfig.write_text(
        '[user]\n\tname = Bench\n\temail = bench@example.org\n[protocol "file"]\n\tallow = always\n'
    )
    os.environ["GIT_CONFIG_GLOBAL"] = str(gitconfig)
    os.environ["GIT_CONFIG_NOSYSTEM"] = "1"
    env = dict(os.environ)
    if args.no_pyc:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        env["PYTHONPYCACHEPREFIX"] = str(tmp / "no-pycache")  # empty: no .pyc is ever found
    else:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
    exe = str(Path(sys.executable).parent / "release-tool")
    rows: list[tuple[str, dict[str, float], float | None, float | None]] = []

    ws = sb = None
    if only & {"monorepo", "changes-monorepo"}:
        ws = long_history(tmp / "mono", members=80, commits=5000, tags=400)
    if only & {"submodules", "changes-submodules"}:
        sb = build_sandbox(
            tmp / "subs", make_specs(100, layout="submodule", commits=200, tags=SUB_TAGS)
        )
    # name -> (label, release-tool args, folder, baseline command, time limit, ratio target)
    cases: dict[str, tuple[str, list[str], Path | None, list[str], float | None, float | None]] = {
        "monorepo": (
            "`status`, 80 folder members, 5,000 commits, 400 tags",
            ["status"], ws and ws.root, ["bash", "-c", MONOREPO_LOOP], 1.0, 5.0,
        ),
        "submodules": (
            "`status --json`, 100 submodule members",
            ["status", "--json"], sb and sb.root, ["bash", "-c", SUBMODULE_LOOP], 0.35, 2.5,
        ),
        "startup": (
            "`release-tool --help` (baseline: `python -c pass`)",
            ["--help"], tmp, [sys.executable, "-c", "pass"], 0.15, None,
        ),
        "changes-monorepo": (
            "`changes`, 80 folder members (vs seed stage 1, 7 git calls each)",
            ["changes"], ws and ws.root, ["bash", "-c", MONOREPO_CHANGES_LOOP], None, 1.0,
        ),
        "changes-submodules": (
            "`changes`, 100 submodule members (vs seed stage 1)",
            ["changes"], sb and sb.root, ["bash", "-c", SUBMODULE_CHANGES_LOOP], None, 1.0,
        ),
    }  # fmt: skip
    for name, (label, tool_args, folder, baseline, limit, ratio) in cases.items():
        if name not in only:
            continue
        assert folder is not None
        t = interleaved(
            {
                "tool": partial(run, [exe, *tool_args], folder, env),
                "loop": partial(run, baseline, folder, env),
            },
            args.repeat,
        )
        rows.append((label, t, limit, ratio))

    load = os.getloadavg()
    git_version = subprocess.run(["git", "--version"], capture_output=True, text=True).stdout
    print(
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, {git_version.split()[-1]} git; load average "
        f"{load[0]:.1f}; bytecode cache {'off' if args.no_pyc else 'warm'}; "
        f"median of {args.repeat}, interleaved.\n"
    )
    print(
        "| case | release-tool wall | baseline wall | speed-up | release-tool CPU "
        "| baseline CPU | CPU ratio | target | met (wall) |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---|---|")
    for label, t, limit, ratio in rows:
        speed = t["loop"] / t["tool"]
        cpu_ratio = t["loop-cpu"] / t["tool-cpu"] if t["tool-cpu"] else float("nan")
        target = ", ".join(
            ([f"≤ {limit} s"] if limit is not None else []) + ([f"≥ {ratio}x"] if ratio else [])
        )
        met = (limit is None or t["tool"] <= limit) and (ratio is None or speed >= ratio)
        print(
            f"| {label} | {t['tool']:.3f} s | {t['loop']:.3f} s | {speed:.1f}x "
            f"| {t['tool-cpu']:.3f} s | {t['loop-cpu']:.3f} s | {cpu_ratio:.1f}x "
            f"| {target} | {'yes' if met else 'no'} |"
        )


if __name__ == "__main__":
    main()
