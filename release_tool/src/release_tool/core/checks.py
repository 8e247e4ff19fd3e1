"""Named checks of a workspace, each problem with a fix-it message.

``release-tool check`` runs them all; the release engine runs the relevant
ones as the first step of a plan. The framework is ``check_base``; the
checks are ``check_pins`` and ``check_repos``, shown in ``ORDER``.
"""

from __future__ import annotations

from release_tool.core import check_pins, check_repos
from release_tool.core.check_base import (
    CHECKS,
    Check,
    CheckContext,
    CheckResult,
    Problem,
    run_checks,
)

ORDER = (
    "no-pending-run",
    "submodules",
    "pinned",
    "pinned-tags-exist",
    "prod-stable",
    "staging-not-older",
    "tag-version",
    "internal-constraints",
    "mode-extras",
    "locks-fresh",
    "dev-lock-fresh",
    "published",
    "heads-attached",
    "tags-fetched",
)
"""What ``release-tool check`` runs, in this order: the run and the repos first, then what
the modes pin, then what needs the network."""

if sorted(ORDER) != sorted(CHECKS):
    raise RuntimeError(f"ORDER must list every registered check once: {sorted(CHECKS)}")
_registered = dict(CHECKS)
CHECKS.clear()
CHECKS.update((name, _registered[name]) for name in ORDER)

__all__ = [
    "CHECKS",
    "ORDER",
    "Check",
    "CheckContext",
    "CheckResult",
    "Problem",
    "check_pins",
    "check_repos",
    "run_checks",
]
