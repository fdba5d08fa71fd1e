"""What `chat.completions.stream()` adds per chunk: accumulation and events over a plain stream.

Here the "floor" is edgen's own `create(stream=True)` over the same bytes, so
the ratio is the accumulator's share of the per-chunk cost (target: +20%).
"""

from __future__ import annotations

import httpx
from _common import N_CHUNKS, sse_transport, stream_events

import edgen

FIGURE = "stream() accumulation, per chunk (vs create(stream=True))"
EVENTS = stream_events()
MESSAGES = [{"role": "user", "content": "hi"}]


def _client() -> edgen.Edgen:
    return edgen.Edgen(http_client=httpx.Client(transport=sse_transport(httpx, EVENTS)))


def test_accumulate_baseline(benchmark, record) -> None:
    client = _client()

    def run() -> int:
        return sum(
            1 for _ in client.chat.completions.create(model="m", messages=MESSAGES, stream=True)
        )

    assert benchmark(run) == N_CHUNKS
    record(FIGURE, "floor", per=N_CHUNKS, target=1.2)


def test_accumulate_stream_helper(benchmark, record) -> None:
    client = _client()

    # Every event is handed out (a chunk event and a content.delta per chunk, then
    # content.done), as the baseline hands out every chunk.
    def run() -> tuple[int, str]:
        with client.chat.completions.stream(model="m", messages=MESSAGES) as stream:
            events = sum(1 for _ in stream)
            return events, stream.get_final_text()

    events, text = benchmark(run)
    assert events == 2 * N_CHUNKS + 1 and text
    record(FIGURE, "edgen", per=N_CHUNKS)
