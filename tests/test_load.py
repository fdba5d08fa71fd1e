"""Concurrency through the client against the emulator (bounded in count and time)."""

from __future__ import annotations

import concurrent.futures

import anyio
import pytest

from edgen import Edgen
from edgen.testing import EdgenEmulator

pytestmark = pytest.mark.slow

N_STREAMS = 200


@pytest.mark.anyio
@pytest.mark.parametrize("dialect", ["edgen", "openai"])
async def test_200_concurrent_async_streams_complete_with_full_content(
    dialect: str, async_edgen
) -> None:
    prompt = [{"role": "user", "content": "count"}]
    with EdgenEmulator(dialect=dialect, seed=3, tokens=12, token_delay=0.001) as server:
        async with async_edgen(base_url=server.url, max_retries=0, timeout=30) as client:
            expected = (
                (await client.chat.completions.create(model="m", messages=prompt))
                .choices[0]
                .message.content
            )
            assert expected
            results: list[str] = []

            async def one() -> None:
                parts = []
                async for chunk in await client.chat.completions.create(
                    model="m", messages=prompt, stream=True
                ):
                    if chunk.choices and chunk.choices[0].delta.content:
                        parts.append(chunk.choices[0].delta.content)
                results.append("".join(parts))

            with anyio.fail_after(60):
                async with anyio.create_task_group() as tg:
                    for _ in range(N_STREAMS):
                        tg.start_soon(one)
        streamed = [r for r in server.requests if r.json().get("stream")]
    assert len(results) == N_STREAMS
    assert all(text == expected for text in results)
    assert len(streamed) == N_STREAMS  # no retries hid a failure


def test_50_threads_share_one_sync_client() -> None:
    prompt = [{"role": "user", "content": "hello"}]
    with (
        EdgenEmulator(seed=5, tokens=10) as server,
        Edgen(base_url=server.url, max_retries=0, timeout=30) as client,
    ):
        expected = (
            client.chat.completions.create(model="m", messages=prompt).choices[0].message.content
        )

        def one(_: int) -> str:
            return "".join(
                c.choices[0].delta.content or ""
                for c in client.chat.completions.create(model="m", messages=prompt, stream=True)
            )

        with concurrent.futures.ThreadPoolExecutor(max_workers=50) as pool:
            texts = list(pool.map(one, range(50), timeout=60))
    assert texts == [expected] * 50
