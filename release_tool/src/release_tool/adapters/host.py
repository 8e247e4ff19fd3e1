"""Facts about the machine the tool runs on (read from the OS, not configured)."""

from __future__ import annotations

from pathlib import Path

MEMINFO = Path("/proc/meminfo")


def memory_gib() -> float | None:
    """Total memory in GiB (Linux ``/proc/meminfo``), or None where it cannot be read."""
    try:
        for line in MEMINFO.read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) / 1024 / 1024
    except (OSError, ValueError, IndexError):
        pass
    return None
