"""Options every command shares, declared once."""

from __future__ import annotations

from typing import Annotated

import typer

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON on stdout.")]
"""``--json``: data on stdout, machine-readable; messages stay on stderr."""
