"""JSON data from and to typed values through msgspec.

Plans, journal records and ``--json`` documents are msgspec structs; this is
the one place that turns them into JSON text or JSON-ready data and back
(validated), instead of a hand-written ``to_json``/``from_json`` pair each.
msgspec imports and encodes in a fraction of pydantic's time, which every
command would otherwise pay at start-up.
"""

from __future__ import annotations

from pathlib import PurePath
from typing import Any, TypeVar

import msgspec

T = TypeVar("T")

_ENCODER: msgspec.json.Encoder | None = None


def _unknown(value: Any) -> Any:
    """Values msgspec does not know: paths as their text, anything else is a bug."""
    if isinstance(value, PurePath):
        return str(value)
    raise NotImplementedError(f"cannot write {type(value).__name__} as JSON")


def encode(value: Any) -> bytes:
    """``value`` as compact JSON (fields in declaration order, enums as their values)."""
    global _ENCODER
    if _ENCODER is None:
        _ENCODER = msgspec.json.Encoder(enc_hook=_unknown)
    return _ENCODER.encode(value)


def dump(value: Any) -> Any:
    """``value`` as JSON-ready data (dicts, lists, strings, numbers, None).

    Exactly what ``json.loads`` gives for the encoded text: lists, never
    tuples, so the data compares equal to a document read back.
    """
    return msgspec.json.decode(encode(value))


def load(kind: type[T], data: Any) -> T:
    """A ``kind`` validated from JSON data; ``msgspec.ValidationError`` names what does not fit."""
    return msgspec.convert(data, kind)


def decode(kind: type[T], text: bytes | str) -> T:
    """A ``kind`` validated from JSON text (``msgspec.DecodeError`` for bad JSON or shape)."""
    return msgspec.json.decode(text, type=kind)
