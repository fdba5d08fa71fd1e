# Request pipeline decisions, sans-IO: shared by both clients.

from __future__ import annotations

import email.utils
import random
import re
from collections.abc import Mapping
from typing import Any, TypeVar

import httpx
import msgspec

from . import _compat
from ._exceptions import (
    STATUS_ERRORS,
    APIConnectionError,
    APIResponseValidationError,
    APIStatusError,
    APITimeoutError,
    InternalServerError,
)
from ._logs import logger
from ._types import NOT_GIVEN, must_be

_T = TypeVar("_T")
# Building a decoder costs far more than decoding a chunk: one per type.
_decoders: dict[Any, msgspec.json.Decoder[Any]] = {}


def decoder_for(cast_to: type[_T]) -> msgspec.json.Decoder[_T]:
    try:
        return _decoders[cast_to]
    except KeyError:
        dec = _decoders[cast_to] = msgspec.json.Decoder(cast_to)
        return dec


def decode_response(response: httpx.Response, cast_to: type[_T]) -> _T:
    try:
        return decoder_for(cast_to).decode(response.content)
    # msgspec raises UnicodeDecodeError for invalid UTF-8 inside a JSON string
    except (msgspec.ValidationError, msgspec.DecodeError, UnicodeDecodeError) as exc:
        message = f"Response body does not fit the expected type: {exc}"
        raise APIResponseValidationError(response, response.text, message=message) from None


INITIAL_RETRY_DELAY = 0.5
MAX_RETRY_DELAY = 8.0
MAX_RETRY_AFTER = 60.0

# Edgen error kinds that a retry would hit again.
NON_RETRYABLE_KINDS = frozenset({"unknown_model_kind", "prohibited_name"})

RETRYABLE_STATUSES = frozenset({408, 409, 429})


def json_or(content: bytes, text: str) -> Any:
    try:
        return msgspec.json.decode(content)
    except (msgspec.DecodeError, UnicodeDecodeError):
        return text


def decode_error_body(response: httpx.Response) -> Any:
    return json_or(response.content, response.text) if response.content else None


def should_retry(response: httpx.Response, body: Any) -> bool:
    hint = response.headers.get("x-should-retry")
    if hint in ("true", "false"):
        return hint == "true"  # type: ignore[no-any-return]
    status = response.status_code
    if status in RETRYABLE_STATUSES:
        return True
    if status >= 500:
        kind = body.get("error") if isinstance(body, dict) else None
        return not (isinstance(kind, str) and kind in NON_RETRYABLE_KINDS)
    return False


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
        asked = _server_retry_after(headers, now)
        if asked is not None and 0 <= asked <= MAX_RETRY_AFTER:
            return asked
    delay = min(INITIAL_RETRY_DELAY * (2.0**retries_taken), MAX_RETRY_DELAY)
    if jitter is None:
        jitter = random.random()
    return delay * (1.0 - 0.25 * jitter)


def _server_retry_after(headers: Mapping[str, str], now: float | None) -> float | None:
    for name, per_second in (("retry-after-ms", 1000.0), ("retry-after", 1.0)):
        try:
            return float(headers[name]) / per_second
        except (KeyError, ValueError):
            pass
    parsed = email.utils.parsedate_tz(headers.get("retry-after"))
    if parsed is None or now is None:
        return None
    return float(email.utils.mktime_tz(parsed)) - now


def status_error(response: httpx.Response, body: Any) -> APIStatusError:
    status = response.status_code
    detail = error_detail(body)
    message = f"Error code: {status}" + (f" - {detail}" if detail else "")
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
            rest = dict(body)
            del rest["error"]
            reason = rest.pop("reason", None)
            text = err + (f": {reason}" if reason else "")
            if rest:
                text += " (" + ", ".join(f"{k}={v!r}" for k, v in rest.items()) + ")"
            return text
        for key in ("detail", "message"):
            if key in body:
                return str(body[key])
    return msgspec.json.encode(body).decode()


def connection_error(
    request: httpx.Request, exc: Exception, message: str = "Connection error."
) -> APIConnectionError:
    if isinstance(exc, _compat.TIMEOUT_ERRORS):
        return APITimeoutError(request)
    return APIConnectionError(message=message, request=request)


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


# After each failure: the seconds to wait, or (no retry left) the error.
class RetryPolicy(msgspec.Struct):
    max_retries: int
    clock: Any = None  # epoch seconds, for an HTTP-date Retry-After
    retries_taken: int = 0

    def after_transport_error(self, request: httpx.Request, exc: Exception) -> float:
        if self.retries_taken >= self.max_retries:
            raise connection_error(request, exc) from exc
        return self._next(request, None, type(exc).__name__)

    def after_status(self, response: httpx.Response, body: Any) -> float:
        if self.retries_taken >= self.max_retries or not should_retry(response, body):
            raise status_error(response, body)
        return self._next(response.request, response.headers, f"status {response.status_code}")

    def _next(self, request: httpx.Request, headers: Any, reason: str) -> float:
        now = self.clock() if self.clock is not None and headers is not None else None
        delay = retry_delay(self.retries_taken, headers, now=now)
        self.retries_taken += 1
        logger.info(
            "Retrying %s %s in %.2f s (%s; retry %d of %d)",
            request.method,
            request.url,
            delay,
            reason,
            self.retries_taken,
            self.max_retries,
        )
        return delay
