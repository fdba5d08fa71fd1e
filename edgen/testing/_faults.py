"""Fault specifications: ``key=value;...`` strings parsed into :class:`Fault`."""

from __future__ import annotations

from typing import Annotated

import msgspec

_Count = Annotated[int, msgspec.Meta(ge=0)]


class FaultSpecError(ValueError):
    """Raised for a fault spec that cannot be parsed."""


# The keys of a spec such as "status=429;retry_after=1;times=2;key=a":
# - status=<code>: that status, with the dialect's error body; with retry_after=<s>
#   (Retry-After), retry_after_ms=<n> (retry-after-ms), kind=<Edgen error kind> (a
#   tagged JSON error, status 500 by default) or body=<text> (verbatim; it comes last,
#   as it may contain ";").
# - times=<n>;key=<k> (header form): only the first n requests with that key get it.
# - stall=<seconds>: wait before answering.
# - drop_after=<n>: close the connection after n SSE events (or body bytes).
# - malformed_after=<n>: insert `data: {"id": broken` after n events.
# - error_event_after=<n>: end the stream with an in-band {"error": ...} event.
# - close: close the connection without a response.


class Fault(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """One fault to inject into a response (its keys are listed in this module)."""

    status: Annotated[int, msgspec.Meta(ge=100, le=999)] | None = None
    retry_after: str | None = None
    retry_after_ms: _Count | None = None
    body: str | None = None
    kind: str | None = None
    stall: Annotated[float, msgspec.Meta(ge=0)] = 0.0
    drop_after: _Count | None = None
    malformed_after: _Count | None = None
    error_event_after: _Count | None = None
    close: bool = False
    times: Annotated[int, msgspec.Meta(ge=1)] | None = None
    key: str | None = None

    @classmethod
    def parse(cls, spec: str) -> Fault:
        """Parse a spec such as ``"status=429;retry_after=1;times=2;key=a"``."""
        values: dict[str, str] = {}
        rest = spec.strip()
        while rest:
            if rest.startswith("body="):
                values["body"] = rest[5:]
                break
            item, _, rest = rest.partition(";")
            rest = rest.lstrip()
            name, eq, value = item.partition("=")
            name = name.strip().lower().replace("-", "_")
            if not eq and name != "close":
                raise FaultSpecError(f"fault item {item!r} has no '=' (spec {spec!r})")
            values[name] = value.strip() if eq else "true"
        try:
            return msgspec.convert(values, cls, strict=False)
        except msgspec.ValidationError as exc:
            raise FaultSpecError(f"{exc} (spec {spec!r})") from None

    @property
    def is_error(self) -> bool:
        """True when the fault replaces the response with an error response."""
        return self.status is not None or self.kind is not None or self.body is not None
