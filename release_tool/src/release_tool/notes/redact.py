"""Keep secrets out of what is sent to a model, and out of what comes back.

Three layers: files that are secrets by nature (``.env*``, keys,
certificates) are never sent at all; known token shapes are replaced by our
own patterns; then detect-secrets' plugins scan the remaining lines (only
lines a cheap pre-filter flags, so a 5 MB diff stays fast). Values become
``[REDACTED:<kind>]``; key names stay so the model still sees what changed.
"""

from __future__ import annotations

import bisect
import fnmatch
import re
from contextlib import ExitStack
from dataclasses import dataclass
from functools import lru_cache, partial
from pathlib import PurePosixPath
from typing import Any

from release_tool.errors import PlanRefusedError

SENSITIVE_FILES = (
    ".env",
    ".env.*",
    "*.env",
    ".envrc",
    "*.pem",
    "*.key",
    "*.p12",
    "*.pfx",
    "*.crt",
    "*.cer",
    "*.der",
    "*.jks",
    "*.keystore",
    "*.kdbx",
    "id_rsa*",
    "id_dsa*",
    "id_ecdsa*",
    "id_ed25519*",
    ".netrc",
    ".pypirc",
    ".npmrc",
    "*.gpg",
    "credentials",
    "credentials.json",
    "*.tfvars",
    "secrets.*",
    "*.secret",
    "*.secrets",
)
"""File names never sent to a model (matched against the base name)."""

MARKER = "[REDACTED:{kind}]"

# Token shapes of widely used services, matched before detect-secrets so the
# whole value is replaced (some detect-secrets plugins capture only a prefix).
PRIVATE_KEY = re.compile(
    r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----.*?"
    r"(?:-----END [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----|\Z)",
    re.S,
)
_TOKEN_SHAPES = (
    ("anthropic-key", r"\bsk-ant-[A-Za-z0-9_\-]{20,}"),
    ("openai-key", r"\bsk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_\-]{20,}"),
    ("github-token", r"\b(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{30,})"),
    ("gitlab-token", r"\bglpat-[A-Za-z0-9_\-]{20,}"),
    ("aws-access-key", r"\b(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}\b"),
    ("slack-token", r"\bxox[abposr]-[A-Za-z0-9\-]{10,}"),
    ("stripe-key", r"\b[rs]k_(?:live|test)_[A-Za-z0-9]{16,}"),
    ("google-api-key", r"\bAIza[0-9A-Za-z_\-]{35}"),
    ("pypi-token", r"\bpypi-[A-Za-z0-9_\-]{50,}"),
    ("npm-token", r"\bnpm_[A-Za-z0-9]{36}\b"),
    ("huggingface-token", r"\bhf_[A-Za-z0-9]{30,}"),
    ("jwt", r"\beyJ[A-Za-z0-9_\-]{8,}\.eyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{8,}"),
    ("url-password", r"(?<=://)[^/\s:@]+:[^/\s@]{3,}(?=@)"),
)
TOKEN_PATTERN = re.compile(
    "|".join(f"(?P<{kind.replace('-', '_')}>{pattern})" for kind, pattern in _TOKEN_SHAPES)
)
# Literal starts of the shapes above: only lines holding one are matched against
# them (scanning 5 MB with the full alternation took ~2 s, this ~0.3 s).
_TOKEN_TRIGGER = re.compile(
    r"sk-|gh[pousr]_|github_pat_|glpat-|AKIA|ASIA|ABIA|ACCA|xox|[rs]k_|AIza|pypi-|npm_|hf_|"
    r"eyJ|://"
)

# key = value where the key names a secret: keep the key, replace the value.
_ASSIGNMENT = re.compile(
    r"(?P<key>[\w.\-]*(?:passw(?:or)?d|pwd|secret|token|api[_\-]?key|apikey|access[_\-]?key|"
    r"private[_\-]?key|client[_\-]?secret|auth|credential)[\w.\-]*)"
    r"(?P<sep>[\"']?\s*(?::=|=>|=|:)\s*)(?P<quote>[\"']?)(?P<value>[^\s\"',;]{6,})",
    re.I,
)
# Lines worth a detect-secrets scan: a secret-like key assigned a literal, or
# a known token prefix, or a long token. Everything else skips the (slow) plugins.
_PREFILTER_WORDS = re.compile(  # matched against the lower-cased line
    r"(?:passw|pwd|secret|token|api[_\-]?key|apikey|access[_\-]?key|private[_\-]?key|auth|"
    r"credential)[\w.\-]*[\"']?\s*(?::=|=>|=|:)\s*[\"']?[^\s\"',;)]{6,}"
)
_PREFILTER_SHAPES = re.compile(
    r"[Bb]earer\s|[Bb]asic\s|://[^\s/]+@|AKIA|ASIA|gh[pousr]_|github_pat|glpat|xox|sk[-_]|rk_|"
    r"pypi-|npm_|hf_|eyJ|AIza|SG\.|-----BEGIN|sq0|AccountKey|[A-Za-z0-9+/_\-]{32,}"
)
_IDENTIFIER = re.compile(r"^[A-Za-z_][\w.]*$")
_NOT_A_VALUE = re.compile(
    r"^(?:\[REDACTED:|\$\{|\{\{|<|os\.environ|getenv|None|null|true|false)", re.I
)


@dataclass(frozen=True)
class Redaction:
    """Where a secret was replaced (never its value)."""

    where: str
    line: int
    kind: str

    def describe(self) -> str:
        return f"{self.where}:{self.line}: {self.kind}"


class SecretFoundError(PlanRefusedError):
    """``--fail-on-secret`` and the outgoing text held a secret."""


def is_sensitive_file(path: str) -> bool:
    """Whether ``path`` is a secret by nature (env files, keys, certificates)."""
    name = PurePosixPath(path).name
    return any(fnmatch.fnmatchcase(name.lower(), pattern) for pattern in SENSITIVE_FILES)


def redact(text: str, where: str) -> tuple[str, list[Redaction]]:
    """``text`` with secret values replaced by markers, and where each one was."""
    found: list[Redaction] = []

    newlines: list[int] = []

    def private_key(match: re.Match[str]) -> str:
        if not newlines:
            newlines.extend(i for i, ch in enumerate(text) if ch == "\n")
        found.append(
            Redaction(where, bisect.bisect_left(newlines, match.start()) + 1, "private-key")
        )
        return MARKER.format(kind="private-key")

    if "PRIVATE KEY" in text:
        text = PRIVATE_KEY.sub(private_key, text)
    lines = text.split("\n")
    entered = False
    with ExitStack() as settings:
        for number, line in enumerate(lines, start=1):
            kinds: list[str] = []
            if _TOKEN_TRIGGER.search(line):
                line = TOKEN_PATTERN.sub(partial(_token, kinds=kinds), line)
            if _PREFILTER_SHAPES.search(line) or _PREFILTER_WORDS.search(line.lower()):
                if not entered:  # detect-secrets' settings, entered once per text
                    settings.enter_context(_settings())
                    entered = True
                line, more = _redact_line(line, where)
                kinds += more
            if kinds:
                lines[number - 1] = line
                found.extend(Redaction(where, number, kind) for kind in kinds)
    found.sort(key=lambda r: r.line)
    return "\n".join(lines), found


def _token(match: re.Match[str], kinds: list[str]) -> str:
    kind = (match.lastgroup or "secret").replace("_", "-")
    kinds.append(kind)
    return MARKER.format(kind=kind)


def check_policy(redactions: list[Redaction], *, fail_on_secret: bool) -> None:
    """Refuse to go on when secrets were found and ``--fail-on-secret`` is set."""
    if fail_on_secret and redactions:
        shown = "; ".join(r.describe() for r in redactions[:5])
        more = f" (and {len(redactions) - 5} more)" if len(redactions) > 5 else ""
        raise SecretFoundError(
            f"secrets found in the text for the model: {shown}{more}",
            hint="remove them from the changes, or drop --fail-on-secret to send them redacted",
        )


def _redact_line(line: str, where: str) -> tuple[str, list[str]]:
    kinds: list[str] = []

    def assignment(match: re.Match[str]) -> str:
        value = match.group("value")
        if _NOT_A_VALUE.match(value) or (not match.group("quote") and _looks_like_code(value)):
            return match.group(0)  # a variable, call or placeholder, not a literal secret
        kinds.append("secret-keyword")
        return (
            match.group("key")
            + match.group("sep")
            + match.group("quote")
            + MARKER.format(kind="secret-keyword")
        )

    line = _ASSIGNMENT.sub(assignment, line)
    for secret_type, value in _detect_secrets(line, where):
        if len(value) >= 6 and value in line and not value.startswith("[REDACTED"):
            kind = secret_type.lower().replace(" ", "-")
            line = line.replace(value, MARKER.format(kind=kind))
            kinds.append(kind)
    return line, kinds


def _looks_like_code(value: str) -> bool:
    if any(ch in value for ch in "()[]"):
        return True
    return bool(_IDENTIFIER.match(value)) and not any(ch.isdigit() for ch in value)


def _settings() -> Any:
    from detect_secrets.settings import default_settings

    return default_settings()


def _detect_secrets(line: str, where: str) -> list[tuple[str, str]]:
    out = []
    for plugin in _plugins():
        for secret in plugin.analyze_line(filename=where, line=line, line_number=1):
            if secret.secret_value:
                out.append((secret.type, secret.secret_value))
    return out


@lru_cache(maxsize=1)
def _plugins() -> tuple[Any, ...]:
    from detect_secrets.core.plugins.util import get_mapping_from_secret_type_to_class
    from detect_secrets.settings import default_settings

    # Entropy plugins flag hashes and identifiers all over a diff, and public
    # IPs are not secrets: both would only blur what the model sees.
    skip = ("High Entropy", "Public IP")
    with default_settings():
        mapping: dict[Any, Any] = get_mapping_from_secret_type_to_class()
        return tuple(cls() for kind, cls in mapping.items() if not any(s in kind for s in skip))
