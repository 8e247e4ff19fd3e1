"""A pinned mode installs each member with the extras and marker the dev root asks for.

The dev root's ``bench-utils[serve]`` makes ``uv sync`` install the serve
extra's dependencies; a mode that lists plain ``bench-utils`` installs
without them, and an image built from its lock lacks them. ``init`` copies
the dev root's requirement (less its version: the mode's source pins it);
the ``mode-extras`` check finds modes written before that, or edited since.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from release_tool.core.modes import ModeState


def as_in_mode(requirement: str) -> str:
    """The requirement a mode lists for a member the dev root asks for as ``requirement``:
    the same extras and marker, no version (``bench-utils[serve]>=0.1`` -> ``bench-utils[serve]``).
    """
    from packaging.requirements import Requirement

    req = Requirement(requirement)
    text = req.name + (f"[{','.join(sorted(req.extras))}]" if req.extras else "")
    return f"{text}; {req.marker}" if req.marker else text


def missing_extras(
    dev_requirements: list[str], mode: ModeState, members: set[str]
) -> list[tuple[str, str, str]]:
    """(member, what the mode lists, what it should list) where the mode asks a member for
    fewer extras, or another marker, than the dev root's ``dev_requirements`` do."""
    from packaging.requirements import Requirement

    from release_tool.core.names import requirement_name

    wanted = {}
    for raw in dev_requirements:
        name = requirement_name(raw)
        if name in members:
            wanted[name] = Requirement(raw)
    out = []
    for name, req in wanted.items():
        listed = mode.requirements.get(name)
        if listed is None or not (req.extras or req.marker):
            continue  # unpinned members are the `pinned` check's; plain names need nothing
        have = Requirement(listed)
        if not req.extras <= have.extras or str(req.marker or "") != str(have.marker or ""):
            out.append((name, listed, as_in_mode(str(req))))
    return out
