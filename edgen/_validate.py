# Checks a call's parameters against the TypedDict that declares them, before anything is
# sent. msgspec does the checking, but it checks Structs, not TypedDicts (nor unions of
# several TypedDicts), so each TypedDict is translated into a Struct that says the same
# thing. That happens on a TypedDict's first use, not at import: cold start matters.
#
# What the translation keeps: str, int, float, bool, None, Literal, dict[K, V], lists
# (`Iterable[X]` is checked as a list of X: the body is JSON, so it must be one), unions,
# and `Annotated[..., msgspec.Meta(...)]` constraints (`min_length=1`: must not be empty).
# Anything else (a file, a UUID, a union msgspec cannot tell apart) is left to the
# endpoint's own code, as `Any`.

from __future__ import annotations

import functools
import re
import types
from collections.abc import Iterable, Mapping, Sequence
from typing import Annotated, Any, Literal, Union, get_args, get_origin, get_type_hints

import msgspec

from ._typing import NotRequired, Required

# Iterables that are not read into a list of items: lists and tuples already are one, and
# the rest are single values (iterating bytes would make token ids of them).
_NOT_ITERATED = (list, tuple, str, bytes, bytearray, memoryview, Mapping)


def check(method: str, params: type, body: dict[str, Any]) -> None:
    """Raise a TypeError or ValueError naming the first value of `body` that `params` refuses.

    A top-level one-shot iterable (a generator of messages, say) is replaced in `body` by a
    list of its items first, as it could be read only once. `body` itself is what is sent:
    the check builds a copy and throws it away.
    """
    struct, iterables = _checker(params)
    for name in iterables:
        value: Any = body.get(name)
        if not isinstance(value, _NOT_ITERATED) and hasattr(value, "__iter__"):
            body[name] = list(value)
    try:
        msgspec.convert(body, struct, strict=True)
    except msgspec.ValidationError as exc:
        raise _error(method, struct, body, str(exc)) from None
    except ValueError:
        # A number msgspec cannot read as one (a signalling-NaN Decimal): it is of the
        # declared kind, and the JSON body check refuses it, naming it.
        pass


# The Struct for `params`, and its keys declared as iterables.
@functools.cache
def _checker(params: type) -> tuple[type, tuple[str, ...]]:
    hints = _hints(params)
    iterables = tuple(name for name, hint in hints.items() if _takes_array(_unmarked(hint)))
    struct = _struct(params, careful=False)
    try:
        msgspec.json.Decoder(struct)  # msgspec keeps what it learns here for convert()
    except TypeError:
        # A union in it that msgspec cannot check (two str-like members, say): built again
        # trying each union on its own, which is slower, so only when the whole is refused.
        struct = _struct(params, careful=True)
    return struct, iterables


# A TypedDict's keys and their types, markers kept: several unions may name the same one.
@functools.cache
def _hints(td: type) -> dict[str, Any]:
    return get_type_hints(td, include_extras=True)


def _takes_array(tp: Any) -> bool:
    if get_origin(tp) in (Union, types.UnionType):
        return any(_takes_array(member) for member in get_args(tp))
    return _array_of(tp) is not None


def _is_typeddict(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, dict) and hasattr(tp, "__required_keys__")


def _unmarked(tp: Any) -> Any:
    # `Required[X]` and `NotRequired[X]` as X (they say whether a key may be left out).
    while get_origin(tp) in (Required, NotRequired):
        tp = get_args(tp)[0]
    return tp


# The item type of a list or an iterable, or None for any other type.
def _array_of(tp: Any) -> Any:
    if get_origin(tp) is Annotated:
        tp = get_args(tp)[0]
    if get_origin(tp) in (list, Iterable, Sequence):
        args = get_args(tp)
        return args[0] if args else Any
    return None


# A TypedDict as a Struct; in a union told apart by the key `tag_field`, its value `tag`
# is that key (a Literal in the TypedDict). `careful`: each union msgspec refuses is left
# unchecked (see _union).
@functools.cache
def _struct(
    td: type, tag_field: str | None = None, tag: str | None = None, careful: bool = False
) -> type:
    required = td.__required_keys__  # type: ignore[attr-defined]
    fields: list[tuple[str, Any] | tuple[str, Any, Any]] = []
    for name, hint in _hints(td).items():
        if name == tag_field:
            continue
        tp = _checkable(_unmarked(hint), careful)
        fields.append((name, tp) if name in required else (name, tp, msgspec.UNSET))
    return msgspec.defstruct(td.__name__, fields, kw_only=True, tag_field=tag_field, tag=tag)


# `tp` as a type msgspec can check, or Any.
def _checkable(tp: Any, careful: bool) -> Any:
    if tp is None or tp is type(None):
        return type(None)
    if tp in (str, int, float, bool, Any):
        return tp
    origin = get_origin(tp)
    if origin is Annotated:
        inner, *meta = get_args(tp)
        inner = _checkable(inner, careful)
        return Any if inner is Any else _annotated(inner, meta)
    if origin is Literal:
        return tp
    item = _array_of(tp)
    if item is not None:
        return list[_checkable(item, careful)]  # type: ignore[misc]
    if origin is dict:
        key, value = get_args(tp)
        return dict[_checkable(key, careful), _checkable(value, careful)]  # type: ignore[misc]
    if _is_typeddict(tp):
        return _struct(tp, careful=careful)
    if origin in (Union, types.UnionType):
        return _union(get_args(tp), careful)
    return Any


def _union(members: tuple[Any, ...], careful: bool) -> Any:
    typeddicts = [m for m in members if _is_typeddict(m)]
    tag_field = _shared_tag(typeddicts) if len(typeddicts) > 1 else None
    checkable = []
    for member in members:
        if tag_field is not None and member in typeddicts:
            tag = get_args(_unmarked(_hints(member)[tag_field]))[0]
            checkable.append(_struct(member, tag_field, tag, careful=careful))
        else:
            checkable.append(_checkable(member, careful))
    if Any in checkable:
        return Any
    arrays = [t for t in checkable if _array_of(t) is not None]
    if len(arrays) > 1:
        # msgspec takes one list type per union: a list of any of their items (the
        # endpoint checks more if it must, e.g. embeddings' "all of one kind").
        checkable = [t for t in checkable if t not in arrays] + [_merged(arrays, careful)]
    union: Any = Union[tuple(checkable)]
    return _if_supported(union) if careful else union


def _merged(arrays: list[Any], careful: bool) -> Any:
    items: Any = Union[tuple(_array_of(t) for t in arrays)]
    if careful:
        items = _if_supported(items)
    merged: Any = list[items]
    metas = {get_args(t)[1:] if get_origin(t) is Annotated else () for t in arrays}
    if len(metas) == 1:  # one constraint for all of them (or none): it holds for the merge
        return _annotated(merged, metas.pop())
    return merged


def _annotated(tp: Any, metadata: Iterable[Any]) -> Any:
    for meta in metadata:  # Annotated[Annotated[X, a], b] is Annotated[X, a, b]
        tp = Annotated[tp, meta]
    return tp


def _if_supported(tp: Any) -> Any:
    # A union msgspec cannot check (two str-like members, say) is left unchecked.
    try:
        msgspec.json.Decoder(tp)
    except TypeError:
        return Any
    return tp


# The key every TypedDict of a union has as a distinct one-value str Literal, if any.
def _shared_tag(typeddicts: list[type]) -> str | None:
    hints = [_hints(td) for td in typeddicts]
    for name in hints[0]:
        values = []
        for td, hint in zip(typeddicts, hints):
            tp = _unmarked(hint.get(name))
            args = get_args(tp)
            if get_origin(tp) is not Literal or len(args) != 1 or not isinstance(args[0], str):
                break
            if name not in td.__required_keys__:  # type: ignore[attr-defined]
                break
            values.append(args[0])
        else:
            if len(set(values)) == len(values):
                return name
    return None


# -- errors ------------------------------------------------------------------------------
# msgspec says "Expected `float | null`, got `str` - at `$.temperature`"; the caller gets
# "create(): temperature must be a number or None, not str", with the path in Python.

# Patterns as strings, compiled (and cached by `re`) only when an error is raised.
_WHERE = r"(?s)(.*) - at `(key` in `)?\$(.*)`"
_STEP = r"\.([^.\[]+)|\[(\d+)\]|\[\.\.\.\]"
_NAMES = {
    "str": "a str",
    "int": "an int",
    "float": "a number",
    "bool": "a bool",
    "null": "None",
    "array": "a list",
    "object": "a dict",
}


def _error(method: str, struct: type, body: Mapping[str, Any], message: str) -> Exception:
    match = re.fullmatch(_WHERE, message)
    if match is None:
        return ValueError(f"{method}(): {message}")
    problem, in_key, path = match.groups()
    keys: list[Any] = [
        name or (int(index) if index else ...) for name, index in re.findall(_STEP, path)
    ]
    where = _python_path(keys)
    if in_key:
        where = f"a key of {where}"
    found, value = _value_at(body, keys)
    typed = re.fullmatch(r"Expected `([^`]*)`, got `([^`]*)`", problem)
    if typed is not None:
        got = type(value).__name__ if found and not in_key else typed[2]
        return TypeError(f"{method}(): {where} must be {_expected(typed[1])}, not {got}")
    if re.fullmatch(r"Expected `array` of length >= 1", problem):
        return ValueError(f"{method}(): {where} must not be empty")
    bounded = re.fullmatch(r"Expected `([^`]*)` (.*)", problem)
    if bounded is not None:
        got = f", got {value!r}" if found else ""
        return ValueError(f"{method}(): {where} must be {_expected(bounded[1])} {bounded[2]}{got}")
    missing = re.fullmatch(r"Object missing required field `(.*)`", problem)
    if missing is not None:
        return ValueError(f"{method}(): {where} has no {missing[1]!r}")
    if problem.startswith(("Invalid value", "Invalid enum value")):
        import msgspec.inspect

        choices = _choices(msgspec.inspect.type_info(struct), keys)
        allowed = f"one of {', '.join(map(repr, choices))}" if choices else "another value"
        return ValueError(f"{method}(): {where} must be {allowed}, got {value!r}")
    return ValueError(f"{method}(): {where}: {problem}")


def _python_path(keys: list[Any]) -> str:
    # A top-level key bare, then indexing as Python writes it: messages[0]['content'].
    path = str(keys[0]) if keys else "the arguments"
    for key in keys[1:]:
        path += "[...]" if key is ... else f"[{key!r}]"
    return path


def _value_at(body: Any, keys: list[Any]) -> tuple[bool, Any]:
    value = body
    for key in keys:
        try:
            value = value[key]
        except (LookupError, TypeError):  # `...`: one of a dict's values, unknown which
            return False, None
    return True, value


def _expected(names: str) -> str:
    words = [_NAMES.get(name, name) for name in names.split(" | ")]
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} or {words[-1]}"


# The values allowed at `keys` in a type msgspec.inspect describes, if it is a choice.
def _choices(info: Any, keys: list[Any]) -> list[Any]:
    import msgspec.inspect as mi

    members = _members(info)
    if not keys:
        return [v for m in members if isinstance(m, mi.LiteralType) for v in m.values]
    key, rest = keys[0], keys[1:]
    tags = [m.tag for m in members if isinstance(m, mi.StructType) and m.tag_field == key]
    if tags and not rest:
        return tags
    for member in members:  # in a union, the first member that has choices there
        inner = []
        if isinstance(member, mi.StructType):
            inner = [f.type for f in member.fields if f.name == key]
        elif isinstance(member, mi.ListType) and isinstance(key, int):
            inner = [member.item_type]
        elif isinstance(member, mi.DictType) and key is ...:
            inner = [member.value_type]
        for tp in inner:
            choices = _choices(tp, rest)
            if choices:
                return choices
    return []


def _members(info: Any) -> list[Any]:
    import msgspec.inspect as mi

    while isinstance(info, mi.Metadata):
        info = info.type
    if isinstance(info, mi.UnionType):
        return [m for t in info.types for m in _members(t)]
    return [info]
