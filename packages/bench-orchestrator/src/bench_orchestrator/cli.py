"""``hyperbench experiment plan|run|status|evaluate|report CONFIG``.

Status and progress go to stderr, data (plans, status tables, the report's
location) to stdout. Exit codes are the ``ExitCode`` members.
"""

from __future__ import annotations

import argparse
import json
import sys
from enum import IntEnum

from bench_orchestrator.config import load_experiment
from model_interface import ModelInterfaceError


class ExitCode(IntEnum):
    """Exit codes of ``hyperbench experiment``."""

    OK = 0
    ERROR = 1  # invalid config, unreachable storage, unknown task or metric
    USAGE = 2  # bad command line (argparse)
    CELLS_FAILED = 3  # the run finished but at least one cell failed


def parser(prog: str = "hyperbench experiment") -> argparse.ArgumentParser:
    """The ``experiment`` command line."""
    root = argparse.ArgumentParser(prog=prog, description="Model x task experiments.")
    commands = root.add_subparsers(dest="command", required=True)
    for name, text in (
        ("plan", "list the cells and what a run would do with each"),
        ("run", "run unfinished cells (infer, evaluate), then write the report"),
        ("status", "each cell's recorded state"),
        ("evaluate", "re-score existing answers.csv files, then write the report"),
        ("report", "write report.md, summary.json and plots from finished cells"),
    ):
        command = commands.add_parser(name, help=text)
        command.add_argument("config", help="experiment config (TOML or JSON)")
        command.add_argument("--json", action="store_true", help="machine-readable output")
        if name in ("run", "evaluate"):
            command.add_argument("--no-progress", action="store_true", help="plain lines only")
    return root


def _plan(config_path: str, as_json: bool) -> int:
    from bench_orchestrator.experiment import plan, prepare

    rows = [
        {
            "model": c.model,
            "task": c.task,
            "status": s.status,
            "action": a,
            "hash": c.infer_hash[:12],
        }
        for c, s, a in plan(prepare(load_experiment(config_path)))
    ]
    if as_json:
        print(json.dumps(rows, indent=2))
    else:
        for row in rows:
            print(f"{row['model']}\t{row['task']}\t{row['status']}\t{row['action']}\t{row['hash']}")
    return ExitCode.OK


def _status(config_path: str, as_json: bool) -> int:
    from bench_orchestrator.experiment import plan, prepare

    rows = [
        {
            "model": c.model,
            "task": c.task,
            "status": s.status,
            "stage": s.stage,
            "up_to_date": a == "skip",
            "error": s.error,
        }
        for c, s, a in plan(prepare(load_experiment(config_path)))
    ]
    if as_json:
        print(json.dumps(rows, indent=2))
    else:
        for row in rows:
            fresh = "current" if row["up_to_date"] else "stale"
            error = str(row["error"]).splitlines()[0] if row["error"] else ""
            print(f"{row['model']}\t{row['task']}\t{row['status']}\t{fresh}\t{error}".rstrip())
    failed = any(row["status"] == "failed" for row in rows)
    return ExitCode.CELLS_FAILED if failed else ExitCode.OK


def _run(config_path: str, *, progress: bool, only_evaluate: bool, as_json: bool) -> int:
    from bench_orchestrator.experiment import run_experiment

    outcome = run_experiment(
        load_experiment(config_path), progress=progress, only_evaluate=only_evaluate
    )
    if as_json:
        print(json.dumps({"report": outcome.report, "failed": outcome.failed}))
    else:
        print(outcome.report)
    return ExitCode.CELLS_FAILED if outcome.failed else ExitCode.OK


def _report(config_path: str) -> int:
    from bench_orchestrator.experiment import prepare, write_report

    print(write_report(prepare(load_experiment(config_path))))
    return ExitCode.OK


def main(argv: list[str] | None = None, prog: str = "hyperbench experiment") -> int:
    """Entry point; returns an ``ExitCode``."""
    args = parser(prog).parse_args(argv)
    try:
        if args.command == "plan":
            return _plan(args.config, args.json)
        if args.command == "status":
            return _status(args.config, args.json)
        if args.command == "report":
            return _report(args.config)
        return _run(
            args.config,
            progress=not args.no_progress and sys.stderr.isatty(),
            only_evaluate=args.command == "evaluate",
            as_json=args.json,
        )
    except ModelInterfaceError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return ExitCode.ERROR


if __name__ == "__main__":
    raise SystemExit(main())
