"""Pure PEP 440 version bumps, the same as ``uv version --bump``.

Parts combine like uv's repeated ``--bump``: at most one release part
(major, minor, patch), at most one pre-release part (alpha, beta, rc, dev),
and ``stable`` or ``post`` only on their own. Release parts apply first.
A result that is not higher than the current version is refused unless
forced. ``dev_bump_parts`` adds the one rule of ours: ``--dev`` on a version
without a dev segment starts the next patch's dev series.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

from packaging.version import Version

from release_tool.errors import ExitCode, PlanRefusedError, ReleaseToolError

if TYPE_CHECKING:
    from collections.abc import Iterable


class BumpPart(StrEnum):
    """One ``--<part>`` flag of ``bump``, in uv's order of application."""

    MAJOR = "major"
    MINOR = "minor"
    PATCH = "patch"
    STABLE = "stable"
    ALPHA = "alpha"
    BETA = "beta"
    RC = "rc"
    POST = "post"
    DEV = "dev"


RELEASE_PARTS = (BumpPart.MAJOR, BumpPart.MINOR, BumpPart.PATCH)
PRE_PARTS = (BumpPart.ALPHA, BumpPart.BETA, BumpPart.RC, BumpPart.DEV)
_PRE_LETTER = {BumpPart.ALPHA: "a", BumpPart.BETA: "b", BumpPart.RC: "rc"}
_ORDER = list(BumpPart)


class BumpUsageError(ReleaseToolError):
    """The combination of bump parts is not allowed (same rules as uv)."""

    exit_code = ExitCode.USAGE


class VersionNotIncreasingError(PlanRefusedError):
    """The bumped version is not higher than the current one."""


def validate_parts(parts: Iterable[BumpPart]) -> list[BumpPart]:
    """Check a combination of parts and return it sorted in application order."""
    chosen = sorted(parts, key=_ORDER.index)
    names = ", ".join(p.value for p in chosen)
    if not chosen:
        raise BumpUsageError(
            "no version part given", hint="use --major, --minor, --patch, --dev ..."
        )
    if len(chosen) > 1 and BumpPart.STABLE in chosen:
        raise BumpUsageError(f"--stable cannot be combined with another part, got: {names}")
    if len(chosen) > 1 and BumpPart.POST in chosen:
        raise BumpUsageError(f"--post cannot be combined with another part, got: {names}")
    if sum(p in RELEASE_PARTS for p in chosen) > 1:
        raise BumpUsageError(f"only one of --major, --minor, --patch may be given, got: {names}")
    if sum(p in PRE_PARTS for p in chosen) > 1:
        raise BumpUsageError(f"only one of --alpha, --beta, --rc, --dev may be given, got: {names}")
    return chosen


def bump_version(current: Version, parts: Iterable[BumpPart]) -> Version:
    """Apply ``parts`` to ``current`` exactly as ``uv version --bump`` does (no checks of order)."""
    epoch, release = current.epoch, list(current.release)
    pre: tuple[str, int] | None = current.pre
    post, dev, local = current.post, current.dev, current.local
    for part in validate_parts(parts):
        if part in RELEASE_PARTS:
            index = RELEASE_PARTS.index(part)
            release += [0] * (index + 1 - len(release))
            release = [*release[:index], release[index] + 1] + [0] * (len(release) - index - 1)
            pre = post = dev = None
        elif part is BumpPart.STABLE:
            pre = post = dev = None
        elif part is BumpPart.POST:
            post, dev = (post + 1 if post is not None else 1), None
        elif part is BumpPart.DEV:
            dev = dev + 1 if dev is not None else 1
        else:
            letter = _PRE_LETTER[part]
            number = pre[1] + 1 if pre is not None and pre[0] == letter else 1
            pre, post, dev = (letter, number), None, None
    return _assemble(epoch, release, pre, post, dev, local)


def next_version(current: Version, parts: Iterable[BumpPart], *, force: bool = False) -> Version:
    """``bump_version`` that refuses a result not higher than ``current`` unless ``force``."""
    new = bump_version(current, parts)
    if new <= current and not force:
        raise VersionNotIncreasingError(
            f"{current} => {new} does not increase the version",
            hint=_not_increasing_hint(list(parts)),
        )
    return new


def dev_bump_parts(current: Version, parts: Iterable[BumpPart]) -> list[BumpPart]:
    """Our rule on top of uv's: ``--dev`` alone on a version without a dev segment adds ``--patch``.

    So ``bump --dev`` on ``1.2.3`` (or ``1.2.3rc1``) starts ``1.2.4.dev1``
    instead of being refused; ``1.2.4.dev2`` still becomes ``1.2.4.dev3``.
    """
    chosen = list(parts)
    if chosen == [BumpPart.DEV] and current.dev is None:
        return [BumpPart.PATCH, BumpPart.DEV]
    return chosen


def stable_version(current: Version) -> Version:
    """The stable release a dev or pre-release version leads to (``1.2.4.dev3`` -> ``1.2.4``).

    A version that is already stable gets the next patch (a stable release
    of an unchanged-kind member, e.g. a dependent whose constraint changed).
    """
    if current.is_prerelease:
        base = bump_version(current, [BumpPart.STABLE])
        if base > current:
            return base
    return bump_version(current, [BumpPart.PATCH])


def next_dev_cycle(stable: Version) -> Version:
    """The first dev version after a stable release: ``1.2.4`` -> ``1.2.5.dev0``."""
    patched = bump_version(stable, [BumpPart.PATCH])
    return _assemble(patched.epoch, list(patched.release), None, None, 0, patched.local)


def release_kind(version: Version) -> str:
    """``dev``, ``alpha``/``beta``/``rc``, ``post`` or ``stable``: what kind of release this is."""
    if version.dev is not None:
        return "dev"
    if version.pre is not None:
        return {"a": "alpha", "b": "beta", "rc": "rc"}[version.pre[0]]
    if version.post is not None:
        return "post"
    return "stable"


def parts_for_kind(kind: str) -> list[BumpPart]:
    """The bump that gives a dependent "a release of the same kind" as ``kind``."""
    if kind == "stable":
        return [BumpPart.PATCH]
    return [BumpPart(kind)]


def _assemble(
    epoch: int,
    release: list[int],
    pre: tuple[str, int] | None,
    post: int | None,
    dev: int | None,
    local: str | None,
) -> Version:
    text = (f"{epoch}!" if epoch else "") + ".".join(str(n) for n in release)
    if pre is not None:
        text += f"{pre[0]}{pre[1]}"
    if post is not None:
        text += f".post{post}"
    if dev is not None:
        text += f".dev{dev}"
    if local:
        text += f"+{local}"
    return Version(text)


def _not_increasing_hint(parts: list[BumpPart]) -> str:
    if BumpPart.DEV in parts:
        return "also bump a release or pre-release part (e.g. --patch --dev), or pass --force"
    if any(p in _PRE_LETTER for p in parts):
        return "also bump a release part (e.g. --minor --rc), or pass --force"
    return "choose a higher part, or pass --force"
