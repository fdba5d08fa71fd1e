# Sentinels and aliases shared by the request side of the client.

from collections.abc import Mapping
from typing import Any, Literal, TypedDict, Union

import httpx


class NotGiven:
    """The type of `NOT_GIVEN`: an argument the caller did not pass (`None` is sent as `null`)."""

    def __bool__(self) -> Literal[False]:
        return False

    def __repr__(self) -> str:
        return "NOT_GIVEN"


NOT_GIVEN = NotGiven()

Timeout = Union[float, httpx.Timeout, None]


class RequestOptions(TypedDict, total=False):
    """Per-call options every endpoint method accepts besides its own parameters."""

    extra_headers: Mapping[str, str | NotGiven] | None
    extra_query: Mapping[str, object] | None
    extra_body: Mapping[str, object] | None
    timeout: Timeout | NotGiven


def must_be(name: str, value: Any, kind: type | tuple[type, ...], what: str = "a str") -> Any:
    # `value` if it is a `kind` (a bool is no number), else a TypeError naming `name`.
    if isinstance(value, kind) and (kind is bool or not isinstance(value, bool)):
        return value
    raise TypeError(f"{name} must be {what}, not {type(value).__name__}")
