"""The ``hyperbench`` command: ``run CONFIG`` (benchmark a dataset), ``serve CONFIG`` (API),
``experiment ...`` (model x task experiments, from the bench-orchestrator package)."""

from __future__ import annotations

import argparse
import logging
import sys

from model_interface import ModelInterfaceError


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="hyperbench", description="VLM benchmark runner and API wrapper."
    )
    parser.add_argument(
        "--log-level", default="info", choices=["debug", "info", "warning", "error"]
    )
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="run a benchmark config: answers, metrics, report")
    run.add_argument("config", help="run config (TOML or JSON)")
    run.add_argument("--out", help="output folder (overrides the config's)")
    run.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    serve = commands.add_parser("serve", help="serve a model config with the OpenAI-compatible API")
    serve.add_argument(
        "config", help="model config (TOML or JSON), optionally with a [server] table"
    )
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    # Everything after `experiment` goes to bench_orchestrator.cli (its own parser and help).
    commands.add_parser(
        "experiment",
        add_help=False,
        help="model x task experiments: plan|run|status|evaluate|report",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the exit code (1 for a config or model error, 2 for usage)."""
    parser = _parser()
    args, rest = parser.parse_known_args(argv)
    if args.command == "experiment":
        return _experiment(rest)
    if rest:
        parser.error(f"unrecognized arguments: {' '.join(rest)}")
    logging.basicConfig(level=args.log_level.upper(), format="%(levelname)s %(name)s: %(message)s")
    try:
        if args.command == "serve":
            from bench_utils.serve import serve

            serve(args.config, host=args.host, port=args.port, log_level=args.log_level)
        else:
            from bench_utils.runner import run_from_config

            result = run_from_config(args.config, out_dir=args.out, progress=not args.no_progress)
            print(result.out_dir)
            return 0 if result.ok else 1
    except ModelInterfaceError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except ImportError as exc:
        print(
            f"error: {exc}; install the backend's extra (model-qwen-vl[hf] or [vllm]) "
            "and bench-utils[serve] for serving",
            file=sys.stderr,
        )
        return 1
    return 0


def _experiment(argv: list[str]) -> int:
    try:
        from bench_orchestrator.cli import main as experiment_main
    except ImportError:
        print(
            "error: `hyperbench experiment` needs the bench-orchestrator package", file=sys.stderr
        )
        return 1
    return experiment_main(argv or ["--help"])


if __name__ == "__main__":
    raise SystemExit(main())
