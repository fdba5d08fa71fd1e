"""Typing names that moved between Python versions, without a hard dependency."""

from __future__ import annotations

import sys
from typing import Any

if sys.version_info >= (3, 11):
    from typing import NotRequired, Required, TypedDict
else:  # pragma: no cover - Python 3.10
    try:  # httpx's own dependencies bring typing_extensions on 3.10
        from typing_extensions import NotRequired, Required, TypedDict
    except ImportError:
        from typing import TypedDict

        class _Marker:
            def __getitem__(self, item: Any) -> Any:
                return item

        NotRequired: Any = _Marker()
        Required: Any = _Marker()

__all__ = ["NotRequired", "Required", "TypedDict"]
