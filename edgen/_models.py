# Response models: msgspec Structs with the pydantic-style helpers users expect.
#
# A field declared `name: T | None = None` is *tracked*: stored as `name_` (wire name
# `name`, default msgspec.UNSET) and used through a property that turns UNSET into None.
# So `null` and an absent key both read as None, but only `null` is in model_fields_set,
# and msgspec.json.encode() gives the exclude_unset=True JSON. Assigning to the property
# (None included) marks the field as set, as in pydantic; `del` makes it unset again.
# Classes declared with `track_unset=False` keep plain defaults (for bulky leaf types
# such as log-probabilities).

from __future__ import annotations

import sys
from collections.abc import Iterator, Mapping
from operator import attrgetter
from typing import Any, ClassVar, TypeVar, Union, get_origin

import msgspec
from msgspec import UNSET, UnsetType

_M = TypeVar("_M", bound="BaseModel")

IncEx = Union[set[int], set[str], dict[int, Any], dict[str, Any], None]


def _tracked_property(attr: str) -> property:
    # The public face of a tracked field whose value is stored in the slot `attr`.
    get = attrgetter(attr)  # the read is the hot path: keep it one C call

    def fget(self: Any) -> Any:
        value = get(self)
        return None if value is UNSET else value

    def fset(self: Any, value: Any) -> None:
        setattr(self, attr, value)  # unchecked, as Struct fields and pydantic's are

    def fdel(self: Any) -> None:
        setattr(self, attr, UNSET)

    return property(fget, fset, fdel)


def _is_classvar(hint: Any, scopes: tuple[Mapping[str, Any], ...]) -> bool:
    # Whether an annotation declares a class variable rather than a field. Under
    # `from __future__ import annotations` it is a string; then only its outermost name,
    # before any `[`, is looked up (`ClassVar`, `typing.ClassVar`, an alias), as the
    # arguments may name classes that do not exist yet. `str | None` names nothing.
    if isinstance(hint, str):
        first, *rest = hint.partition("[")[0].strip().split(".")
        hint = next((scope[first] for scope in scopes if first in scope), None)
        for attr in rest:
            hint = getattr(hint, attr, None)
    return hint is ClassVar or get_origin(hint) is ClassVar


class _ModelMeta(msgspec.StructMeta):
    # Per model class, for its constructor: storage name -> wire name of each renamed
    # field (to refuse the storage names), and the reverse.
    _storage_names: dict[str, str]
    _init_renames: dict[str, str]

    def __new__(
        mcls,
        name: str,
        bases: tuple[type, ...],
        ns: dict[str, Any],
        track_unset: bool = True,
        **kwargs: Any,
    ) -> Any:
        module = sys.modules.get(ns.get("__module__", ""))
        scopes = (ns, vars(module) if module is not None else {})  # where its names resolve
        annotations: dict[str, Any] = {}  # in declared order, which is the wire order
        for field, hint in ns.get("__annotations__", {}).items():
            if track_unset and ns.get(field, ...) is None and not _is_classvar(hint, scopes):
                attr = field + "_"
                annotations[attr] = Union[hint, UnsetType]
                ns[attr] = msgspec.field(default=UNSET, name=field)
                ns[field] = _tracked_property(attr)
            else:
                annotations[field] = hint
        ns["__annotations__"] = annotations
        cls: Any = super().__new__(mcls, name, bases, ns, **kwargs)
        fields = zip(cls.__struct_fields__, cls.__struct_encode_fields__)
        cls._storage_names = {attr: wire for attr, wire in fields if attr != wire}
        cls._init_renames = {wire: attr for attr, wire in cls._storage_names.items()}
        return cls

    def __call__(cls, *args: Any, **kwargs: Any) -> Any:
        # Constructors take the wire names (`Delta(content="x")`), as pydantic's do, and
        # only those: `content_=` would reach past the property. Decoding and unpickling
        # (positional) need no renaming.
        renames = cls._init_renames
        if renames and kwargs:
            stored: dict[str, Any] = {}
            for key, value in kwargs.items():
                if key in cls._storage_names:
                    raise TypeError(
                        f"{cls.__name__}() got an unexpected keyword argument {key!r}; "
                        f"use {cls._storage_names[key]}="
                    )
                stored[renames.get(key, key)] = value
            kwargs = stored
        return super().__call__(*args, **kwargs)


class BaseModel(msgspec.Struct, metaclass=_ModelMeta, kw_only=True):
    """Base of every response type."""

    @property
    def model_fields_set(self) -> set[str]:
        """Names of the fields the server actually sent (null included)."""
        return {wire for wire, _ in _sent(self)}

    @classmethod
    def model_fields_names(cls) -> tuple[str, ...]:
        """All field names, as on the wire."""
        return cls.__struct_encode_fields__

    def model_dump(
        self,
        *,
        mode: str = "python",
        include: IncEx = None,
        exclude: IncEx = None,
        by_alias: bool = False,
        exclude_unset: bool = False,
        exclude_defaults: bool = False,
        exclude_none: bool = False,
        round_trip: bool = False,
        warnings: bool | str = True,
    ) -> dict[str, Any]:
        """The model as plain dicts and lists (JSON-compatible in either mode)."""
        # exclude_defaults drops the None fields: every optional field defaults to None.
        if mode not in ("python", "json"):
            raise ValueError(f"mode must be 'python' or 'json', not {mode!r}")
        data: dict[str, Any] = msgspec.to_builtins(self if exclude_unset else _filled(self))
        if exclude_none or exclude_defaults:
            data = _drop_none(data)
        if include is not None or exclude is not None:
            data = _select(data, include, exclude)
        return data

    def model_dump_json(
        self,
        *,
        indent: int | None = None,
        include: IncEx = None,
        exclude: IncEx = None,
        by_alias: bool = False,
        exclude_unset: bool = False,
        exclude_defaults: bool = False,
        exclude_none: bool = False,
        round_trip: bool = False,
        warnings: bool | str = True,
    ) -> str:
        """The model as a JSON string; `indent` pretty-prints."""
        if exclude_defaults or exclude_none or include is not None or exclude is not None:
            data: Any = self.model_dump(
                include=include,
                exclude=exclude,
                exclude_unset=exclude_unset,
                exclude_none=exclude_none or exclude_defaults,
            )
        else:  # encoded natively: UNSET is left out, _filled() makes it null
            data = self if exclude_unset else _filled(self)
        raw = msgspec.json.encode(data)
        if indent is not None:
            raw = msgspec.json.format(raw, indent=indent)
        return raw.decode()

    def to_dict(
        self,
        *,
        mode: str = "python",
        use_api_names: bool = True,
        exclude_unset: bool = True,
        exclude_defaults: bool = False,
        exclude_none: bool = False,
        warnings: bool = True,
    ) -> dict[str, Any]:
        """Like `model_dump`, but leaves out fields the server did not send."""
        return self.model_dump(
            mode=mode,
            exclude_unset=exclude_unset,
            exclude_defaults=exclude_defaults,
            exclude_none=exclude_none,
        )

    def to_json(
        self,
        *,
        indent: int | None = 2,
        use_api_names: bool = True,
        exclude_unset: bool = True,
        exclude_defaults: bool = False,
        exclude_none: bool = False,
        warnings: bool = True,
    ) -> str:
        """Like `model_dump_json`, pretty-printed and without unsent fields by default."""
        return self.model_dump_json(
            indent=indent,
            exclude_unset=exclude_unset,
            exclude_defaults=exclude_defaults,
            exclude_none=exclude_none,
        )

    @classmethod
    def model_validate(cls: type[_M], obj: Any) -> _M:
        """Build the model from a wire-named dict; `msgspec.ValidationError` if it does not fit."""
        if isinstance(obj, cls):
            return obj
        return msgspec.convert(obj, cls)

    @classmethod
    def model_validate_json(cls: type[_M], data: str | bytes) -> _M:
        """Decode JSON text straight into the model."""
        return msgspec.json.decode(data, type=cls)

    @classmethod
    def construct(cls: type[_M], **values: Any) -> _M:
        """Build the model from wire-named keyword arguments, validating types."""
        return msgspec.convert(values, cls)

    model_construct = construct

    def __repr__(self) -> str:
        parts = [f"{wire}={value!r}" for wire, value in _sent(self)]
        return f"{type(self).__name__}({', '.join(parts)})"

    def __rich_repr__(self) -> Any:  # pragma: no cover - only for rich users
        yield from self.to_dict().items()


def _sent(model: BaseModel) -> Iterator[tuple[str, Any]]:
    # (wire name, value) of each field that is not UNSET
    cls = type(model)
    for attr, wire in zip(cls.__struct_fields__, cls.__struct_encode_fields__):
        value = getattr(model, attr)
        if value is not UNSET:
            yield wire, value


# Per class: (attribute, wire name, whether models to fill may be inside) per field, or
# None when no tracked field is at or below the class.
_PLANS: dict[type[Any], tuple[tuple[str, str, bool], ...] | None] = {}


def _plan(cls: type[BaseModel]) -> tuple[tuple[str, str, bool], ...] | None:
    if cls in _PLANS:
        return _PLANS[cls]
    _PLANS[cls] = None  # cycle guard while computing
    fields = []
    needed = False
    for info in msgspec.structs.fields(cls):
        nested = any(_plan(model) is not None for model in _models_in(info.type))
        if nested or info.default is UNSET:  # UNSET: a tracked field
            needed = True
        fields.append((info.name, info.encode_name, nested))
    plan = _PLANS[cls] = tuple(fields) if needed else None
    return plan


def _models_in(hint: Any) -> Iterator[type[BaseModel]]:
    # The model classes a resolved type names, however nested: `list[X] | None`, `Parsed[T]`.
    cls = getattr(hint, "__origin__", hint)
    if isinstance(cls, type) and issubclass(cls, BaseModel):
        yield cls
    for arg in getattr(hint, "__args__", ()):
        yield from _models_in(arg)


def _filled(value: Any) -> Any:
    # `value` with unset fields as None: models with tracked fields at or below become dicts.
    # Everything else stays as it is, for msgspec to encode natively.
    cls = type(value)
    if cls in _PLANS or issubclass(cls, BaseModel):  # the common case first
        plan = _PLANS[cls] if cls in _PLANS else _plan(cls)
        if plan is None:
            return value
        out: dict[str, Any] = {}
        for attr, wire, nested in plan:
            item = getattr(value, attr)
            out[wire] = None if item is UNSET else _filled(item) if nested else item
        return out
    if isinstance(value, (list, tuple)):
        return [_filled(item) for item in value]
    if isinstance(value, dict):
        return {key: _filled(item) for key, item in value.items()}
    return value


def _drop_none(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _drop_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_drop_none(v) for v in value]
    return value


def _select(value: Any, include: Any, exclude: Any) -> Any:
    # Apply pydantic-style include/exclude specs (sets, or dicts nesting further).
    if not isinstance(value, (dict, list)):
        return value
    items = value.items() if isinstance(value, dict) else enumerate(value)
    kept = {}
    for key, item in items:
        inc = _sub_spec(include, key)
        exc = _sub_spec(exclude, key)
        if inc is not False and exc is not True:
            kept[key] = _select(item, None if inc is True else inc, None if exc is False else exc)
    return kept if isinstance(value, dict) else list(kept.values())


def _sub_spec(spec: Any, key: Any) -> Any:
    # For one key: True (take whole), False (not named), or a nested spec.
    if spec is None:
        return None
    if isinstance(spec, (set, frozenset, list, tuple)):
        return key in spec or "__all__" in spec
    if isinstance(spec, dict):
        sub = spec.get(key, spec.get("__all__", False))
        return True if sub is ... else sub or False
    raise TypeError(f"include/exclude must be a set or dict, not {type(spec).__name__}")
