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
