"""A 200 MB upload is streamed from disk: the client's peak RSS barely moves.

The client runs in a fresh subprocess that reads its own peak RSS
(`ru_maxrss`) before and after the upload; the server is a thread in the test
process that counts and discards the body, so its memory is not measured.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

resource = pytest.importorskip("resource", reason="needs the Unix resource module")
pytestmark = pytest.mark.slow

REPO_ROOT = Path(__file__).resolve().parents[1]
FILE_SIZE = 200 * 1024 * 1024
LIMIT_MB = 30.0

CLIENT = r"""
import asyncio, json, resource, sys
from pathlib import Path
from edgen import AsyncEdgen, Edgen

def peak_mb():
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / 2**20 if sys.platform == "darwin" else rss / 2**10  # bytes vs KiB

url, path, kind = sys.argv[1], Path(sys.argv[2]), sys.argv[3]
if kind == "sync":
    client = Edgen(base_url=url, max_retries=0)
    client.audio.transcriptions.create(file=b"warm-up", model="default")  # imports, pool
    before = peak_mb()
    result = client.audio.transcriptions.create(file=path, model="default")
    after = peak_mb()
else:
    async def main():
        client = AsyncEdgen(base_url=url, max_retries=0)
        await client.audio.transcriptions.create(file=b"warm-up", model="default")
        before = peak_mb()
        result = await client.audio.transcriptions.create(file=path, model="default")
        return before, result, peak_mb()
    before, result, after = asyncio.run(main())
print(json.dumps({"before": before, "after": after, "text": result.text}))
"""


class _Discard(BaseHTTPRequestHandler):
    """Reads the whole body in 1 MB pieces, keeps only its size."""

    def do_POST(self) -> None:  # noqa: N802 - http.server's naming
        remaining = int(self.headers["content-length"])  # a streamed file has a known size
        received = 0
        while remaining:
            piece = self.rfile.read(min(remaining, 1 << 20))
            if not piece:
                break
            received += len(piece)
            remaining -= len(piece)
        body = json.dumps({"text": str(received)}).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def discard_server() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Discard)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1/"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def big_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("upload") / "big.wav"
    block = bytes(range(256)) * 4096  # 1 MiB
    with open(path, "wb") as out:
        for _ in range(FILE_SIZE // len(block)):
            out.write(block)
    return path


@pytest.mark.parametrize("kind", ["sync", "async"])
def test_200mb_upload_streams_from_disk(kind: str, discard_server: str, big_file: Path) -> None:
    paths = [str(REPO_ROOT), os.environ.get("PYTHONPATH", "")]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in paths if p)}
    done = subprocess.run(
        [sys.executable, "-c", CLIENT, discard_server, str(big_file), kind],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        cwd=REPO_ROOT,
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert int(report["text"]) > FILE_SIZE  # the whole file (plus form framing) arrived
    growth = report["after"] - report["before"]
    assert growth < LIMIT_MB, f"peak RSS grew by {growth:.1f} MB during a 200 MB upload"
