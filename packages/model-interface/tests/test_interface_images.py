from __future__ import annotations

import io

import pytest
from PIL import Image

from model_interface import InvalidRequestError
from model_interface.images import to_pil


def png(size=(20, 10), mode="RGB") -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size).save(buffer, "PNG")
    return buffer.getvalue()


def test_bytes_path_and_pil_become_rgb(tmp_path) -> None:
    path = tmp_path / "a.png"
    path.write_bytes(png(mode="L"))
    for source in (png(), path, str(path), Image.new("RGBA", (3, 3))):
        image = to_pil(source)
        assert image.mode == "RGB"


def test_not_an_image_is_an_invalid_request() -> None:
    with pytest.raises(InvalidRequestError, match="not a readable image"):
        to_pil(b"plain text, not a picture")


def test_missing_file_is_an_invalid_request(tmp_path) -> None:
    with pytest.raises(InvalidRequestError):
        to_pil(tmp_path / "missing.png")


def test_too_many_pixels_is_refused() -> None:
    with pytest.raises(InvalidRequestError, match="exceeds the limit of 100 pixels"):
        to_pil(png((20, 10)), max_pixels=100)


def test_unsupported_type_is_refused() -> None:
    with pytest.raises(InvalidRequestError, match="unsupported image type int"):
        to_pil(42)
