"""A plain-text table: columns padded to their widest line, cells may span lines.

``status`` prints one row per member on every run; drawing it with rich
cost more than the status itself (its import and layout engine, ~0.06 s),
so the table is laid out here: left-aligned columns one space apart, a bold
header on a colour terminal (``NO_COLOR`` respected), a caption below.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from itertools import zip_longest

BOLD, RESET = "\x1b[1m", "\x1b[0m"


@dataclass
class TextTable:
    """Header, rows of cells (``\\n`` in a cell makes more lines) and a caption line."""

    columns: list[str]
    rows: list[list[str]] = field(default_factory=list)
    caption: str = ""

    def add_row(self, *cells: str) -> None:
        if len(cells) != len(self.columns):
            raise ValueError(f"{len(cells)} cells for {len(self.columns)} columns")
        self.rows.append(list(cells))

    def lines(self, *, bold: bool = False) -> list[str]:
        """The table as lines (no trailing spaces); ``bold``: the header in bold."""
        split = [[cell.split("\n") for cell in row] for row in self.rows]
        widths = [len(name) for name in self.columns]
        for row in split:
            for i, cell in enumerate(row):
                widths[i] = max(widths[i], *(len(line) for line in cell))
        header = _line(self.columns, widths)
        out = [f"{BOLD}{header}{RESET}" if bold else header]
        for row in split:
            for parts in zip_longest(*row, fillvalue=""):
                out.append(_line(list(parts), widths))
        if self.caption:
            out.append(self.caption)
        return out

    def render(self) -> str:
        """The table for stdout: bold header only on a terminal without ``NO_COLOR``."""
        bold = sys.stdout.isatty() and not os.environ.get("NO_COLOR")
        return "\n".join(self.lines(bold=bold)) + "\n"


def terminal_width() -> int:
    """Columns of the terminal on stdout (``COLUMNS`` wins; 80 when not a terminal)."""
    import shutil

    return shutil.get_terminal_size((80, 24)).columns


def _line(cells: list[str], widths: list[int]) -> str:
    return " ".join(cell.ljust(width) for cell, width in zip(cells, widths, strict=True)).rstrip()
