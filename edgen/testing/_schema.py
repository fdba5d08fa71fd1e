"""Deterministic JSON values that fit a JSON Schema, for structured-output requests.

Covers what msgspec.json.schema() and hand-written tool schemas use: types (and type
lists), enum/const, anyOf/oneOf/allOf, $ref into $defs, object properties, arrays with
minItems/maxItems and numeric bounds.
"""

from __future__ import annotations

import random
from typing import Any

__all__ = ["split_text", "value_for_schema"]

_WORDS = ("alpha", "bravo", "cedar", "delta", "ember", "fjord", "grove", "harbor", "iris")


def value_for_schema(schema: Any, rng: random.Random) -> Any:
    """A value valid for `schema` (a JSON Schema dict), drawn from `rng`."""
    root = schema if isinstance(schema, dict) else {}
    return _value(root, root, rng, 0)


def _value(schema: Any, root: dict[str, Any], rng: random.Random, depth: int) -> Any:
    if not isinstance(schema, dict) or depth > 12:
        return None
    if "$ref" in schema:
        node: Any = root
        for key in schema["$ref"].lstrip("#/").split("/"):
            node = node.get(key, {}) if isinstance(node, dict) else {}
        return _value(node, root, rng, depth + 1)
    if "const" in schema:
        return schema["const"]
    if schema.get("enum"):
        return rng.choice(schema["enum"])
    options = schema.get("anyOf") or schema.get("oneOf")
    if options:
        # Prefer a non-null branch: a structured answer full of nulls tests little.
        concrete = [o for o in options if not (isinstance(o, dict) and o.get("type") == "null")]
        return _value(rng.choice(concrete or options), root, rng, depth + 1)
    if schema.get("allOf"):
        merged: dict[str, Any] = {}
        for part in schema["allOf"]:
            merged.update(part if isinstance(part, dict) else {})
        return _value(merged, root, rng, depth + 1)
    kind = schema.get("type", "object" if "properties" in schema else "string")
    if isinstance(kind, list):
        kind = rng.choice([k for k in kind if k != "null"] or kind or ["null"])
    low, high = schema.get("minimum"), schema.get("maximum")
    if kind == "object":
        props = schema.get("properties", {})
        return {name: _value(sub, root, rng, depth + 1) for name, sub in props.items()}
    if kind == "array":
        least = schema.get("minItems", 1)
        count = rng.randint(least, max(least, schema.get("maxItems", 3)))
        return [_value(schema.get("items", {}), root, rng, depth + 1) for _ in range(count)]
    if kind == "integer":
        low = -1 if low is None else low
        return rng.randint(low, max(low, low + 100 if high is None else high))
    if kind == "number":
        low = 0.0 if low is None else low
        return round(rng.uniform(low, max(low, low + 100.0 if high is None else high)), 3)
    if kind == "boolean":
        return rng.random() < 0.5
    if kind == "null":
        return None
    return " ".join(rng.choice(_WORDS) for _ in range(rng.randint(1, 3)))


def split_text(text: str, size: int = 6) -> tuple[str, ...]:
    """Cut text into stream-sized pieces, as a model emits JSON a few characters at a time."""
    return tuple(text[i : i + size] for i in range(0, len(text), size)) or ("",)
