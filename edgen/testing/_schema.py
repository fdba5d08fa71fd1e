"""Deterministic JSON values that fit a JSON Schema, for structured-output requests.

Covers what msgspec.json.schema() and hand-written tool schemas use: types
(incl. type lists), enum/const, anyOf/oneOf/allOf, $ref into $defs, object
properties and required, arrays with items/minItems/maxItems, numeric and
string bounds, and a few string formats.
"""

from __future__ import annotations

import random
from typing import Any

__all__ = ["value_for_schema", "split_text"]

_WORDS = ("alpha", "bravo", "cedar", "delta", "ember", "fjord", "grove", "harbor", "iris")
_FORMATS = {
    "date-time": "2024-05-06T12:00:00Z",
    "date": "2024-05-06",
    "time": "12:00:00",
    "uuid": "0c1f5e2a-7b3d-4f6e-8a9b-1c2d3e4f5a6b",
    "email": "user@example.com",
    "uri": "https://example.com/",
    "duration": "P1D",
}
_MAX_DEPTH = 12


def value_for_schema(schema: Any, rng: random.Random) -> Any:
    """A value valid for `schema` (a JSON Schema dict), drawn from `rng`."""
    root = schema if isinstance(schema, dict) else {}
    return _value(root, root, rng, 0)


def _resolve(ref: str, root: dict[str, Any]) -> dict[str, Any]:
    node: Any = root
    for part in ref.lstrip("#/").split("/"):
        if not isinstance(node, dict) or part not in node:
            return {}
        node = node[part]
    return node if isinstance(node, dict) else {}


def _value(schema: Any, root: dict[str, Any], rng: random.Random, depth: int) -> Any:
    if not isinstance(schema, dict) or depth > _MAX_DEPTH:
        return None
    if "$ref" in schema:
        return _value(_resolve(schema["$ref"], root), root, rng, depth + 1)
    if "const" in schema:
        return schema["const"]
    if isinstance(schema.get("enum"), list) and schema["enum"]:
        return rng.choice(schema["enum"])
    for key in ("anyOf", "oneOf"):
        options = schema.get(key)
        if isinstance(options, list) and options:
            # Prefer a non-null branch: a structured answer full of nulls tests little.
            concrete = [o for o in options if not (isinstance(o, dict) and o.get("type") == "null")]
            return _value(rng.choice(concrete or options), root, rng, depth + 1)
    if isinstance(schema.get("allOf"), list):
        merged: dict[str, Any] = {}
        for part in schema["allOf"]:
            if isinstance(part, dict):
                part = _resolve(part["$ref"], root) if "$ref" in part else part
                merged.update(part)
        return _value(merged, root, rng, depth + 1)
    kind = schema.get("type")
    if isinstance(kind, list):
        kinds = [k for k in kind if k != "null"] or kind
        kind = rng.choice(kinds) if kinds else None
    if kind is None:
        kind = "object" if "properties" in schema else "string"
    make: Any = _BY_TYPE.get(kind, _string)
    return make(schema, root, rng, depth)


def _object(schema: dict[str, Any], root: dict[str, Any], rng: random.Random, depth: int) -> Any:
    props = schema.get("properties")
    if not isinstance(props, dict):
        return {}
    return {name: _value(sub, root, rng, depth + 1) for name, sub in props.items()}


def _array(schema: dict[str, Any], root: dict[str, Any], rng: random.Random, depth: int) -> Any:
    low = int(schema.get("minItems", 1))
    high = int(schema.get("maxItems", max(low, 3)))
    count = rng.randint(low, max(low, high))
    items = schema.get("items", {})
    if isinstance(schema.get("prefixItems"), list):
        return [_value(s, root, rng, depth + 1) for s in schema["prefixItems"]]
    return [_value(items, root, rng, depth + 1) for _ in range(count)]


def _integer(schema: dict[str, Any], root: dict[str, Any], rng: random.Random, depth: int) -> Any:
    low = int(schema.get("minimum", schema.get("exclusiveMinimum", -1) + 1))
    high = int(schema.get("maximum", schema.get("exclusiveMaximum", low + 101) - 1))
    return rng.randint(low, max(low, high))


def _number(schema: dict[str, Any], root: dict[str, Any], rng: random.Random, depth: int) -> Any:
    low = float(schema.get("minimum", schema.get("exclusiveMinimum", 0.0)))
    high = float(schema.get("maximum", schema.get("exclusiveMaximum", low + 100.0)))
    return round(rng.uniform(low, max(low, high)), 3)


def _string(schema: dict[str, Any], root: dict[str, Any], rng: random.Random, depth: int) -> Any:
    fmt = schema.get("format")
    if fmt in _FORMATS:
        return _FORMATS[fmt]
    text = " ".join(rng.choice(_WORDS) for _ in range(rng.randint(1, 3)))
    low = int(schema.get("minLength", 0))
    high = int(schema.get("maxLength", max(low, 64)))
    while len(text) < low:
        text += " " + rng.choice(_WORDS)
    return text[:high]


_BY_TYPE = {
    "object": _object,
    "array": _array,
    "integer": _integer,
    "number": _number,
    "string": _string,
    "boolean": lambda s, r, rng, d: rng.random() < 0.5,
    "null": lambda s, r, rng, d: None,
}


def split_text(text: str, size: int = 6) -> tuple[str, ...]:
    """Cut text into stream-sized pieces, as a model emits JSON a few characters at a time."""
    return tuple(text[i : i + size] for i in range(0, len(text), size)) or ("",)
