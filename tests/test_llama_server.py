"""The real-model tier's plumbing: portable build levels, the cache key, and a dying server.

The servers here are real processes on 127.0.0.1 that speak just enough of the
OpenAI API; one of them kills itself with SIGILL on its first chat completion,
as a llama.cpp wheel built for another CPU does.
"""

from __future__ import annotations

import dataclasses
import sys
import textwrap
from pathlib import Path

import pytest

from release_tool.testing import llama_server
from release_tool.testing.llama_server import BuildKey, ServerDiedError, feature_level

V3 = frozenset({"sse4_2", "avx", "avx2", "fma", "f16c", "bmi2"})


@pytest.mark.parametrize(
    ("machine", "flags", "level"),
    [
        ("x86_64", V3 | {"avx512f", "amx_tile", "amx_int8"}, "x86-64-v3"),
        ("x86_64", V3, "x86-64-v3"),
        ("x86_64", V3 - {"avx2"}, "x86-64-v2"),
        ("x86_64", frozenset({"sse4_2"}), "x86-64-v2"),
        ("x86_64", frozenset(), "generic"),
        ("aarch64", V3, "generic"),
    ],
)
def test_feature_level_never_exceeds_what_the_cpu_reports(machine, flags, level) -> None:
    assert feature_level(machine, frozenset(flags)) == level


def test_every_level_builds_non_native_without_avx512_or_amx() -> None:
    for level, (_needs, args) in llama_server.LEVELS.items():
        assert "-DGGML_NATIVE=OFF" in args, level
        if level != "generic":
            assert "-DGGML_AVX512=OFF" in args and "-DGGML_AMX_TILE=OFF" in args


def test_cpu_flags_reads_the_first_flags_line(tmp_path: Path) -> None:
    info = tmp_path / "cpuinfo"
    info.write_text("processor\t: 0\nflags\t\t: fpu sse4_2 avx2\n\nflags\t\t: other\n")
    assert llama_server.cpu_flags(info) == {"fpu", "sse4_2", "avx2"}
    assert llama_server.cpu_flags(tmp_path / "missing") == frozenset()


@pytest.mark.parametrize(
    "change",
    [
        {"version": "0.3.37"},
        {"cmake_args": ("-DGGML_NATIVE=ON",)},
        {"python_tag": "cp312"},
        {"machine": "aarch64"},
    ],
)
def test_the_cache_key_changes_with_everything_the_build_depends_on(change) -> None:
    key = BuildKey("0.3.36", "x86-64-v3", llama_server.LEVELS["x86-64-v3"][1], "cp311", "x86_64")
    other = dataclasses.replace(key, **change)
    assert other.digest != key.digest and other.name != key.name
    assert key.name.startswith("llama-cpp-python-0.3.36-cp311-x86_64-x86-64-v3-")


def test_a_wheel_cached_under_another_key_is_not_reused(tmp_path: Path) -> None:
    key = BuildKey.for_this_machine()
    foreign = dataclasses.replace(key, cmake_args=("-DGGML_NATIVE=ON",))
    (tmp_path / "wheels" / foreign.name).mkdir(parents=True)
    (tmp_path / "wheels" / foreign.name / "llama_cpp_python-0.3.36-cp311-linux.whl").write_text("")
    # An old version-only cache layout is ignored too.
    (tmp_path / "wheels" / "llama_cpp_python-0.3.36-cp311-cp311-linux_x86_64.whl").write_text("")
    with pytest.raises(FileNotFoundError, match=key.name):
        llama_server.provision(tmp_path, build=False)


FAKE_SERVER = textwrap.dedent(
    """
    import json, os, signal, sys
    from http.server import BaseHTTPRequestHandler, HTTPServer

    MODE = sys.argv[2]
    print("fake llama server: model loaded", flush=True)
    if MODE == "exit":
        print("error: unknown model format", flush=True)
        sys.exit(3)

    class Handler(BaseHTTPRequestHandler):
        def _send(self, payload):
            body = json.dumps(payload).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):
            self._send({"object": "list", "data": [{"id": "fake"}]})

        def do_POST(self):
            self.rfile.read(int(self.headers["Content-Length"]))
            if MODE == "sigill":
                print("ggml_compute_forward: running kernel", flush=True)
                os.kill(os.getpid(), signal.SIGILL)
            self._send({"choices": [{"index": 0, "message": {"role": "assistant", "content": "hi"}}]})

        def log_message(self, *args):
            pass

    HTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
    """
)


def _fake(tmp_path: Path, mode: str) -> tuple[list[str], int, Path]:
    script = tmp_path / "fake_server.py"
    script.write_text(FAKE_SERVER)
    port = llama_server.free_port()
    return [sys.executable, str(script), str(port), mode], port, tmp_path / "server.log"


def test_a_server_that_dies_on_its_first_chat_completion_is_reported_with_its_log(
    tmp_path: Path,
) -> None:
    command, port, log = _fake(tmp_path, "sigill")
    with (
        pytest.raises(ServerDiedError) as died,
        llama_server.start_server(command, port, log, startup_timeout=30),
    ):
        pytest.fail("the fixture must not yield a server that cannot answer")
    message = str(died.value)
    assert "exited with signal SIGILL" in message
    assert "an instruction this CPU does not run" in message
    assert "ggml_compute_forward: running kernel" in message  # the log tail


def test_a_server_that_exits_at_start_is_reported_with_its_status_and_log(tmp_path: Path) -> None:
    command, port, log = _fake(tmp_path, "exit")
    with (
        pytest.raises(ServerDiedError, match=r"exited with status 3(.|\n)*unknown model format"),
        llama_server.start_server(command, port, log, startup_timeout=30),
    ):
        pass


def test_a_server_that_answers_is_yielded_and_stopped(tmp_path: Path) -> None:
    command, port, log = _fake(tmp_path, "ok")
    with llama_server.start_server(command, port, log, startup_timeout=30) as url:
        assert url == f"http://127.0.0.1:{port}/v1"
    assert "model loaded" in log.read_text()
