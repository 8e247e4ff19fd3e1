"""Tag names: one template language, one ``TagScheme`` that formats and parses them.

A tag template is literal text with placeholders:

- ``{version}``: the PEP 440 version, normalized (``1.2.0.dev3``); exactly once.
- ``{name}``: the member's canonical dist name (``livekit-agents``).
- ``{short}``: the name without its short prefix (``providers-{short}/{version}``
  gives ``providers-amazon/9.0.0`` for ``apache-airflow-providers-amazon``);
  see ``short_name``.

A template without ``{name}`` or ``{short}`` names no member: every member
using it shares its tags (a lockstep group, ``python-v{version}``, or the
whole repo, ``v{version}``). Every place that makes or reads a tag name goes
through ``TagScheme``: formatting and parsing cannot drift apart.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass
from functools import cached_property, lru_cache
from itertools import product
from typing import TYPE_CHECKING, Literal

from packaging.version import InvalidVersion, Version

if TYPE_CHECKING:
    from collections.abc import Iterable

PLACEHOLDERS = ("name", "short", "version")
NAME_PLACEHOLDERS = ("name", "short")
_VERSION_TEXT = r"[0-9][0-9A-Za-z.+!_-]*"
_TAG_VERSION = re.compile(_VERSION_TEXT)
_DIGIT = re.compile("[0-9]")
# characters and sequences git refuses in a ref name (git check-ref-format)
_BAD_LITERAL = re.compile(r"[\s~^:?*\[\\\x00-\x1f\x7f]|\.\.|@\{|//")

Source = Literal["configured", "detected", "default"]


def template_parts(template: str) -> list[tuple[str, str | None]]:
    """(literal text, placeholder or None) pairs of ``template``; ValueError if malformed."""
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError as exc:
        raise ValueError(f"malformed tag template {template!r}: {exc}") from None
    parts = []
    for literal, field, spec, conversion in parsed:
        if field is not None and (spec or conversion):
            raise ValueError(f"placeholder {{{field}}} takes no format spec or conversion")
        parts.append((literal, field))
    return parts


@lru_cache(maxsize=1024)
def check_template(template: str) -> str:
    """Return ``template`` if it is a valid tag template, else raise ValueError saying why.

    Cached: detection checks the same few templates for every tag it reads.
    """
    parts = template_parts(template)
    fields = [field for _, field in parts if field is not None]
    unknown = sorted(set(fields) - set(PLACEHOLDERS))
    if unknown:
        raise ValueError(f"unknown placeholder(s) {unknown}; use {{name}}, {{short}}, {{version}}")
    if "version" not in fields:
        raise ValueError("a tag template must contain '{version}'")
    if fields.count("version") > 1:
        raise ValueError("'{version}' may appear only once in a tag template")
    for index, (literal, field) in enumerate(parts):
        if index and field is not None and not literal and parts[index - 1][1] is not None:
            raise ValueError("placeholders must be separated by literal text")
        bad = _BAD_LITERAL.search(literal)
        if bad:
            raise ValueError(f"{bad.group()!r} cannot be part of a git tag name")
    return template


def common_prefix(names: Iterable[str]) -> str:
    """The longest prefix ending in ``-`` that every name shares ('' if none).

    For a single name that is everything up to its last ``-``
    (``livekit-agents`` -> ``livekit-``).
    """
    listed = list(names)
    if not listed:
        return ""
    first, last = min(listed), max(listed)  # the common prefix of all is theirs
    size = 0
    while size < min(len(first), len(last)) and first[size] == last[size]:
        size += 1
    shared = first[:size]
    return shared[: shared.rfind("-") + 1]


def short_name(name: str, prefix: str) -> str:
    """``name`` without ``prefix``; the whole name when it does not start with it."""
    if prefix and name.startswith(prefix) and len(name) > len(prefix):
        return name[len(prefix) :]
    return name


@lru_cache(maxsize=8192)
def parse_version(text: str) -> Version | None:
    """``text`` as a version if it is one a tag may hold (starts with a digit), else None.

    Cached by text: a repo's tags are parsed by detection and again by every
    scheme that lists them, and submodule repos share their tag names.
    """
    if not _TAG_VERSION.fullmatch(text):
        return None
    try:
        return Version(text)
    except InvalidVersion:
        return None


@dataclass(frozen=True)
class ReleaseTag:
    """A tag name with the version it encodes."""

    name: str
    version: Version

    @property
    def is_stable(self) -> bool:
        return not (self.version.is_prerelease or self.version.is_devrelease)


@dataclass(frozen=True)
class TagScheme:
    """How one member's release tags are named: format, parse, match, list, latest."""

    template: str
    name: str = ""
    """The member's canonical name (``{name}``)."""
    short: str = ""
    """The member's short name (``{short}``); defaults to ``name``."""
    aliases: tuple[str, ...] = ()
    """Other spellings of ``{name}`` accepted when parsing (the display name)."""
    source: Source = "default"
    origin: str = ""
    """Where the template came from, for humans (a config key, or the tags it was read from)."""

    def __post_init__(self) -> None:
        check_template(self.template)

    @property
    def lockstep(self) -> bool:
        """True when the template names no member: all members using it share its tags."""
        return not any(field in NAME_PLACEHOLDERS for _, field in template_parts(self.template))

    def format(self, version: Version | str) -> str:
        """The tag name of ``version``."""
        values = {"name": self.name, "short": self.short or self.name, "version": str(version)}
        return "".join(
            literal + (values[field] if field else "")
            for literal, field in template_parts(self.template)
        )

    def parse(self, tag: str | None) -> Version | None:
        """The version ``tag`` encodes under this scheme, or None when it is not one of ours.

        The tag must be one spelling's text before ``{version}``, a version
        text, then that spelling's text after it. Spellings are tried longest
        name first; the first whose text around fits decides (a version text
        that is not PEP 440 then gives None).
        """
        if not tag:
            return None
        for before, after in self._affixes:
            if (
                len(tag) > len(before) + len(after)
                and tag.startswith(before)
                and tag.endswith(after)
            ):
                text = tag[len(before) : len(tag) - len(after)]
                if _TAG_VERSION.fullmatch(text):
                    return parse_version(text)
        return None

    def match(self, tag: str | None) -> bool:
        """True when ``tag`` is a release tag of this scheme."""
        return self.parse(tag) is not None

    def list_tags(self, tags: Iterable[str]) -> list[ReleaseTag]:
        """The release tags among ``tags``, lowest version first (ties: by name)."""
        found = [ReleaseTag(t, v) for t in tags if (v := self.parse(t)) is not None]
        return sorted(found, key=lambda t: (t.version, t.name))

    def latest(self, tags: Iterable[str], *, stable_only: bool = False) -> ReleaseTag | None:
        """The highest-version release tag among ``tags`` (stable ones only if asked)."""
        found = [t for t in self.list_tags(tags) if t.is_stable or not stable_only]
        return found[-1] if found else None

    def glob(self, version_glob: str = "*", *, any_member: bool = False) -> str:
        """A glob of this scheme's tags (``any_member``: ``*`` for the name, for all members)."""
        out = ""
        for literal, field in template_parts(self.template):
            out += literal
            if field == "version":
                out += version_glob
            elif field:
                out += (
                    "*"
                    if any_member
                    else (self.short or self.name if field == "short" else self.name)
                )
        return out

    def describe(self) -> str:
        """``template (source: origin)`` for messages."""
        return f"{self.template} ({self.source}{': ' + self.origin if self.origin else ''})"

    @cached_property
    def _affixes(self) -> tuple[tuple[str, str], ...]:
        """(text before ``{version}``, text after it) for every spelling of the placeholders,
        longest name first: matching a tag is then two string compares, where a regex per
        member cost a compile each (80 members: ~4 ms of every ``status``)."""
        names = sorted({n for n in (self.name, *self.aliases) if n}, key=len, reverse=True)
        spelled = {"name": names or [""], "short": [self.short or self.name]}
        choices: list[list[str]] = []
        version_at = 0
        for literal, field in template_parts(self.template):
            choices.append([literal])
            if field == "version":
                version_at = len(choices)
            elif field:
                choices.append(spelled[field])
        out = []
        for texts in product(*choices):
            out.append(("".join(texts[:version_at]), "".join(texts[version_at:])))
        return tuple(dict.fromkeys(out))


def split_version(tag: str) -> list[tuple[str, Version]]:
    """Every way to read ``tag`` as literal prefix + version, shortest prefix first.

    A version must start at a digit not preceded by a digit or a dot, and run
    to the end of the tag (``pkg-v2-v1.0`` -> ``pkg-v2-v`` + ``1.0``).
    """
    return list(splits_of(tag))


@lru_cache(maxsize=8192)
def splits_of(tag: str) -> tuple[tuple[str, Version], ...]:
    """``split_version(tag)`` as a tuple, cached by tag name (detection reads each tag of
    every repo, and submodule repos share their tag names)."""
    out = []
    for match in _DIGIT.finditer(tag):
        index = match.start()
        if index and (tag[index - 1].isdigit() or tag[index - 1] == "."):
            continue  # inside a number: a version starts at a number's start
        version = parse_version(tag[index:])
        if version is not None:
            out.append((tag[:index], version))
    return tuple(out)


__all__ = [
    "PLACEHOLDERS",
    "ReleaseTag",
    "TagScheme",
    "check_template",
    "common_prefix",
    "parse_version",
    "short_name",
    "split_version",
    "splits_of",
    "template_parts",
]
