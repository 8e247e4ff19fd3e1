"""What the machine was doing during a run: thread settings and load (for ``run.json``).

Throughput on a shared machine means little without the thread settings the
run used and how busy the machine was around it.
"""

from __future__ import annotations

import os
import sys
from typing import Any

THREAD_VARIABLES = (
    "OMP_NUM_THREADS",
    "MKL_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "TORCH_NUM_THREADS",
    "CUDA_VISIBLE_DEVICES",
)


def thread_settings() -> dict[str, Any]:
    """CPU count, torch's intra/inter-op threads (when torch is loaded) and thread variables."""
    settings: dict[str, Any] = {
        "cpu_count": os.cpu_count(),
        "affinity": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "env": {name: os.environ.get(name) for name in THREAD_VARIABLES},
    }
    torch = sys.modules.get("torch")
    if torch is not None:
        settings["torch_threads"] = torch.get_num_threads()
        settings["torch_interop_threads"] = torch.get_num_interop_threads()
    return settings


def load_snapshot() -> dict[str, Any]:
    """Load averages (1, 5, 15 min), CPU use since the previous snapshot, and free memory."""
    import psutil

    load = os.getloadavg() if hasattr(os, "getloadavg") else None
    memory = psutil.virtual_memory()
    return {
        "load_avg": [round(value, 2) for value in load] if load else None,
        "cpu_percent": psutil.cpu_percent(interval=None),
        "memory_available_mb": round(memory.available / 2**20, 1),
    }
