"""Response models (msgspec Structs) and request parameter TypedDicts."""

from __future__ import annotations

from .completion_usage import CompletionUsage
from .status import AIStatus

__all__ = ["AIStatus", "CompletionUsage"]
