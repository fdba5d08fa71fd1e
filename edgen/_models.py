# Response models: msgspec Structs with the pydantic-style helpers users expect.
#
# A field declared `name: T | None = None` is *tracked*: stored as `name_` (wire name
# `name`, default msgspec.UNSET) and used through a property that turns UNSET into None.
# So `null` and an absent key both read as None, but only `null` is in model_fields_set,
# and msgspec.json.encode() gives the exclude_unset=True JSON. Assigning to the property
# (None included) marks the field as set, as in pydantic; `del` makes it unset again.
# Classes declared with `track_unset=False` keep plain defaults (for bulky leaf types
# such as log-probabilities).
#
# Fields a model does not declare (servers' extensions, e.g. llama.cpp's `timings`) are
# kept, as pydantic's extra="allow" keeps them: in the instance's __dict__, so they read
# as attributes, and in model_extra / model_dump(). Decoding stays one msgspec call that
# refuses unknown fields; only when that refusal happens does `decode_keeping_extras` take
# the slower path that splits known keys from unknown ones at every level.

from __future__ import annotations

import copy
import functools
import sys
import types
from collections.abc import Callable, Iterator, Mapping
from operator import attrgetter
from typing import Any, ClassVar, Generic, TypeVar, Union, get_args, get_origin

import msgspec
from msgspec import UNSET, UnsetType

_M = TypeVar("_M", bound="BaseModel")
_T = TypeVar("_T")

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


class FieldInfo(msgspec.Struct, frozen=True):
    """One field of a model, as `Model.model_fields` lists it (pydantic's FieldInfo, in short)."""

    annotation: Any
    default: Any = msgspec.NODEFAULT
    """The default value; msgspec.NODEFAULT for a required field or one with a factory."""
    default_factory: Callable[[], Any] | None = None

    def is_required(self) -> bool:
        return self.default is msgspec.NODEFAULT and self.default_factory is None


class _ModelFields:
    # `model_fields` on the class and on its instances, as pydantic offers it.
    def __get__(self, obj: object, owner: type[BaseModel]) -> dict[str, FieldInfo]:
        return _fields_info(owner)


# forbid_unknown_fields: an unknown key makes the one-call decode fail, which is how
# decode_keeping_extras learns it must keep extras. dict=True: room for those extras.
class BaseModel(
    msgspec.Struct, metaclass=_ModelMeta, kw_only=True, forbid_unknown_fields=True, dict=True
):
    """Base of every response type."""

    model_fields = _ModelFields()
    """Field name (as on the wire) -> FieldInfo."""

    # Set in the instance's __dict__ (beside the extras, which leave it out) on the model a
    # whole response decodes to, when the answer has the header; None elsewhere.
    _request_id: ClassVar[str | None] = None
    """The answer's `x-request-id` header, on the top-level model only (None without it)."""

    @property
    def model_fields_set(self) -> set[str]:
        """Names of the fields the server actually sent (null included), extras too."""
        return {wire for wire, _ in _sent(self)} | _extras(self).keys()

    @property
    def model_extra(self) -> dict[str, Any]:
        """The fields the server sent that the model does not declare (pydantic's meaning)."""
        return _extras(self)

    def model_copy(self: _M, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> _M:
        """A copy; `update` values replace fields unvalidated; `deep` copies nested values too."""
        copied = copy.deepcopy(self) if deep else copy.copy(self)
        if update:
            cls = type(self)
            declared = cls.__struct_encode_fields__
            unknown = {key: value for key, value in update.items() if key not in declared}
            for key, value in update.items():
                if key in declared:  # into the stored slot, so a tracked field counts as set
                    setattr(copied, cls._init_renames.get(key, key), value)
            if unknown:
                _keep_extra(copied, unknown)
        return copied

    @classmethod
    def model_json_schema(
        cls,
        by_alias: bool = True,
        ref_template: str = "#/$defs/{model}",
        mode: str = "validation",
    ) -> dict[str, Any]:
        """The JSON schema of the model (from msgspec), with the root inlined as pydantic does."""
        template = ref_template.replace("{model}", "{name}")
        (root,), defs = msgspec.json.schema_components((cls,), ref_template=template)
        for schema in defs.values():  # extensions are accepted, so say so
            if schema.get("additionalProperties") is False:
                del schema["additionalProperties"]
        name = next(name for name in defs if template.format(name=name) == root["$ref"])
        root = defs.pop(name)
        if defs:
            root["$defs"] = defs
        return root  # type: ignore[no-any-return]

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
        data: dict[str, Any] = msgspec.to_builtins(_filled(self, not exclude_unset))
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
            data = _filled(self, not exclude_unset)
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
        return convert_keeping_extras(obj, cls)

    @classmethod
    def model_validate_json(cls: type[_M], data: str | bytes) -> _M:
        """Decode JSON text straight into the model."""
        return decoder_for(cls).decode(data)

    @classmethod
    def construct(cls: type[_M], **values: Any) -> _M:
        """Build the model from wire-named keyword arguments, validating types."""
        return convert_keeping_extras(values, cls)

    model_construct = construct

    def __repr__(self) -> str:
        parts = [f"{wire}={value!r}" for wire, value in _sent(self)]
        parts += [f"{key}={value!r}" for key, value in _extras(self).items()]
        return f"{type(self).__name__}({', '.join(parts)})"

    # msgspec's copy and pickle carry the fields only; the extras come along as the state.
    def __copy__(self: _M) -> _M:
        copied = msgspec.structs.replace(self)
        if type(self) in _EXTRA_CLASSES:  # none elsewhere: skip allocating an empty __dict__
            copied.__dict__.update(self.__dict__)
        return copied

    def __reduce__(self) -> Any:
        reduced = super().__reduce__()
        if type(self) in _EXTRA_CLASSES and self.__dict__:
            return (*reduced, self.__dict__)
        return reduced

    # The same fields as __repr__, each value as it is, so rich shows a nested model (a
    # `parsed` answer, say) as its own type rather than as a dict.
    def __rich_repr__(self) -> list[tuple[str, Any]]:
        return [*_sent(self), *self.__dict__.items()]


def set_request_id(model: BaseModel, request_id: str) -> None:
    model.__dict__[_REQUEST_ID] = request_id


_REQUEST_ID = "_request_id"


# The instance's __dict__ is its extras, unless it also holds the request id (then a copy
# without it: only top-level models have one, and few of those have extras).
def _extras(model: BaseModel) -> dict[str, Any]:
    stored = model.__dict__
    if _REQUEST_ID in stored:
        return {key: value for key, value in stored.items() if key != _REQUEST_ID}
    return stored


def _sent(model: BaseModel) -> Iterator[tuple[str, Any]]:
    # (wire name, value) of each field that is not UNSET
    cls = type(model)
    for attr, wire in zip(cls.__struct_fields__, cls.__struct_encode_fields__):
        value = getattr(model, attr)
        if value is not UNSET:
            yield wire, value


# The model classes whose instances have been given extras. Only these, and the classes
# that can hold them, are walked by model_dump(): one msgspec call dumps the rest.
_EXTRA_CLASSES: set[type[Any]] = set()

# Per (class, whether to fill unset fields with None, how many classes had extras then):
# (attribute, wire name, whether models to walk may be inside) per field, or None when
# msgspec can dump the class as it is: no tracked field to fill, and no extras, at or below
# it. The count is part of the key, so a class that gets extras later makes new plans
# without clearing the ones other threads may be reading.
_Plan = Union[tuple[tuple[str, str, bool], ...], None]
_PLANS: dict[tuple[type[Any], bool, int], _Plan] = {}
_NOT_PLANNED: Any = object()


def _plan(cls: type[BaseModel], fill: bool, computing: set[type[Any]] | None = None) -> _Plan:
    key = (cls, fill, len(_EXTRA_CLASSES))
    plan = _PLANS.get(key, _NOT_PLANNED)
    if plan is not _NOT_PLANNED:
        return plan  # type: ignore[no-any-return]
    # Classes being planned further up this call: a model that nests itself. Kept local,
    # so another thread never reads a plan that is not finished.
    computing = set() if computing is None else computing
    if cls in computing:
        return None
    computing.add(cls)
    fields = []
    needed = cls in _EXTRA_CLASSES
    for info in msgspec.structs.fields(cls):
        nested = any(_plan(model, fill, computing) is not None for model in _models_in(info.type))
        if nested or (fill and info.default is UNSET):  # UNSET: a tracked field
            needed = True
        fields.append((info.name, info.encode_name, nested))
    computing.discard(cls)
    plan = _PLANS[key] = tuple(fields) if needed else None
    return plan


def _models_in(hint: Any) -> Iterator[type[BaseModel]]:
    # The model classes a resolved type names, however nested: `list[X] | None`, `Parsed[T]`.
    cls = getattr(hint, "__origin__", hint)
    if isinstance(cls, type) and issubclass(cls, BaseModel):
        yield cls
    for arg in getattr(hint, "__args__", ()):
        yield from _models_in(arg)


def _filled(value: Any, fill: bool) -> Any:
    # `value` with its extras, and with unset fields as None if `fill`: models with either
    # at or below them become dicts. Everything else stays as it is, for msgspec to encode
    # natively.
    cls = type(value)
    if isinstance(value, BaseModel):
        plan = _plan(cls, fill)
        if plan is None:
            return value
        out: dict[str, Any] = {}
        for attr, wire, nested in plan:
            item = getattr(value, attr)
            if item is UNSET:
                if fill:
                    out[wire] = None
            else:
                out[wire] = _filled(item, fill) if nested else item
        if cls in _EXTRA_CLASSES:
            out.update(_extras(value))
        return out
    if isinstance(value, (list, tuple)):
        return [_filled(item, fill) for item in value]
    if isinstance(value, dict):
        return {key: _filled(item, fill) for key, item in value.items()}
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


@functools.cache
def _fields_info(cls: type[BaseModel]) -> dict[str, FieldInfo]:
    fields: dict[str, FieldInfo] = {}
    for info in msgspec.structs.fields(cls):
        if info.default is UNSET:  # a tracked field, declared `T | None = None`
            declared = tuple(arg for arg in get_args(info.type) if arg is not UnsetType)
            hint = Union[declared]  # type: ignore[valid-type]  # built from the stored one
            fields[info.encode_name] = FieldInfo(hint, None)
        else:
            factory = None if info.default_factory is msgspec.NODEFAULT else info.default_factory
            fields[info.encode_name] = FieldInfo(info.type, info.default, factory)
    return fields


class JSONDecoder(Generic[_T]):
    """Decodes JSON into `tp`, keeping the fields its models do not declare (see the top)."""

    def __init__(self, tp: type[_T]) -> None:
        self._type = tp
        self._decode = msgspec.json.Decoder(tp).decode

    def decode(self, data: bytes | str) -> _T:
        try:
            return self._decode(data)
        except msgspec.ValidationError as exc:
            if not str(exc).startswith("Object contains unknown field"):
                raise
        return convert_keeping_extras(msgspec.json.decode(data), self._type)


# Building a decoder costs far more than decoding a chunk: one per type.
_decoders: dict[Any, JSONDecoder[Any]] = {}


def decoder_for(tp: type[_T]) -> JSONDecoder[_T]:
    try:
        return _decoders[tp]
    except KeyError:
        decoder = _decoders[tp] = JSONDecoder(tp)
        return decoder


# The unknown keys found below one value, to put on the models built from it: the value's
# own (for a model) and, per attribute name or list index, those further down.
_Extras = tuple[Union[dict[str, Any], None], list[tuple[Union[str, int], Any]]]


def convert_keeping_extras(obj: Any, tp: type[_T]) -> _T:
    """msgspec.convert(obj, tp), with each model's unknown keys kept as its extras."""
    known, extras = _split(obj, tp)
    result: _T = msgspec.convert(known, tp)  # one call: errors name the full path
    if extras is not None:
        _attach(result, extras)
    return result


def _split(value: Any, hint: Any) -> tuple[Any, _Extras | None]:
    # `value` without the keys `hint`'s models do not declare, and those keys. Only
    # objects typed as models and lists of them are walked: an unknown key elsewhere (say,
    # in a model inside a dict) still fails msgspec.convert, as before.
    model, item_hint = _shape(hint)
    if model is not None and isinstance(value, dict):
        return _split_object(value, model)
    if item_hint is not None and isinstance(value, list):
        items = []
        below: list[tuple[str | int, Any]] = []
        for index, item in enumerate(value):
            item, extras = _split(item, item_hint)
            items.append(item)
            if extras is not None:
                below.append((index, extras))
        return items, ((None, below) if below else None)
    return value, None


def _split_object(value: dict[str, Any], model: Any) -> tuple[Any, _Extras | None]:
    fields = _wire_fields(model)
    known: dict[str, Any] = {}
    own: dict[str, Any] = {}
    below: list[tuple[str | int, Any]] = []
    for key, item in value.items():
        field = fields.get(key)
        if field is None:
            own[key] = item
            continue
        attr, hint = field
        if hint is not None:
            item, extras = _split(item, hint)
            if extras is not None:
                below.append((attr, extras))
        known[key] = item
    return known, ((own or None, below) if own or below else None)


@functools.cache
def _wire_fields(model: Any) -> dict[str, tuple[str, Any]]:
    # wire name -> (attribute, its type if models may be inside, else None)
    return {
        info.encode_name: (info.name, info.type if any(_models_in(info.type)) else None)
        for info in msgspec.structs.fields(model)
    }


@functools.cache
def _shape(hint: Any) -> tuple[Any, Any]:
    # For a field's type: the model a JSON object in it decodes into, and the item type of
    # a list of models in it (None for either that it does not offer).
    union = get_origin(hint) is Union or isinstance(hint, types.UnionType)
    model = item_hint = None
    for member in reversed(get_args(hint) if union else (hint,)):  # the first one wins
        cls = get_origin(member) or member
        if isinstance(cls, type) and issubclass(cls, BaseModel):
            model = member
        elif cls is list and any(_models_in(member)):
            item_hint = get_args(member)[0]
    return model, item_hint


def _attach(value: Any, extras: _Extras) -> None:
    own, below = extras
    if own:
        _keep_extra(value, own)
    for step, extras_below in below:
        _attach(value[step] if isinstance(step, int) else getattr(value, step), extras_below)


def _keep_extra(model: BaseModel, extra: Mapping[str, Any]) -> None:
    cls = type(model)
    _EXTRA_CLASSES.add(cls)  # plans made before did not walk it: see _PLANS
    stored = model.__dict__
    for key, value in extra.items():
        # A key naming a method or property (`model_dump`, `content_`) would hide or
        # never reach it: such keys are left out rather than break the model.
        if not hasattr(cls, key):
            stored[key] = value
