"""One root exception and the exit codes the CLI maps errors to.

The exit codes are documented from this enum (``release-tool exit-codes``
and the README table), so docs and behaviour cannot drift apart.
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """Process exit codes of ``release-tool``."""

    OK = 0
    """Success; for ``check``: every check passed."""
    FAILURE = 1
    """An unexpected error (a bug): re-run with ``--debug`` and report it."""
    USAGE = 2
    """Bad command-line usage (unknown option, missing argument)."""
    CONFIG = 3
    """A configuration or TOML file is missing, malformed or invalid."""
    WORKSPACE = 4
    """The workspace model is inconsistent (duplicate names, bad versions)."""
    CHECK_FAILED = 5
    """``release-tool check`` found at least one failing check."""
    GIT = 6
    """A git repository is in a state the command cannot work with."""
    UV = 7
    """A ``uv`` command failed (lock, version)."""
    PLAN_REFUSED = 8
    """A preflight check refused the plan (dirty tree, tag exists, version not higher)."""
    APPLY_FAILED = 9
    """Applying a plan failed; local steps were rolled back (see the journal)."""
    LOCKED = 10
    """Another release-tool run holds the workspace lock, or a journal awaits ``--resume``."""
    EXTERNAL = 11
    """An outside service (LLM endpoint, GitHub, image builder) failed."""
    NOT_FOUND = 12
    """An unknown member, mode or file was named."""
    EXISTS = 13
    """A file would be overwritten without ``--force``."""


class ReleaseToolError(Exception):
    """Root of every error the CLI reports without a traceback."""

    exit_code: ExitCode = ExitCode.FAILURE
    reported: bool = False
    """True when the command already printed its outcome (no separate error document)."""

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message if not self.hint else f"{self.message}\n  hint: {self.hint}"


class ConfigError(ReleaseToolError):
    """A config or TOML file cannot be read, parsed or validated."""

    exit_code = ExitCode.CONFIG


class WorkspaceError(ReleaseToolError):
    """The workspace is not a valid uv workspace for release-tool."""

    exit_code = ExitCode.WORKSPACE


class DependencyCycleError(WorkspaceError):
    """Internal dependencies form a cycle."""

    def __init__(self, cycle: list[str]) -> None:
        super().__init__(
            "dependency cycle between workspace members: " + " -> ".join(cycle),
            hint="break the cycle: a member cannot depend on itself through others",
        )
        self.cycle = cycle


class GitError(ReleaseToolError):
    """A git repository is unusable for the operation."""

    exit_code = ExitCode.GIT


class UvError(ReleaseToolError):
    """A uv command failed."""

    exit_code = ExitCode.UV


class PlanRefusedError(ReleaseToolError):
    """A preflight check refused to build or apply a plan."""

    exit_code = ExitCode.PLAN_REFUSED


class ApplyError(ReleaseToolError):
    """A plan step failed while applying; local changes were rolled back."""

    exit_code = ExitCode.APPLY_FAILED


class LockedError(ReleaseToolError):
    """Another run holds the workspace lock."""

    exit_code = ExitCode.LOCKED


class JournalError(LockedError):
    """The journal of an interrupted run cannot be read; it still blocks new runs."""


class ExternalServiceError(ReleaseToolError):
    """An outside service failed."""

    exit_code = ExitCode.EXTERNAL


class NotFoundError(ReleaseToolError):
    """Something named on the command line does not exist."""

    exit_code = ExitCode.NOT_FOUND


class ExistsError(ReleaseToolError):
    """A file exists and ``--force`` was not given."""

    exit_code = ExitCode.EXISTS


class CheckFailedError(ReleaseToolError):
    """At least one check failed (the report was already printed)."""

    exit_code = ExitCode.CHECK_FAILED
    reported = True
