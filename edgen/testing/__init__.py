"""An Edgen server emulator for tests and benchmarks: ``with EdgenEmulator() as server:``."""

# Point a client at server.url; the request log is server.requests. Faults come from the
# `x-emulator-fault: <spec>` header or server.inject(spec) (see Fault); more in the README.

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
