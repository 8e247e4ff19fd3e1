"""Run zizmor (from the dev dependencies) offline over workflow files."""

from __future__ import annotations

import subprocess
from pathlib import Path

from release_tool.testing.actionlint import find_dev_tool


def find_zizmor() -> str | None:
    """The zizmor executable of this environment (dev dependency ``zizmor``), or None."""
    return find_dev_tool("zizmor")


def run_zizmor(paths: list[Path], cwd: Path) -> subprocess.CompletedProcess[str]:
    """Audit ``paths`` with the offline audits and the default persona; exit 0 means clean."""
    exe = find_zizmor()
    if exe is None:
        raise FileNotFoundError("zizmor is not installed (dev dependency zizmor)")
    return subprocess.run(
        [exe, "--offline", "--no-progress", "--format", "plain", *map(str, paths)],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
        env={"PATH": str(Path(exe).parent), "NO_COLOR": "1", "HOME": str(cwd)},
    )
