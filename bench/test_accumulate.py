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

    # As a ported openai-python loop reads it: every event, the text ones used.
    def run() -> tuple[int, str]:
        deltas = 0
        with client.chat.completions.stream(model="m", messages=MESSAGES) as stream:
            for event in stream:
                if event.type == "content.delta":
                    deltas += 1
            return deltas, stream.get_final_text()

    deltas, text = benchmark(run)
    assert deltas == N_CHUNKS and text
    record(FIGURE, "edgen", per=N_CHUNKS)
