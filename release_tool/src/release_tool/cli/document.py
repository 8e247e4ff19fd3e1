"""The base of every ``--json`` document: ``"schema"`` first, then the model's fields.

Kept apart from the documents themselves so that a read command (``status``,
``check``) imports its own document and not every command's.
"""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import BaseModel, SerializerFunctionWrapHandler, model_serializer


class Document(BaseModel):
    """A ``--json`` document: its fields after ``"schema": SCHEMA``."""

    SCHEMA: ClassVar[str]

    @model_serializer(mode="wrap")
    def _with_schema(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        return {"schema": self.SCHEMA, **handler(self)}


def document(model: BaseModel) -> dict[str, Any]:
    """The JSON data of an output model, with ``schema`` first."""
    data: dict[str, Any] = model.model_dump(mode="json")
    return data
