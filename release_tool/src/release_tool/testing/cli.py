"""Run the CLI in-process the way a user does: exit code, stdout and stderr."""

from __future__ import annotations

import contextlib
import io
import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class CliResult:
    exit_code: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


def run_cli(*args: str, cwd: Path | None = None) -> CliResult:
    """Call ``release_tool.cli.app.main`` with ``args`` in ``cwd``; never raises SystemExit."""
    from release_tool.cli.app import main

    out, err = io.StringIO(), io.StringIO()
    previous = Path.cwd()
    code = 0
    try:
        if cwd is not None:
            os.chdir(cwd)
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                main(list(args))
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    finally:
        os.chdir(previous)
    return CliResult(code, out.getvalue(), err.getvalue())
