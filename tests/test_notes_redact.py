"""Redaction: a seeded secrets corpus in a diff never reaches the model."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from notes_support import LLM_ENV, commit, make_workspace

from release_tool.core.config import LLMSettings
from release_tool.core.workspace import load_workspace
from release_tool.notes import NotesOptions, release_notes
from release_tool.notes.redact import SecretFoundError, is_sensitive_file, redact
from release_tool.testing.llm_server import Reply, ScriptedLLMServer

if TYPE_CHECKING:
    from pathlib import Path


@pytest.fixture(autouse=True)
def _no_llm_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in LLM_ENV:
        monkeypatch.delenv(name, raising=False)


# Made-up values in the shapes of real credentials.
SECRETS = {
    "openai": "sk-proj-Q2xhdWRlVGVzdEtleU5vdFJlYWwxMjM0NTY3ODkw",
    "github": "ghp_R9aT4kLm2Qx8Vb7Nc6Zp1Hs3Jd5Fg0Wy2Ek4",
    "aws": "AKIAQ7EXAMPLE4N0TREAL",
    "aws_secret": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY",
    "slack": "xoxb-2048203948-1029384756-QwErTyUiOpAsDfGhJkLzXcVb",
    "stripe": "sk_live_4eC39HqLyjWDarjtT1zdp7dc",
    "password": "correct-horse-battery-staple-9",
    "db": "s3cr3tDbPa55",
    "jwt": "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0."
    "dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
    "hf": "hf_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789",
    "env_only": "env-file-value-zz9-plural-z-alpha",
    "pem_body": "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7",
    "key_file": "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW",
}

SETTINGS_PY = f'''"""Settings."""
OPENAI_API_KEY = "{SECRETS["openai"]}"
GITHUB_TOKEN = "{SECRETS["github"]}"
aws_access_key_id = "{SECRETS["aws"]}"
aws_secret_access_key = "{SECRETS["aws_secret"]}"
SLACK = "{SECRETS["slack"]}"
stripe_key = "{SECRETS["stripe"]}"
DATABASE_URL = "postgres://app:{SECRETS["db"]}@db.internal:5432/app"
AUTH_HEADER = "Bearer {SECRETS["jwt"]}"
HF = "{SECRETS["hf"]}"
PRIVATE = """-----BEGIN PRIVATE KEY-----
{SECRETS["pem_body"]}
-----END PRIVATE KEY-----"""
'''
CONFIG_YAML = f"database:\n  user: app\n  password: {SECRETS['password']}\n"


def seed(root: Path) -> None:
    commit(
        root,
        "feat: add settings loader",
        {
            "packages/alpha/src/alpha/settings.py": SETTINGS_PY,
            "packages/alpha/config.yaml": CONFIG_YAML,
            "packages/alpha/.env": f"SERVICE_TOKEN={SECRETS['env_only']}\n",
            "packages/alpha/deploy/id_ed25519": f"{SECRETS['key_file']}\n",
            "packages/alpha/deploy/server.pem": f"{SECRETS['pem_body']}\n",
        },
    )
    commit(
        root,
        f"fix: rotate credentials\n\nold token was {SECRETS['github']}",
        {
            "packages/alpha/src/alpha/rotate.py": "ROTATED = True\n",
        },
    )


def test_the_model_receives_none_of_the_seeded_secrets(tmp_path: Path) -> None:
    root = make_workspace(tmp_path / "ws")
    seed(root)
    ws = load_workspace(root)
    with ScriptedLLMServer() as server:
        llm = LLMSettings(model="scripted", base_url=server.url, max_retries=0)
        notes = release_notes(
            ws,
            ws.member("alpha"),
            "0.2.0",
            settings=NotesOptions(llm=llm, cache_dir=tmp_path / "c"),
        )
    received = server.all_text()
    assert server.chat_requests, "the model was not asked at all"
    leaked = [name for name, value in SECRETS.items() if value in received]
    assert leaked == []
    assert 'OPENAI_API_KEY = \\"[REDACTED:' in received  # key names stay visible
    assert notes.excluded["packages/alpha/.env"] == "sensitive"
    assert notes.excluded["packages/alpha/deploy/id_ed25519"] == "sensitive"
    assert notes.excluded["packages/alpha/deploy/server.pem"] == "sensitive"
    assert len(notes.redactions) >= 10
    assert not any(value in str(notes.to_json()) for value in SECRETS.values())


def test_fail_on_secret_refuses_before_any_request(tmp_path: Path) -> None:
    root = make_workspace(tmp_path / "ws")
    seed(root)
    ws = load_workspace(root)
    with ScriptedLLMServer() as server:
        llm = LLMSettings(model="scripted", base_url=server.url)
        opts = NotesOptions(llm=llm, fail_on_secret=True, cache_dir=tmp_path / "c")
        with pytest.raises(SecretFoundError) as caught:
            release_notes(ws, ws.member("alpha"), "0.2.0", settings=opts)
    assert server.received == []
    assert "settings.py" in str(caught.value)
    assert not any(value in str(caught.value) for value in SECRETS.values())


def test_secrets_in_the_answer_are_redacted_too(tmp_path: Path) -> None:
    root = make_workspace(tmp_path / "ws")
    sha = commit(root, "feat: add client", {"packages/alpha/c.py": "C = 1\n"})
    ws = load_workspace(root)
    text = f"Client uses key {SECRETS['openai']}"
    content = (
        '{"entries": [{"section": "Added", "text": "%s", "commits": ["%s"], "breaking": false}]}'
    )
    with ScriptedLLMServer([Reply(content % (text, sha[:10]))]) as server:
        llm = LLMSettings(model="scripted", base_url=server.url)
        notes = release_notes(
            ws,
            ws.member("alpha"),
            "0.2.0",
            settings=NotesOptions(llm=llm, cache_dir=tmp_path / "c"),
        )
    assert notes.source == "llm"
    assert SECRETS["openai"] not in notes.markdown
    assert "Client uses key [REDACTED:openai-key]" in notes.markdown
    assert notes.stats.answer_redactions


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ('password = "hunter2hunter2"', 'password = "[REDACTED:secret-keyword]"'),
        ("token = get_token()", "token = get_token()"),
        ('password = os.environ["PW"]', 'password = os.environ["PW"]'),
        ("def tokenize(text): return text.split()", "def tokenize(text): return text.split()"),
        ("url = 'https://user:pa55w0rd@host/x'", "url = 'https://[REDACTED:url-password]@host/x'"),
        ("api_key: ${API_KEY}", "api_key: ${API_KEY}"),
    ],
)
def test_redact_keeps_code_and_key_names(line: str, expected: str) -> None:
    assert redact(line, "x.py")[0] == expected


@pytest.mark.parametrize(
    ("path", "sensitive"),
    [
        (".env", True),
        ("pkg/.env.production", True),
        ("certs/tls.CRT", True),
        ("home/.ssh/id_rsa.pub", True),
        ("keys.py", False),
        ("environment.py", False),
    ],
)
def test_sensitive_files(path: str, sensitive: bool) -> None:
    assert is_sensitive_file(path) is sensitive


def test_per_commit_summaries_are_redacted_too_and_counted_once(tmp_path: Path) -> None:
    root = make_workspace(tmp_path / "ws")
    seed(root)
    for i in range(6):
        lines = "".join(f"row_{i}_{n} = {n}\n" for n in range(400))
        commit(root, f"feat: table {i}", {f"packages/alpha/src/alpha/t{i}.py": lines})
    ws = load_workspace(root)
    with ScriptedLLMServer() as server:
        llm = LLMSettings(
            model="scripted", base_url=server.url, context_tokens=3000, output_tokens=300
        )
        notes = release_notes(
            ws, ws.member("alpha"), "0.2.0", settings=NotesOptions(llm=llm, cache_dir=tmp_path)
        )
    assert notes.mode == "per-commit" and len(server.chat_requests) >= 3
    received = server.all_text()
    assert [name for name, value in SECRETS.items() if value in received] == []
    assert [r for r in notes.redactions if r.startswith("commit messages")] == [
        "commit messages:3: github-token"
    ]
