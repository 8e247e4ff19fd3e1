from release_tool.errors import ExitCode
from release_tool.testing.cli import run_cli


def test_exit_codes_lists_every_code() -> None:
    result = run_cli("exit-codes")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert len(lines) == len(ExitCode)
    assert lines[0].split()[:2] == ["0", "OK"]


def test_unknown_command_is_a_usage_error() -> None:
    result = run_cli("no-such-command")
    assert result.exit_code == ExitCode.USAGE
    assert "No such command" in result.stderr


def test_readme_exit_code_table_matches_the_enum() -> None:
    from pathlib import Path

    from release_tool.cli.exit_codes import exit_code_table

    readme = (Path(__file__).parents[1] / "README.md").read_text()
    block = readme.split("<!-- exit-codes:start -->")[1].split("<!-- exit-codes:end -->")[0]
    rows = [line for line in block.strip().splitlines()[2:]]
    assert rows == [f"| {c} | {n} | {m} |" for c, n, m in exit_code_table()]


def test_quick_help_lists_exactly_the_registered_commands_with_their_help() -> None:
    from release_tool.cli.app import COMMANDS, build_app, quick_help

    group = build_app()
    registered = {}
    for name, command in group.commands.items():
        first = (command.help or "").split("\n\n")[0]
        registered[name] = " ".join(first.split())
    assert registered == {name: text for name, (_, text) in COMMANDS.items()}
    for word in ("--help", "-h"):
        result = run_cli(word)
        assert result.exit_code == 0
        assert result.stdout == quick_help()
    for name, (_, text) in COMMANDS.items():
        assert f"  {name:<12} {text}" in quick_help()


def test_only_the_named_command_is_imported() -> None:
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from release_tool.cli import app\n"
        "assert 'click' not in sys.modules and 'pydantic' not in sys.modules, 'eager import'\n"
        "assert 'pygit2' not in sys.modules, 'eager pygit2'\n"
        "try:\n"
        "    app.main(['exit-codes'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "loaded = sorted(m for m in sys.modules if m.startswith('release_tool.cli.'))\n"
        "print(' '.join(loaded))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.split("\n")[-2]
    assert "release_tool.cli.exit_codes" in out.split()
    assert "release_tool.cli.status" not in out.split()
    assert "release_tool.cli.docker" not in out.split()


def test_command_name_skips_global_options() -> None:
    from release_tool.cli.app import command_name

    assert command_name(["-C", "status", "bump", "--dry-run"]) == "bump"
    assert command_name(["--root", "x", "-q", "status", "--json"]) == "status"
    assert command_name(["--debug"]) is None
