"""Install the CPU test stack (torch, transformers, peft, pillow) into the running venv.

The workspace's default ``uv sync`` does not install torch: uv would fetch
a 3 GB CUDA build. Tests that need the real model stack call
:func:`ensure_hf_stack` first; when something is missing it runs
``uv pip install`` into this interpreter's environment, taking torch from
the local CPU wheel in ``/opt/wheels`` (or ``HYPERBENCH_TORCH_WHEEL``). The
packages come from the shared uv cache after the first time, and
``uv run`` syncs inexactly, so they stay installed between runs.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

WHEEL_DIRS = (Path("/opt/wheels"),)
TORCH_VERSION = "2.13.0"
PINNED = (
    "transformers==5.23.0",
    "peft==0.21.2",
    "pillow==13.0.0",
    "safetensors==0.8.0",
    "llguidance==1.9.1",
)
MODULES = ("torch", "transformers", "peft", "PIL", "safetensors", "llguidance")


class ProvisionError(RuntimeError):
    """The test stack is missing and could not be installed."""


def missing_modules() -> list[str]:
    """Modules of the stack that cannot be found in this interpreter."""
    importlib.invalidate_caches()
    return [name for name in MODULES if importlib.util.find_spec(name) is None]


def torch_requirement() -> str:
    """The local CPU torch wheel when there is one, else the plain ``torch`` pin."""
    override = os.environ.get("HYPERBENCH_TORCH_WHEEL")
    if override:
        return override
    tag = f"cp{sys.version_info.major}{sys.version_info.minor}"
    for folder in WHEEL_DIRS:
        wheels = sorted(folder.glob(f"torch-{TORCH_VERSION}+cpu-{tag}-*.whl"))
        if wheels:
            return str(wheels[-1])
    return f"torch=={TORCH_VERSION}"


def uv_executable() -> str:
    """The uv binary: the one running us (``UV``), else the one on PATH."""
    found = os.environ.get("UV") or shutil.which("uv")
    if not found:
        raise ProvisionError("uv is not on PATH; install torch, transformers and peft by hand")
    return found


def ensure_hf_stack() -> list[str]:
    """Install whatever of the stack is missing; return what was missing (empty: nothing done)."""
    missing = missing_modules()
    if not missing:
        return []
    command = [
        uv_executable(),
        "pip",
        "install",
        "--python",
        sys.executable,
        torch_requirement(),
        *PINNED,
    ]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise ProvisionError(f"installing the test stack failed:\n{result.stderr[-2000:]}")
    still = missing_modules()
    if still:
        raise ProvisionError(f"installed the test stack but cannot import {', '.join(still)}")
    return missing
