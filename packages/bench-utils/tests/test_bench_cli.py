from __future__ import annotations

import subprocess
import sys

import pytest

from bench_utils.cli import main


def test_help_lists_both_commands(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert "run" in out and "serve" in out


def test_serve_requires_a_config(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["serve"])
    assert exit_info.value.code == 2
    assert "config" in capsys.readouterr().err


def test_cli_import_pulls_in_no_heavy_library() -> None:
    code = (
        "import sys, bench_utils.cli, bench_utils.runner, model_qwen_vl; "
        "heavy = ('torch', 'transformers', 'fastapi', 'uvicorn', 'vllm'); "
        "print(sorted(m for m in heavy if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"
