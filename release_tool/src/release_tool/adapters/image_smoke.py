"""Start a runtime image and ask its API wrapper: ``/health``, ``/v1/models``, a chat answer.

Used by ``release-tool docker smoke IMAGE`` and by the image test tier. The
container runs through the chosen builder backend (docker SDK or
``buildah run``); the checks are plain HTTP on 127.0.0.1.
"""

from __future__ import annotations

import json
import socket
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from release_tool.errors import ExternalServiceError

if TYPE_CHECKING:
    from release_tool.adapters.docker import Builder


class ImageSmokeError(ExternalServiceError):
    """The image did not come up healthy or answered wrongly; carries its log tail."""


@dataclass(frozen=True)
class SmokeResult:
    """What the running image answered."""

    image: str
    port: int
    startup_seconds: float
    health: dict[str, Any]
    models: tuple[str, ...]
    answer: str | None = None


def free_port() -> int:
    """A TCP port on 127.0.0.1 nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def smoke_image(
    builder: Builder,
    image: str,
    *,
    port: int | None = None,
    volumes: dict[str, str] | None = None,
    env: dict[str, str] | None = None,
    prompt: str | None = None,
    timeout: float = 180.0,
) -> SmokeResult:
    """Start ``image``, wait for ``/health``, list ``/v1/models``, optionally chat once."""
    port = port or free_port()
    base = f"http://127.0.0.1:{port}"
    started = time.monotonic()
    container = builder.start(image, port=port, volumes=volumes or {}, env=env or {})
    try:
        health = _wait_healthy(f"{base}/health", started + timeout)
        startup = time.monotonic() - started
        listing = _request(f"{base}/v1/models")
        models = tuple(str(item.get("id")) for item in listing.get("data", []))
        if not models:
            raise ImageSmokeError(f"{image}: /v1/models lists no model: {listing}")
        answer = None
        if prompt is not None:
            body = {
                "model": models[0],
                "messages": [{"role": "user", "content": prompt}],
                "max_tokens": 8,
                "temperature": 0,
            }
            reply = _request(f"{base}/v1/chat/completions", body, timeout=120)
            answer = reply["choices"][0]["message"]["content"]
            if not isinstance(answer, str):
                raise ImageSmokeError(f"{image}: chat completion without text: {reply}")
    except ImageSmokeError as exc:
        container.stop()
        log = _tail(container.logs())
        raise ImageSmokeError(f"{exc.message}\n--- container log (tail) ---\n{log}") from None
    except BaseException:
        container.stop()
        raise
    container.stop()
    return SmokeResult(image, port, round(startup, 2), health, models, answer)


def _wait_healthy(url: str, deadline: float) -> dict[str, Any]:
    last = "no answer"
    while time.monotonic() < deadline:
        try:
            return _request(url, timeout=5)
        except (urllib.error.URLError, ConnectionError, TimeoutError, ImageSmokeError) as exc:
            last = str(exc)
        time.sleep(1.0)
    raise ImageSmokeError(f"{url} did not answer in time (last: {last})")


def _request(
    url: str, body: dict[str, Any] | None = None, *, timeout: float = 10
) -> dict[str, Any]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(
        url, data=data, headers={"Content-Type": "application/json"} if data else {}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            payload = response.read()
    except urllib.error.HTTPError as exc:
        raise ImageSmokeError(f"{url}: HTTP {exc.code}: {exc.read()[:500]!r}") from None
    try:
        parsed = json.loads(payload or b"{}")
    except json.JSONDecodeError:
        raise ImageSmokeError(f"{url}: not JSON: {payload[:200]!r}") from None
    return parsed if isinstance(parsed, dict) else {"value": parsed}


def _tail(text: str, lines: int = 40) -> str:
    return "\n".join(text.splitlines()[-lines:])
