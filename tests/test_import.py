"""What `import edgen` pulls in, checked in a fresh interpreter."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from conftest import REPO_ROOT

_PROBE = """
import json, sys
import edgen
client = edgen.Edgen()
_ = client.chat.completions
print(json.dumps({
    "pydantic": sorted(m for m in sys.modules if m == "pydantic" or m.startswith(("pydantic.", "pydantic_"))),
    "testing": sorted(m for m in sys.modules if m.startswith("edgen.testing")),
    "version": edgen.__version__,
    "all_ok": all(hasattr(edgen, name) for name in edgen.__all__),
}))
"""


def _run(code: str) -> dict:
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    env.pop("EDGEN_LOG", None)
    proc = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=30,
        env=env,
        cwd=str(REPO_ROOT),
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_import_does_not_pull_in_pydantic_or_the_emulator() -> None:
    result = _run(_PROBE)
    assert result["pydantic"] == []
    assert result["testing"] == []
    assert result["all_ok"] is True


def test_the_probe_can_see_pydantic_when_it_is_imported() -> None:
    """Guards the test above: the same check does notice pydantic when something imports it."""
    try:
        import pydantic  # noqa: F401
    except ImportError:  # pragma: no cover - pydantic absent: nothing to guard
        return
    result = _run("import pydantic\n" + _PROBE)
    assert "pydantic" in result["pydantic"]


def test_version_matches_user_agent() -> None:
    import edgen

    assert _run(_PROBE)["version"] == edgen.__version__
    assert (
        edgen.Edgen()
        .default_headers["user-agent"]
        .startswith(f"Edgen/Python {edgen.__version__} (")
    )


# Modules a client and its first `.chat.completions` leave unloaded: they are imported by
# the first use of a name they define (edgen.types, edgen.types.chat, edgen) or by the
# call that needs them (streams, raw responses, the status types).
_LAZY_PROBE = """
import json, sys
import edgen
import edgen.types.chat
_ = edgen.Edgen().chat.completions
print(json.dumps(sorted(sys.modules)))
"""
_LAZY_MODULES = [
    "edgen._response",
    "edgen._sse",
    "edgen._streaming",
    "edgen.types.chat.chat_completion_chunk",
    "edgen.types.chat.parsed_chat_completion",
    "edgen.types.create_embedding_response",
    "edgen.types.embedding",
    "edgen.types.embedding_create_params",
    "edgen.types.image_generate_params",
    "edgen.types.image_generation_response",
    "edgen.types.model",
    "edgen.types.model_deleted",
    "edgen.types.models_page",
    "edgen.types.status",
    "edgen.types.version",
]


def test_chat_client_leaves_unused_modules_unloaded() -> None:
    loaded = set(_run(_LAZY_PROBE))
    assert "edgen.types.chat.chat_completion" in loaded  # the probe did reach the chat types
    assert sorted(loaded.intersection(_LAZY_MODULES)) == []


# Every public name of the namespaces filled on first access, asked for in a fresh
# interpreter: the object its module defines, that module loaded by the asking.
_NAMES_PROBE = """
import json, sys
import edgen, edgen.types, edgen.types.chat
before = "edgen.types.image_generation_response" in sys.modules
image = edgen.types.ImageGenerationResponse
from edgen.types.image_generation_response import ImageGenerationResponse
star = {}
exec("from edgen.types import *", star)
exec("from edgen.types.chat import *", star)
try:
    edgen.types.NoSuchType
    unknown = None
except AttributeError as exc:
    unknown = str(exc)
print(json.dumps({
    "before": before,
    "same": image is ImageGenerationResponse,
    "chunk": edgen.types.chat.ChatCompletionChunk.__module__,
    "stream": [edgen.Stream.__module__, edgen.AsyncStream.__name__],
    "response": [edgen.APIResponse.__module__, edgen.AsyncAPIResponse.__name__],
    "star": sorted(k for k in star if not k.startswith("__")),
    "all": sorted(edgen.types.__all__ + edgen.types.chat.__all__),
    "not_in_dir": sorted(set(edgen.types.__all__) - set(dir(edgen.types))),
    "unknown": unknown,
}))
"""


def test_lazily_imported_names_load_when_asked_for() -> None:
    result = _run(_NAMES_PROBE)
    assert result["before"] is False
    assert result["same"] is True
    assert result["chunk"] == "edgen.types.chat.chat_completion_chunk"
    assert result["stream"] == ["edgen._streaming", "AsyncStream"]
    assert result["response"] == ["edgen._response", "AsyncAPIResponse"]
    assert result["star"] == result["all"]  # each name of __all__ resolves
    assert result["not_in_dir"] == []
    assert result["unknown"] == "module 'edgen.types' has no attribute 'NoSuchType'"


_SYNC_REQUEST = """
import json, sys, threading
from http.server import BaseHTTPRequestHandler, HTTPServer

class Version(BaseHTTPRequestHandler):
    def do_GET(self):
        body = b'{"major":0,"minor":4,"patch":1,"build":"x"}'
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass

server = HTTPServer(("127.0.0.1", 0), Version)
threading.Thread(target=server.serve_forever, daemon=True).start()
import edgen
with edgen.Edgen(base_url=f"http://127.0.0.1:{server.server_port}/v1/") as client:
    version = client.misc.version.create()
server.shutdown()
print(json.dumps({"minor": version.minor, "asyncio": "asyncio" in sys.modules}))
"""


def test_a_sync_request_does_not_import_asyncio() -> None:
    # asyncio costs a cold start about 10 ms; only async clients need it.
    assert _run(_SYNC_REQUEST) == {"minor": 4, "asyncio": False}
