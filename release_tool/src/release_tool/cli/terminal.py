"""The one terminal object: status and progress to stderr, data to stdout.

Commit messages and LLM text are printed with markup off. Tracebacks never
show local variables (they can hold tokens).
"""

from __future__ import annotations

import json
import os
import sys
from functools import cached_property
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.console import Console


class Terminal:
    """Where every command writes: ``out`` for data, ``err`` for humans.

    rich is imported on first use, so ``--json`` output never pays for it.
    """

    def __init__(self, *, debug: bool = False, quiet: bool = False) -> None:
        self.debug = debug
        self.quiet = quiet

    @cached_property
    def out(self) -> Console:
        from rich.console import Console

        no_color = bool(os.environ.get("NO_COLOR"))
        return Console(file=sys.stdout, no_color=no_color, highlight=False, soft_wrap=True)

    @cached_property
    def err(self) -> Console:
        from rich.console import Console

        no_color = bool(os.environ.get("NO_COLOR"))
        return Console(
            file=sys.stderr, no_color=no_color, highlight=False, stderr=True, soft_wrap=True
        )

    def info(self, message: str) -> None:
        """A progress or status line (stderr)."""
        if not self.quiet:
            self.err.print(message, markup=False)

    def success(self, message: str) -> None:
        if not self.quiet:
            self.err.print(f"[green]✓[/green] {_escape(message)}")

    def warn(self, message: str) -> None:
        self.err.print(f"[yellow]warning:[/yellow] {_escape(message)}")

    def error(self, message: str) -> None:
        self.err.print(f"[red bold]error:[/red bold] {_escape(message)}")

    def text(self, text: str) -> None:
        """Plain text data on stdout, markup off (commit messages, notes)."""
        self.out.print(text, markup=False, highlight=False)

    def write(self, text: str) -> None:
        """Text already laid out (a table) on stdout, as it is: no rich on this path."""
        sys.stdout.write(text)
        sys.stdout.flush()

    def json(self, data: Any) -> None:
        """Machine-readable data on stdout."""
        sys.stdout.write(json.dumps(data, indent=2, sort_keys=False, default=str) + "\n")
        sys.stdout.flush()

    def status(self, message: str) -> Any:
        """A spinner on stderr for long work (a no-op context when quiet)."""
        from contextlib import nullcontext

        if self.quiet or not self.err.is_terminal:
            return nullcontext()
        return self.err.status(message)


def _escape(text: str) -> str:
    from rich.markup import escape

    return escape(text)
