"""Every endpoint is reachable from both clients, in each response mode.

The test walks the attribute tree of a real client of each kind, from the top-level
resources down through sub-resources and the `with_raw_response` /
`with_streaming_response` views. (Both clients share one set of resource classes, so
there is no second copy of the methods to compare; what can go wrong is reaching them
and the mode a view hands down.)
"""

from __future__ import annotations

import inspect
from typing import Any

import pytest

from edgen import AsyncEdgen, Edgen
from edgen._resource import Resource

ROOTS = ("chat", "audio", "embeddings", "image", "models", "misc")
VIEWS = ("with_raw_response", "with_streaming_response")

# A few entries the walk must find, so an empty or broken walk cannot pass.
EXPECTED = {
    "chat.completions.create",
    "chat.completions.status.create",
    "audio.transcriptions.create",
    "audio.transcriptions.status.create",
    "audio.transcriptions.status.retrieve",
    "embeddings.create",
    "embeddings.status.create",
    "image.generations.create",
    "models.list",
    "models.retrieve",
    "models.delete",
    "misc.version.create",
    "misc.version.retrieve",
    "audio.with_raw_response.transcriptions.create",
    "audio.transcriptions.with_streaming_response.status.create",
    "models.with_streaming_response.delete",
    "misc.version.with_raw_response.retrieve",
    "image.generations.with_streaming_response.create",
}


def _signature(method: Any) -> str:
    try:
        return str(inspect.signature(method))
    except (TypeError, ValueError):
        return "?"


def walk(obj: Any, prefix: str, found: dict[str, str], in_view: bool = False) -> None:
    """Record `path -> kind/signature` for every public attribute below `obj`."""
    for name in dir(obj):
        if name.startswith("_"):
            continue
        if in_view and name in VIEWS:
            continue  # a view of a view is the same view again
        value = getattr(obj, name)
        path = f"{prefix}.{name}"
        if isinstance(value, Resource):
            found[path] = f"resource {type(value).__qualname__} mode={value._mode}"
            walk(value, path, found, in_view or name in VIEWS)
        elif callable(value):
            found[path] = f"method {_signature(value)}"
        else:
            found[path] = f"attribute {type(value).__name__}"


def surface(client: Any) -> dict[str, str]:
    found: dict[str, str] = {}
    for root in ROOTS:
        resource = getattr(client, root)
        assert isinstance(resource, Resource), root
        found[root] = f"resource {type(resource).__qualname__} mode={resource._mode}"
        walk(resource, root, found)
    return found


@pytest.fixture(scope="module")
def surfaces() -> tuple[dict[str, str], dict[str, str]]:
    sync_client = Edgen(base_url="http://127.0.0.1:9/v1")
    async_client = AsyncEdgen(base_url="http://127.0.0.1:9/v1")
    try:
        return surface(sync_client), surface(async_client)
    finally:
        sync_client.close()


def test_walk_finds_every_endpoint(surfaces: tuple[dict[str, str], dict[str, str]]) -> None:
    sync_surface, async_surface = surfaces
    for found in (sync_surface, async_surface):
        missing = EXPECTED - found.keys()
        assert not missing, f"the walk did not reach {sorted(missing)}"
        assert all(found[path].startswith("method") for path in EXPECTED)
    assert len(sync_surface) > 100  # every resource seen in 3 modes


def test_views_keep_their_mode(surfaces: tuple[dict[str, str], dict[str, str]]) -> None:
    # sub-resources of a view must answer in the view's mode, for both clients
    for found in surfaces:
        for path, description in found.items():
            if not description.startswith("resource"):
                continue
            if ".with_raw_response" in path:
                assert description.endswith("mode=raw"), path
            elif ".with_streaming_response" in path:
                assert description.endswith("mode=streaming"), path
            else:
                assert description.endswith("mode=parsed"), path
