# Typing names that moved between Python versions, and the constraints request parameters
# declare. A leaf module: it imports nothing of edgen's and no HTTP package, so
# `edgen.types` can use it without loading httpx.

from __future__ import annotations

import sys
from typing import Any

import msgspec

if sys.version_info >= (3, 11):
    from typing import NotRequired, Required, TypedDict
else:  # pragma: no cover - Python 3.10
    try:
        from typing_extensions import NotRequired, Required, TypedDict
    except ImportError:
        from typing import TypedDict

        # Without typing_extensions, `Required[X]` and `NotRequired[X]` are just `X`: the
        # TypedDicts still work at run time, only the per-key markers are lost.
        class _Marker:
            def __getitem__(self, item: Any) -> Any:
                return item

        NotRequired: Any = _Marker()  # type: ignore[no-redef]
        Required: Any = _Marker()  # type: ignore[no-redef]

# `Annotated[list[X], NonEmpty]`: a list that must have an item. Type checkers read it as
# `list[X]`; the check before sending (edgen/_validate.py) refuses an empty one.
NonEmpty = msgspec.Meta(min_length=1)

__all__ = ["NonEmpty", "NotRequired", "Required", "TypedDict"]
