"""An emulator of the Edgen server for tests and benchmarks (stdlib + msgspec only).

``with EdgenEmulator() as server:`` point a client at ``server.url``; the request log is
``server.requests``. Faults come from the ``x-emulator-fault: <spec>`` header or
``server.inject(spec)`` (:class:`Fault` lists the keys); the README's emulator section has
the rest.
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
