# Request pipeline decisions: retries, waits, error building and body decoding. No I/O:
# these functions read httpx requests and responses but never send or receive, so both
# clients share them and tests need no network.

from __future__ import annotations

import email.utils
import random
import re
from collections.abc import Callable, Iterator, Mapping
from typing import Any, TypeVar

import httpx
import msgspec

from ._exceptions import (
    STATUS_ERRORS,
    APIConnectionError,
    APIResponseValidationError,
    APIStatusError,
    APITimeoutError,
    InternalServerError,
)
from ._logs import logger, redact_url
from ._models import decoder_for as decoder_for  # streams decode with it too
from ._types import NOT_GIVEN, UTF8_BOM, must_be

_T = TypeVar("_T")


# JSON may come after a byte order mark (RFC 8259 allows ignoring it, and json.loads does);
# msgspec refuses it.
def _without_bom(content: bytes) -> bytes:
    return content[len(UTF8_BOM) :] if content.startswith(UTF8_BOM) else content


def decode_response(response: httpx.Response, cast_to: type[_T]) -> _T:
    try:
        return decoder_for(cast_to).decode(_without_bom(response.content))
    # msgspec raises UnicodeDecodeError for invalid UTF-8 inside a JSON string
    except (msgspec.ValidationError, msgspec.DecodeError, UnicodeDecodeError) as exc:
        message = _why_undecodable(response, exc)
        raise APIResponseValidationError(response, response.text, message=message) from None


# msgspec says "Input data was truncated" of an empty body, which reads as a cut connection,
# and "malformed" of a body that is no JSON at all: the status, the content type and the
# start of the body say what the server sent instead.
def _why_undecodable(response: httpx.Response, exc: Exception) -> str:
    message = "Response body does not fit the expected type: "
    if not response.content:
        return message + f"the server answered {response.status_code} with an empty body"
    message += str(exc)
    if isinstance(exc, msgspec.DecodeError):
        content_type = response.headers.get("content-type")
        got = f"content type {content_type!r}" if content_type else "no content type"
        message += f" ({got}, body starting {response.text[:200]!r})"
    return message


INITIAL_RETRY_DELAY = 0.5
MAX_RETRY_DELAY = 8.0
MAX_RETRY_AFTER = 60.0

# Edgen errors that a retry would hit again: an error kind, or (kind, the key that says why).
NON_RETRYABLE_KINDS = frozenset({"unknown_model_kind", "prohibited_name"})
NON_RETRYABLE_REASONS = frozenset({("endpoint", "SessionNotFound"), ("model", "Parse")})

RETRYABLE_STATUSES = frozenset({408, 409, 429})


def json_or(content: bytes, text: str) -> Any:
    try:
        return msgspec.json.decode(_without_bom(content))
    except (msgspec.DecodeError, UnicodeDecodeError):
        return text


def decode_error_body(response: httpx.Response) -> Any:
    return json_or(response.content, response.text) if response.content else None


def should_retry(response: httpx.Response, body: Any) -> bool:
    hint = response.headers.get("x-should-retry")
    if hint in ("true", "false"):
        return hint == "true"  # type: ignore[no-any-return]
    status = response.status_code
    kind = body.get("error") if status >= 500 and isinstance(body, dict) else None
    if isinstance(kind, str):  # an Edgen error: is it one a retry would hit again?
        reasons = ((kind, key) in NON_RETRYABLE_REASONS for key in body)
        return not (kind in NON_RETRYABLE_KINDS or any(reasons))
    return status in RETRYABLE_STATUSES or status >= 500


# The server's `retry-after-ms` / `Retry-After` if 0-60 s (`now` is for an HTTP date),
# else backoff with up to 25% jitter so that clients retrying together spread out.
def retry_delay(
    retries_taken: int,
    headers: Mapping[str, str] | None = None,
    *,
    now: float | None = None,
    jitter: float | None = None,
) -> float:
    if headers is not None:
        for asked in _server_waits(headers, now):
            if 0 <= asked <= MAX_RETRY_AFTER:  # also false for NaN
                return asked
    delay = min(INITIAL_RETRY_DELAY * (2.0**retries_taken), MAX_RETRY_DELAY)
    if jitter is None:
        jitter = random.random()
    return delay * (1.0 - 0.25 * jitter)


# Each wait the server asked for, most precise first: one broken header must not hide another.
def _server_waits(headers: Mapping[str, str], now: float | None) -> Iterator[float]:
    for name, per_second in (("retry-after-ms", 1000.0), ("retry-after", 1.0)):
        try:
            yield float(headers[name]) / per_second
        except (KeyError, ValueError):
            pass
    parsed = email.utils.parsedate_tz(headers.get("retry-after"))
    if parsed is not None and now is not None:
        yield float(email.utils.mktime_tz(parsed)) - now


def status_error(response: httpx.Response, body: Any, note: str = "") -> APIStatusError:
    status = response.status_code
    detail = error_detail(body)
    message = f"Error code: {status}" + (f" - {detail}" if detail else "") + note
    if status == 404 and "/v1/" not in response.request.url.path:
        # The usual cause: a base URL written without its `/v1` path.
        message += " (Edgen serves its API under /v1/: does the base URL end in /v1?)"
    location = response.headers.get("location") if 300 <= status < 400 else None
    if location is not None:  # a reverse proxy sending http:// to https://, say
        message += (
            f" (redirected to {redact_url(location)}: edgen follows no redirect, so that requests "
            "go only where base_url points; set base_url to the new address)"
        )
    error_class = STATUS_ERRORS.get(
        status, InternalServerError if status >= 500 else APIStatusError
    )
    return error_class(message, response=response, body=body)


# The message in an error body (OpenAI's or Edgen's shape, or text).
def error_detail(body: Any) -> str:
    if body is None:
        return ""
    if isinstance(body, str):
        return body.strip()
    if isinstance(body, dict):
        err = body.get("error")
        if isinstance(err, dict):  # OpenAI-style envelope
            return str(err.get("message") or err)
        if isinstance(err, str):  # Edgen's flat tagged error
            reason = body.get("reason")
            rest = {k: v for k, v in body.items() if k not in ("error", "reason")}
            text = err + (f": {reason}" if reason else "")
            if rest:
                text += " (" + ", ".join(f"{k}={v!r}" for k, v in rest.items()) + ")"
            return text
        for key in ("detail", "message"):
            if key in body:
                return str(body[key])
    return msgspec.json.encode(body).decode()


# A timeout names what it waited for: a pool timeout in particular is not a slow server.
_TIMEOUT_MESSAGES = {
    "ConnectTimeout": "Request timed out while connecting.",
    "ReadTimeout": "Request timed out waiting for the server's answer.",
    "WriteTimeout": "Request timed out while sending.",
    "PoolTimeout": (
        "Request timed out: no free connection in the pool "
        "(all are in use; close streams you no longer read, or raise the pool's limits)."
    ),
}


# `timeout_errors` are the timeout classes of the HTTP package that raised `exc`.
def connection_error(
    request: httpx.Request,
    exc: Exception,
    what: str = "Connection error",
    note: str = "",
    *,
    timeout_errors: tuple[type[Exception], ...],
) -> APIConnectionError:
    if isinstance(exc, timeout_errors):
        message = _TIMEOUT_MESSAGES.get(type(exc).__name__, "Request timed out.")
        return APITimeoutError(request, message=message + note)
    return APIConnectionError(message=f"{what}: {describe(exc)}{note}", request=request)


# Some transport errors have an empty message (an end of stream, say): name the class then.
def describe(exc: BaseException) -> str:
    cause: BaseException | None = exc
    while cause is not None:
        if str(cause):
            return str(cause)
        cause = cause.__cause__ or cause.__context__
    return type(exc).__name__


# RFC 9110 token characters: h11 would refuse others, as a retryable-looking error.
_HEADER_NAME = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")


# A NOT_GIVEN (or None) value removes a header.
def merge_headers(base: dict[str, str], extra: Mapping[str, Any] | None) -> dict[str, str]:
    if not extra:
        return base
    merged = dict(base)
    for name, value in extra.items():
        must_be("header names", name, str, "str")
        if value is NOT_GIVEN or value is None:
            merged.pop(name.lower(), None)
            continue
        must_be(f"header {name!r}", value, str)
        # A line break or NUL could smuggle in extra header lines.
        if "\r" in value or "\n" in value or "\x00" in value:
            raise ValueError(f"header {name!r} has a line break or NUL in its value")
        if not _HEADER_NAME.fullmatch(name):
            raise ValueError(f"invalid header name {name!r}")
        if not value.isascii():
            raise ValueError(f"header {name!r} has a non-ASCII value")
        merged[name.lower()] = value
    return merged


NOT_RESENT = (
    " (not retried: the upload is read from a stream that cannot be rewound, and part of it "
    "was sent; pass bytes, a path or a seekable file to allow retries)"
)


# After each failure: the seconds to wait, or (no retry left) the error.
class RetryPolicy(msgspec.Struct):
    max_retries: int
    clock: Any = None  # epoch seconds, for an HTTP-date Retry-After
    retries_taken: int = 0
    # False once a body that can be read only once has begun to go out: a retry would send
    # another, shorter body.
    can_resend: Callable[[], bool] | None = None
    # The timeout classes of the client's HTTP package (httpx's, or httpx2's).
    timeout_errors: tuple[type[Exception], ...] = (httpx.TimeoutException,)

    def after_transport_error(self, request: httpx.Request, exc: Exception) -> float:
        note = self._why_not(retryable=True)
        if note is not None:
            raise connection_error(
                request, exc, note=note, timeout_errors=self.timeout_errors
            ) from exc
        return self._next(request, None, type(exc).__name__)

    def after_status(self, response: httpx.Response, body: Any) -> float:
        note = self._why_not(should_retry(response, body))
        if note is not None:
            raise status_error(response, body, note)
        return self._next(response.request, response.headers, f"status {response.status_code}")

    # None to retry, else the note to add to the error ("" for none).
    def _why_not(self, retryable: bool) -> str | None:
        if not retryable or self.retries_taken >= self.max_retries:
            return ""
        if self.can_resend is not None and not self.can_resend():
            return NOT_RESENT
        return None

    def _next(self, request: httpx.Request, headers: Any, reason: str) -> float:
        now = self.clock() if self.clock is not None and headers is not None else None
        delay = retry_delay(self.retries_taken, headers, now=now)
        self.retries_taken += 1
        logger.info(
            "Retrying %s %s in %.2f s (%s; retry %d of %d)",
            request.method,
            redact_url(request.url),
            delay,
            reason,
            self.retries_taken,
            self.max_retries,
        )
        return delay
