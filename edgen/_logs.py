"""The `edgen` logger, switched on by the EDGEN_LOG environment variable."""

from __future__ import annotations

import logging
import os

logger = logging.getLogger("edgen")

_configured = False

SENSITIVE_HEADERS = frozenset({"authorization", "api-key", "x-api-key", "proxy-authorization"})


def setup_logging() -> None:
    """Apply EDGEN_LOG once per process (`debug` or `info`); other values do nothing.

    Called when the first client is built rather than at import, so importing
    edgen never touches logging configuration.
    """
    global _configured
    if _configured:
        return
    _configured = True
    level = {"debug": logging.DEBUG, "info": logging.INFO}.get(
        os.environ.get("EDGEN_LOG", "").strip().lower()
    )
    if level is None:
        return
    if not logger.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(
            logging.Formatter("[%(asctime)s - %(name)s:%(lineno)d - %(levelname)s] %(message)s")
        )
        logger.addHandler(handler)
    logger.setLevel(level)


def redact_headers(headers: object) -> dict[str, str]:
    """Headers safe to log: credentials replaced by a marker."""
    items = headers.items() if hasattr(headers, "items") else []
    return {k: ("<redacted>" if k.lower() in SENSITIVE_HEADERS else v) for k, v in items}
