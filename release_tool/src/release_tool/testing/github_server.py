"""A local stand-in for the GitHub REST API on 127.0.0.1, recording every request.

It speaks only the endpoints release-tool uses (get a repository, get a
release by tag, create and update a release, list/create/update pull
requests), with response shapes taken from GitHub's REST documentation
(``repos``, ``releases``, ``pulls``), and GitHub's error bodies for 401,
403 (rate limit, with ``x-ratelimit-*`` headers), 404 and 422. Tests point
the adapter at ``server.base_url`` and assert ``server.requests``.
"""

from __future__ import annotations

import json
import re
import subprocess
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, unquote, urlsplit

if TYPE_CHECKING:
    from pathlib import Path

DOCS = "https://docs.github.com/rest"
CREATED_AT = "2026-01-02T03:04:05Z"


@dataclass(frozen=True)
class RecordedRequest:
    """One request the server received."""

    method: str
    path: str
    query: dict[str, str]
    body: Any
    headers: dict[str, str]

    @property
    def authorization(self) -> str | None:
        return self.headers.get("authorization")


@dataclass
class Fault:
    """A canned error answer for the next request(s) matching ``method`` and ``path``."""

    method: str
    path_pattern: str
    status: int
    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)
    times: int = 1


@dataclass
class FakeRepo:
    owner: str
    name: str
    id: int
    default_branch: str = "main"
    releases: list[dict[str, Any]] = field(default_factory=list)
    pulls: list[dict[str, Any]] = field(default_factory=list)
    git_dir: Path | None = None
    """A bare repo standing for this repo's git data: its tags are the repo's tags."""

    def tag_ref(self, tag: str) -> tuple[str, str] | None:
        """(object sha, object type) of ``refs/tags/<tag>`` in ``git_dir``, or None."""
        if self.git_dir is None:
            return None
        proc = subprocess.run(
            ["git", "rev-parse", "--verify", "--quiet", f"refs/tags/{tag}"],
            cwd=self.git_dir,
            capture_output=True,
            text=True,
            check=False,
        )
        if proc.returncode != 0:
            return None
        sha = proc.stdout.strip()
        kind = subprocess.run(
            ["git", "cat-file", "-t", sha],
            cwd=self.git_dir,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        return sha, kind

    @property
    def full_name(self) -> str:
        return f"{self.owner}/{self.name}"


class GitHubServer:
    """A threaded HTTP server holding repos, releases and pulls in memory."""

    def __init__(self, *, token: str = "test-token", prefix: str = "") -> None:
        self.token = token
        self.prefix = prefix.rstrip("/")
        self.repos: dict[str, FakeRepo] = {}
        self.requests: list[RecordedRequest] = []
        self.faults: list[Fault] = []
        self._next_id = 1000
        self._lock = threading.Lock()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _make_handler(self))
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    # -- lifecycle ---------------------------------------------------------
    def __enter__(self) -> GitHubServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    @property
    def origin(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def base_url(self) -> str:
        """What to configure as ``[tool.release-tool.github].api-url``."""
        return self.origin + self.prefix

    # -- state set-up ------------------------------------------------------
    def add_repo(
        self, slug: str, *, default_branch: str = "main", git_dir: Path | None = None
    ) -> FakeRepo:
        """A repository; ``git_dir`` (a bare repo) answers its git refs (tags)."""
        owner, name = slug.split("/")
        repo = FakeRepo(owner, name, self._new_id(), default_branch, git_dir=git_dir)
        self.repos[slug.lower()] = repo
        return repo

    def add_release(
        self,
        slug: str,
        tag: str,
        *,
        name: str = "",
        body: str = "",
        prerelease: bool = False,
        draft: bool = False,
    ) -> dict[str, Any]:
        repo = self.repos[slug.lower()]
        release = self._release(
            repo,
            {"tag_name": tag, "name": name, "body": body, "prerelease": prerelease, "draft": draft},
        )
        repo.releases.append(release)
        return release

    def add_pull(self, slug: str, head: str, base: str, *, title: str, body: str = "") -> dict:
        repo = self.repos[slug.lower()]
        pull = self._pull(repo, {"head": head, "base": base, "title": title, "body": body})
        repo.pulls.append(pull)
        return pull

    def fail(
        self,
        method: str,
        path_pattern: str,
        status: int,
        message: str,
        *,
        headers: dict[str, str] | None = None,
        errors: list[dict] | None = None,
        times: int = 1,
    ) -> None:
        """Answer the next ``times`` matching requests with a GitHub error body."""
        body: dict[str, Any] = {"message": message, "documentation_url": DOCS}
        if errors is not None:
            body["errors"] = errors
        self.faults.append(Fault(method, path_pattern, status, body, headers or {}, times))

    def writes(self) -> list[RecordedRequest]:
        """Recorded requests that change state (POST, PATCH)."""
        return [r for r in self.requests if r.method in {"POST", "PATCH", "PUT", "DELETE"}]

    # -- request handling --------------------------------------------------
    def handle(
        self, method: str, raw_path: str, headers: dict[str, str], raw_body: bytes
    ) -> tuple[int, dict[str, str], Any]:
        parts = urlsplit(raw_path)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        body = json.loads(raw_body) if raw_body else None
        path = parts.path
        with self._lock:
            self.requests.append(RecordedRequest(method, path, query, body, headers))
            fault = self._take_fault(method, path)
            if fault is not None:
                return fault.status, fault.headers, fault.body
            if headers.get("authorization") != f"token {self.token}":
                return 401, {}, {"message": "Bad credentials", "documentation_url": DOCS}
            if not path.startswith(self.prefix + "/"):
                return _not_found()
            return self._route(method, path[len(self.prefix) :], query, body or {})

    def _take_fault(self, method: str, path: str) -> Fault | None:
        for fault in self.faults:
            if fault.method == method and re.fullmatch(fault.path_pattern, path):
                fault.times -= 1
                if fault.times <= 0:
                    self.faults.remove(fault)
                return fault
        return None

    def _route(
        self, method: str, path: str, query: dict[str, str], body: dict[str, Any]
    ) -> tuple[int, dict[str, str], Any]:
        match = re.fullmatch(r"/repos/([^/]+)/([^/]+)(/.*)?", path)
        if not match:
            return _not_found()
        repo = self.repos.get(f"{match[1]}/{match[2]}".lower())
        if repo is None:
            return _not_found()
        rest = match[3] or ""
        if rest == "" and method == "GET":
            return 200, {}, self._repo_json(repo)
        if (m := re.fullmatch(r"/releases/tags/(.+)", rest)) and method == "GET":
            tag = unquote(m[1])
            for release in repo.releases:
                if release["tag_name"] == tag and not release["draft"]:
                    return 200, {}, release
            return _not_found()
        if (m := re.fullmatch(r"/git/ref/tags/(.+)", rest)) and method == "GET":
            found = repo.tag_ref(unquote(m[1]))
            if found is None:
                return _not_found()
            api = f"{self.base_url}/repos/{repo.full_name}/git"
            tag = unquote(m[1])
            return (
                200,
                {},
                {
                    "ref": f"refs/tags/{tag}",
                    "node_id": f"REF_{tag}",
                    "url": f"{api}/refs/tags/{tag}",
                    "object": {
                        "type": found[1],
                        "sha": found[0],
                        "url": f"{api}/{found[1]}s/{found[0]}",
                    },
                },
            )
        if rest == "/releases" and method == "POST":
            return self._create_release(repo, body)
        if (m := re.fullmatch(r"/releases/(\d+)", rest)) and method == "PATCH":
            return self._update(repo.releases, "id", int(m[1]), body, _RELEASE_FIELDS)
        if rest == "/pulls" and method == "GET":
            return 200, {}, [p for p in repo.pulls if _pull_matches(p, query)]
        if rest == "/pulls" and method == "POST":
            return self._create_pull(repo, body)
        if (m := re.fullmatch(r"/pulls/(\d+)", rest)) and method == "PATCH":
            return self._update(repo.pulls, "number", int(m[1]), body, _PULL_FIELDS)
        return _not_found()

    def _create_release(self, repo: FakeRepo, body: dict[str, Any]):
        if not body.get("tag_name"):
            return _invalid("Release", "tag_name", "missing_field")
        if any(r["tag_name"] == body["tag_name"] for r in repo.releases):
            return _invalid("Release", "tag_name", "already_exists")
        release = self._release(repo, body)
        repo.releases.append(release)
        return 201, {"location": release["url"]}, release

    def _create_pull(self, repo: FakeRepo, body: dict[str, Any]):
        for key in ("head", "base", "title"):
            if not body.get(key):
                return _invalid("PullRequest", key, "missing_field")
        head = body["head"].split(":")[-1]
        if any(
            p["head"]["ref"] == head and p["base"]["ref"] == body["base"] and p["state"] == "open"
            for p in repo.pulls
        ):
            return (
                422,
                {},
                {
                    "message": "Validation Failed",
                    "errors": [
                        {
                            "resource": "PullRequest",
                            "code": "custom",
                            "message": f"A pull request already exists for {repo.owner}:{head}.",
                        }
                    ],
                    "documentation_url": DOCS,
                },
            )
        pull = self._pull(repo, body)
        repo.pulls.append(pull)
        return 201, {"location": pull["url"]}, pull

    def _update(
        self,
        items: list[dict[str, Any]],
        key: str,
        value: int,
        body: dict[str, Any],
        allowed: set[str],
    ):
        for item in items:
            if item[key] == value:
                for name, new in body.items():
                    if name in allowed:
                        item[name] = new
                item["updated_at"] = CREATED_AT
                return 200, {}, item
        return _not_found()

    # -- response shapes (GitHub REST docs) --------------------------------
    def _new_id(self) -> int:
        self._next_id += 1
        return self._next_id

    def _repo_json(self, repo: FakeRepo) -> dict[str, Any]:
        api = f"{self.base_url}/repos/{repo.full_name}"
        return {
            "id": repo.id,
            "node_id": f"R_{repo.id}",
            "name": repo.name,
            "full_name": repo.full_name,
            "private": False,
            "owner": _user(repo.owner, self.base_url),
            "html_url": f"{self.origin}/{repo.full_name}",
            "url": api,
            "releases_url": api + "/releases{/id}",
            "pulls_url": api + "/pulls{/number}",
            "default_branch": repo.default_branch,
            "fork": False,
            "created_at": CREATED_AT,
            "updated_at": CREATED_AT,
            "pushed_at": CREATED_AT,
        }

    def _release(self, repo: FakeRepo, body: dict[str, Any]) -> dict[str, Any]:
        rid = self._new_id()
        api = f"{self.base_url}/repos/{repo.full_name}"
        tag = body["tag_name"]
        return {
            "url": f"{api}/releases/{rid}",
            "html_url": f"{self.origin}/{repo.full_name}/releases/tag/{tag}",
            "assets_url": f"{api}/releases/{rid}/assets",
            "upload_url": (
                f"{self.origin}/uploads/repos/{repo.full_name}/releases/{rid}/assets{{?name,label}}"
            ),
            "tarball_url": f"{api}/tarball/{tag}",
            "zipball_url": f"{api}/zipball/{tag}",
            "id": rid,
            "node_id": f"RE_{rid}",
            "tag_name": tag,
            "target_commitish": body.get("target_commitish", repo.default_branch),
            "name": body.get("name"),
            "body": body.get("body"),
            "draft": bool(body.get("draft", False)),
            "prerelease": bool(body.get("prerelease", False)),
            "created_at": CREATED_AT,
            "published_at": CREATED_AT,
            "author": _user("release-bot", self.base_url),
            "assets": [],
        }

    def _pull(self, repo: FakeRepo, body: dict[str, Any]) -> dict[str, Any]:
        number = len(repo.pulls) + 1
        api = f"{self.base_url}/repos/{repo.full_name}"
        head = body["head"].split(":")[-1]
        return {
            "url": f"{api}/pulls/{number}",
            "id": self._new_id(),
            "node_id": f"PR_{number}",
            "html_url": f"{self.origin}/{repo.full_name}/pull/{number}",
            "number": number,
            "state": "open",
            "locked": False,
            "title": body["title"],
            "body": body.get("body"),
            "user": _user("release-bot", self.base_url),
            "head": _branch(repo, head, self),
            "base": _branch(repo, body["base"], self),
            "draft": bool(body.get("draft", False)),
            "merged": False,
            "created_at": CREATED_AT,
            "updated_at": CREATED_AT,
        }


_RELEASE_FIELDS = {"tag_name", "target_commitish", "name", "body", "draft", "prerelease"}
_PULL_FIELDS = {"title", "body", "state", "base"}


def _user(login: str, base_url: str) -> dict[str, Any]:
    return {"login": login, "id": 1, "type": "User", "url": f"{base_url}/users/{login}"}


def _branch(repo: FakeRepo, ref: str, server: GitHubServer) -> dict[str, Any]:
    return {
        "label": f"{repo.owner}:{ref}",
        "ref": ref,
        "sha": "0" * 40,
        "user": _user(repo.owner, server.base_url),
        "repo": server._repo_json(repo),
    }


def _pull_matches(pull: dict[str, Any], query: dict[str, str]) -> bool:
    state = query.get("state", "open")
    if state != "all" and pull["state"] != state:
        return False
    if "head" in query and pull["head"]["label"] != query["head"]:
        return False
    return "base" not in query or pull["base"]["ref"] == query["base"]


def _not_found() -> tuple[int, dict[str, str], Any]:
    return 404, {}, {"message": "Not Found", "documentation_url": DOCS}


def _invalid(resource: str, field_name: str, code: str) -> tuple[int, dict[str, str], Any]:
    return (
        422,
        {},
        {
            "message": "Validation Failed",
            "errors": [{"resource": resource, "code": code, "field": field_name}],
            "documentation_url": DOCS,
        },
    )


def _make_handler(server: GitHubServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _serve(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            raw = self.rfile.read(length) if length else b""
            headers = {k.lower(): v for k, v in self.headers.items()}
            status, extra, payload = server.handle(self.command, self.path, headers, raw)
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("content-type", "application/json; charset=utf-8")
            self.send_header("content-length", str(len(data)))
            for name, value in extra.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _serve

        def log_message(self, format: str, *args: Any) -> None:  # quiet
            return

    return Handler
