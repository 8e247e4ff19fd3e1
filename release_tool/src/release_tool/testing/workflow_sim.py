"""Run a generated workflow's ``run:`` steps the way a GitHub runner would, locally.

For tests: each job gets a fresh clone of the origin (what ``actions/checkout``
does: the ``ref`` it is given, else the pushed commit; submodules; no
credentials kept), the ``GITHUB_*`` variables, a ``GITHUB_OUTPUT`` file per
step, job outputs, ``needs`` and ``if:`` of the form the generator writes, and
called workflows (``uses: $/.github/workflows/x.yml``) read from the clone.
A step's ``if:`` may be ``success()`` (the default), ``failure()`` or
``always()``; a failed step skips the rest but those, then fails the job.
``upload-artifact`` copies the files it names into ``artifacts``
(``<work>/artifacts/<name>/``). ``setup-uv`` is a no-op (uv is on PATH); a ``uv`` shim on PATH runs
``uv run ... release-tool ARGS`` as this environment's release-tool, skips
``uv sync`` and ``uv run ... pytest`` (the sandbox has no test suite), and
passes every other uv command to the real uv.

Only the expression forms the generator emits are understood; anything else
raises, so a new form cannot pass the simulation unnoticed.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

_EXPR = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")
_SHIM = """#!/bin/sh
# uv shim of the workflow simulation (release_tool.testing.workflow_sim)
case "$1" in
  run)
    for arg in "$@"; do
      case "$arg" in
        release-tool)
          while [ "$1" != release-tool ]; do shift; done
          shift
          exec "{python}" -c "from release_tool.cli.app import main; main()" "$@" ;;
        pytest) echo "simulation: tests not run"; exit 0 ;;
      esac
    done ;;
  sync) echo "simulation: uv sync skipped"; exit 0 ;;
esac
exec "{uv}" "$@"
"""


class StepFailed(RuntimeError):
    """A ``run:`` step exited non-zero; the message has its output."""


@dataclass
class JobResult:
    name: str
    status: str  # "success", "skipped"
    outputs: dict[str, str] = field(default_factory=dict)
    logs: list[str] = field(default_factory=list)


@dataclass
class Event:
    """The push (or dispatch) that starts a run."""

    name: str  # "push" or "workflow_dispatch"
    ref: str  # "refs/heads/main"
    sha: str
    before: str = "0" * 40


@dataclass
class Simulator:
    """Runs workflows of ``origin`` (a bare repo URL) in folders under ``work``."""

    origin: str
    work: Path
    secrets: dict[str, str]
    token: str = "ghs_simulated_job_token"
    server_url: str = "https://github.com"
    runs: int = 0
    artifacts: dict[str, Path] = field(default_factory=dict)
    """Uploaded artifact name -> the folder holding its files."""

    def run(
        self, workflow_file: str, event: Event, only: set[str] | None = None
    ) -> dict[str, JobResult]:
        """Run the jobs of ``.github/workflows/<workflow_file>`` at the event's commit.

        ``only``: run just these jobs (the others count as skipped).
        """
        self.runs += 1
        base = self.work / f"run-{self.runs}"
        base.mkdir(parents=True)
        source = self._clone(base / "workflow-source", event.sha, submodules=False)
        data = _load(source / ".github" / "workflows" / workflow_file)
        if only is not None:
            data = {**data, "jobs": {k: v for k, v in data["jobs"].items() if k in only}}
        return self._run_jobs(data, event, base, source, caller=data.get("name", workflow_file))

    def _run_jobs(
        self, data: dict[str, Any], event: Event, base: Path, source: Path, caller: str
    ) -> dict[str, JobResult]:
        results: dict[str, JobResult] = {}
        pending = dict(data["jobs"])
        while pending:
            ready = [
                name
                for name, job in pending.items()
                if all(n in results for n in _as_list(job.get("needs")))
            ]
            if not ready:
                raise RuntimeError(f"jobs wait on each other: {sorted(pending)}")
            for name in ready:
                job = pending.pop(name)
                needs = {n: results[n] for n in _as_list(job.get("needs"))}
                results[name] = self._run_job(name, job, event, base, source, needs, caller)
        return results

    def _run_job(
        self,
        name: str,
        job: dict[str, Any],
        event: Event,
        base: Path,
        source: Path,
        needs: dict[str, JobResult],
        caller: str,
    ) -> JobResult:
        if any(result.status != "success" for result in needs.values()):
            return JobResult(name, "skipped")
        context = self._context(event, caller, needs=needs)
        if "if" in job and not _truthy(_evaluate(job["if"], context)):
            return JobResult(name, "skipped")
        if "uses" in job:
            called = _load(source / job["uses"].removeprefix("$/").removeprefix("./"))
            inner = self._run_jobs(called, event, base / name, source, caller)
            ok = all(r.status in ("success", "skipped") for r in inner.values())
            return JobResult(name, "success" if ok else "failure")
        folder = base / name
        folder.mkdir(parents=True)
        env = self._job_env(folder, event)
        steps_outputs: dict[str, dict[str, str]] = {}
        result = JobResult(name, "success")
        workspace: Path | None = None
        failed: StepFailed | None = None
        for index, step in enumerate(job.get("steps", [])):
            context = self._context(event, caller, needs=needs, steps=steps_outputs, job=name)
            if not _step_runs(step.get("if", "success()"), context, failed=failed is not None):
                continue
            uses = step.get("uses", "")
            if uses.startswith("actions/upload-artifact@") and workspace is not None:
                options = {k: _render(str(v), context) for k, v in step.get("with", {}).items()}
                self._upload(workspace, options)
                continue
            if uses.startswith("actions/checkout@"):
                options = {k: _render(str(v), context) for k, v in step.get("with", {}).items()}
                ref = options.get("ref") or event.sha
                submodules = options.get("submodules") == "recursive"
                workspace = self._clone(folder / "workspace", ref, submodules=submodules, env=env)
                continue
            if uses.startswith("astral-sh/setup-uv@"):
                continue
            if uses:
                raise RuntimeError(f"{name}: the simulation does not run {uses}")
            if workspace is None:
                raise RuntimeError(f"{name}: a run step before the checkout")
            output = folder / f"output-{index}"
            output.touch()
            step_env = env | {"GITHUB_OUTPUT": str(output)}
            for key, value in step.get("env", {}).items():
                step_env[key] = _render(str(value), context)
            script = _render(step["run"], context)
            done = subprocess.run(
                ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script],
                cwd=workspace,
                env=step_env,
                capture_output=True,
                text=True,
                check=False,
            )
            result.logs.append(f"$ {step.get('name', script[:60])}\n{done.stdout}{done.stderr}")
            if done.returncode != 0:
                failed = StepFailed(
                    f"job {name}, step {step.get('name', index)!r} exited {done.returncode}:\n"
                    + "\n".join(result.logs)
                )
                continue
            if "id" in step:
                steps_outputs[step["id"]] = _read_outputs(output)
        if failed is not None:
            raise failed
        context = self._context(event, caller, needs=needs, steps=steps_outputs)
        result.outputs = {k: _render(str(v), context) for k, v in job.get("outputs", {}).items()}
        return result

    def _upload(self, workspace: Path, options: dict[str, str]) -> None:
        """``actions/upload-artifact``: the files its ``path`` lines match, into ``artifacts``."""
        hidden = options.get("include-hidden-files", "False").lower() == "true"
        found = [
            path
            for pattern in options["path"].split()
            for path in sorted(workspace.glob(pattern))
            if path.is_file()
            and (hidden or not any(p.startswith(".") for p in path.relative_to(workspace).parts))
        ]
        if not found:
            if options.get("if-no-files-found", "warn") == "error":
                raise StepFailed(f"upload-artifact {options['name']}: no files found")
            return
        folder = self.work / "artifacts" / options["name"]
        for path in found:
            target = folder / path.relative_to(workspace)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target)
        self.artifacts[options["name"]] = folder

    def _context(
        self,
        event: Event,
        caller: str,
        *,
        needs: dict[str, JobResult] | None = None,
        steps: dict[str, dict[str, str]] | None = None,
        job: str = "",
    ) -> dict[str, Any]:
        ref_name = event.ref.rsplit("/", 1)[-1]
        return {
            "github": {
                "event_name": event.name,
                "event": {"before": event.before},
                "sha": event.sha,
                "ref": event.ref,
                "ref_name": ref_name,
                "server_url": self.server_url,
                "token": self.token,
                "workflow": caller,
                "job": job,
                "run_attempt": str(self.runs),
                "actor": "octocat",
                "repository": "example-org/workspace",
            },
            "secrets": self.secrets,
            "needs": {n: {"outputs": r.outputs} for n, r in (needs or {}).items()},
            "steps": {s: {"outputs": o} for s, o in (steps or {}).items()},
        }

    def _job_env(self, folder: Path, event: Event) -> dict[str, str]:
        """A runner's environment: its own HOME and git config, no person's identity."""
        home = folder / "home"
        home.mkdir()
        gitconfig = home / ".gitconfig"
        global_config = os.environ.get("GIT_CONFIG_GLOBAL")
        if global_config and Path(global_config).exists():
            shutil.copy(global_config, gitconfig)
            subprocess.run(
                ["git", "config", "--file", str(gitconfig), "--remove-section", "user"],
                capture_output=True,
                check=False,
            )
        shims = folder / "bin"
        shims.mkdir()
        uv = shutil.which("uv")
        if uv is None:
            raise RuntimeError("uv is not on PATH")
        (shims / "uv").write_text(_SHIM.format(python=sys.executable, uv=uv), encoding="utf-8")
        (shims / "uv").chmod(0o755)
        env = {
            key: value
            for key, value in os.environ.items()
            if not re.fullmatch(r"GIT_(AUTHOR|COMMITTER)_(NAME|EMAIL)|GITHUB_TOKEN|GH_TOKEN", key)
        }
        return env | {
            "HOME": str(home),
            "GIT_CONFIG_GLOBAL": str(gitconfig),
            "PATH": os.pathsep.join([str(shims), env.get("PATH", "")]),
            "CI": "true",
            "GITHUB_ACTIONS": "true",
            "GITHUB_EVENT_NAME": event.name,
            "GITHUB_REF": event.ref,
            "GITHUB_SHA": event.sha,
            "GITHUB_SERVER_URL": self.server_url,
        }

    def _clone(
        self, dest: Path, ref: str, *, submodules: bool, env: dict[str, str] | None = None
    ) -> Path:
        def git(*args: str, cwd: Path | None = None) -> None:
            subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True)

        git("clone", "-q", "--no-checkout", self.origin, str(dest))
        branch = ref.removeprefix("refs/heads/")
        if branch != ref:
            git("checkout", "-q", "-B", branch, f"origin/{branch}", cwd=dest)
        else:
            git("checkout", "-q", "--detach", ref, cwd=dest)
        if submodules:
            git("submodule", "update", "-q", "--init", "--recursive", cwd=dest)
        return dest


def _load(path: Path) -> dict[str, Any]:
    data = YAML(typ="safe").load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise RuntimeError(f"{path}: not a workflow")
    return data


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)


def _read_outputs(path: Path) -> dict[str, str]:
    outputs = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        key, sep, value = line.partition("=")
        if sep:
            outputs[key] = value
    return outputs


def _render(text: str, context: dict[str, Any]) -> str:
    return _EXPR.sub(lambda m: str(_evaluate(m.group(1), context)), text)


def _evaluate(expression: str, context: dict[str, Any]) -> Any:
    """``a || b``, ``a == 'x'``, ``a != 'x'`` and dotted lookups: the forms the generator writes."""
    expression = expression.strip()
    if expression.startswith("${{"):
        expression = _EXPR.sub(lambda m: m.group(1), expression)
    if "||" in expression:
        chosen: Any = ""
        for part in expression.split("||"):
            chosen = _evaluate(part, context)
            if _truthy(chosen):
                break
        return chosen
    for op in ("==", "!="):
        if op in expression:
            left, right = (_evaluate(p, context) for p in expression.split(op, 1))
            return (left == right) if op == "==" else (left != right)
    if re.fullmatch(r"'[^']*'", expression):
        return expression[1:-1]
    if not re.fullmatch(r"[A-Za-z_][\w.-]*", expression):
        raise RuntimeError(f"the simulation does not evaluate {expression!r}")
    value: Any = context
    for part in expression.split("."):
        value = value.get(part, "") if isinstance(value, dict) else ""
    return value


def _step_runs(condition: str, context: dict[str, Any], *, failed: bool) -> bool:
    """A step's ``if:`` given whether an earlier step of the job failed (GitHub's status
    functions; any other expression runs only while nothing failed, as on GitHub)."""
    condition = condition.strip()
    if condition == "failure()":
        return failed
    if condition == "always()":
        return True
    if condition == "success()":
        return not failed
    return not failed and _truthy(_evaluate(condition, context))


def _truthy(value: Any) -> bool:
    return value not in ("", None, False, 0, "false")
