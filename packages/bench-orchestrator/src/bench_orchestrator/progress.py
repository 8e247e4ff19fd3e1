"""A rich progress view with one line per cell (on stderr; data goes to stdout)."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bench_orchestrator.cells import Cell


class CellProgress:
    """One progress bar per cell showing its stage and answered samples.

    Disabled (``--no-progress``, or not a terminal) it prints one plain line
    per finished cell instead.
    """

    def __init__(self, enabled: bool = True) -> None:
        from rich.console import Console

        self.console = Console(stderr=True)
        self.enabled = enabled
        self._progress: Any = None
        self._ids: dict[str, Any] = {}
        self._lock = threading.Lock()

    def __enter__(self) -> CellProgress:
        if self.enabled:
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

            self._progress = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("{task.fields[stage]}"),
                console=self.console,
            )
            self._progress.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._progress is not None:
            self._progress.stop()

    def add(self, cell: Cell, total: int) -> None:
        """Show ``cell`` as waiting."""
        if self._progress is not None:
            with self._lock:
                self._ids[cell.key] = self._progress.add_task(
                    cell.label, total=total, stage="waiting"
                )

    def stage(self, cell: Cell, stage: str, completed: int | None = None) -> None:
        """Show the cell's current stage (and answered count)."""
        if self._progress is not None and cell.key in self._ids:
            extra = {} if completed is None else {"completed": completed}
            self._progress.update(self._ids[cell.key], stage=stage, **extra)

    def finish(self, cell: Cell, status: str, detail: str = "") -> None:
        """Show the cell's outcome."""
        if self._progress is not None and cell.key in self._ids:
            task_id = self._ids[cell.key]
            total = self._progress.tasks[task_id].total if status != "failed" else None
            colour = {"failed": "red", "done": "green"}.get(status, "dim")
            self._progress.update(
                task_id,
                stage=f"[{colour}]{status}[/{colour}] {detail}".rstrip(),
                **({"completed": total} if total is not None else {}),
            )
        else:
            self.console.print(f"{cell.label}: {status} {detail}".rstrip(), markup=False)
