"""A stand-in model server process for the schedule tests: ``/health`` only, real HTTP.

``python health_server.py PORT ok`` serves ``{"status": "healthy"}`` on
127.0.0.1:PORT until killed; ``... PORT fail`` prints an error and exits 1,
as a model server with missing weights does.
"""

from __future__ import annotations

import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Health(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = json.dumps({"status": "healthy"}).encode()
        self.send_response(200 if self.path == "/health" else 404)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


def main() -> None:
    port, mode = int(sys.argv[1]), sys.argv[2]
    print(f"stand-in server starting on port {port}", flush=True)
    if mode == "fail":
        print("error: model folder missing-weights does not exist", flush=True)
        sys.exit(1)
    ThreadingHTTPServer(("127.0.0.1", port), Health).serve_forever()


if __name__ == "__main__":
    main()
