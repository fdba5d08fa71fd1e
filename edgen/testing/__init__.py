"""An emulator of the Edgen server for tests and benchmarks (stdlib + msgspec only).

Start it around a test and point a client at ``server.url``::

    from edgen.testing import EdgenEmulator

    with EdgenEmulator(seed=1, tokens=5) as server:
        client = Edgen(base_url=server.url)
        ...
        assert server.requests[-1].json()["model"] == "default"

Fault injection
---------------
Per request with the header ``x-emulator-fault: <spec>``, or queued with
``server.inject(spec, times=1, path=None)``. A spec is ``key=value`` items joined
by ``;``:

``status=<code>``
    Reply with that status and a dialect-appropriate error body. Extras:
    ``retry_after=<s>`` (``Retry-After``), ``retry_after_ms=<n>`` (``retry-after-ms``),
    ``kind=<edgen error kind>`` (tagged JSON error, status 500 by default) and
    ``body=<text>`` (verbatim body; must come last, it may contain ``;``).
``times=<n>;key=<k>``
    Header form: only the first n requests carrying the same key get the fault.
``stall=<seconds>``
    Sleep before sending the response headers.
``drop_after=<n>``
    Close the connection after n SSE events (or n body bytes) without ending the body.
``malformed_after=<n>``
    Insert ``data: {"id": broken`` after n events.
``error_event_after=<n>``
    Send an in-band ``{"error": ...}`` event after n events and end the stream.
``close``
    Close the connection without any response.

Other request headers: ``x-emulator-tokens: N`` and ``x-emulator-token-delay: S``
override the token count and pacing of one chat request.

Run ``python -m edgen.testing --help`` for a standalone server.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._emulator import EdgenEmulator
    from ._faults import Fault, FaultSpecError
    from ._records import RecordedRequest, UploadedFile
    from ._serve import serve_forever

__all__ = [
    "EdgenEmulator",
    "Fault",
    "FaultSpecError",
    "RecordedRequest",
    "UploadedFile",
    "serve_forever",
]

_LAZY = {
    "EdgenEmulator": "._emulator",
    "Fault": "._faults",
    "FaultSpecError": "._faults",
    "RecordedRequest": "._records",
    "UploadedFile": "._records",
    "serve_forever": "._serve",
}


def __getattr__(name: str) -> Any:
    # Imported lazily so that `import edgen.testing` costs nothing until used.
    module_name = _LAZY.get(name)
    if module_name is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module_name, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
