"""JSON data from and to typed values through pydantic, with one cached adapter per type.

Plans, journal records and ``--json`` output are pydantic dataclasses or
models; this is the one place that turns them into JSON-ready data and back
(validated), instead of a hand-written ``to_json``/``from_json`` pair each.
"""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import TypeAdapter

T = TypeVar("T")


_ADAPTERS: dict[Any, TypeAdapter[Any]] = {}


def _adapter(kind: Any) -> TypeAdapter[Any]:
    """Building an adapter compiles a validator: once per type."""
    adapter = _ADAPTERS.get(kind)
    if adapter is None:
        adapter = _ADAPTERS[kind] = TypeAdapter(kind)
    return adapter


def dump(value: Any) -> Any:
    """``value`` as JSON-ready data (dicts, lists, strings, numbers, None)."""
    return _adapter(type(value)).dump_python(value, mode="json")


def load(kind: type[T], data: Any) -> T:
    """A ``kind`` validated from JSON data; a ``pydantic.ValidationError`` if it does not fit."""
    value: T = _adapter(kind).validate_python(data)
    return value
