"""Memory per open stream and per decoded chunk, and no growth with stream length.

tracemalloc over streams through httpx.MockTransport. A long stream (20,000
chunks) whose chunks the caller drops must peak no higher than a short one
(2,000 chunks): the figure is the peak growth from the short to the long stream
(target: none beyond noise, at most 16 KiB). Per open stream: memory held by a
stream that has yielded its first chunk. Per chunk: memory held per decoded chunk
the caller keeps (2,000 kept).
"""

from __future__ import annotations

import gc
import tracemalloc

import httpx
from _common import OA_HTTPX, URL, openai_client, sse_transport, stream_events
from test_stream import BODY, PAYLOAD, floor_stream

import edgen

SHORT = stream_events(2000)[:-1]
LONG = SHORT * 10
GROWTH_LIMIT = 16 * 1024


def _peak(fn) -> int:
    gc.collect()
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        base = tracemalloc.get_traced_memory()[0]
        fn()
        return tracemalloc.get_traced_memory()[1] - base
    finally:
        tracemalloc.stop()


def _held(fn) -> int:
    """Bytes still allocated by what `fn` returns while it is alive."""
    gc.collect()
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        kept = fn()
        gc.collect()
        size = tracemalloc.get_traced_memory()[0] - base
        del kept
        return size
    finally:
        tracemalloc.stop()


def _edgen(events):
    return edgen.Edgen(http_client=httpx.Client(transport=sse_transport(httpx, events)))


def _drop_all(client) -> None:
    for _ in client.chat.completions.create(**BODY):
        pass


def test_growth(record_value) -> None:
    figure = "stream memory: peak growth, 20k vs 2k chunks dropped"
    short, long = _edgen(SHORT), _edgen(LONG)
    _drop_all(short)  # warm caches (decoders, resources)
    _drop_all(long)
    growth = _peak(lambda: _drop_all(long)) - _peak(lambda: _drop_all(short))
    fs = httpx.Client(transport=sse_transport(httpx, SHORT))
    fl = httpx.Client(transport=sse_transport(httpx, LONG))
    floor_stream(fs)
    floor_stream(fl)
    floor_growth = _peak(lambda: floor_stream(fl)) - _peak(lambda: floor_stream(fs))
    record_value(figure, "floor", max(floor_growth, 0), unit="B")
    record_value(figure, "edgen", max(growth, 0), unit="B", target=GROWTH_LIMIT, kind="abs")
    peak = _peak(lambda: _drop_all(long))
    record_value("stream memory: peak over a 20k-chunk stream", "edgen", peak, unit="B")
    record_value(
        "stream memory: peak over a 20k-chunk stream",
        "floor",
        _peak(lambda: floor_stream(fl)),
        unit="B",
    )


def test_per_chunk_and_stream(record_value) -> None:
    client = _edgen(SHORT)
    _drop_all(client)

    def keep_all():
        return list(client.chat.completions.create(**BODY))

    n = len(SHORT)
    per_chunk = _held(keep_all) / n
    record_value("memory per decoded chunk kept", "edgen", per_chunk, unit="B")

    import msgspec
    from _common import FloorChunk

    decode = msgspec.json.Decoder(FloorChunk).decode
    raw = [e[6:-2] for e in SHORT]
    record_value(
        "memory per decoded chunk kept",
        "floor",
        _held(lambda: [decode(r) for r in raw]) / n,
        unit="B",
    )

    def open_stream():
        stream = client.chat.completions.create(**BODY)
        first = next(stream)
        return stream, first

    figure = "memory per open stream (after its first chunk)"
    record_value(figure, "edgen", _held(open_stream), unit="B")
    http = httpx.Client(transport=sse_transport(httpx, SHORT))

    def floor_open():
        cm = http.stream("POST", URL, content=PAYLOAD)
        response = cm.__enter__()
        chunks = response.iter_bytes()
        first = decode(next(chunks)[6:-2])
        return cm, response, chunks, first

    floor_open()[0].__exit__(None, None, None)
    record_value(figure, "floor", _held(floor_open), unit="B")

    if OA_HTTPX is not None:
        oa = openai_client(sse_transport(OA_HTTPX, SHORT))
        list(oa.chat.completions.create(**BODY))
        record_value(
            "memory per decoded chunk kept",
            "openai",
            _held(lambda: list(oa.chat.completions.create(**BODY))) / n,
            unit="B",
        )
