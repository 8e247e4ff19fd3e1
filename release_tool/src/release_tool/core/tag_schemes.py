"""Which ``TagScheme`` each member uses: configured, detected from its tags, or the default.

Order, first that applies: a ``tag-template.members`` key equal to the
member's name; the first key (in file order) whose glob matches the name or
the member's path; the layout key (``repo`` / ``folder``) when it is set;
the scheme detected from the tags of the member's repo; the layout default.

Detection reads each tag as literal prefix + version and looks for a
member's name (or short name) in the prefix: ``livekit-agents@1.2.3`` gives
``{name}@{version}`` to ``livekit-agents``. A tag naming no member gives a
template naming none (``python-v{version}``, ``v{version}``), shared by the
members of that repo that have no tags of their own. Tags of no kind
(``latest``, ``nightly``) are ignored.
"""

from __future__ import annotations

import fnmatch
import threading
from collections import Counter
from typing import TYPE_CHECKING, Any, Literal

from release_tool.core.tags import (
    TagScheme,
    check_template,
    common_prefix,
    short_name,
    splits_of,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable
    from pathlib import Path

    from release_tool.core.config import TagTemplates
    from release_tool.core.ports import RepoOpener
    from release_tool.core.workspace import Member


DEFAULT_TEMPLATES = ("{name}-v{version}", "v{version}")
"""The layout defaults: preferred when tags fit two templates equally well."""


class TagSchemes:
    """Resolves and caches every member's ``TagScheme`` (thread-safe; tags read once per repo)."""

    def __init__(
        self,
        config: TagTemplates,
        members: Iterable[Member],
        list_tags: Callable[[Path], list[str]] | None = None,
    ) -> None:
        self.config = config
        self.members = {m.name: m for m in members}
        self._list_tags = list_tags or _repo_tag_names
        self._lock = threading.Lock()
        self._schemes: dict[str, TagScheme] = {}
        self._detected: dict[Path, dict[str, TagScheme]] = {}
        self._known_tags: dict[Path, list[str]] = {}
        self._members_by_repo: dict[Path, list[Member]] | None = None
        self._prefix = config.short_prefix or common_prefix(self.members)

    def __deepcopy__(self, memo: dict[int, Any]) -> TagSchemes:
        return self  # shared by every member; ``dataclasses.asdict(member)`` must not copy a lock

    def for_member(self, member: Member) -> TagScheme:
        """The scheme of ``member`` (resolved on first use)."""
        with self._lock:
            if member.name not in self._schemes:
                self._schemes[member.name] = self._resolve(self.members.get(member.name, member))
            return self._schemes[member.name]

    def read_tags_with(self, list_tags: Callable[[Path], list[str]]) -> None:
        """Read tags for detection through ``list_tags`` (e.g. the caller's repo port)."""
        with self._lock:
            self._list_tags = list_tags

    def know_tags(self, repo: Path, tags: Iterable[str]) -> None:
        """Tell the resolver the tags of ``repo`` (read already), so detection need not."""
        with self._lock:
            self._known_tags.setdefault(repo, list(tags))

    @property
    def short_prefix(self) -> str:
        """What ``{short}`` drops from a name unless a rule says otherwise."""
        return self._prefix

    def all(self) -> dict[str, TagScheme]:
        """Member name -> scheme, for every member."""
        return {name: self.for_member(m) for name, m in self.members.items()}

    def _resolve(self, member: Member) -> TagScheme:
        rule = self._rule(member)
        if rule is not None:
            key, template, prefix = rule
            return self._scheme(member, template, prefix, "configured", f"tag-template.{key}")
        layout: Literal["repo", "folder"] = "repo" if member.layout.has_own_repo else "folder"
        template = getattr(self.config, layout)
        if self.config.is_set(layout):
            return self._scheme(
                member, template, self._prefix, "configured", f"tag-template.{layout}"
            )
        if member.repo_root is not None:
            detected = self._detect_repo(member.repo_root).get(member.name)
            if detected is not None:
                return detected
        return self._scheme(member, template, self._prefix, "default", f"{member.layout} default")

    def _rule(self, member: Member) -> tuple[str, str, str] | None:
        """(config key, template, short prefix) of the ``members`` entry naming ``member``."""
        rules = self.config.members
        exact = [key for key in rules if key == member.name or key == member.display_name]
        globbed = [
            key
            for key in rules
            if fnmatch.fnmatchcase(member.name, key) or fnmatch.fnmatchcase(member.rel_path, key)
        ]
        for key in exact or globbed[:1]:
            rule = rules[key]
            covered = [
                n
                for n, m in self.members.items()
                if n == key or fnmatch.fnmatchcase(n, key) or fnmatch.fnmatchcase(m.rel_path, key)
            ]
            prefix = rule.short_prefix or self.config.short_prefix or common_prefix(covered)
            return f"members.{key!r}", rule.template, prefix
        return None

    def _scheme(
        self, member: Member, template: str, prefix: str, source: str, origin: str
    ) -> TagScheme:
        return TagScheme(
            template,
            name=member.name,
            short=short_name(member.name, prefix),
            aliases=(member.display_name,),
            source=source,  # type: ignore[arg-type]
            origin=origin,
        )

    def _by_repo(self) -> dict[Path, list[Member]]:
        """Repo -> the members whose history it holds (grouped once, not per member)."""
        if self._members_by_repo is None:
            self._members_by_repo = {}
            for member in self.members.values():
                if member.repo_root is not None:
                    self._members_by_repo.setdefault(member.repo_root, []).append(member)
        return self._members_by_repo

    def _detect_repo(self, repo: Path) -> dict[str, TagScheme]:
        if repo not in self._detected:
            here = self._by_repo().get(repo, [])
            tags = self._known_tags.get(repo)
            found = detect(self._list_tags(repo) if tags is None else tags, here, self._prefix)
            self._detected[repo] = {
                name: self._scheme(self.members[name], template, self._prefix, "detected", origin)
                for name, (template, origin) in found.items()
            }
        return self._detected[repo]


def config_table(members: dict[str, Member]) -> tuple[dict[str, Any], list[str]]:
    """The ``tag-template`` table that keeps today's schemes, and notes on what was detected.

    Each layout key gets the template most of its members use now
    (configured, detected or default); members that differ get a
    ``members`` entry; ``short-prefix`` is written when a template uses
    ``{short}``, so adding a member later cannot change what it means.
    """
    first = next(iter(members.values()), None)
    resolver = first.schemes if first is not None else None
    config = resolver.config if resolver is not None else _default_templates()
    table: dict[str, Any] = {}
    notes: list[str] = []
    rules: dict[str, Any] = {
        key: rule.template if rule.short_prefix is None else rule.as_table()
        for key, rule in config.members.items()
    }
    for layout in ("repo", "folder"):
        group = {
            m.name: m.tag_scheme
            for m in members.values()
            if m.layout.has_own_repo == (layout == "repo")
        }
        group = {n: s for n, s in group.items() if not s.origin.startswith("tag-template.members")}
        template = getattr(config, layout)
        if group and not config.is_set(layout):
            counts = Counter(s.template for s in group.values())
            template = min(counts, key=lambda t: (-counts[t], t))
            if any(s.source == "detected" and s.template == template for s in group.values()):
                notes.append(f'tag-template.{layout} = "{template}": detected from existing tags')
        table[layout] = template
        for name, scheme in group.items():
            if scheme.template != template:
                rules[name] = scheme.template
                notes.append(
                    f'tag-template.members."{name}" = "{scheme.template}": '
                    f"{scheme.source} ({scheme.origin})"
                )
    templates = [table["repo"], table["folder"], *(str(r) for r in rules.values())]
    if config.short_prefix is not None or any("{short}" in t for t in templates):
        table["short-prefix"] = config.short_prefix or (resolver.short_prefix if resolver else "")
    if rules:
        table["members"] = rules
    return table, notes


def _default_templates() -> TagTemplates:
    from release_tool.core.config import TagTemplates

    return TagTemplates.from_values({})


def detected_notes(schemes: dict[str, TagScheme], members: dict[str, Member]) -> list[str]:
    """One line per detected template that is not its layout's default, naming its members."""
    defaults = _default_templates()
    groups: dict[str, list[str]] = {}
    for name, scheme in schemes.items():
        layout = members[name].layout.has_own_repo
        default = defaults.repo if layout else defaults.folder
        if scheme.source == "detected" and scheme.template != default:
            groups.setdefault(scheme.template, []).append(name)
    lines = []
    for template, names in groups.items():
        shown = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
        lines.append(f"tags: detected {template} for {shown} (configure: tag-template)")
    return lines


def detect(tags: Iterable[str], members: list[Member], prefix: str) -> dict[str, tuple[str, str]]:
    """Member name -> (template, how it was found) from the tag names of one repo.

    ``members`` are the members whose history is that repo; ``prefix`` is
    what ``{short}`` drops from a name. Members the tags say nothing about
    are left out.
    """
    reader = _TagReader(_spellings(members, prefix))
    own: dict[str, Counter[str]] = {m.name: Counter() for m in members}
    shared: Counter[str] = Counter()
    for tag in tags:
        read = reader.generalize(tag)
        if read is None:
            continue
        owner, template = read
        if owner is None:
            shared[template] += 1
        else:
            own[owner][template] += 1
    convention: Counter[str] = Counter()  # template -> tags of all members
    sharing: Counter[str] = Counter()  # template -> members with such tags
    for counts in own.values():
        convention.update(counts)
        sharing.update(set(counts))
    out: dict[str, tuple[str, str]] = {}
    for member in members:
        if own[member.name]:
            # a template more members share outranks a stray one (bench-utils-extra-v1.0
            # read as "{name}-extra-v{version}" of bench-utils)
            template = min(
                own[member.name],
                key=lambda t: (
                    -sharing[t],
                    -own[member.name][t],
                    t not in DEFAULT_TEMPLATES,
                    "{short}" in t,
                    t,
                ),
            )
            out[member.name] = (template, f"{own[member.name][template]} of its tags")
            continue
        candidates = []
        if shared:
            template, count = _most_common(shared)
            where = "of its repo" if len(members) == 1 else "naming no member"
            candidates.append((count, 1, template, f"{count} tags {where}"))
        if convention:
            template, count = _most_common(convention)
            candidates.append((count, 0, template, f"{count} tags of other members"))
        if candidates:
            _, _, template, origin = max(candidates)
            out[member.name] = (template, origin)
    return out


def _spellings(members: list[Member], prefix: str) -> list[tuple[str, str, str]]:
    """(text, placeholder, member) for every way a member may be spelled, longest first."""
    out = []
    for member in members:
        for text in {member.name, member.display_name}:
            out.append((text, "name", member.name))
        short = short_name(member.name, prefix)
        if short != member.name:
            out.append((short, "short", member.name))
    return sorted(out, key=lambda s: (-len(s[0]), s[1]))


class _TagReader:
    """Reads tag names as (owning member or None, template) for one repo's members.

    A member's tags share their literal prefix (``plugin-007-v`` for every
    version), so each literal is matched once; and a literal is matched by
    looking its words up in an index of the spellings, not by searching it
    for each of them (a monorepo's 80 members: 160 spellings).
    """

    def __init__(self, spellings: list[tuple[str, str, str]]) -> None:
        self.spellings = spellings
        self.index: dict[str, int] = {}  # spelling text -> its first position
        for position, (text, _, _) in enumerate(spellings):
            self.index.setdefault(text, position)
        self.literals: dict[str, tuple[str, str] | None] = {}

    def generalize(self, tag: str) -> tuple[str | None, str] | None:
        """(owning member or None, template) for ``tag``, or None when it holds no version."""
        splits = splits_of(tag)
        for literal, _version in splits:
            if literal not in self.literals:
                self.literals[literal] = self.spelled_in(literal)
            found = self.literals[literal]
            if found is not None:
                owner, template = found
                return (owner, template) if _valid(template) else None
        if not splits or not _valid(splits[0][0] + "{version}"):
            return None
        return None, splits[0][0] + "{version}"

    def spelled_in(self, literal: str) -> tuple[str, str] | None:
        """(member, template) for the first spelling (in ``spellings`` order: longest
        first) that is a word of ``literal``, at its last such place; a word is not inside
        a longer one (``core`` in ``autogen-core-v``, not in ``score-v``)."""
        if len(self.spellings) <= _SCAN_UP_TO:  # a repo of its own: search for each
            for text, placeholder, owner in self.spellings:
                at = _word_at(literal, text)
                if at >= 0:
                    rest = literal[at + len(text) :]
                    return owner, f"{literal[:at]}{{{placeholder}}}{rest}{{version}}"
            return None
        best: tuple[int, int] | None = None  # (position in spellings, where the word starts)
        for start, end in _word_spans(literal):
            found = self.index.get(literal[start:end])
            if found is not None and (best is None or (found, -start) < (best[0], -best[1])):
                best = (found, start)
        if best is None:
            return None
        text, placeholder, owner = self.spellings[best[0]]
        at = best[1]
        return owner, f"{literal[:at]}{{{placeholder}}}{literal[at + len(text) :]}{{version}}"


_SCAN_UP_TO = 8
"""Up to this many spellings, a literal is searched for each; beyond, its words are looked up."""


def _word_at(literal: str, text: str) -> int:
    """The last index of ``text`` in ``literal`` not inside a longer word, or -1."""
    at = literal.rfind(text)
    while at >= 0:
        before = literal[at - 1] if at else ""
        rest = literal[at + len(text) :]
        if not before.isalnum() and (not rest[:1].isalnum() or rest == "v"):
            return at
        at = literal.rfind(text, 0, at + len(text) - 1)
    return -1


def _word_spans(literal: str) -> list[tuple[int, int]]:
    """Every (start, end) where ``literal[start:end]`` may be a word: not preceded by a
    letter or digit, and followed by none (or by a final ``v``: ``pkg-v``)."""
    starts = [i for i in range(len(literal)) if i == 0 or not literal[i - 1].isalnum()]
    ends = [
        j
        for j in range(1, len(literal) + 1)
        if j == len(literal) or not literal[j].isalnum() or literal[j:] == "v"
    ]
    return [(i, j) for i in starts for j in ends if i < j]


def _valid(template: str) -> bool:
    try:
        check_template(template)
    except ValueError:
        return False
    return True


def _most_common(counts: Counter[str]) -> tuple[str, int]:
    """The most frequent template; ties go to ``{name}`` over ``{short}``, then by text."""
    return min(counts.items(), key=lambda item: (-item[1], "{short}" in item[0], item[0]))


def _repo_tag_names(repo: Path) -> list[str]:
    from release_tool.adapters.git import Repo

    return Repo(repo).tag_names()


def read_tags_through(members: Iterable[Member], open_repo: RepoOpener) -> None:
    """Let tag-scheme detection of ``members`` read tags through the caller's git port."""
    for schemes in {id(m.schemes): m.schemes for m in members}.values():
        if schemes is not None:
            schemes.read_tags_with(lambda path: open_repo(path).tag_names())
