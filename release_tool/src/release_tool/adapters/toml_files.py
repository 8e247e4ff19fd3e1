"""Every TOML read and edit goes through here (tomlkit: comments and layout survive).

Plain reads use ``tomli`` (the stdlib's ``tomllib`` as a compiled wheel:
~3x faster to parse and quicker to import; ``status`` reads every member's
pyproject on every run); edits parse with tomlkit, imported only by the
functions that edit (read-only commands never load it). Reads report the
file and line of a syntax error; writes are atomic
(temp file + rename) so an interrupted run never leaves half a file.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import tomli

from release_tool.adapters.files import write_text_atomic as write_text_atomic
from release_tool.errors import ConfigError

_POSITION = re.compile(r"\(at line (?P<line>\d+), column (?P<col>\d+)\)")

if TYPE_CHECKING:
    from collections.abc import Iterable
    from pathlib import Path

    from tomlkit.items import Array, InlineTable, Table
    from tomlkit.toml_document import TOMLDocument


def read_toml(path: Path) -> dict[str, Any]:
    """Parse ``path`` into plain data (read-only), or raise ``ConfigError`` naming file and line."""
    return parse_toml(_read_text(path), path)


def parse_toml(text: str, path: Path | str) -> dict[str, Any]:
    """Parse TOML text into plain data; ``path`` only names the source in errors."""
    try:
        return tomli.loads(text)
    except tomli.TOMLDecodeError as exc:
        match = _POSITION.search(str(exc))
        where = f"{match['line']}:{match['col']}" if match else "?"
        reason = _POSITION.sub("", str(exc)).strip()
        raise ConfigError(
            f"{path}:{where}: malformed TOML: {reason}",
            hint="fix the syntax at that line and run again",
        ) from None


def read_document(path: Path) -> TOMLDocument:
    """Parse ``path`` for editing: a tomlkit document that keeps comments and layout."""
    return parse_document(_read_text(path), path)


def parse_document(text: str, source: Path | str) -> TOMLDocument:
    """Parse TOML text for editing (syntax errors reported like every other read)."""
    import tomlkit

    parse_toml(text, source)
    return tomlkit.parse(text)


def new_document(comment: str | None = None) -> TOMLDocument:
    """An empty document, headed by ``comment`` if given."""
    import tomlkit

    doc = tomlkit.document()
    if comment:
        doc.add(tomlkit.comment(comment))
    return doc


def new_table(*, comment: str | None = None, super_table: bool = False) -> Table:
    """An empty table (a super-table holds only sub-tables: ``[tool.uv]``, not ``[tool]``)."""
    import tomlkit

    table = tomlkit.table(is_super_table=super_table or None)
    if comment:
        table.add(tomlkit.comment(comment))
    return table


def new_array(items: Iterable[Any] = (), *, multiline: bool = False) -> Array:
    """An array of ``items``, one per line when ``multiline``."""
    import tomlkit

    array = tomlkit.array()
    for item in items:
        array.append(item)
    if multiline:
        array.multiline(True)
    return array


def dumps(doc: Any) -> str:
    """The TOML text of a document, layout as kept or built."""
    import tomlkit

    return tomlkit.dumps(doc)


def copy_document(doc: TOMLDocument) -> TOMLDocument:
    """An independent copy of ``doc`` (edits to it leave ``doc`` as it is)."""
    import tomlkit

    return tomlkit.parse(tomlkit.dumps(doc))


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{path}: file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read file: {exc}") from None


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
    import tomlkit

    node = doc
    for key in keys:
        if key not in node:
            node[key] = tomlkit.table()
        node = node[key]
    return node


def inline_table(values: dict[str, Any]) -> InlineTable:
    """An inline table with keys in the given order."""
    import tomlkit

    table = tomlkit.inline_table()
    for key, value in values.items():
        table[key] = value
    return table


def spaced_inline(values: dict[str, Any]) -> InlineTable:
    """An inline table written ``{ key = "value" }``, the layout uv and humans use."""
    import tomlkit

    body = ", ".join(f"{key} = {tomlkit.item(value).as_string()}" for key, value in values.items())
    table = tomlkit.parse(f"x = {{ {body} }}\n")["x"]
    assert isinstance(table, tomlkit.items.InlineTable)
    return table
