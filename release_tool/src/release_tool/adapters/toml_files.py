"""Every TOML read and edit goes through here (tomlkit: comments and layout survive).

Reads report the file and line of a syntax error; writes are atomic
(temp file + rename) so an interrupted run never leaves half a file.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import tomlkit
import tomlkit.exceptions

from release_tool.errors import ConfigError

if TYPE_CHECKING:
    from tomlkit.items import InlineTable, Table
    from tomlkit.toml_document import TOMLDocument


def read_toml(path: Path) -> TOMLDocument:
    """Parse ``path`` into a tomlkit document, or raise ``ConfigError`` naming file and line."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{path}: file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read file: {exc}") from None
    return parse_toml(text, path)


def parse_toml(text: str, path: Path | str) -> TOMLDocument:
    """Parse TOML text; ``path`` only names the source in errors."""
    try:
        return tomlkit.parse(text)
    except tomlkit.exceptions.ParseError as exc:
        reason = str(exc).split(" at line ")[0]
        raise ConfigError(
            f"{path}:{exc.line}:{exc.col}: malformed TOML: {reason}",
            hint="fix the syntax at that line and run again",
        ) from None


def write_toml(path: Path, doc: TOMLDocument) -> None:
    """Write ``doc`` to ``path`` atomically."""
    write_text_atomic(path, tomlkit.dumps(doc))


def write_text_atomic(path: Path, text: str) -> None:
    """Replace ``path`` with ``text`` through a temp file in the same folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        if path.exists():
            os.chmod(tmp, path.stat().st_mode & 0o777)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def get_path(doc: Any, *keys: str) -> Any:
    """Return ``doc[k1][k2]...`` or ``None`` where any level is missing."""
    node = doc
    for key in keys:
        if not isinstance(node, dict) or key not in node:
            return None
        node = node[key]
    return node


def unwrap(value: Any) -> Any:
    """Turn tomlkit items into plain Python values."""
    return value.unwrap() if hasattr(value, "unwrap") else value


def ensure_table(doc: Any, *keys: str) -> Table:
    """Return the (super-)table at ``keys``, creating missing levels."""
    node = doc
    for key in keys:
        if key not in node:
            node[key] = tomlkit.table()
        node = node[key]
    return node


def inline_table(values: dict[str, Any]) -> InlineTable:
    """An inline table with keys in the given order."""
    table = tomlkit.inline_table()
    for key, value in values.items():
        table[key] = value
    return table
