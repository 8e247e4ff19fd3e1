"""The base of every ``--json`` document: ``"schema"`` first, then the struct's fields.

Kept apart from the documents themselves so that a read command (``status``,
``check``) imports its own document and not every command's. Documents are
msgspec structs: msgspec imports in a fraction of pydantic's time, which
every ``--json`` command would otherwise pay at start-up.
"""

from __future__ import annotations

from typing import Any, ClassVar

import msgspec

from release_tool.core.jsonable import dump


class Document(msgspec.Struct, kw_only=True):
    """A ``--json`` document: its fields after ``"schema": SCHEMA``."""

    SCHEMA: ClassVar[str]

    def to_json(self) -> dict[str, Any]:
        """The document as JSON data, ``schema`` first, fields in declaration order."""
        data: dict[str, Any] = dump(self)
        return {"schema": self.SCHEMA, **data}


def document(model: Document) -> dict[str, Any]:
    """The JSON data of an output document, with ``schema`` first."""
    return model.to_json()
