"""Workflow data -> YAML text, through ruamel.yaml (no hand-written quoting).

Workflows are built as plain dicts and lists (see ``core.workflows``); this
module emits them. Two things plain data cannot say are marked with small
wrappers: a multi-line shell script (emitted as a ``|`` block) and an action
pin (``uses: owner/repo@<sha>`` with its version as an end-of-line comment,
the form Dependabot and reviewers read).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import LiteralScalarString


@dataclass(frozen=True)
class Script:
    """A ``run:`` script of several lines, emitted as a literal block."""

    text: str


@dataclass(frozen=True)
class Uses:
    """An action reference with the release it pins, emitted as ``ref # version``."""

    ref: str
    version: str


def _convert(value: Any) -> Any:
    if isinstance(value, dict):
        out = CommentedMap()
        for key, item in value.items():
            if isinstance(item, Uses):
                out[key] = item.ref
                out.yaml_add_eol_comment(item.version, key)
            else:
                out[key] = _convert(item)
        return out
    if isinstance(value, list | tuple):
        return CommentedSeq(_convert(item) for item in value)
    if isinstance(value, Script):
        return LiteralScalarString(value.text.rstrip("\n") + "\n")
    return value


def dump_workflow(data: dict[str, Any], header: str = "") -> str:
    """YAML text of one workflow: ``header`` comment lines, then the data in key order."""
    yaml = YAML()
    yaml.width = 4096  # long expressions stay on one line (no folding inside `${{ }}`)
    yaml.indent(mapping=2, sequence=4, offset=2)
    stream = io.StringIO()
    yaml.dump(_convert(data), stream)
    return header + stream.getvalue()
