"""A file cache of validated model answers, so a re-run with the same inputs calls nothing.

The key covers everything that shapes an answer: model, base URL, prompt
version, sampling parameters and the redacted payload itself. Only answers
that passed validation are stored; a rejected one is never replayed. Each
file is a ``CachedAnswer`` (a msgspec struct, the same JSON the pydantic
model wrote before): one that does not validate, or was stored under
another key, is a miss.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

import msgspec

from release_tool.adapters.files import write_text_atomic as write_atomic
from release_tool.core.jsonable import decode, encode

CACHE_SCHEMA = "release-tool.llm-answer/1"


class CachedAnswer(msgspec.Struct, kw_only=True):
    """One stored answer: the key it answers and the model's parsed JSON."""

    format: str = CACHE_SCHEMA
    """Changes when the layout changes; other formats are misses."""
    key: str
    answer: Any


def default_cache_dir() -> Path:
    """``$XDG_CACHE_HOME/release-tool/llm`` (``~/.cache`` when unset)."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "release-tool" / "llm"


def cache_key(
    *,
    model: str,
    base_url: str | None,
    prompt_version: str,
    params: dict[str, Any],
    messages: list[dict[str, str]],
) -> str:
    """The hex SHA-256 naming one request's answer."""
    material = json.dumps(
        {
            "model": model,
            "base_url": base_url or "",
            "prompt_version": prompt_version,
            "params": params,
            "messages": messages,
        },
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return hashlib.sha256(material.encode("utf-8")).hexdigest()


class AnswerCache:
    """Validated answers stored as JSON files under ``folder``; None disables it."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder
        self.hits = 0

    def get(self, key: str) -> Any | None:
        if self.folder is None:
            return None
        path = self._path(key)
        try:
            entry = decode(CachedAnswer, path.read_bytes())
        except (OSError, msgspec.DecodeError):
            return None
        if entry.format != CACHE_SCHEMA or entry.key != key:
            return None
        self.hits += 1
        return entry.answer

    def put(self, key: str, value: Any) -> None:
        if self.folder is not None:
            entry = CachedAnswer(key=key, answer=value)
            write_atomic(self._path(key), encode(entry).decode())

    def _path(self, key: str) -> Path:
        assert self.folder is not None
        return self.folder / key[:2] / f"{key}.json"
