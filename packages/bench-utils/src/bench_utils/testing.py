"""Small helpers for tests and benchmarks of the API wrapper: images and data URIs."""

from __future__ import annotations

import base64
import io


def png_bytes(size: tuple[int, int] = (64, 48), color: tuple[int, int, int] = (255, 0, 0)) -> bytes:
    """A small solid-colour PNG image."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, "PNG")
    return buffer.getvalue()


def data_uri(data: bytes, mime: str = "image/png") -> str:
    """A base64 ``data:`` URI for ``data``, as OpenAI clients send images."""
    return f"data:{mime};base64," + base64.b64encode(data).decode()
