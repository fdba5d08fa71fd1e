# EdgenError > APIError > APIConnectionError (> APITimeoutError), APIResponseValidationError
# (> IncompleteStreamError), APIStatusError (> one class per status).
# EdgenError > ClientClosedError, ForkedClientError: a client used when it cannot be.

from __future__ import annotations

import httpx

from ._logs import redact_url


class EdgenError(Exception):
    """Base class of every exception this library raises on purpose."""


# `body`: the server's decoded JSON (or text; None without an answer). `kind`: an Edgen
# error's tag; `code`, `type`, `param`: from an OpenAI-style `{"error": {...}}`.
# `request_id`: the answer's `x-request-id` header, to quote in a bug report (None without
# an answer or without the header).
class APIError(EdgenError):
    """A request failed, or a server answer could not be used."""

    request_id: str | None = None

    def __init__(self, message: str, request: httpx.Request, *, body: object | None) -> None:
        # Name the request: "Connection error." alone does not say which of many calls failed.
        message = f"{message} [{request.method} {redact_url(request.url)}]"
        super().__init__(message)
        self.message = message
        self.request = request
        self.body = body
        err = body.get("error") if isinstance(body, dict) else None
        self.kind = err if isinstance(err, str) else None
        envelope = err if isinstance(err, dict) else {}
        self.code, self.type, self.param = (
            None if envelope.get(key) is None else str(envelope[key])
            for key in ("code", "type", "param")
        )


class APIConnectionError(APIError):
    """The server could not be reached, or the connection broke mid-answer."""

    def __init__(self, *, message: str = "Connection error.", request: httpx.Request) -> None:
        super().__init__(message, request, body=None)


class APITimeoutError(APIConnectionError):
    """The request timed out (connect, read, write or pool)."""

    def __init__(self, request: httpx.Request, *, message: str = "Request timed out.") -> None:
        super().__init__(message=message, request=request)


class APIResponseValidationError(APIError):
    """The server answered 2xx, but the body does not fit the expected type."""

    def __init__(
        self, response: httpx.Response, body: object | None, *, message: str | None = None
    ) -> None:
        message = message or "Data returned by API invalid for expected schema."
        super().__init__(message, response.request, body=body)
        self.response = response
        self.status_code = response.status_code
        self.request_id = response.headers.get("x-request-id")


class IncompleteStreamError(APIResponseValidationError):
    """A stream ended as if complete, but its answer was cut short by the server.

    `completion` holds what arrived, so nothing is lost.
    """

    def __init__(self, response: httpx.Response, completion: object, *, message: str) -> None:
        super().__init__(response, None, message=message)
        self.completion = completion


class APIStatusError(APIError):
    """The server answered with a 4xx or 5xx status."""

    def __init__(self, message: str, *, response: httpx.Response, body: object | None) -> None:
        super().__init__(message, response.request, body=body)
        self.response = response
        self.status_code = response.status_code
        self.request_id = response.headers.get("x-request-id")


class BadRequestError(APIStatusError):
    """400"""


class AuthenticationError(APIStatusError):
    """401"""


class PermissionDeniedError(APIStatusError):
    """403"""


class NotFoundError(APIStatusError):
    """404"""


class ConflictError(APIStatusError):
    """409"""


class UnprocessableEntityError(APIStatusError):
    """422"""


class RateLimitError(APIStatusError):
    """429"""


class InternalServerError(APIStatusError):
    """500 and above"""


class ClientClosedError(EdgenError, RuntimeError):
    """A request on a client (or a copy of it) after `close()`."""


class ForkedClientError(EdgenError, RuntimeError):
    """A request in a forked child through an `http_client` the parent had already used."""


STATUS_ERRORS: dict[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    422: UnprocessableEntityError,
    429: RateLimitError,
}
