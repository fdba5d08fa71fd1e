"""Deterministic JSON values that fit a JSON Schema, for structured-output requests."""

# It covers what msgspec.json.schema() and hand-written tool schemas use: types (and type
# lists), enum, const, anyOf/oneOf, $ref into $defs, object properties, and the bounds
# minItems, maxItems, minimum and maximum.

from __future__ import annotations

import random
from typing import Any

_WORDS = ("alpha", "bravo", "cedar", "delta", "ember", "fjord", "grove", "harbor", "iris")


def value_for_schema(schema: Any, rng: random.Random, root: Any = None, depth: int = 0) -> Any:
    """A value valid for `schema` (a JSON Schema dict), drawn from `rng`."""
    if not isinstance(schema, dict) or depth > 12:
        return None
    root = schema if root is None else root
    kind = schema.get("type", "object" if "properties" in schema else "string")
    if isinstance(kind, list):
        kind = rng.choice([k for k in kind if k != "null"] or ["null"])
    if "$ref" in schema:
        target = root
        for key in schema["$ref"].lstrip("#/").split("/"):
            target = target.get(key) if isinstance(target, dict) else None
        options = [target]
    else:
        # Prefer a non-null branch: a structured answer full of nulls tests little.
        options = schema.get("anyOf") or schema.get("oneOf") or []
        options = [o for o in options if o.get("type") != "null"] or options
    if options:
        return value_for_schema(rng.choice(options), rng, root, depth + 1)
    if "const" in schema:
        return schema["const"]
    if schema.get("enum"):
        return rng.choice(schema["enum"])
    if kind == "object":
        properties = schema.get("properties", {})
        return {k: value_for_schema(v, rng, root, depth + 1) for k, v in properties.items()}
    if kind == "array":
        least = schema.get("minItems", 1)
        count = rng.randint(least, max(least, schema.get("maxItems", 3)))
        items = schema.get("items", {})
        return [value_for_schema(items, rng, root, depth + 1) for _ in range(count)]
    if kind in ("integer", "number"):
        low = schema.get("minimum", 0)
        high = max(low, schema.get("maximum", low + 100))
        return rng.randint(int(low), int(high)) if kind == "integer" else rng.uniform(low, high)
    if kind == "boolean":
        return rng.random() < 0.5
    if kind == "null":
        return None
    return " ".join(rng.choices(_WORDS, k=rng.randint(1, 3)))


def split_text(text: str, size: int = 6) -> tuple[str, ...]:
    """Cut text into stream-sized pieces, as a model emits JSON a few characters at a time."""
    return tuple(text[i : i + size] for i in range(0, len(text), size)) or ("",)
