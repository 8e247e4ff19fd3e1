"""Peak memory: CUDA peak allocation on GPU, the process's peak RSS on CPU."""

from __future__ import annotations

import resource
import sys
from typing import Any


def _torch_cuda() -> Any:
    torch = sys.modules.get("torch")  # only when a backend already imported torch
    if torch is not None and torch.cuda.is_available():
        return torch.cuda
    return None


def reset_peak() -> None:
    """Start a new peak window (CUDA only; RSS peak is a process-wide high-water mark)."""
    cuda = _torch_cuda()
    if cuda is not None:
        cuda.reset_peak_memory_stats()


def peak_memory_mb() -> float:
    """Peak CUDA memory allocated since ``reset_peak``, else the process's peak RSS, in MiB."""
    cuda = _torch_cuda()
    if cuda is not None:
        return cuda.max_memory_allocated() / 2**20
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def current_rss_mb() -> float:
    """The process's resident memory now, in MiB (for flat-memory checks)."""
    import psutil

    return psutil.Process().memory_info().rss / 2**20


def gpu_memory_bytes() -> dict[str, float]:
    """Allocated and reserved CUDA memory now (empty without a GPU), for /metrics."""
    cuda = _torch_cuda()
    if cuda is None:
        return {}
    return {"allocated": float(cuda.memory_allocated()), "reserved": float(cuda.memory_reserved())}
