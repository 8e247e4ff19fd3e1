"""A scripted OpenAI-compatible chat server on 127.0.0.1 that records what it received.

Tests (and the benchmark) point the real ``openai`` client at it to drive
every path: HTTP errors with ``Retry-After``, slow answers for timeouts,
``finish_reason=length``, ``<think>`` blocks, fences, invented commit ids and
streaming (server-sent events when the request asks for ``stream``). Each
request's JSON body is kept, so a test can assert what was (not) sent.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

_ID_LINE = re.compile(r"^\[(?P<id>[0-9a-f]{7,40})\] (?P<subject>.*)$", re.MULTILINE)


@dataclass
class Reply:
    """One scripted response."""

    content: str = ""
    finish_reason: str = "stop"
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    """Seconds to wait before answering (longer than the client timeout = a timeout)."""

    @classmethod
    def error(cls, status: int, *, retry_after: float | None = None) -> Reply:
        headers = {"Retry-After": f"{retry_after:g}"} if retry_after is not None else {}
        return cls(status=status, headers=headers)


Responder = Callable[[dict[str, Any]], Reply]


@dataclass
class Received:
    """A request as the server saw it."""

    path: str
    headers: dict[str, str]
    body: dict[str, Any]
    at: float

    def text(self) -> str:
        return json.dumps(self.body, ensure_ascii=False)


class ScriptedLLMServer:
    """Answers chat completions from ``script`` in order, then with ``default``."""

    def __init__(self, script: list[Reply] | None = None, default: Responder | None = None):
        self.script = list(script or [])
        self.default = default or grounded_responder
        self.received: list[Received] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        """The base URL to give the client (``.../v1``)."""
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    @property
    def chat_requests(self) -> list[Received]:
        return [r for r in self.received if r.path.endswith("/chat/completions")]

    def all_text(self) -> str:
        """Every received body, for asserting a secret never arrived."""
        return "\n".join(r.text() for r in self.received)

    def __enter__(self) -> ScriptedLLMServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._server.shutdown()
        self._server.server_close()

    def _next(self, body: dict[str, Any]) -> Reply:
        with self._lock:
            if self.script:
                return self.script.pop(0)
        return self.default(body)

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:  # keep test output quiet
                pass

            def do_GET(self) -> None:
                self._json(200, {"object": "list", "data": [{"id": "scripted", "object": "model"}]})

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                try:
                    body = json.loads(raw or b"{}")
                except json.JSONDecodeError:
                    body = {"_raw": raw.decode("utf-8", "replace")}
                with server._lock:
                    server.received.append(
                        Received(self.path, dict(self.headers), body, time.monotonic())
                    )
                reply = server._next(body)
                if reply.delay and server._stop.wait(reply.delay):
                    return
                try:
                    if reply.status != 200:
                        error = {
                            "error": {
                                "message": f"scripted HTTP {reply.status}",
                                "type": "scripted",
                                "code": reply.status,
                            }
                        }
                        self._json(reply.status, error, reply.headers)
                    elif body.get("stream"):
                        self._stream(body, reply)
                    else:
                        self._json(200, _completion(body, reply), reply.headers)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (timeout): nothing to answer

            def _json(self, status: int, data: Any, headers: dict[str, str] | None = None) -> None:
                payload = json.dumps(data).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                for key, value in (headers or {}).items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(payload)

            def _stream(self, body: dict[str, Any], reply: Reply) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Connection", "close")
                self.end_headers()
                step = max(1, len(reply.content) // 3)
                pieces = [reply.content[i : i + step] for i in range(0, len(reply.content), step)]
                for piece in pieces:
                    self._event(body, {"content": piece}, None)
                self._event(body, {}, reply.finish_reason)
                self.wfile.write(b"data: [DONE]\n\n")
                self.wfile.flush()
                self.close_connection = True

            def _event(
                self, body: dict[str, Any], delta: dict[str, str], finish: str | None
            ) -> None:
                chunk = {
                    "id": "chatcmpl-scripted",
                    "object": "chat.completion.chunk",
                    "created": 0,
                    "model": body.get("model", "scripted"),
                    "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
                }
                self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
                self.wfile.flush()

        return Handler


def _completion(body: dict[str, Any], reply: Reply) -> dict[str, Any]:
    prompt_chars = sum(len(str(m.get("content", ""))) for m in body.get("messages", []))
    return {
        "id": "chatcmpl-scripted",
        "object": "chat.completion",
        "created": 0,
        "model": body.get("model", "scripted"),
        "choices": [
            {
                "index": 0,
                "finish_reason": reply.finish_reason,
                "message": {"role": "assistant", "content": reply.content},
            }
        ],
        "usage": {
            "prompt_tokens": prompt_chars // 4,
            "completion_tokens": len(reply.content) // 4,
            "total_tokens": (prompt_chars + len(reply.content)) // 4,
        },
    }


def request_ids(body: dict[str, Any]) -> list[tuple[str, str]]:
    """(id, subject) of every ``[id] subject`` line in a request's last user message."""
    users = [m for m in body.get("messages", []) if m.get("role") == "user"]
    text = str(users[0].get("content", "")) if users else ""
    seen: dict[str, str] = {}
    for match in _ID_LINE.finditer(text):
        seen.setdefault(match.group("id"), match.group("subject"))
    return list(seen.items())


def grounded_responder(body: dict[str, Any]) -> Reply:
    """A well-behaved model: one entry or summary per commit id it was shown."""
    system = str(body.get("messages", [{}])[0].get("content", ""))
    ids = request_ids(body)
    if '"summaries"' in system:
        items = [{"commit": i, "summary": f"Summary of {s}"} for i, s in ids]
        return Reply(json.dumps({"summaries": items}))
    if '"entries"' in system:
        entries = [
            {"section": _section(s), "text": f"Notes: {s}", "commits": [i], "breaking": "!:" in s}
            for i, s in ids
        ]
        return Reply(json.dumps({"entries": entries}))
    return Reply(
        json.dumps(
            {
                "type": "feat",
                "scope": None,
                "subject": "update the package",
                "body": "Scripted commit message.",
                "breaking": False,
            }
        )
    )


def _section(subject: str) -> str:
    if subject.startswith("fix"):
        return "Fixed"
    if subject.startswith("feat"):
        return "Added"
    return "Changed"
