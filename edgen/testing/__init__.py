"""An emulator of the Edgen server for tests and benchmarks (stdlib + msgspec only).

Start it around a test and point a client at ``server.url``::

    from edgen.testing import EdgenEmulator

    with EdgenEmulator(seed=1, tokens=5) as server:
        client = Edgen(base_url=server.url)
        ...
        assert server.requests[-1].json()["model"] == "default"

Faults are injected per request with the header ``x-emulator-fault: <spec>``, or queued
with ``server.inject(spec, times=1, path=None)``. A spec is ``key=value`` items joined
by ``;``:

- ``status=<code>``: that status with the dialect's error body; with ``retry_after=<s>``
  (``Retry-After``), ``retry_after_ms=<n>`` (``retry-after-ms``), ``kind=<edgen error
  kind>`` (a tagged JSON error, status 500 by default) or ``body=<text>`` (verbatim, last).
- ``times=<n>;key=<k>`` (header form): only the first n requests with that key fail.
- ``stall=<seconds>``: sleep before answering.
- ``drop_after=<n>``: close the connection after n SSE events (or body bytes).
- ``malformed_after=<n>``: insert ``data: {"id": broken`` after n events.
- ``error_event_after=<n>``: end the stream with an in-band ``{"error": ...}`` event.
- ``close``: close the connection without a response.

The headers ``x-emulator-tokens: N`` and ``x-emulator-token-delay: S`` set the token
count and pacing of one chat request. ``python -m edgen.testing --help`` runs it alone.
"""

from ._emulator import EdgenEmulator, serve_forever
from ._faults import Fault, FaultSpecError
from ._records import RecordedRequest, UploadedFile

__all__ = [
    "EdgenEmulator",
    "Fault",
    "FaultSpecError",
    "RecordedRequest",
    "UploadedFile",
    "serve_forever",
]
