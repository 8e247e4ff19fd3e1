"""Project names as uv compares them, without loading packaging's requirement parser.

``status`` reads every member's requirements on every run; importing
``packaging.requirements`` and ``packaging.utils`` (which pulls in
``packaging.tags``) costs ~25 ms of a ~0.25 s command, while most of those
requirements, and every pin in a mode, are bare names. So a bare name is
recognised by PEP 508's name rule and normalised by PEP 503's; anything
else goes through packaging's parser, loaded on first use.
"""

from __future__ import annotations

import re

_SEPARATORS = re.compile(r"[-_.]+")
_BARE = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?")
"""A PEP 508 project name and nothing else (no extras, version, marker or URL)."""


def canonical_name(name: str) -> str:
    """PEP 503 normalisation: runs of ``-_.`` become ``-``, lowercase
    (``packaging.utils.canonicalize_name`` without its import)."""
    return _SEPARATORS.sub("-", name).lower()


def requirement_name(requirement: str) -> str:
    """The canonical project name a PEP 508 requirement names.

    Raises ``ValueError`` (packaging's ``InvalidRequirement``) when it is not
    a valid requirement.
    """
    text = requirement.strip()
    if _BARE.fullmatch(text):
        return canonical_name(text)
    from packaging.requirements import Requirement

    return canonical_name(Requirement(requirement).name)
