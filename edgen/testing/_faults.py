"""Fault specifications: parsing of ``key=value;...`` strings into :class:`Fault`."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Fault", "FaultSpecError"]


class FaultSpecError(ValueError):
    """Raised for a fault spec that cannot be parsed."""


_INT_KEYS = frozenset(
    {"status", "retry_after_ms", "drop_after", "malformed_after", "error_event_after", "times"}
)
_FLOAT_KEYS = frozenset({"stall"})
_STR_KEYS = frozenset({"retry_after", "kind", "key"})


@dataclass(frozen=True)
class Fault:
    """One fault to inject into a response.

    Build it directly or with :meth:`parse` from the spec grammar
    ``key=value;key=value;...`` (see the package docstring for the keys).
    """

    status: int | None = None
    retry_after: str | None = None
    retry_after_ms: int | None = None
    body: str | None = None
    kind: str | None = None
    stall: float = 0.0
    drop_after: int | None = None
    malformed_after: int | None = None
    error_event_after: int | None = None
    close: bool = False
    times: int | None = None
    key: str | None = None

    @classmethod
    def parse(cls, spec: str) -> Fault:
        """Parse a spec string such as ``"status=429;retry_after=1;times=2;key=a"``.

        ``body=`` takes the rest of the spec verbatim (it may contain ``;``), so it
        must come last.
        """
        values: dict[str, object] = {}
        rest = spec.strip()
        while rest:
            if rest.startswith("body="):
                values["body"] = rest[5:]
                break
            item, _, rest = rest.partition(";")
            rest = rest.lstrip()
            item = item.strip()
            if not item:
                continue
            name, eq, raw = item.partition("=")
            name = name.strip().lower().replace("-", "_")
            raw = raw.strip()
            if name == "close":
                if eq and raw.lower() not in ("1", "true", "yes", ""):
                    values["close"] = False
                else:
                    values["close"] = True
                continue
            if not eq:
                raise FaultSpecError(f"fault item {item!r} has no '=' (spec {spec!r})")
            try:
                if name in _INT_KEYS:
                    values[name] = int(raw)
                elif name in _FLOAT_KEYS:
                    values[name] = float(raw)
                elif name in _STR_KEYS:
                    values[name] = raw
                else:
                    raise FaultSpecError(f"unknown fault key {name!r} (spec {spec!r})")
            except ValueError as exc:
                if isinstance(exc, FaultSpecError):
                    raise
                raise FaultSpecError(f"bad value for {name!r}: {raw!r} (spec {spec!r})") from None
        fault = cls(**values)  # type: ignore[arg-type]
        fault._check(spec)
        return fault

    def _check(self, spec: str) -> None:
        if self.status is not None and not 100 <= self.status <= 999:
            raise FaultSpecError(f"status out of range in {spec!r}")
        if self.times is not None and self.times < 1:
            raise FaultSpecError(f"times must be >= 1 in {spec!r}")
        for name in ("drop_after", "malformed_after", "error_event_after", "retry_after_ms"):
            value = getattr(self, name)
            if value is not None and value < 0:
                raise FaultSpecError(f"{name} must be >= 0 in {spec!r}")
        if self.stall < 0:
            raise FaultSpecError(f"stall must be >= 0 in {spec!r}")

    @property
    def is_error(self) -> bool:
        """True when the fault replaces the response with an error response."""
        return self.status is not None or self.kind is not None or self.body is not None
