"""Audio, embeddings, images, models and misc resources against respx mocks.

Every test runs with both clients: `kind` picks `Edgen` or `AsyncEdgen`, and
`resolve()` awaits the result when the client is async.
"""

from __future__ import annotations

import base64
import email.parser
import email.policy
import inspect
import io
import json
import struct
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx

from edgen import (
    APIResponse,
    APIResponseValidationError,
    AsyncAPIResponse,
    AsyncEdgen,
    Edgen,
    InternalServerError,
)
from edgen.resources import audio as audio_module
from edgen.types import (
    AIStatus,
    CreateEmbeddingResponse,
    Embedding,
    ImageGenerationResponse,
    Model,
    ModelDeleted,
    ModelsPage,
    Version,
)
from edgen.types.audio import Transcription

BASE = "http://127.0.0.1:33322/v1/"
KINDS = ["sync", "async"]
SESSION = "6f1c9d2e-3b4a-4c5d-8e7f-0a1b2c3d4e5f"
STATUS = {
    "active_model": "nomic-embed-text-v1.5.f16.gguf",
    "download_ongoing": True,
    "download_progress": 42,
    "last_errors": [],
}
MODEL_JSON = {
    "id": "TheFake/My-fake-model-GGUF",
    "created": 1708333035,
    "object": "model",
    "owned_by": "TheFake",
}
VERSION_JSON = {"major": 0, "minor": 1, "patch": 5, "build": ""}
PNG = [137, 80, 78, 71, 13, 10, 26, 10, 0, 0, 0, 13, 73, 72, 68, 82]


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def mock() -> Iterator[respx.MockRouter]:
    with respx.mock(base_url=BASE, assert_all_called=False) as router:
        yield router


def make_client(kind: str, **kwargs: Any) -> Edgen | AsyncEdgen:
    kwargs.setdefault("max_retries", 0)
    return Edgen(**kwargs) if kind == "sync" else AsyncEdgen(**kwargs)


async def resolve(value: Any) -> Any:
    return await value if inspect.isawaitable(value) else value


def multipart(request: httpx.Request) -> list[tuple[Any, ...]]:
    """(name, filename, payload, content type) of every part, in order."""
    content_type = request.headers["content-type"]
    assert content_type.startswith("multipart/form-data; boundary=")
    head = f"Content-Type: {content_type}\r\n\r\n".encode()
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + request.read())
    parts = []
    for part in message.iter_parts():
        assert part.get_content_disposition() == "form-data"
        name = part.get_param("name", header="content-disposition")
        filename = part.get_param("filename", header="content-disposition")
        ctype = part["content-type"]
        parts.append((name, filename, part.get_payload(decode=True), ctype))
    return parts


def text_fields(request: httpx.Request) -> dict[str, str]:
    fields = {}
    for name, filename, payload, _ in multipart(request):
        if filename is None and name != "file":
            assert name not in fields, f"field {name!r} sent twice"
            fields[name] = payload.decode()
    return fields


def file_field(request: httpx.Request) -> tuple[Any, ...]:
    found = [(fn, data, ct) for name, fn, data, ct in multipart(request) if name == "file"]
    assert len(found) == 1
    return found[0]


# -- audio.transcriptions ---------------------------------------------------------------


@pytest.mark.anyio
@pytest.mark.parametrize("kind", KINDS)
async def test_transcription_sends_set_fields_only(kind: str, mock: respx.MockRouter) -> None:
    route = mock.post("audio/transcriptions").respond(json={"text": " hi", "session": SESSION})
    client = make_client(kind)
    result = await resolve(
        client.audio.transcriptions.create(
            file=b"RIFF....WAVE",
            model="default",
            language="en",
            prompt="",
            response_format=None,
            temperature=0,
            create_session=True,
            session=uuid.UUID(SESSION),
        )
    )
    assert isinstance(result, Transcription)
    assert result.text == " hi" and result.session == SESSION
    request = route.calls.last.request
    assert request.method == "POST"
    assert request.url == BASE + "audio/transcriptions"
    assert request.headers["accept"] == "application/json"
    assert text_fields(request) == {
        "model": "default",
        "language": "en",
        "temperature": "0.0",
        "create_session": "true",
        "session": SESSION,
    }
    assert file_field(request)[1] == b"RIFF....WAVE"


@pytest.mark.anyio
@pytest.mark.parametrize("kind", KINDS)
async def test_transcription_minimal_form(kind: str, mock: respx.MockRouter) -> None:
    route = mock.post("audio/transcriptions").respond(json={"text": " hi"})
    client = make_client(kind)
    result = await resolve(
        client.audio.transcriptions.create(
            file=b"x", model="", create_session=False, temperature=0.25, session=SESSION.upper()
        )
    )
    assert result.session is None and "session" not in result.model_fields_set
    # model is required by the server, so "" (its default model) is still sent
    assert text_fields(route.calls.last.request) == {
        "model": "",
        "temperature": "0.25",
        "create_session": "false",
        "session": SESSION,
    }


def _file_cases(tmp_path: Path) -> list[tuple[Any, str | None, str | None]]:
    wav = tmp_path / "clip.wav"
    wav.write_bytes(b"AUDIO")
    return [
        (wav, "clip.wav", "audio/x-wav"),
        (str(wav), "clip.wav", "audio/x-wav"),
        (b"AUDIO", "upload", "application/octet-stream"),
        (bytearray(b"AUDIO"), "upload", "application/octet-stream"),
        (io.BytesIO(b"AUDIO"), "upload", "application/octet-stream"),
        (("a.mp3", b"AUDIO"), "a.mp3", "audio/mpeg"),
        (("a.bin", b"AUDIO", "audio/flac"), "a.bin", "audio/flac"),
        (("renamed.wav", wav), "renamed.wav", "audio/x-wav"),
    ]


@pytest.mark.anyio
@pytest.mark.parametrize("kind", KINDS)
async def test_transcription_file_forms(kind: str, mock: respx.MockRouter, tmp_path: Path) -> None:
    route = mock.post("audio/transcriptions").respond(json={"text": "ok"})
    client = make_client(kind)
    for file, filename, ctype in _file_cases(tmp_path):
        await resolve(client.audio.transcriptions.create(file=file, model="default"))
        assert file_field(route.calls.last.request) == (filename, b"AUDIO", ctype), file
    with open(tmp_path / "clip.wav", "rb") as handle:
        await resolve(client.audio.transcriptions.create(file=handle, model="default"))
        assert not handle.closed  # the caller's file stays the caller's
    assert file_field(route.calls.last.request) == ("clip.wav", b"AUDIO", "audio/x-wav")


@pytest.mark.parametrize(
    ("file", "field"),
    [("clip\x00.wav", "file"), (("clip.wav", Path("clip\x00.wav")), "file[1]")],
)
def test_transcription_path_with_nul_byte_names_field_and_path(file: Any, field: str) -> None:
    client = Edgen(base_url=BASE, max_retries=0)
    with pytest.raises(ValueError) as info:
        client.audio.transcriptions.create(file=file, model="m")
    message = str(info.value)
    assert message.startswith(f"Cannot read {field} ") and "'clip\\x00.wav'" in message
    assert "null byte" in message


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """The handles `create()` opens itself, to check they get closed."""
    handles: list[Any] = []
    real_open = audio_module._open

    def spy(path: Any, where: str) -> Any:
        handle = real_open(path, where)
        handles.append(handle)
        return handle

    monkeypatch.setattr(audio_module, "_open", spy)
    return handles


@pytest.mark.anyio
@pytest.mark.parametrize("kind", KINDS)
async def test_transcription_closes_opened_file(
    kind: str, mock: respx.MockRouter, tmp_path: Path, opened: list[Any]
) -> None:
    wav = tmp_path / "clip.wav"
    wav.write_bytes(b"AUDIO")
    route = mock.post("audio/transcriptions")
    route.side_effect = [
        httpx.Response(200, json={"text": "ok"}),
        httpx.Response(500, json={"error": "endpoint", "Decode": "bad"}),
        httpx.ConnectError("refused"),
        httpx.Response(200, json={"text": "ok"}),
    ]
    client = make_client(kind)
    await resolve(client.audio.transcriptions.create(file=wav, model="default"))
    with pytest.raises(InternalServerError):
        await resolve(client.audio.transcriptions.create(file=wav, model="default"))
    with pytest.raises(Exception, match="onnect"):
        await resolve(client.audio.transcriptions.create(file=str(wav), model="default"))
    streaming = client.audio.transcriptions.with_streaming_response.create(file=wav, model="x")
    if kind == "sync":
        with streaming as response:
            assert response.parse().text == "ok"
    else:
        async with streaming as response:
            assert (await response.parse()).text == "ok"
    assert len(opened) == 4
    assert all(handle.closed for handle in opened)


@pytest.mark.anyio
@pytest.mark.parametrize("kind", KINDS)
async def test_transcription_retry_resends_whole_file(
    kind: str, mock: respx.MockRouter, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("edgen._pipeline.INITIAL_RETRY_DELAY", 0.0, raising=False)
    wav = tmp_path / "clip.wav"
    wav.write_bytes(b"A" * 300_000)
    route = mock.post("audio/transcriptions")
    route.side_effect = [httpx.Response(503), httpx.Response(200, json={"text": "ok"})]
    client = make_client(kind, max_retries=1)
    client = client.with_options(timeout=5.0)
    await resolve(client.audio.transcriptions.create(file=wav, model="default"))
    assert route.call_count == 2
    for call in route.calls:
        assert file_field(call.request)[1] == b"A" * 300_000


@pytest.mark.anyio
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("fmt", ["text", "srt", "vtt"])
async def test_transcription_text_formats(kind: str, fmt: str, mock: respx.MockRouter) -> None:
    route = mock.post("audio/transcriptions")
    route.side_effect = [
        httpx.Response(200, json={"text": " from json"}),  # what Edgen always answers
        httpx.Response(200, text="1\n00:00:00,000 --> 00:00:01,000\nplain\n"),
    ]
    client = make_client(kind)
    first = await resolve(
        client.audio.transcriptions.create(file=b"x", model="m", response_format=fmt)
    )
    second = await resolve(
        client.audio.transcriptions.create(file=b"x", model="m", response_format=fmt)
    )
    assert first == " from json"
    assert second == "1\n00:00:00,000 --> 00:00:01,000\nplain\n"
    assert text_fields(route.calls.last.request)["response_format"] == fmt


@pytest.mark.anyio
@pytest.mark.parametrize("kind", KINDS)
async def test_transcription_json_format_is_a_model(kind: str, mock: respx.MockRouter) -> None:
    mock.post("audio/transcriptions").respond(json={"text": "t", "language": "en"})
    client = make_client(kind)
    for fmt in ("json", "verbose_json"):
        result = await resolve(
            client.audio.transcriptions.create(file=b"x", model="m", response_format=fmt)
        )
        assert isinstance(result, Transcription) and result.text == "t"


@pytest.mark.anyio
@pytest.mark.parametrize("kind", KINDS)
async def test_transcription_bad_input(kind: str, mock: respx.MockRouter, tmp_path: Path) -> None:
    route = mock.post("audio/transcriptions").respond(json={"text": "never"})
    client = make_client(kind)
    create = client.audio.transcriptions.create
    missing = tmp_path / "nope" / "missing.wav"
    with pytest.raises(FileNotFoundError, match="missing.wav"):
        create(file=missing, model="default")
    with pytest.raises(FileNotFoundError, match="missing.wav"):
        create(file=str(missing), model="default")
    with pytest.raises(IsADirectoryError, match=str(tmp_path.name)):
        create(file=tmp_path, model="default")
    with open(tmp_path / "t.txt", "w") as text_file:
        with pytest.raises(TypeError, match="text mode"):
            create(file=text_file, model="default")
    cases: list[tuple[dict[str, Any], type[Exception], str]] = [
        ({"file": b"x"}, TypeError, "model"),
        ({"model": "m"}, TypeError, "file"),
        ({"file": b"x", "model": "m", "timestamp_granularities": ["w"]}, TypeError, "unexpected"),
        ({"file": b"x", "model": 3}, TypeError, "model must be a str"),
        ({"file": 12, "model": "m"}, TypeError, "path, bytes or a binary file"),
        ({"file": ("a.wav", "/a/path.wav"), "model": "m"}, TypeError, "pathlib.Path"),
        ({"file": ("a.wav",), "model": "m"}, ValueError, "tuple"),
        ({"file": b"x", "model": "m", "session": "not-a-uuid"}, ValueError, "UUID"),
        ({"file": b"x", "model": "m", "session": 5}, TypeError, "session"),
        ({"file": b"x", "model": "m", "create_session": "true"}, TypeError, "bool"),
        ({"file": b"x", "model": "m", "temperature": "0.1"}, TypeError, "number"),
        ({"file": b"x", "model": "m", "temperature": True}, TypeError, "number"),
        ({"file": b"x", "model": "m", "temperature": float("nan")}, ValueError, "finite"),
        ({"file": b"x", "model": "m", "language": 1}, TypeError, "language"),
    ]
    for params, error, match in cases:
        with pytest.raises(error, match=match):
            create(**params)
    assert route.call_count == 0


@pytest.mark.anyio
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(
    ("resource", "path"),
    [
        ("audio.transcriptions.status", "audio/transcriptions/status"),
        ("embeddings.status", "embeddings/status"),
    ],
)
async def test_status(kind: str, resource: str, path: str, mock: respx.MockRouter) -> None:
    route = mock.get(path).respond(json=STATUS)
    target: Any = make_client(kind)
    for name in resource.split("."):
        target = getattr(target, name)
    for method in (target.create, target.retrieve):
        status = await resolve(method())
        assert isinstance(status, AIStatus)
        assert status.download_progress == 42 and status.download_ongoing is True
    assert route.call_count == 2
    assert route.calls.last.request.content == b""


# -- embeddings ---------------------------------------------------------------------------


def _vectors(key: str, *vectors: Any) -> dict[str, Any]:
    return {
        "object": "list",
        key: [{"object": "embedding", "embedding": v, "index": i} for i, v in enumerate(vectors)],
        "model": "default",
        "usage": {"prompt_tokens": 0, "total_tokens": 0},
    }


@pytest.mark.anyio
@pytest.mark.parametrize("kind", KINDS)
async def test_embeddings_body_and_edgen_answer(kind: str, mock: respx.MockRouter) -> None:
    route = mock.post("embeddings").respond(json=_vectors("embeddings", [0.5, -1.0], [2.0, 0.0]))
    client = make_client(kind)
    result = await resolve(client.embeddings.create(input=["a", "b"], model="default"))
    assert isinstance(result, CreateEmbeddingResponse)
    assert [e.embedding for e in result.data] == [[0.5, -1.0], [2.0, 0.0]]
    assert result.embeddings is result.data or result.embeddings == result.data
    assert isinstance(result.data[0], Embedding) and result.data[1].index == 1
    assert result.model == "default" and result.usage is not None
    request = route.calls.last.request
    assert request.method == "POST" and request.url == BASE + "embeddings"
    assert request.headers["content-type"] == "application/json"
    assert json.loads(request.content) == {"input": ["a", "b"], "model": "default"}

    await resolve(
        client.embeddings.create(
            input="one",
            model="nomic-ai/nomic-embed-text-v1.5-GGUF/nomic-embed-text-v1.5.f16.gguf",
            encoding_format="float",
            dimensions=256,
            user="me",
            extra_headers={"x-trace": "1"},
        )
    )
    request = route.calls.last.request
    assert request.headers["x-trace"] == "1"
    assert json.loads(request.content) == {
        "input": "one",
        "model": "nomic-ai/nomic-embed-text-v1.5-GGUF/nomic-embed-text-v1.5.f16.gguf",
        "encoding_format": "float",
        "dimensions": 256,
        "user": "me",
    }


@pytest.mark.anyio
@pytest.mark.parametrize("kind", KINDS)
async def test_embeddings_openai_data_and_base64(kind: str, mock: respx.MockRouter) -> None:
    packed = base64.b64encode(struct.pack("<3f", 1.5, -2.0, 0.25)).decode()
    route = mock.post("embeddings")
    route.side_effect = [
        httpx.Response(200, json=_vectors("data", [0.1, 0.2])),
        httpx.Response(200, json=_vectors("data", packed)),
    ]
    client = make_client(kind)
    plain = await resolve(client.embeddings.create(input=[[1, 2, 3]], model="m"))
    assert plain.data[0].embedding == [0.1, 0.2]
    assert plain.embeddings[0].embedding == [0.1, 0.2]
    assert "data" in plain.model_fields_set and "embeddings" not in plain.model_fields_set
    decoded = await resolve(
        client.embeddings.create(input=[5, 6], model="m", encoding_format="base64")
    )
    assert decoded.data[0].embedding == [1.5, -2.0, 0.25]
    assert json.loads(route.calls.last.request.content)["input"] == [5, 6]


@pytest.mark.anyio
@pytest.mark.parametrize("kind", KINDS)
async def test_embeddings_bad_answer(kind: str, mock: respx.MockRouter) -> None:
    mock.post("embeddings").respond(json=_vectors("data", "not base64!"))
    client = make_client(kind)
    with pytest.raises(APIResponseValidationError):
        await resolve(client.embeddings.create(input="a", model="m"))


@pytest.mark.anyio
@pytest.mark.parametrize("kind", KINDS)
async def test_embeddings_bad_input(kind: str, mock: respx.MockRouter) -> None:
    route = mock.post("embeddings").respond(json=_vectors("embeddings"))
    create = make_client(kind).embeddings.create
    cases: list[tuple[dict[str, Any], type[Exception], str]] = [
        ({"input": "a"}, TypeError, "model"),
        ({"model": "m"}, TypeError, "input"),
        ({"input": "a", "model": None}, TypeError, "model"),
        ({"input": 5, "model": "m"}, TypeError, "input"),
        ({"input": b"a", "model": "m"}, TypeError, "input"),
        ({"input": [], "model": "m"}, ValueError, "empty"),
        ({"input": ["a", 1], "model": "m"}, TypeError, r"input\[1\]"),
        ({"input": [[1], ["x"]], "model": "m"}, TypeError, r"input\[1\]"),
        ({"input": [True], "model": "m"}, TypeError, r"input\[0\]"),
        ({"input": "a", "model": "m", "format": "x"}, TypeError, "unexpected"),
    ]
    for params, error, match in cases:
        with pytest.raises(error, match=match):
            create(**params)
    assert route.call_count == 0


# -- image.generations --------------------------------------------------------------------


@pytest.mark.anyio
@pytest.mark.parametrize("kind", KINDS)
async def test_image_generation(kind: str, mock: respx.MockRouter, tmp_path: Path) -> None:
    route = mock.post("image/generations").respond(json={"images": [PNG, PNG[:8]]})
    client = make_client(kind)
    result = await resolve(client.image.generations.create(prompt="A rusty robot"))
    assert isinstance(result, ImageGenerationResponse)
    assert result.images == [bytes(PNG), bytes(PNG[:8])]
    assert result.images[0].startswith(b"\x89PNG\r\n\x1a\n")
    request = route.calls.last.request
    assert request.method == "POST" and request.url == BASE + "image/generations"
    assert json.loads(request.content) == {
        "prompt": "A rusty robot",
        "model": {"Left": "stable-diffusion-2-1"},
    }
    paths = result.save(tmp_path / "out", prefix="robot")
    assert [p.name for p in paths] == ["robot-0.png", "robot-1.png"]
    assert paths[0].read_bytes() == bytes(PNG)

    await resolve(
        client.image.generations.create(
            prompt="p",
            model="my-sd",
            width=512,
            height=512,
            uncond_prompt="blurry",
            steps=20,
            images=2,
            seed=2**64 - 1,
            guidance_scale=7.5,
            vae_scale=0.18215,
        )
    )
    assert json.loads(route.calls.last.request.content) == {
        "prompt": "p",
        "model": {"Left": "my-sd"},
        "width": 512,
        "height": 512,
        "uncond_prompt": "blurry",
        "steps": 20,
        "images": 2,
        "seed": 2**64 - 1,
        "guidance_scale": 7.5,
        "vae_scale": 0.18215,
    }
    right = {
        "Right": {
            "unet_weights": "a/b/unet.safetensors",
            "vae_weights": "/abs/vae.safetensors",
            "clip_weights": "clip.safetensors",
            "tokenizer": "tok.json",
            "clip2_weights": None,
        }
    }
    for model in (right, {"Left": "stable-diffusion-2-1"}):
        await resolve(client.image.generations.create(prompt="p", model=model, vae_scale=0.2))
        assert json.loads(route.calls.last.request.content)["model"] == model


@pytest.mark.anyio
@pytest.mark.parametrize("kind", KINDS)
async def test_image_bad_input_and_answer(kind: str, mock: respx.MockRouter) -> None:
    route = mock.post("image/generations")
    route.side_effect = [httpx.Response(200, json={"images": [[1, 300]]})]
    create = make_client(kind).image.generations.create
    files = {"unet_weights": "u", "vae_weights": "v", "clip_weights": "c", "tokenizer": "t"}
    cases: list[tuple[dict[str, Any], type[Exception], str]] = [
        ({}, TypeError, "prompt"),
        ({"prompt": 1}, TypeError, "prompt"),
        ({"prompt": "p", "model": ""}, ValueError, "empty"),
        ({"prompt": "p", "model": 1}, TypeError, "model"),
        ({"prompt": "p", "model": {"Middle": "x"}}, ValueError, "Left"),
        ({"prompt": "p", "model": {"Left": "x", "Right": files}}, ValueError, "Left"),
        ({"prompt": "p", "model": {"Left": 3}}, TypeError, "Left"),
        ({"prompt": "p", "model": {"Right": files}}, ValueError, "vae_scale"),
        (
            {"prompt": "p", "model": {"Right": {"unet_weights": "u"}}, "vae_scale": 1.0},
            ValueError,
            "tokenizer",
        ),
        ({"prompt": "p", "width": -8}, ValueError, "width"),
        ({"prompt": "p", "images": 2**32}, ValueError, "images"),
        ({"prompt": "p", "steps": True}, TypeError, "steps"),
        ({"prompt": "p", "seed": 1.5}, TypeError, "seed"),
        ({"prompt": "p", "guidance_scale": "7"}, TypeError, "guidance_scale"),
        ({"prompt": "p", "size": "512x512"}, TypeError, "unexpected"),
    ]
    for params, error, match in cases:
        with pytest.raises(error, match=match):
            create(**params)
    assert route.call_count == 0
    with pytest.raises(APIResponseValidationError):
        await resolve(create(prompt="p"))


# -- models ---------------------------------------------------------------------------------


@pytest.mark.anyio
@pytest.mark.parametrize("kind", KINDS)
async def test_models_list(kind: str, mock: respx.MockRouter) -> None:
    second = {**MODEL_JSON, "id": "distil-whisper/distil-small.en", "owned_by": "distil-whisper"}
    route = mock.get("models")
    route.side_effect = [
        httpx.Response(
            200, json={"object": "list", "data": [MODEL_JSON, second], "page": 1, "per_page": 2}
        ),
        httpx.Response(200, json={"object": "list", "data": [{"id": "llama", "object": "model"}]}),
    ]
    client = make_client(kind)
    page = await resolve(client.models.list())
    assert isinstance(page, ModelsPage)
    assert len(page) == 2 and page.page == 1 and page.per_page == 2
    assert [m.id for m in page] == [MODEL_JSON["id"], second["id"]]
    assert page[1].owned_by == "distil-whisper" and page.data[0].created == 1708333035
    assert page[:1] == page.data[:1]
    assert isinstance(page[0], Model)
    request = route.calls.last.request
    assert request.method == "GET" and request.url == BASE + "models"
    # an OpenAI-compatible server: no created/owned_by/page
    if kind == "sync":
        ids = [m.id for m in client.models.list()]
    else:
        ids = [m.id async for m in client.models.list()]
    assert ids == ["llama"]


@pytest.mark.anyio
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(
    "model_id",
    ["TheFake/My-fake-model-GGUF", "TheFake%2fMy-fake-model-GGUF", "TheFake%2FMy-fake-model-GGUF"],
)
async def test_models_retrieve_and_delete_encode_once(
    kind: str, model_id: str, mock: respx.MockRouter
) -> None:
    raw_path = b"/v1/models/TheFake%2FMy-fake-model-GGUF"
    get = mock.get("models/TheFake%2FMy-fake-model-GGUF").respond(json=MODEL_JSON)
    delete = mock.delete("models/TheFake%2FMy-fake-model-GGUF").respond(
        json={"id": MODEL_JSON["id"], "object": "model", "deleted": True}
    )
    client = make_client(kind)
    model = await resolve(client.models.retrieve(model_id))
    assert isinstance(model, Model) and model.id == MODEL_JSON["id"]
    assert get.calls.last.request.url.raw_path == raw_path
    deleted = await resolve(client.models.delete(model_id))
    assert isinstance(deleted, ModelDeleted) and deleted.deleted is True
    assert delete.calls.last.request.url.raw_path == raw_path
    assert delete.calls.last.request.method == "DELETE"


@pytest.mark.anyio
@pytest.mark.parametrize("kind", KINDS)
async def test_models_reserved_characters(kind: str, mock: respx.MockRouter) -> None:
    route = mock.get(url__regex=r".*/models/.*").respond(json=MODEL_JSON)
    client = make_client(kind)
    for model_id, encoded in [
        ("a b/c?d#e", b"a%20b%2Fc%3Fd%23e"),
        ("50%", b"50%25"),
        ("100%25", b"100%25"),
        ("x+y", b"x%2By"),
    ]:
        await resolve(client.models.retrieve(model_id))
        assert route.calls.last.request.url.raw_path == b"/v1/models/" + encoded


@pytest.mark.anyio
@pytest.mark.parametrize("kind", KINDS)
async def test_models_bad_ids_and_server_error(kind: str, mock: respx.MockRouter) -> None:
    route = mock.route().respond(500)  # Edgen: unknown id -> 500 with an empty body
    client = make_client(kind)
    for method in (client.models.retrieve, client.models.delete):
        for bad in ("", "   ", "%20", ".", ".."):
            with pytest.raises(ValueError, match="model id"):
                method(bad)
        with pytest.raises(TypeError, match="model id"):
            method(None)  # type: ignore[arg-type]
        with pytest.raises(TypeError, match="unexpected"):
            method("a/b", force=True)  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="unexpected"):
        client.models.list(page=2)  # type: ignore[call-arg]
    assert route.call_count == 0
    with pytest.raises(InternalServerError) as caught:
        await resolve(client.models.retrieve("no/such"))
    assert caught.value.status_code == 500


# -- misc.version -------------------------------------------------------------------------


@pytest.mark.anyio
@pytest.mark.parametrize("kind", KINDS)
async def test_version(kind: str, mock: respx.MockRouter) -> None:
    route = mock.get("misc/version").respond(json={**VERSION_JSON, "build": "rc1"})
    client = make_client(kind)
    for method in (client.misc.version.create, client.misc.version.retrieve):
        version = await resolve(method(extra_query={"q": "1"}))
        assert isinstance(version, Version)
        assert (version.major, version.minor, version.patch, version.build) == (0, 1, 5, "rc1")
        assert str(version) == "0.1.5-rc1"
    request = route.calls.last.request
    assert request.method == "GET" and request.url == BASE + "misc/version?q=1"
    with pytest.raises(TypeError, match="unexpected"):
        client.misc.version.create(verbose=True)  # type: ignore[call-arg]


# -- raw and streaming responses for every method -----------------------------------------

# (name, route method, route path, response JSON, call, check of the parsed value)
_CALLS: list[tuple[str, str, str, Any, Any, Any]] = [
    (
        "transcriptions",
        "post",
        "audio/transcriptions",
        {"text": " hi"},
        lambda r: r.audio.transcriptions.create(file=b"x", model="m"),
        lambda v: v.text == " hi",
    ),
    (
        "transcriptions-text",
        "post",
        "audio/transcriptions",
        {"text": " hi"},
        lambda r: r.audio.transcriptions.create(file=b"x", model="m", response_format="text"),
        lambda v: v == " hi",
    ),
    (
        "transcriptions-status",
        "get",
        "audio/transcriptions/status",
        STATUS,
        lambda r: r.audio.transcriptions.status.create(),
        lambda v: v.download_progress == 42,
    ),
    (
        "embeddings",
        "post",
        "embeddings",
        _vectors("embeddings", [1.0]),
        lambda r: r.embeddings.create(input="a", model="m"),
        lambda v: v.data[0].embedding == [1.0],
    ),
    (
        "embeddings-status",
        "get",
        "embeddings/status",
        STATUS,
        lambda r: r.embeddings.status.create(),
        lambda v: v.active_model.startswith("nomic"),
    ),
    (
        "images",
        "post",
        "image/generations",
        {"images": [PNG]},
        lambda r: r.image.generations.create(prompt="p"),
        lambda v: v.images == [bytes(PNG)],
    ),
    (
        "models-list",
        "get",
        "models",
        {"object": "list", "data": [MODEL_JSON]},
        lambda r: r.models.list(),
        lambda v: len(v) == 1,
    ),
    (
        "models-retrieve",
        "get",
        "models/a%2Fb",
        MODEL_JSON,
        lambda r: r.models.retrieve("a/b"),
        lambda v: v.owned_by == "TheFake",
    ),
    (
        "models-delete",
        "delete",
        "models/a%2Fb",
        {"id": "a/b", "object": "model", "deleted": True},
        lambda r: r.models.delete("a/b"),
        lambda v: v.deleted,
    ),
    (
        "version",
        "get",
        "misc/version",
        VERSION_JSON,
        lambda r: r.misc.version.create(),
        lambda v: v.patch == 5,
    ),
    (
        "version-retrieve",
        "get",
        "misc/version",
        VERSION_JSON,
        lambda r: r.misc.version.retrieve(),
        lambda v: v.minor == 1,
    ),
]
_CALL_IDS = [c[0] for c in _CALLS]


class _Via:
    """`client.with_raw_response.x` and `client.x.with_raw_response` must be the same."""

    def __init__(self, client: Any, mode: str, at_top: bool) -> None:
        self._client, self._mode, self._top = client, mode, at_top

    def __getattr__(self, name: str) -> Any:
        resource = getattr(self._client, name)
        if self._top:
            return getattr(resource, self._mode)
        return _Deep(resource, self._mode)


class _Deep:
    def __init__(self, resource: Any, mode: str) -> None:
        self._resource, self._mode = resource, mode

    def __getattr__(self, name: str) -> Any:
        child = getattr(self._resource, name)
        if callable(child) and not hasattr(child, "with_raw_response"):
            return getattr(getattr(self._resource, self._mode), name)
        return _Deep(child, self._mode)


@pytest.mark.anyio
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("at_top", [True, False], ids=["outer", "inner"])
@pytest.mark.parametrize(("name", "verb", "path", "answer", "call", "check"), _CALLS, ids=_CALL_IDS)
async def test_with_raw_response(
    kind: str,
    at_top: bool,
    name: str,
    verb: str,
    path: str,
    answer: Any,
    call: Any,
    check: Any,
    mock: respx.MockRouter,
) -> None:
    route = getattr(mock, verb)(path).respond(json=answer, headers={"x-edgen": "yes"})
    client = make_client(kind)
    response = await resolve(call(_Via(client, "with_raw_response", at_top)))
    assert isinstance(response, APIResponse if kind == "sync" else AsyncAPIResponse)
    assert response.headers["x-edgen"] == "yes" and response.status_code == 200
    assert check(await resolve(response.parse()))
    assert route.call_count == 1


@pytest.mark.anyio
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(("name", "verb", "path", "answer", "call", "check"), _CALLS, ids=_CALL_IDS)
async def test_with_streaming_response(
    kind: str,
    name: str,
    verb: str,
    path: str,
    answer: Any,
    call: Any,
    check: Any,
    mock: respx.MockRouter,
) -> None:
    body = json.dumps(answer).encode()
    getattr(mock, verb)(path).respond(
        200, content=body, headers={"content-type": "application/json"}
    )
    client = make_client(kind)
    via = _Via(client, "with_streaming_response", at_top=False)
    if kind == "sync":
        with call(via) as response:
            assert not response.is_closed
            assert "".join(response.iter_lines()) == body.decode()
        assert response.is_closed
        with call(via) as response:
            assert b"".join(response.iter_bytes()) == body
        with call(via) as response:
            assert check(response.parse())
        assert response.is_closed
    else:
        async with call(via) as response:
            assert not response.is_closed
            assert "".join([line async for line in response.iter_lines()]) == body.decode()
        assert response.is_closed
        async with call(via) as response:
            assert b"".join([chunk async for chunk in response.iter_bytes()]) == body
        async with call(via) as response:
            assert check(await response.parse())
        assert response.is_closed
