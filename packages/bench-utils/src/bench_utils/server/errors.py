"""OpenAI-shaped errors: ``{"error": {"message", "type", "param", "code"}}`` with an HTTP status."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi.responses import JSONResponse

from bench_utils.server.convert import PayloadTooLargeError

if TYPE_CHECKING:
    from model_interface import InvalidRequestError

KINDS = {
    400: "invalid_request_error",
    404: "not_found_error",
    405: "invalid_request_error",
    413: "invalid_request_error",
    499: "invalid_request_error",
    503: "service_unavailable",
}


class APIError(Exception):
    """An error answered as OpenAI's error body; ``headers`` e.g. ``Retry-After``."""

    def __init__(
        self,
        status: int,
        message: str,
        kind: str | None = None,
        code: str | None = None,
        param: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status, self.message, self.code, self.param = status, message, code, param
        self.kind = kind or KINDS.get(
            status, "server_error" if status >= 500 else "invalid_request_error"
        )
        self.headers = headers

    def body(self) -> dict[str, object]:
        """The JSON body."""
        return {
            "error": {
                "message": self.message,
                "type": self.kind,
                "param": self.param,
                "code": self.code,
            }
        }

    def response(self) -> JSONResponse:
        """The HTTP response."""
        return JSONResponse(self.body(), status_code=self.status, headers=self.headers)


def invalid(exc: InvalidRequestError) -> APIError:
    """400, or 413 for a payload over a limit, from an ``InvalidRequestError``."""
    if isinstance(exc, PayloadTooLargeError):
        return APIError(413, str(exc), code="payload_too_large")
    code = "context_length_exceeded" if "maximum context length" in str(exc) else "invalid_request"
    return APIError(400, str(exc), code=code)
