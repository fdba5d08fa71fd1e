"""Every resource method, sync and async, over real HTTP against `EdgenEmulator`."""

from __future__ import annotations

import hashlib
import inspect
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from edgen import AsyncEdgen, BadRequestError, Edgen, InternalServerError
from edgen.testing import EdgenEmulator
from edgen.types import (
    AIStatus,
    CreateEmbeddingResponse,
    ImageGenerationResponse,
    Model,
    ModelDeleted,
    ModelsPage,
    Version,
)
from edgen.types.audio import Transcription

FROST_WAV = Path(__file__).resolve().parent / "data" / "frost.wav"
FROST_SHA256 = "a724eb972b6283edb68acf4b8074e060d59429ed31dc4a10277147384a6cb4c5"
FROST_TEXT = (
    " The woods are lovely, dark and deep, but I have promises to keep and miles to go"
    " before I sleep, and miles to go before I sleep."
)
KINDS = ["sync", "async"]


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def server() -> Iterator[EdgenEmulator]:
    with EdgenEmulator(seed=7) as emulator:
        yield emulator


@pytest.fixture
def frost() -> Path:
    return FROST_WAV


@pytest.fixture
def client_of(server: Any) -> Iterator[Any]:
    made: list[Any] = []

    def make(kind: str, **kwargs: Any) -> Any:
        kwargs.setdefault("max_retries", 0)
        cls = Edgen if kind == "sync" else AsyncEdgen
        client = cls(base_url=server.url, timeout=30.0, **kwargs)
        made.append(client)
        return client

    yield make
    for client in made:
        if isinstance(client, Edgen):
            client.close()


async def resolve(value: Any) -> Any:
    return await value if inspect.isawaitable(value) else value


# -- audio --------------------------------------------------------------------------------


@pytest.mark.anyio
@pytest.mark.parametrize("kind", KINDS)
async def test_transcribe_frost(kind: str, server: Any, client_of: Any, frost: Path) -> None:
    client = client_of(kind)
    result = await resolve(client.audio.transcriptions.create(file=frost, model="default"))
    assert isinstance(result, Transcription)
    assert result.text == FROST_TEXT and result.session is None
    request = server.requests[-1]
    assert (request.method, request.path) == ("POST", "/v1/audio/transcriptions")
    assert request.headers["content-type"].startswith("multipart/form-data; boundary=")
    assert int(request.headers["content-length"]) == request.body_size  # not chunked
    upload = request.files["file"]
    assert (upload.filename, upload.size, upload.sha256) == (
        "frost.wav",
        frost.stat().st_size,
        FROST_SHA256,
    )
    assert {k: v for k, v in request.form.items() if k != "file"} == {"model": "default"}


@pytest.mark.anyio
@pytest.mark.parametrize("kind", KINDS)
async def test_transcribe_sessions_and_fields(
    kind: str, server: Any, client_of: Any, frost: Path
) -> None:
    client = client_of(kind)
    with open(frost, "rb") as handle:
        first = await resolve(
            client.audio.transcriptions.create(
                file=handle,
                model="distil-whisper/distil-small.en/ggml-distil-small.en.bin",
                language="en",
                prompt="a poem",
                temperature=0.2,
                response_format="json",
                create_session=True,
            )
        )
    session = uuid.UUID(first.session)
    assert str(session) in server.sessions
    fields = {k: v for k, v in server.requests[-1].form.items() if k != "file"}
    assert fields == {
        "model": "distil-whisper/distil-small.en/ggml-distil-small.en.bin",
        "language": "en",
        "prompt": "a poem",
        "temperature": "0.2",
        "response_format": "json",
        "create_session": "true",
    }
    text = await resolve(
        client.audio.transcriptions.create(
            file=("chunk.wav", frost.read_bytes(), "audio/wav"),
            model="default",
            session=session,
            response_format="text",
        )
    )
    assert text == FROST_TEXT  # Edgen answers JSON; the text format gives the str
    assert server.requests[-1].form["session"] == str(session)
    with pytest.raises(InternalServerError) as caught:
        await resolve(
            client.audio.transcriptions.create(file=frost, model="default", session=uuid.uuid4())
        )
    assert caught.value.body == {"error": "endpoint", "SessionNotFound": None}


@pytest.mark.anyio
@pytest.mark.parametrize("kind", KINDS)
async def test_transcribe_strict_form_and_retry(
    kind: str, server: Any, client_of: Any, frost: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("edgen._pipeline.INITIAL_RETRY_DELAY", 0.0)
    client = client_of(kind)
    with pytest.raises(BadRequestError, match="not expected"):
        await resolve(
            client.audio.transcriptions.create(
                file=frost, model="default", extra_body={"timestamp_granularities[]": "word"}
            )
        )
    # a failed first attempt: the retry must send the whole file again, from the start
    server.inject("status=500", times=1, path="/audio/transcriptions")
    before = len(server.requests)
    result = await resolve(
        client.with_options(max_retries=1).audio.transcriptions.create(file=frost, model="default")
    )
    assert result.text == FROST_TEXT
    attempts = server.requests[before:]
    assert len(attempts) == 2
    assert all(r.files["file"].sha256 == FROST_SHA256 for r in attempts)


@pytest.mark.anyio
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(
    ("resource", "route", "status_key"),
    [
        ("audio.transcriptions.status", "/v1/audio/transcriptions/status", "audio"),
        ("embeddings.status", "/v1/embeddings/status", "embeddings"),
    ],
)
async def test_status_routes(
    kind: str, resource: str, route: str, status_key: str, server: Any, client_of: Any
) -> None:
    server.status[status_key].update(download_ongoing=True, download_progress=37)
    target: Any = client_of(kind)
    for name in resource.split("."):
        target = getattr(target, name)
    status = await resolve(target.create())
    assert isinstance(status, AIStatus)
    assert (status.download_ongoing, status.download_progress) == (True, 37)
    assert status.active_model == server.status[status_key]["active_model"]
    assert (server.requests[-1].method, server.requests[-1].path) == ("GET", route)


# -- embeddings -----------------------------------------------------------------------------


@pytest.mark.anyio
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("dialect", ["edgen", "openai"])
async def test_embeddings(kind: str, dialect: str, server: Any, client_of: Any) -> None:
    server.dialect = dialect
    client = client_of(kind)
    result = await resolve(client.embeddings.create(input=["first", "second"], model="default"))
    assert isinstance(result, CreateEmbeddingResponse)
    assert [e.index for e in result.data] == [0, 1]
    assert len(result.data[0].embedding) == 768
    assert all(isinstance(x, float) for x in result.embeddings[1].embedding)
    assert ("embeddings" if dialect == "edgen" else "data") in result.model_fields_set
    request = server.requests[-1]
    assert (request.method, request.path) == ("POST", "/v1/embeddings")
    assert request.headers["content-type"] == "application/json"
    assert request.json() == {"input": ["first", "second"], "model": "default"}
    single = await resolve(client.embeddings.create(input="one", model="default"))
    assert len(single.data) == 1


# -- images ---------------------------------------------------------------------------------


@pytest.mark.anyio
@pytest.mark.parametrize("kind", KINDS)
async def test_image_generation(kind: str, server: Any, client_of: Any, tmp_path: Path) -> None:
    client = client_of(kind)
    result = await resolve(
        client.image.generations.create(
            prompt="A rusty robot", width=64, height=64, images=2, seed=42
        )
    )
    assert isinstance(result, ImageGenerationResponse)
    assert len(result.images) == 2
    assert all(png.startswith(b"\x89PNG\r\n\x1a\n") for png in result.images)
    request = server.requests[-1]
    assert (request.method, request.path) == ("POST", "/v1/image/generations")
    assert request.json() == {
        "prompt": "A rusty robot",
        "width": 64,
        "height": 64,
        "images": 2,
        "seed": 42,
        "model": {"Left": "stable-diffusion-2-1"},
    }
    saved = result.save(tmp_path)
    assert [p.read_bytes() for p in saved] == result.images


# -- models ---------------------------------------------------------------------------------


@pytest.mark.anyio
@pytest.mark.parametrize("kind", KINDS)
async def test_models_roundtrip(kind: str, server: Any, client_of: Any) -> None:
    server.add_model("TheFake/My-fake-model-GGUF", created=1700000000)
    client = client_of(kind)
    page = await resolve(client.models.list())
    assert isinstance(page, ModelsPage) and page.page == 1 and page.per_page == len(page)
    ids = [m.id for m in page]
    assert "TheFake/My-fake-model-GGUF" in ids and "TheBloke/neural-chat-7B-v3-3-GGUF" in ids
    if kind == "async":
        assert [m.id async for m in client.models.list()] == ids
    else:
        assert [m.id for m in client.models.list()] == ids

    for spelling in ("TheFake%2fMy-fake-model-GGUF", "TheFake/My-fake-model-GGUF"):
        model = await resolve(client.models.retrieve(spelling))
        assert isinstance(model, Model)
        assert (model.id, model.owned_by, model.created) == (
            "TheFake/My-fake-model-GGUF",
            "TheFake",
            1700000000,
        )
        assert server.requests[-1].path == "/v1/models/TheFake%2FMy-fake-model-GGUF"

    deleted = await resolve(client.models.delete("TheFake%2fMy-fake-model-GGUF"))
    assert isinstance(deleted, ModelDeleted)
    assert (deleted.id, deleted.deleted) == ("TheFake/My-fake-model-GGUF", True)
    assert (server.requests[-1].method, server.requests[-1].path) == (
        "DELETE",
        "/v1/models/TheFake%2FMy-fake-model-GGUF",
    )
    assert "TheFake/My-fake-model-GGUF" not in server.models
    with pytest.raises(InternalServerError):
        await resolve(client.models.retrieve("TheFake/My-fake-model-GGUF"))


@pytest.mark.anyio
@pytest.mark.parametrize("kind", KINDS)
async def test_models_openai_dialect(kind: str, server: Any, client_of: Any) -> None:
    server.dialect = "openai"
    client = client_of(kind)
    page = await resolve(client.models.list())
    assert len(page) >= 1 and all(isinstance(m, Model) for m in page)


# -- misc -----------------------------------------------------------------------------------


@pytest.mark.anyio
@pytest.mark.parametrize("kind", KINDS)
async def test_version(kind: str, server: Any, client_of: Any) -> None:
    client = client_of(kind)
    for method in (client.misc.version.create, client.misc.version.retrieve):
        version = await resolve(method())
        assert isinstance(version, Version)
        assert (version.major, version.minor, version.patch, version.build) == (0, 1, 5, "")
    assert (server.requests[-1].method, server.requests[-1].path) == ("GET", "/v1/misc/version")


# -- raw and streaming views over the socket -----------------------------------------------


def _calls(frost: Path, server: Any) -> list[tuple[str, Any, Any]]:
    def delete(r: Any) -> Any:
        server.add_model("distil-whisper/distil-small.en", 1708333030)  # again for each call
        return r.models.delete("distil-whisper/distil-small.en")

    return [
        (
            "transcriptions",
            lambda r: r.audio.transcriptions.create(file=frost, model="default"),
            lambda v: v.text == FROST_TEXT,
        ),
        (
            "transcriptions.status",
            lambda r: r.audio.transcriptions.status.create(),
            lambda v: isinstance(v, AIStatus),
        ),
        (
            "embeddings",
            lambda r: r.embeddings.create(input="x", model="default"),
            lambda v: len(v.data[0].embedding) == 768,
        ),
        (
            "embeddings.status",
            lambda r: r.embeddings.status.create(),
            lambda v: isinstance(v, AIStatus),
        ),
        (
            "images",
            lambda r: r.image.generations.create(prompt="p", width=8, height=8),
            lambda v: v.images[0][:4] == b"\x89PNG",
        ),
        ("models.list", lambda r: r.models.list(), lambda v: len(v) >= 1),
        (
            "models.retrieve",
            lambda r: r.models.retrieve("TheBloke/neural-chat-7B-v3-3-GGUF"),
            lambda v: v.owned_by == "TheBloke",
        ),
        ("models.delete", delete, lambda v: v.deleted is True),
        ("version", lambda r: r.misc.version.create(), lambda v: v.patch == 5),
    ]


class _View:
    """`client.a.b.with_X.method`: the view taken on the method's own resource."""

    def __init__(self, target: Any, view: str) -> None:
        self._target, self._view = target, view

    def __getattr__(self, name: str) -> Any:
        child = getattr(self._target, name)
        if callable(child):
            return getattr(getattr(self._target, self._view), name)
        return _View(child, self._view)


@pytest.mark.anyio
@pytest.mark.parametrize("kind", KINDS)
async def test_raw_and_streaming_views(kind: str, server: Any, client_of: Any, frost: Path) -> None:
    for name, call, check in _calls(frost, server):
        client = client_of(kind)
        raw = await resolve(call(_View(client, "with_raw_response")))
        assert raw.status_code == 200, name
        assert check(await resolve(raw.parse())), name
        if kind == "sync":
            with call(_View(client, "with_streaming_response")) as response:
                assert response.headers["content-type"].startswith("application/json")
                lines = list(response.iter_lines())
            assert response.is_closed and lines and lines[0].startswith("{"), name
            with call(_View(client, "with_streaming_response")) as response:
                assert check(response.parse()), name
            assert response.is_closed
        else:
            async with call(_View(client, "with_streaming_response")) as response:
                lines = [line async for line in response.iter_lines()]
            assert response.is_closed and lines and lines[0].startswith("{"), name
            async with call(_View(client, "with_streaming_response")) as response:
                assert check(await response.parse()), name
            assert response.is_closed


def test_frost_fixture_is_the_documented_file(frost: Path) -> None:
    assert hashlib.sha256(frost.read_bytes()).hexdigest() == FROST_SHA256
