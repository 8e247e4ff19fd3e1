"""The read path and the release plan never import pydantic (issue 11: nothing heavy at start-up).

release-tool's models are msgspec structs; pydantic is left to the packages
that need it (and to the ``openai`` client, imported only when an LLM is
asked). Each command runs in a fresh interpreter and reports ``sys.modules``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import TYPE_CHECKING

import pytest

from release_tool.errors import ExitCode
from release_tool.testing.sandbox import MemberSpec, build_sandbox

if TYPE_CHECKING:
    from pathlib import Path

TAGS = ("0.1.0.dev1", "0.1.0")

PROBE = (
    "import json, sys\n"
    "from release_tool.cli import app\n"
    "try:\n"
    "    app.main(sys.argv[1:])\n"
    "except SystemExit as exc:\n"
    "    code = exc.code\n"
    "else:\n"
    "    code = 0\n"
    "import os\n"
    "heavy = sorted(m for m in os.environ['PROBE_NEVER'].split(',') if m in sys.modules)\n"
    "sys.stderr.write('\\nPROBE ' + json.dumps({'code': code, 'heavy': heavy}) + '\\n')\n"
)


HEAVY = ("pydantic", "pydantic_core", "openai")
STATUS_NEVER = (*HEAVY, "rich", "tomlkit", "filelock", "importlib.metadata")


def _probe(cwd: Path, *args: str, never: tuple[str, ...] = HEAVY) -> tuple[dict[str, object], str]:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PROBE_NEVER": ",".join(never)},
    )
    line = done.stderr.rstrip().rsplit("\n", 1)[-1]
    assert line.startswith("PROBE "), done.stderr
    return json.loads(line.removeprefix("PROBE ")), done.stdout


@pytest.mark.parametrize(
    "args",
    [
        ("status",),
        ("status", "--json"),
        ("check", "--json"),
        ("bump", "--minor", "alpha", "--dry-run"),
        ("bump", "--minor", "alpha", "--dry-run", "--json"),
        ("changes", "--json"),
    ],
    ids=" ".join,
)
def test_read_and_plan_commands_never_import_pydantic(
    tmp_path: Path, args: tuple[str, ...]
) -> None:
    sb = build_sandbox(
        tmp_path,
        [MemberSpec("alpha", tags=TAGS), MemberSpec("beta", deps=("alpha>=0.1",), tags=TAGS)],
    )
    report, stdout = _probe(sb.root, *args)
    if args[0] != "check":  # the unlocked sandbox fails a check: the document is what counts
        assert report["code"] in (ExitCode.OK, None), stdout
    assert report["heavy"] == []
    if "--json" in args:
        assert json.loads(stdout)["schema"].startswith("release-tool.")


@pytest.mark.parametrize("args", [("status",), ("status", "--json")], ids=" ".join)
def test_status_loads_no_rich_tomlkit_filelock_or_metadata(
    tmp_path: Path, args: tuple[str, ...]
) -> None:
    """A quiet ``status`` imports none of what only writes, warns or locks need."""
    sb = build_sandbox(tmp_path, [MemberSpec("alpha", tags=TAGS), MemberSpec("beta", tags=TAGS)])
    report, stdout = _probe(sb.root, *args, never=STATUS_NEVER)
    assert report["code"] in (ExitCode.OK, None), stdout
    assert report["heavy"] == []
