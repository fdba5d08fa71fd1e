"""Sentinels and aliases shared by the request side of the client."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal, TypeVar, Union

import httpx

if TYPE_CHECKING:
    from typing_extensions import TypedDict
else:
    from typing import TypedDict

__all__ = [
    "NOT_GIVEN",
    "NotGiven",
    "Headers",
    "Query",
    "Body",
    "Timeout",
    "RequestOptions",
]


class NotGiven:
    """The type of `NOT_GIVEN`: an argument the caller did not pass.

    Distinct from `None`, which is sent to the server as JSON `null`.
    """

    __slots__ = ()

    def __bool__(self) -> Literal[False]:
        return False

    def __repr__(self) -> str:
        return "NOT_GIVEN"


NOT_GIVEN = NotGiven()

_T = TypeVar("_T")

Headers = Mapping[str, Union[str, "NotGiven"]]
Query = Mapping[str, object]
Body = Mapping[str, object]
Timeout = Union[float, httpx.Timeout, None]


class RequestOptions(TypedDict, total=False):
    """Per-call options every endpoint method accepts besides its own parameters."""

    extra_headers: Headers | None
    extra_query: Query | None
    extra_body: Body | None
    timeout: Timeout | NotGiven


Omit = Any  # kept for signature parity with openai-style code that imports it
