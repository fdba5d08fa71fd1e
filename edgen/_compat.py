# The HTTP package a client sends through: httpx, or a client of its fork httpx2.
#
# Each client picks one when it is made (from its http_client's class), keeps it, and
# hands it to the code that catches that package's errors or builds its Timeout. Nothing
# here changes after import, so two clients over different packages never see each other.

from __future__ import annotations

import sys
from typing import Any

import httpx
import msgspec

# Packages with httpx's API whose clients `http_client=` accepts. httpx2 is never imported
# here: a client of it can only exist once its user has imported it.
KNOWN_PACKAGES = ("httpx", "httpx2")


class HTTPPackage(msgspec.Struct, frozen=True):
    """The classes of one httpx-compatible package that edgen catches, checks or builds."""

    client_class: type[Any]
    async_client_class: type[Any]
    # Timeouts go out as this class; `timeout=` takes it and httpx.Timeout (edgen's default).
    timeout_class: type[Any]
    timeout_types: tuple[type[Any], ...]
    # A client's usual request headers are encoded into this once (see BaseEdgen._json_headers).
    headers_class: type[Any]
    # A request that failed on the way (connecting, sending, reading): retried if it may be.
    transport_errors: tuple[type[Exception], ...]
    # The transport errors that are timeouts, raised as APITimeoutError.
    timeout_errors: tuple[type[Exception], ...]
    # What reading a response body can raise: a transport error, or a stream already closed.
    read_errors: tuple[type[Exception], ...]


def _describe(module: Any) -> HTTPPackage:
    return HTTPPackage(
        client_class=module.Client,
        async_client_class=module.AsyncClient,
        timeout_class=module.Timeout,
        timeout_types=(httpx.Timeout,) if module is httpx else (httpx.Timeout, module.Timeout),
        headers_class=module.Headers,
        transport_errors=(module.TransportError,),
        timeout_errors=(module.TimeoutException,),
        read_errors=(module.TransportError, module.StreamError),
    )


HTTPX = _describe(httpx)


def package_of(http_client: object) -> HTTPPackage | None:
    """The known package that `http_client`'s class (or a base class of it) comes from.

    None for an object of no known package; whether it is the right client class of its
    package (sync or async) is for the caller to check.
    """
    for cls in type(http_client).__mro__:
        name = cls.__module__.partition(".")[0]
        if name == "httpx":
            return HTTPX
        if name in KNOWN_PACKAGES:  # imported, since one of its classes exists
            return _describe(sys.modules[name])
    return None
