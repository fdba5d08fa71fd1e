# The `edgen` logger, switched on by the EDGEN_LOG environment variable.

import functools
import logging
import os
from collections.abc import Mapping

logger = logging.getLogger("edgen")

SENSITIVE_HEADERS = frozenset({"authorization", "api-key", "x-api-key", "proxy-authorization"})


# Apply EDGEN_LOG (`debug` or `info`) once per process; called by the first client, not at import.
@functools.cache
def setup_logging() -> None:
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


# Headers safe to log: credentials replaced by a marker.
def redact_headers(headers: Mapping[str, str]) -> dict[str, str]:
    return {k: ("<redacted>" if k.lower() in SENSITIVE_HEADERS else v) for k, v in headers.items()}
