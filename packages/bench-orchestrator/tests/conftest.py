"""Install the CPU torch stack when missing (``model_qwen_vl.testing.provision``); fixtures."""

from __future__ import annotations

from model_qwen_vl.testing.provision import ensure_hf_stack

ensure_hf_stack()

from model_qwen_vl.testing.fixtures import (  # noqa: E402 (the stack must exist first)
    tiny_qwen3_dir,
    tiny_qwen25_dir,
)

__all__ = ["tiny_qwen3_dir", "tiny_qwen25_dir"]


from pathlib import Path  # noqa: E402
from typing import TYPE_CHECKING  # noqa: E402

import pytest  # noqa: E402

from bench_orchestrator.testing import LocalS3, write_test_mode  # noqa: E402

if TYPE_CHECKING:
    from collections.abc import Iterator

PACKAGES = Path(__file__).parents[2]


@pytest.fixture(scope="session")
def s3() -> Iterator[LocalS3]:
    """moto's S3 server on 127.0.0.1 for the whole session."""
    with LocalS3() as server:
        yield server


@pytest.fixture(scope="session")
def test_mode(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A mode folder locked for the tiny models (what prod/ is in a real workspace)."""
    return write_test_mode(tmp_path_factory.mktemp("mode"), PACKAGES)


@pytest.fixture(scope="session")
def orch_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One cache (venvs, synced data) shared by the session's experiments, as on one machine."""
    return tmp_path_factory.mktemp("orch-cache")
