"""Turn the image forms a request may hold (path, bytes, PIL image) into RGB PIL images."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from model_interface.errors import InvalidRequestError


def to_pil(image: Any, *, max_pixels: int | None = None) -> Any:
    """Open ``image`` as an RGB ``PIL.Image``; raise ``InvalidRequestError`` when it is not one.

    ``max_pixels`` rejects images larger than the server is willing to decode.
    """
    from PIL import Image, UnidentifiedImageError

    try:
        if isinstance(image, Image.Image):
            pil = image
        elif isinstance(image, bytes | bytearray):
            pil = Image.open(io.BytesIO(image))
        elif isinstance(image, str | Path):
            pil = Image.open(Path(image))
        else:
            raise InvalidRequestError(f"unsupported image type {type(image).__name__}")
        if max_pixels is not None and pil.width * pil.height > max_pixels:
            raise InvalidRequestError(
                f"image of {pil.width}x{pil.height} pixels exceeds the limit of {max_pixels} pixels"
            )
        pil.load()
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise InvalidRequestError(f"not a readable image: {exc}") from exc
    return pil if pil.mode == "RGB" else pil.convert("RGB")
