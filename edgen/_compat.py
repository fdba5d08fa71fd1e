# httpx-compatible HTTP packages (httpx, and its fork httpx2).

from __future__ import annotations

import sys
from typing import Any

import httpx

# An httpx2 client's (httpx's fork) exception and Timeout classes join these tuples.
TRANSPORT_ERRORS: tuple[type[Exception], ...] = (httpx.TransportError,)
TIMEOUT_ERRORS: tuple[type[Exception], ...] = (httpx.TimeoutException,)
READ_ERRORS: tuple[type[Exception], ...] = (httpx.TransportError, httpx.StreamError)
TIMEOUT_TYPES: tuple[type[Any], ...] = (httpx.Timeout,)


# Registers the httpx-compatible package of `client`'s class; returns it (None for httpx).
def register_http_package(client: object) -> Any:
    global TRANSPORT_ERRORS, TIMEOUT_ERRORS, READ_ERRORS, TIMEOUT_TYPES
    for cls in type(client).__mro__:
        top = cls.__module__.partition(".")[0]
        if top == "httpx":
            return None
        module: Any = sys.modules.get(top)
        if hasattr(module, "TransportError") and hasattr(module, "AsyncClient"):
            if module.TransportError not in TRANSPORT_ERRORS:
                TRANSPORT_ERRORS += (module.TransportError,)
                TIMEOUT_ERRORS += (module.TimeoutException,)
                READ_ERRORS += (module.TransportError, module.StreamError)
                TIMEOUT_TYPES += (module.Timeout,)
            return module
    return None
