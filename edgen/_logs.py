# The `edgen` logger, switched on by the EDGEN_LOG environment variable.

from __future__ import annotations

import functools
import logging
import os
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import httpx

logger = logging.getLogger("edgen")

SENSITIVE_HEADERS = frozenset({"authorization", "api-key", "x-api-key", "proxy-authorization"})


# StreamHandler takes a type argument only from Python 3.11 on.
class _FallbackHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Prints to stderr only records that no other handler gets.

    Records also propagate to the application's handlers (`logging.basicConfig`, a log file),
    which may be set up before or after the first client: once there are any, they print
    edgen's records and this handler stays quiet, as `logging.lastResort` does.
    """

    # The loggers are walked as Logger.callHandlers walks them.
    def filter(self, record: logging.LogRecord) -> bool:
        current: logging.Logger | None = logging.getLogger(record.name)
        while current is not None:
            if any(handler is not self for handler in current.handlers):
                return False
            current = current.parent if current.propagate else None
        return bool(super().filter(record))


# Apply EDGEN_LOG (`debug` or `info`) once per process; called by the first client, not at import.
@functools.cache
def setup_logging() -> None:
    level = {"debug": logging.DEBUG, "info": logging.INFO}.get(
        os.environ.get("EDGEN_LOG", "").strip().lower()
    )
    if level is None:
        return
    if not logger.handlers:
        handler = _FallbackHandler()
        handler.setFormatter(
            logging.Formatter("[%(asctime)s - %(name)s:%(lineno)d - %(levelname)s] %(message)s")
        )
        logger.addHandler(handler)
    logger.setLevel(level)


# Headers safe to log: credentials replaced by a marker.
def redact_headers(headers: Mapping[str, str]) -> dict[str, str]:
    return {k: ("<redacted>" if k.lower() in SENSITIVE_HEADERS else v) for k, v in headers.items()}


# Each attempt at DEBUG. Checked first: redacting the headers would cost every request.
def log_request(request: httpx.Request, attempt: int) -> None:
    if logger.isEnabledFor(logging.DEBUG):
        url = redact_url(request.url)
        headers = redact_headers(request.headers)
        logger.debug(
            "Request: %s %s (attempt %d) headers=%s", request.method, url, attempt, headers
        )


def log_response(response: httpx.Response) -> None:
    if logger.isEnabledFor(logging.INFO):
        request = response.request
        url = redact_url(request.url)
        status = response.status_code
        logger.info(
            'HTTP Request: %s %s "%d %s"', request.method, url, status, response.reason_phrase
        )


def redact_url(url: object) -> str:
    """The text of `url` with its user and password, if any, replaced by `***`.

    Works on text no parser accepts (a bad port, whitespace, no scheme), since that text
    ends up in error messages too.
    """
    text = str(url)
    if getattr(url, "userinfo", None) == b"":
        return text  # a parsed httpx URL that has none (its text may still hold an `@`)
    # The authority follows the first `//`, or starts the text when written without a
    # scheme; it ends at the first `/`, `?` or `#`. Its last `@` ends the userinfo, so an
    # unescaped `@` in the password is masked too.
    first = _end_of_authority(text, 0)
    # What comes before `//` is a scheme (`http:`), unless it holds an `@`: in `user:pw@//x`
    # the userinfo comes first and must not be passed over.
    after_scheme = "@" not in text[:first]
    start = first + 2 if after_scheme and text.startswith("//", first) else 0
    at = text.rfind("@", start, _end_of_authority(text, start))
    return text if at < 0 else f"{text[:start]}***{text[at:]}"


_AUTHORITY_END = re.compile("[/?#]")


def _end_of_authority(text: str, start: int) -> int:
    match = _AUTHORITY_END.search(text, start)
    return match.start() if match else len(text)
