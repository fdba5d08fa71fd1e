# Sentinels and aliases shared by the request side of the client.

import math
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any, Literal, TypedDict, Union

import httpx
import msgspec


class NotGiven:
    """The type of `NOT_GIVEN`: an argument the caller did not pass (`None` is sent as `null`)."""

    def __bool__(self) -> Literal[False]:
        return False

    def __repr__(self) -> str:
        return "NOT_GIVEN"


NOT_GIVEN = NotGiven()

Timeout = Union[float, httpx.Timeout, None]

# The largest server-sent event a stream accepts unless the client says otherwise (the
# client's default lives here, not beside the SSE decoder, which it imports only to stream).
DEFAULT_MAX_EVENT_SIZE = 16 * 1024 * 1024

# UTF-8's byte order mark, which may open an event stream or a JSON body: both are read
# as if it were not there (_sse.py, _pipeline.py).
UTF8_BOM = b"\xef\xbb\xbf"


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


# -- JSON request bodies -------------------------------------------------------------
# msgspec writes a NaN or infinite float as `null` and bytes as base64 text, so the server
# would get something other than what was passed. Such bodies are refused before sending,
# on every JSON endpoint, by `json_body`. Dict keys are not looked at: bodies have str keys,
# or int ones (logit_bias), which JSON writes as text anyway.

# A finite Decimal is sent as a JSON number with its exact digits ("0.70" -> 0.70), not as
# a string; a non-finite one is refused like a float.
_JSON = msgspec.json.Encoder(decimal_format="number")

# Kept as they are by `msgspec.to_builtins` (not turned into str), so they can be checked.
_CHECKED_TYPES = (bytes, bytearray, memoryview, Decimal)


def json_body(body: Mapping[str, Any]) -> bytes:
    """`body` as JSON, or an error naming the first value that JSON cannot carry as passed."""
    try:
        content = _JSON.encode(body)
    except (TypeError, msgspec.EncodeError) as exc:
        raise TypeError(f"request body is not JSON-serializable: {exc}") from None
    except ValueError:
        # msgspec refuses a non-finite Decimal without saying where. `_refusal` walks in
        # msgspec's order, so it meets that Decimal before any cycle further on.
        refusal = _refusal(body, "")
        if refusal is not None:
            raise refusal from None
        raise
    # Encoding worked, so `body` has no cycles and the quick scan ends. It is only a
    # filter: anything it does not know is looked at again, slowly and exactly.
    if not _only_plain_values(body):
        refusal = _refusal(body, "")
        if refusal is not None:
            raise refusal
    return content


def _only_plain_values(body: Mapping[str, Any]) -> bool:
    # True if `body` holds nothing but str, int, bool, None, finite floats and dicts,
    # lists and tuples of them: the common case, checked with exact types for speed.
    # False says "look closer", not "refuse" (a Decimal, a Struct or a UUID are fine).
    if type(body) is not dict:
        return False
    pending: list[Iterable[Any]] = [body.values()]
    for values in pending:  # containers found on the way are appended, and visited too
        for value in values:
            kind = type(value)
            if kind is str:  # first: most values are str (message contents, roles, names)
                continue
            if kind is dict:
                pending.append(value.values())
            elif kind is list or kind is tuple:
                pending.append(value)
            elif kind is float:
                if not math.isfinite(value):
                    return False
            elif kind is int or kind is bool or value is None:
                continue
            elif isinstance(value, dict):  # a dict subclass, such as a function_tool()
                pending.append(value.values())
            else:
                return False
    return True


def _refusal(value: Any, where: str) -> Exception | None:
    # The error for the first value in `value` (at path `where`, "" for the body itself)
    # that msgspec would change silently, else None. Builds the path as it goes, so only
    # runs once the quick scan has found something unusual.
    if isinstance(value, (str, int)) or value is None:  # also bool, and str or int enums
        return None
    if isinstance(value, (float, Decimal)):
        finite = math.isfinite(value) if isinstance(value, float) else value.is_finite()
        return None if finite else ValueError(f"{where} must be a finite number, got {value!r}")
    if isinstance(value, (bytes, bytearray, memoryview)):
        return TypeError(
            f"{where} is {type(value).__name__}, but JSON has no bytes: "
            "decode it to a str, or base64-encode it yourself"
        )
    if isinstance(value, dict):
        for key, item in value.items():
            # Paths read as Python: a top-level key bare, then indexing with repr().
            inner = key if not where and isinstance(key, str) else f"{where}[{key!r}]"
            refusal = _refusal(item, inner)
            if refusal is not None:
                return refusal
        return None
    if isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            refusal = _refusal(item, f"{where}[{index}]")
            if refusal is not None:
                return refusal
        return None
    if isinstance(value, (set, frozenset)):  # sent as an array, but has no indexes
        for item in value:
            refusal = _refusal(item, f"an item of {where}")
            if refusal is not None:
                return refusal
        return None
    # Anything else msgspec encodes (a Struct, a dataclass, an enum, a UUID, a datetime...)
    # is checked as the dicts, lists and scalars it is written as.
    try:
        written = msgspec.to_builtins(value, builtin_types=_CHECKED_TYPES)
    except (TypeError, msgspec.EncodeError):
        return None  # not ours to judge: msgspec encoded it (e.g. msgspec.Raw)
    return _refusal(written, where)


# -- multipart form fields -----------------------------------------------------------
# An upload's `extra_body` values become text fields of the form. Each must have one text
# the server reads back as meant: a str as it is, a bool as "true"/"false" (as the server
# parses booleans), an int, a finite float or a finite Decimal as its digits. Anything else
# (None, bytes, a dict, NaN) is refused rather than sent as "", "b'...'" or "nan".
def form_data(fields: Mapping[str, Any]) -> dict[str, str]:
    """`fields` as the text fields of a multipart form, or an error naming the first bad one."""
    return {name: _form_text(name, value) for name, value in fields.items()}


def _form_text(name: str, value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(int(value))  # int(): an IntEnum's value, not its name
    if isinstance(value, (float, Decimal)):
        finite = math.isfinite(value) if isinstance(value, float) else value.is_finite()
        if not finite:
            raise ValueError(f"extra_body[{name!r}] must be a finite number, got {value!r}")
        return repr(float(value)) if isinstance(value, float) else str(value)
    raise TypeError(
        f"extra_body[{name!r}] is {type(value).__name__}, but a form field is text: "
        "pass a str, int, float or bool"
    )
