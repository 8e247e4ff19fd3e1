"""Which entries of a git tree changed against another, from the trees' raw bytes.

The history walk (``adapters.git_walk``) asks this for every commit: which
member folders of ``packages/`` differ from the parent commit's. Listing a
tree through pygit2 makes a Python object per entry (80 members: 80 objects,
names decoded, ids wrapped), and libgit2's own tree diff costs more still.
Yet two neighbouring versions of a folder's tree are byte-for-byte the same
except for the id of the one entry that changed. So the raw bytes are
compared: the first entry whose bytes differ is found by binary search with
C-level compares, and when the differences lie inside entry ids of an
unchanged layout (the same names, modes and offsets) those entries are the
answer. Anything else (an entry added, removed or renamed, a mode changed)
falls back to parsing both trees.

Raw tree format: entries ``<mode> <name>\\0<id bytes>``, sorted by name.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable, Set


@dataclass(frozen=True)
class Layout:
    """Where each entry of a raw tree lies: names and the offset of each entry's id."""

    names: tuple[bytes, ...]
    id_at: tuple[int, ...]
    id_size: int
    starts: tuple[int, ...] = ()
    """Offset of each entry's first byte (its mode): 0, then each previous id's end."""
    positions: dict[bytes, int] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        if not self.starts and self.id_at:
            size = self.id_size
            object.__setattr__(self, "starts", (0, *(at + size for at in self.id_at[:-1])))

    @classmethod
    def parse(cls, data: bytes, id_size: int) -> Layout:
        """The layout of raw tree ``data`` (ValueError if it is not a tree)."""
        names: list[bytes] = []
        id_at: list[int] = []
        pos, size = 0, len(data)
        while pos < size:
            space = data.index(b" ", pos)
            end = data.index(b"\0", space)
            names.append(data[space + 1 : end])
            id_at.append(end + 1)
            pos = end + 1 + id_size
        if pos != size:
            raise ValueError("truncated tree entry")
        return cls(tuple(names), tuple(id_at), id_size)

    def entry_id(self, data: bytes, name: bytes) -> bytes | None:
        """The raw id of entry ``name`` in ``data`` (laid out as ``self``), or None."""
        if not self.positions and self.names:
            self.positions.update((n, i) for i, n in enumerate(self.names))
        index = self.positions.get(name)
        if index is None:
            return None
        at = self.id_at[index]
        return data[at : at + self.id_size]

    def entries(self, data: bytes) -> dict[bytes, bytes]:
        """name -> mode and id bytes of every entry (what a fallback compares)."""
        return {
            name: data[self.starts[i] : self.id_at[i] + self.id_size]
            for i, name in enumerate(self.names)
        }


@dataclass
class RawTree:
    """A tree's raw bytes and, once known, its layout."""

    data: bytes
    layout: Layout | None = None


class TreeDiffer:
    """Compares trees by id, reading each tree's bytes once (``read``: id -> raw bytes)."""

    def __init__(self, read: Callable[[bytes], bytes | None], id_size: int) -> None:
        self._read = read
        self._id_size = id_size
        self._trees: dict[bytes, RawTree | None] = {}

    def tree(self, oid: bytes | None) -> RawTree | None:
        """The raw tree ``oid`` names (None: absent or not a tree)."""
        if oid is None:
            return None
        if oid not in self._trees:
            data = self._read(oid)
            self._trees[oid] = None if data is None else RawTree(data)
        return self._trees[oid]

    def changed(
        self, mine: bytes | None, theirs: bytes | None, wanted: Set[bytes]
    ) -> dict[bytes, tuple[bytes | None, bytes | None]]:
        """Those ``wanted`` entry names whose id or mode differs between tree ``mine`` and
        tree ``theirs`` (present in one only counts), with the two raw ids."""
        if mine == theirs:
            return {}
        a, b = self.tree(mine), self.tree(theirs)
        if a is None or b is None:
            return self._one_sided(a, b, wanted)
        if b.layout is None and a.layout is not None:
            a, b = b, a  # the side with a known layout is the reference
            flipped = True
        else:
            flipped = False
        found = self._same_layout(a, b, wanted)
        if found is None:
            found = self._parsed(a, b, wanted)
        if flipped:
            found = {name: (second, first) for name, (first, second) in found.items()}
        return found

    def _layout(self, tree: RawTree) -> Layout:
        if tree.layout is None:
            tree.layout = Layout.parse(tree.data, self._id_size)
        return tree.layout

    def _same_layout(
        self, a: RawTree, b: RawTree, wanted: Set[bytes]
    ) -> dict[bytes, tuple[bytes | None, bytes | None]] | None:
        """The changed entries when ``a`` differs from ``b`` only inside entry ids (``a``
        then takes ``b``'s layout); None when names, modes or sizes differ."""
        x, y = a.data, b.data
        if len(x) != len(y):
            return None
        layout = self._layout(b)
        if x == y:
            a.layout = layout
            return {}
        size = layout.id_size
        low = _first_different_entry(x, y, layout)
        start, at = layout.starts[low], layout.id_at[low]
        if x[start:at] != y[start:at]:
            return None  # its mode or name differs
        end = at + size
        if x.endswith(y[end:]):  # the usual case: one entry's id is all that differs
            high = low
        else:
            last = _last_difference(x, y)
            high = bisect_right(layout.id_at, last) - 1
            if last >= layout.id_at[high] + size:
                return None  # the last difference is in a mode or a name
        found: dict[bytes, tuple[bytes | None, bytes | None]] = {}
        for index in range(low, high + 1):
            at = layout.id_at[index]
            start = layout.starts[index]
            if index > low and x[start:at] != y[start:at]:
                return None  # a mode or a name differs between the two
            if x[at : at + size] != y[at : at + size]:
                name = layout.names[index]
                if name in wanted:
                    found[name] = (x[at : at + size], y[at : at + size])
        a.layout = layout
        return found

    def _parsed(
        self, a: RawTree, b: RawTree, wanted: Set[bytes]
    ) -> dict[bytes, tuple[bytes | None, bytes | None]]:
        mine = self._layout(a).entries(a.data)
        theirs = self._layout(b).entries(b.data)
        size = self._id_size
        found: dict[bytes, tuple[bytes | None, bytes | None]] = {}
        for name in wanted:
            left, right = mine.get(name), theirs.get(name)
            if left != right:  # the id or the mode (git counts a mode change as a change)
                found[name] = (
                    left[-size:] if left is not None else None,
                    right[-size:] if right is not None else None,
                )
        return found

    def _one_sided(
        self, a: RawTree | None, b: RawTree | None, wanted: Set[bytes]
    ) -> dict[bytes, tuple[bytes | None, bytes | None]]:
        found: dict[bytes, tuple[bytes | None, bytes | None]] = {}
        for name in wanted:
            left = self._layout(a).entry_id(a.data, name) if a is not None else None
            right = self._layout(b).entry_id(b.data, name) if b is not None else None
            if left != right:
                found[name] = (left, right)
        return found


def _first_different_entry(x: bytes, y: bytes, layout: Layout) -> int:
    """The first entry of ``layout`` whose bytes differ between equal-length ``x`` and ``y``
    (they differ somewhere), by binary search over entries: one C compare per step."""
    starts, id_at, size = layout.starts, layout.id_at, layout.id_size
    low, high = 0, len(id_at) - 1  # entries before low are equal; high differs
    while low < high:
        middle = (low + high) // 2
        start = starts[low]
        if x.startswith(y[start : id_at[middle] + size], start):
            low = middle + 1
        else:
            high = middle
    return low


def _last_difference(x: bytes, y: bytes) -> int:
    """The last offset where equal-length ``x`` and ``y`` differ (they do somewhere)."""
    low, high = 0, len(x)  # x[high:] == y[high:]; the answer lies in [low, high)
    while high - low > 16:
        middle = (low + high) // 2
        if x.endswith(y[middle:high], 0, high):
            high = middle
        else:
            low = middle
    while x[high - 1] == y[high - 1]:
        high -= 1
    return high - 1


__all__ = ["Layout", "RawTree", "TreeDiffer"]
