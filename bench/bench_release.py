"""Benchmark: ``bump --dev --all`` and ``promote prod --all`` on 20 and 100 members.

Both layouts (members as folders of the root repo; members as submodules
with their own bare remotes). Each command runs in-process, the way a user
runs it; the uv adapter times every ``uv lock`` it starts, so the figures
split into uv lock time and everything else (the tool's own overhead:
planning, git reads and writes, journal). Writes a Markdown table.

    uv run python bench/bench_release.py [--sizes 20 100] [--out bench/results-release.md]
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import tempfile
import time
from pathlib import Path


def isolate(tmp: Path) -> None:
    """Temp HOME and git config (like the tests), the shared uv cache, no GitHub fast path."""
    home = tmp / "home"
    home.mkdir()
    gitconfig = home / ".gitconfig"
    gitconfig.write_text(
        "[user]\n\tname = Bench\n\temail = bench@example.org\n[init]\n\tdefaultBranch = main\n"
        '[protocol "file"]\n\tallow = always\n[advice]\n\tdetachedHead = false\n',
        encoding="utf-8",
    )
    cache = os.environ.get("UV_CACHE_DIR") or str(Path.home() / ".cache" / "uv")
    os.environ.update(
        HOME=str(home),
        GIT_CONFIG_GLOBAL=str(gitconfig),
        GIT_CONFIG_NOSYSTEM="1",
        UV_CACHE_DIR=cache,
        UV_NO_GITHUB_FAST_PATH="1",  # no GitHub here: uv would retry api.github.com
        NO_COLOR="1",
    )
    os.environ.pop("VIRTUAL_ENV", None)


def run(root: Path, *args: str) -> tuple[float, float, list[str]]:
    """Run one command in-process; return (total s, uv lock s, folders locked)."""
    from release_tool.adapters import uv
    from release_tool.testing.cli import run_cli

    uv.STATS.reset()
    started = time.perf_counter()
    result = run_cli(*args, "--json", cwd=root)
    total = time.perf_counter() - started
    if result.exit_code != 0:
        raise SystemExit(f"{' '.join(args)} failed ({result.exit_code}):\n{result.stderr}")
    folders = [Path(folder).name or "." for folder, _ in uv.STATS.locks]
    return total, uv.STATS.lock_seconds, folders


def bench_one(size: int, layout: str) -> list[dict[str, object]]:
    from release_tool.testing.sandbox import build_sandbox, git, make_specs

    with tempfile.TemporaryDirectory(prefix="bench-release-") as scratch:
        tmp = Path(scratch)
        isolate(tmp)
        started = time.perf_counter()
        sb = build_sandbox(tmp, make_specs(size, layout=layout, chain=True), lock=True)
        built = time.perf_counter() - started
        rows = []
        for args in (("bump", "--dev", "--all"), ("promote", "prod", "--all")):
            total, lock, folders = run(sb.root, *args)
            rows.append(
                {
                    "command": " ".join(args),
                    "members": size,
                    "layout": layout,
                    "total": total,
                    "lock": lock,
                    "other": total - lock,
                    "locks": folders,
                    "build": built,
                }
            )
            assert git(sb.root, "status", "--porcelain") == "", "tree left dirty"
        return rows


def warm_up() -> None:
    """Import the CLI and the release engine once, so the figures are those of a warm run."""
    import release_tool.core.release  # noqa: F401
    from release_tool.testing.cli import run_cli

    run_cli("bump", "--help")
    run_cli("promote", "--help")


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    uv_version = subprocess.run(["uv", "--version"], capture_output=True, text=True).stdout.strip()
    git_version = subprocess.run(
        ["git", "--version"], capture_output=True, text=True
    ).stdout.strip()
    load = os.getloadavg()[0]
    return (
        f"{cpu}, {os.cpu_count()} cores (load average {load:.1f} at the end: shared with other "
        f"jobs), Python {platform.python_version()}, {uv_version}, {git_version}"
    )


def render(rows: list[dict[str, object]]) -> str:
    lines = [
        "| command | members | layout | total s | uv lock s | everything else s | overhead "
        "| uv locks |",
        "|---|---:|---|---:|---:|---:|---:|---|",
    ]
    for r in rows:
        lock = float(r["lock"])  # type: ignore[arg-type]
        other = float(r["other"])  # type: ignore[arg-type]
        folders = ", ".join(r["locks"])  # type: ignore[arg-type]
        lines.append(
            f"| `{r['command']}` | {r['members']} | {r['layout']} | {float(r['total']):.2f} | "  # type: ignore[arg-type]
            f"{lock:.2f} | {other:.2f} | {other / lock * 100:.0f}% | {folders} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[20, 100])
    parser.add_argument("--layouts", nargs="+", default=["folder", "submodule"])
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    if shutil.which("uv") is None:
        raise SystemExit("uv is not installed")
    warm_up()
    rows = []
    for size in args.sizes:
        for layout in args.layouts:
            rows += bench_one(size, layout)
            print(render(rows[-2:]).splitlines()[-2:], flush=True)
    table = render(rows)
    print(table)
    if args.out:
        args.out.write_text(
            f"# Release engine benchmark\n\nMachine: {machine()}.\n\n" + table + "\n",
            encoding="utf-8",
        )


if __name__ == "__main__":
    main()
