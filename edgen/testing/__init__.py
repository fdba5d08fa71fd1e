"""An emulator of the Edgen server for tests and benchmarks (stdlib + msgspec only).

Point a client at ``server.url``; the request log is ``server.requests``::

    with EdgenEmulator(seed=1, tokens=5) as server:
        client = Edgen(base_url=server.url)

Faults are injected per request with the header ``x-emulator-fault: <spec>`` or queued
with ``server.inject(spec)``; :class:`Fault` lists the spec's keys. The headers
``x-emulator-tokens`` and ``x-emulator-token-delay`` set the token count and pacing of
one chat request. ``python -m edgen.testing --help`` runs it as a process.
"""

from ._emulator import EdgenEmulator, serve_forever
from ._records import RecordedRequest, UploadedFile
from ._routes import Fault, FaultSpecError

__all__ = [
    "EdgenEmulator",
    "Fault",
    "FaultSpecError",
    "RecordedRequest",
    "UploadedFile",
    "serve_forever",
]
