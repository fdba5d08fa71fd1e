"""A pytest plugin giving each test a running Edgen emulator: the ``edgen_emulator`` fixture.

Opt in from your top-level conftest.py with ``pytest_plugins = ["edgen.testing.pytest_plugin"]``
(or ``pytest -p edgen.testing.pytest_plugin``). Settings come from the
``@pytest.mark.edgen_emulator(dialect="openai", seed=1, ...)`` marker (any EdgenEmulator
keyword), or per case from indirect parametrization with a dialect name or a dict of
settings. Faults: ``edgen_emulator.inject(spec)`` or the ``x-emulator-fault`` header.
"""

# No pytest11 entry point on purpose: installing edgen must not add a plugin to test
# sessions that never asked for one.

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import pytest

from ._emulator import EdgenEmulator

_MARKER = "edgen_emulator"


def pytest_configure(config: pytest.Config) -> None:
    # Registered so that --strict-markers accepts the marker.
    config.addinivalue_line(
        "markers",
        f"{_MARKER}(**settings): EdgenEmulator keywords for the edgen_emulator fixture, "
        "such as dialect='openai', seed=1, tokens=4, token_delay=0.01, strict_models=True",
    )


def _settings(request: pytest.FixtureRequest) -> dict[str, Any]:
    # Markers from the outermost (module, class) to the test's own, so the closest wins;
    # then the case's indirect parameter, which is the most specific of all.
    settings: dict[str, Any] = {}
    for marker in reversed(list(request.node.iter_markers(_MARKER))):
        if marker.args:
            raise TypeError(
                f"the {_MARKER} marker takes keywords only (such as dialect='openai'), "
                f"got {marker.args!r}"
            )
        settings.update(marker.kwargs)
    param = getattr(request, "param", None)  # set only when parametrized indirectly
    if isinstance(param, str):
        settings["dialect"] = param
    elif isinstance(param, Mapping):
        settings.update(param)
    elif param is not None:
        raise TypeError(
            f"an indirect parameter of {_MARKER} must be a dialect name or a dict of "
            f"EdgenEmulator keywords, got {param!r}"
        )
    return settings


@pytest.fixture
def edgen_emulator(request: pytest.FixtureRequest) -> Iterator[EdgenEmulator]:
    """A running EdgenEmulator on 127.0.0.1 and a free port, stopped after the test."""
    with EdgenEmulator(**_settings(request)) as server:
        yield server
