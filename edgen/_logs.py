# The `edgen` logger, switched on by the EDGEN_LOG environment variable.

import functools
import logging
import os
import re
from collections.abc import Mapping

logger = logging.getLogger("edgen")

SENSITIVE_HEADERS = frozenset({"authorization", "api-key", "x-api-key", "proxy-authorization"})


# StreamHandler takes a type argument only from Python 3.11 on.
class _FallbackHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Prints to stderr only records that no other handler gets.

    Records also propagate to the application's handlers (`logging.basicConfig`, a log file),
    which may be set up before or after the first client: once there are any, they print
    edgen's records and this handler stays quiet, as `logging.lastResort` does.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        return not self._others_handle(record) and bool(super().filter(record))

    # The loggers walked as Logger.callHandlers walks them.
    def _others_handle(self, record: logging.LogRecord) -> bool:
        current: logging.Logger | None = logging.getLogger(record.name)
        while current is not None:
            if any(handler is not self for handler in current.handlers):
                return True
            current = current.parent if current.propagate else None
        return False


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
    start = first + 2 if text.startswith("//", first) else 0
    at = text.rfind("@", start, _end_of_authority(text, start))
    return text if at < 0 else f"{text[:start]}***{text[at:]}"


_AUTHORITY_END = re.compile("[/?#]")


def _end_of_authority(text: str, start: int) -> int:
    match = _AUTHORITY_END.search(text, start)
    return match.start() if match else len(text)
