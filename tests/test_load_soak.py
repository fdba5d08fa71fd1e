"""Load and soak: 1,000 sequential streams (sync and async) and 200 concurrent ones (threads
and tasks) against the emulator. No errors, every token exactly once and in order, and the
client's traced memory flat after a warm-up.

The emulator runs in a subprocess here, so tracemalloc sees the client alone.
Measured on CPython 3.11 (see the README's "Reliability" section): growth after warm-up
stays within a few KiB; the bound asserted is MEMORY_BOUND.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import gc
import os
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable, Iterator

import pytest
from conftest import REPO_ROOT

from edgen import AsyncEdgen, Edgen

pytestmark = pytest.mark.slow

TOKENS = 16
PROMPTS = [[{"role": "user", "content": f"prompt number {i}"}] for i in range(10)]
SEQUENTIAL = 1_000
WARM_UP = 200
CONCURRENT = 200
# Traced bytes the client may gain between the end of the warm-up and the end of the run.
MEMORY_BOUND = 64 * 1024


@pytest.fixture(scope="module")
def server_url() -> Iterator[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "edgen.testing",
            "--port",
            "0",
            "--seed",
            "11",
            "--tokens",
            str(TOKENS),
        ],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:"), url
        yield url
    finally:
        proc.terminate()
        proc.wait(10)


@pytest.fixture(scope="module")
def expected(server_url: str) -> list[list[str]]:
    """Per prompt, the tokens in order: the non-streamed answer must equal their join."""
    out = []
    with Edgen(base_url=server_url, max_retries=0) as client:
        for messages in PROMPTS:
            whole = (
                client.chat.completions.create(model="m", messages=messages)
                .choices[0]
                .message.content
            )
            tokens = [
                c.choices[0].delta.content
                for c in client.chat.completions.create(model="m", messages=messages, stream=True)
            ]
            assert len(tokens) == TOKENS and all(tokens)
            assert "".join(tokens) == whole
            out.append(tokens)
    assert len({tuple(t) for t in out}) == len(PROMPTS)  # a mix-up between prompts would show
    return out


# Allocations that are not the client's: other tests' leftover threads (an emulator
# still winding down, pytest's output capture) allocate while tracemalloc runs too.
_NOT_THE_CLIENT = (
    tracemalloc.Filter(False, tracemalloc.__file__),
    tracemalloc.Filter(False, "<frozen importlib._bootstrap*>"),
    tracemalloc.Filter(False, "*/edgen/testing/*"),
    tracemalloc.Filter(False, "*/_pytest/*"),
    tracemalloc.Filter(False, "*/pluggy/*"),
    tracemalloc.Filter(False, "*/hypothesis/*"),
    # pathlib interns path parts; seen once on 3.13 as a single 3.7 MiB allocation: the
    # interpreter's interned-string table resizing, not anything the client keeps.
    tracemalloc.Filter(False, "*/pathlib/*"),
    tracemalloc.Filter(False, "*/pathlib.py"),
)


def traced() -> tracemalloc.Snapshot:
    gc.collect()
    return tracemalloc.take_snapshot().filter_traces(_NOT_THE_CLIENT)


# The streams after the warm-up are measured in two windows and the smaller growth is
# asserted: a leak grows in both, while a one-off (a global table resizing) shows in one.
HALF = (SEQUENTIAL - WARM_UP) // 2
HALVES = (WARM_UP, WARM_UP + HALF)


def least_growth(windows: list[Callable[[], object]]) -> tuple[int, str]:
    results = []
    for run in windows:
        start = traced()
        run()
        results.append(grown(start))
    return min(results)


def grown(before: tracemalloc.Snapshot) -> tuple[int, str]:
    """Bytes gained since `before`, and the top allocation sites (for the failure message)."""
    stats = traced().compare_to(before, "lineno")
    return sum(s.size_diff for s in stats), "\n".join(map(str, stats[:8]))


@pytest.fixture
def tracing() -> Iterator[None]:
    tracemalloc.start()
    try:
        yield
    finally:
        tracemalloc.stop()


def test_1000_sequential_sync_streams(server_url: str, expected, tracing) -> None:
    began = time.monotonic()
    with Edgen(base_url=server_url, max_retries=0, timeout=30) as client:

        def one(i: int) -> None:
            got = [
                c.choices[0].delta.content
                for c in client.chat.completions.create(
                    model="m", messages=PROMPTS[i % len(PROMPTS)], stream=True
                )
            ]
            assert got == expected[i % len(PROMPTS)], i

        for i in range(WARM_UP):
            one(i)
        growth, where = least_growth(
            [lambda lo=lo: [one(i) for i in range(lo, lo + HALF)] for lo in HALVES]
        )
        pool = client._http._transport.transport_for(client.base_url).pool  # type: ignore[attr-defined]
        assert len(pool.connections) == 1  # one connection, reused 1,000 times
    print(
        f"sync sequential: {SEQUENTIAL} streams in {time.monotonic() - began:.1f} s, growth {growth} B"
    )
    assert growth < MEMORY_BOUND, where


@pytest.mark.anyio
async def test_1000_sequential_async_streams(server_url: str, expected, tracing) -> None:
    async with AsyncEdgen(base_url=server_url, max_retries=0, timeout=30) as client:

        async def one(i: int) -> None:
            stream = await client.chat.completions.create(
                model="m", messages=PROMPTS[i % len(PROMPTS)], stream=True
            )
            got = [c.choices[0].delta.content async for c in stream]
            assert got == expected[i % len(PROMPTS)], i

        for i in range(WARM_UP):
            await one(i)
        windows = []
        for lo in HALVES:
            start = traced()
            for i in range(lo, lo + HALF):
                await one(i)
            windows.append(grown(start))
        growth, where = min(windows)
    print(f"async sequential: growth {growth} B")
    assert growth < MEMORY_BOUND, where


def test_200_concurrent_sync_streams_in_threads(server_url: str, expected) -> None:
    with Edgen(base_url=server_url, max_retries=0, timeout=30) as client:

        def one(i: int) -> list[str]:
            stream = client.chat.completions.create(
                model="m", messages=PROMPTS[i % len(PROMPTS)], stream=True
            )
            return [c.choices[0].delta.content for c in stream]

        with concurrent.futures.ThreadPoolExecutor(max_workers=CONCURRENT) as pool:
            results = list(pool.map(one, range(CONCURRENT), timeout=60))
        assert all(results[i] == expected[i % len(PROMPTS)] for i in range(CONCURRENT))
        in_use = [
            c
            for c in client._http._transport.transport_for(client.base_url).pool.connections
            if not c.is_idle()
        ]  # type: ignore[attr-defined]
        assert in_use == []


@pytest.mark.anyio
async def test_200_concurrent_async_streams_three_rounds(
    server_url: str, expected, tracing
) -> None:
    async with AsyncEdgen(base_url=server_url, max_retries=0, timeout=30) as client:

        async def one(i: int) -> list[str]:
            stream = await client.chat.completions.create(
                model="m", messages=PROMPTS[i % len(PROMPTS)], stream=True
            )
            return [c.choices[0].delta.content async for c in stream]

        async def round_() -> None:
            results = await asyncio.wait_for(
                asyncio.gather(*(one(i) for i in range(CONCURRENT))), 60
            )
            assert all(results[i] == expected[i % len(PROMPTS)] for i in range(CONCURRENT))

        await round_()
        after_warm_up = traced()
        await round_()
        await round_()
        growth, where = grown(after_warm_up)
        pool = client._http._transport.transport_for(client.base_url).pool  # type: ignore[attr-defined]
        assert not pool._requests
        assert all(c.is_idle() or c.is_closed() for c in pool.connections)
    print(f"async concurrent: growth {growth} B")
    assert growth < MEMORY_BOUND, where
