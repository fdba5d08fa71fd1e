"""The documented usage, with the types a checker must infer for it.

`tox -e typing` runs `mypy --strict` on this file: every `assert_type` must
hold, and every `# type: ignore[...]` must still be needed (warn_unused_ignores),
so a wrong or missing overload fails CI. pytest also runs it, against the
emulator, so the usage shown here also works at run time (`assert_type` is a
no-op there).
"""

from __future__ import annotations

import sys
from collections.abc import Coroutine, Iterator
from typing import Any

import httpx
import msgspec
import pytest

import edgen
from edgen import (
    APIResponse,
    AsyncAPIResponse,
    AsyncEdgen,
    AsyncStream,
    Edgen,
    Stream,
)
from edgen._accumulate import AsyncChatCompletionStreamManager, ChatCompletionStreamManager
from edgen._response import AsyncResponseContextManager, ResponseContextManager
from edgen.testing import EdgenEmulator
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
from edgen.types.chat import (
    ChatCompletion,
    ChatCompletionChunk,
    ChatCompletionMessageParam,
    ChatCompletionToolParam,
)
from edgen.types.chat.parsed_chat_completion import ParsedChatCompletion

if sys.version_info >= (3, 11):
    from typing import assert_type
else:  # pragma: no cover
    from typing_extensions import assert_type

MESSAGES: list[ChatCompletionMessageParam] = [
    {"role": "system", "content": "Be brief."},
    {"role": "user", "content": "Say this is a test"},
]
AUDIO = b"RIFF\x00\x00\x00\x00WAVE"


@pytest.fixture
def server() -> Iterator[EdgenEmulator]:
    with EdgenEmulator(seed=7, tokens=4) as emulator:
        yield emulator


# -- client construction ------------------------------------------------------
def test_construction(server: EdgenEmulator) -> None:
    client = Edgen(
        base_url=server.url,
        api_key=None,
        timeout=httpx.Timeout(30.0, connect=2.0),
        max_retries=0,
        default_headers={"x-trace": "1"},
        default_query={"q": "1"},
        http_client=httpx.Client(),
    )
    assert_type(client, Edgen)
    assert_type(client.with_options(timeout=5.0), Edgen)
    assert_type(client.copy(max_retries=1), Edgen)
    assert_type(client.base_url, httpx.URL)
    assert_type(edgen.Client, type[Edgen])
    assert_type(edgen.__version__, str)
    with Edgen(base_url=server.url) as managed:
        assert_type(managed, Edgen)
    assert_type(AsyncEdgen(base_url=server.url, http_client=httpx.AsyncClient()), AsyncEdgen)
    with pytest.raises(TypeError):
        Edgen(timeout="slow")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        Edgen(base_url=server.url, http_client=httpx.AsyncClient())  # type: ignore[arg-type]


# -- chat -----------------------------------------------------------------------
def test_chat(server: EdgenEmulator) -> None:
    client = Edgen(base_url=server.url, max_retries=0)
    completion = client.chat.completions.create(model="default", messages=MESSAGES)
    assert_type(completion, ChatCompletion)
    assert_type(completion.choices[0].message.content, str | None)
    assert_type(completion.model_dump(), dict[str, Any])

    stream = client.chat.completions.create(model="default", messages=MESSAGES, stream=True)
    assert_type(stream, Stream[ChatCompletionChunk])
    for chunk in stream:
        assert_type(chunk, ChatCompletionChunk)
        assert_type(chunk.choices[0].delta.content, str | None)

    whole = client.chat.completions.create(model="default", messages=MESSAGES, stream=False)
    assert_type(whole, ChatCompletion)

    flag: bool = len(MESSAGES) > 5
    either = client.chat.completions.create(model="default", messages=MESSAGES, stream=flag)
    assert_type(either, ChatCompletion | Stream[ChatCompletionChunk])

    options = client.chat.completions.create(
        model="default",
        messages=MESSAGES,
        temperature=0.2,
        max_tokens=10,
        extra_headers={"x-a": "b"},
        extra_query={"q": 1},
        extra_body={"one_shot": True},
        timeout=10.0,
    )
    assert_type(options, ChatCompletion)

    with pytest.raises(TypeError):
        client.chat.completions.create(model="default")  # type: ignore[call-overload]
    with pytest.raises(TypeError):
        client.chat.completions.create(model="d", messages=MESSAGES, bogus=1)  # type: ignore[call-overload]

    assert_type(client.chat.completions.status.create(), AIStatus)
    assert_type(client.chat.completions.status.retrieve(), AIStatus)


def test_chat_raw_and_streaming_response(server: EdgenEmulator) -> None:
    client = Edgen(base_url=server.url, max_retries=0)
    raw = client.chat.completions.with_raw_response.create(model="default", messages=MESSAGES)
    assert_type(raw, APIResponse[ChatCompletion])
    assert_type(raw.status_code, int)
    assert_type(raw.headers, httpx.Headers)
    assert_type(raw.parse(), ChatCompletion)
    assert_type(raw.request_id, str | None)
    assert_type(raw.parse()._request_id, str | None)

    raw_stream = client.chat.completions.with_raw_response.create(
        model="default", messages=MESSAGES, stream=True
    )
    assert_type(raw_stream, APIResponse[Stream[ChatCompletionChunk]])
    for chunk in raw_stream.parse():
        assert_type(chunk, ChatCompletionChunk)

    raw_chat = client.chat.with_raw_response.completions.create(model="d", messages=MESSAGES)
    assert_type(raw_chat, APIResponse[ChatCompletion])
    assert_type(client.chat.completions.status.with_raw_response.create(), APIResponse[AIStatus])

    manager = client.chat.completions.with_streaming_response.create(
        model="default", messages=MESSAGES
    )
    assert_type(manager, ResponseContextManager[ChatCompletion])
    with manager as response:
        assert_type(response, APIResponse[ChatCompletion])
        assert_type(response.parse(), ChatCompletion)
    with client.chat.completions.with_streaming_response.create(
        model="default", messages=MESSAGES, stream=True
    ) as response_stream:
        assert_type(response_stream, APIResponse[Stream[ChatCompletionChunk]])
        for line in response_stream.iter_lines():
            assert_type(line, str)


# -- audio, embeddings, images, models, version -------------------------------
def test_other_resources(server: EdgenEmulator) -> None:
    client = Edgen(base_url=server.url, max_retries=0)

    transcription = client.audio.transcriptions.create(file=("a.wav", AUDIO), model="default")
    assert_type(transcription, Transcription)
    assert_type(transcription.text, str)
    text = client.audio.transcriptions.create(file=AUDIO, model="default", response_format="text")
    assert_type(text, str)
    as_json = client.audio.transcriptions.create(
        file=AUDIO, model="default", response_format="json"
    )
    assert_type(as_json, Transcription)
    fmt: str = "vtt"
    unknown = client.audio.transcriptions.create(file=AUDIO, model="default", response_format=fmt)
    assert_type(unknown, Transcription | str)
    assert_type(client.audio.transcriptions.status.create(), AIStatus)
    assert_type(
        client.audio.with_raw_response.transcriptions.create(file=AUDIO, model="default"),
        APIResponse[Transcription],
    )

    embeddings = client.embeddings.create(input=["a", "b"], model="default")
    assert_type(embeddings, CreateEmbeddingResponse)
    assert_type(embeddings.data[0], Embedding)
    assert_type(embeddings.data[0].embedding, list[float])
    assert_type(client.embeddings.status.create(), AIStatus)

    images = client.image.generations.create(prompt="a robot", width=8, height=8, steps=1)
    assert_type(images, ImageGenerationResponse)
    assert_type(images.images, list[bytes])

    page = client.models.list()
    assert_type(page, ModelsPage)
    for model in page:
        assert_type(model, Model)
    model_id = page.data[0].id
    # By keyword too: renaming a resource method's parameter must fail this file.
    assert_type(client.models.retrieve(model=model_id), Model)
    assert_type(client.models.with_raw_response.list(), APIResponse[ModelsPage])
    with client.models.with_streaming_response.retrieve(model_id) as response:
        assert_type(response.parse(), Model)
    assert_type(client.models.delete(model_id), ModelDeleted)

    version = client.misc.version.create()
    assert_type(version, Version)
    assert_type(version.major, int)
    assert_type(client.misc.version.retrieve(), Version)
    assert_type(client.misc.with_raw_response.version.create(), APIResponse[Version])


# -- errors --------------------------------------------------------------------
def test_errors(server: EdgenEmulator) -> None:
    client = Edgen(base_url=server.url, max_retries=0)
    try:
        client.models.retrieve("no/such-model")
    except edgen.APIStatusError as exc:
        assert_type(exc.status_code, int)
        assert_type(exc.response, httpx.Response)
        assert_type(exc.body, object)
        assert_type(exc.message, str)
        assert_type(exc.request_id, str | None)
    else:  # pragma: no cover
        raise AssertionError("expected an APIStatusError")
    try:
        Edgen(base_url="http://127.0.0.1:9/v1/", max_retries=0).misc.version.create()
    except edgen.APIConnectionError as exc:
        assert_type(exc.request, httpx.Request)
    except edgen.APIError:  # pragma: no cover
        raise
    assert issubclass(edgen.APITimeoutError, edgen.APIConnectionError)


# -- structured outputs: `parsed` has the `response_format` type ----------------
class Weather(msgspec.Struct):
    city: str
    highs: list[int]


class GetWeather(msgspec.Struct):
    """Look up the weather in a city."""

    city: str


def test_structured(server: EdgenEmulator) -> None:
    client = Edgen(base_url=server.url, max_retries=0)
    completion = client.chat.completions.parse(
        model="default", messages=MESSAGES, response_format=Weather
    )
    assert_type(completion, ParsedChatCompletion[Weather])
    assert_type(completion.choices[0].message.parsed, Weather | None)
    assert isinstance(completion.choices[0].message.parsed, Weather)
    plain = client.chat.completions.parse(
        model="default", messages=MESSAGES, response_format={"type": "json_object"}
    )
    assert_type(plain, ParsedChatCompletion[None])
    assert_type(plain.choices[0].message.parsed, None)
    raw = client.chat.completions.with_raw_response.parse(
        model="default", messages=MESSAGES, response_format=Weather
    )
    assert_type(raw, APIResponse[ParsedChatCompletion[Weather]])
    assert isinstance(raw.parse().choices[0].message.parsed, Weather)

    manager = client.chat.completions.stream(
        model="default", messages=MESSAGES, response_format=Weather
    )
    assert_type(manager, ChatCompletionStreamManager[Weather])
    with manager as stream:
        final = stream.get_final_completion()
    assert_type(final, ParsedChatCompletion[Weather])
    assert_type(final.choices[0].message.parsed, Weather | None)
    assert isinstance(final.choices[0].message.parsed, Weather)
    untyped = client.chat.completions.stream(model="default", messages=MESSAGES)
    assert_type(untyped, ChatCompletionStreamManager[None])

    # The README's tool usage: function_tool() is what `tools=` takes.
    tool = edgen.function_tool(GetWeather)
    assert_type(tool, ChatCompletionToolParam)
    with_tools = client.chat.completions.parse(
        model="default", messages=MESSAGES, tools=[tool], tool_choice="required"
    )
    assert_type(with_tools, ParsedChatCompletion[None])
    client.chat.completions.create(model="default", messages=MESSAGES, tools=[tool])
    with pytest.raises(TypeError):
        client.chat.completions.parse(
            model="d", messages=MESSAGES, response_format=Weather, bogus=1
        )  # type: ignore[call-overload]


async def _async_structured(url: str) -> None:
    async with AsyncEdgen(base_url=url, max_retries=0) as client:
        call = client.chat.completions.parse(
            model="default", messages=MESSAGES, response_format=Weather
        )
        completion = await assert_type(call, Coroutine[Any, Any, ParsedChatCompletion[Weather]])
        assert_type(completion.choices[0].message.parsed, Weather | None)
        assert isinstance(completion.choices[0].message.parsed, Weather)
        raw = await client.chat.completions.with_raw_response.parse(
            model="default", messages=MESSAGES, response_format=Weather
        )
        assert_type(raw, AsyncAPIResponse[ParsedChatCompletion[Weather]])
        assert_type(raw.request_id, str | None)

        manager = client.chat.completions.stream(
            model="default", messages=MESSAGES, response_format=Weather
        )
        assert_type(manager, AsyncChatCompletionStreamManager[Weather])
        async with manager as stream:
            final = await stream.get_final_completion()
        assert_type(final, ParsedChatCompletion[Weather])
        assert_type(final.choices[0].message.parsed, Weather | None)
        assert isinstance(final.choices[0].message.parsed, Weather)
        assert_type(final._request_id, str | None)


@pytest.mark.anyio
async def test_async_structured(server: EdgenEmulator) -> None:
    await _async_structured(server.url)


# -- async ---------------------------------------------------------------------
async def _async_usage(url: str) -> None:
    async with AsyncEdgen(base_url=url, max_retries=0) as client:
        assert_type(client, AsyncEdgen)
        call = client.chat.completions.create(model="default", messages=MESSAGES)
        completion = await assert_type(call, Coroutine[Any, Any, ChatCompletion])
        assert_type(completion, ChatCompletion)

        stream = await client.chat.completions.create(
            model="default", messages=MESSAGES, stream=True
        )
        assert_type(stream, AsyncStream[ChatCompletionChunk])
        async for chunk in stream:
            assert_type(chunk, ChatCompletionChunk)

        flag: bool = len(MESSAGES) > 5
        either = await client.chat.completions.create(
            model="default", messages=MESSAGES, stream=flag
        )
        assert_type(either, ChatCompletion | AsyncStream[ChatCompletionChunk])

        raw = await client.chat.completions.with_raw_response.create(
            model="default", messages=MESSAGES
        )
        assert_type(raw, AsyncAPIResponse[ChatCompletion])
        assert_type(await raw.parse(), ChatCompletion)
        raw_stream = await client.chat.completions.with_raw_response.create(
            model="default", messages=MESSAGES, stream=True
        )
        assert_type(await raw_stream.parse(), AsyncStream[ChatCompletionChunk])
        await (await raw_stream.parse()).close()

        manager = client.chat.completions.with_streaming_response.create(
            model="default", messages=MESSAGES
        )
        assert_type(manager, AsyncResponseContextManager[ChatCompletion])
        async with manager as response:
            assert_type(response, AsyncAPIResponse[ChatCompletion])
            assert_type(await response.parse(), ChatCompletion)

        assert_type(await client.chat.completions.status.create(), AIStatus)
        assert_type(
            await client.audio.transcriptions.create(file=AUDIO, model="default"), Transcription
        )
        assert_type(
            await client.audio.transcriptions.create(
                file=AUDIO, model="default", response_format="srt"
            ),
            str,
        )
        assert_type(await client.audio.transcriptions.status.create(), AIStatus)
        assert_type(
            await client.embeddings.create(input="x", model="default"), CreateEmbeddingResponse
        )
        assert_type(await client.embeddings.status.create(), AIStatus)
        assert_type(
            await client.image.generations.create(prompt="x", width=8, height=8, steps=1),
            ImageGenerationResponse,
        )
        page = await client.models.list()
        assert_type(page, ModelsPage)
        async for model in client.models.list():
            assert_type(model, Model)
        raw_page = await client.models.with_raw_response.list()
        assert_type(raw_page, AsyncAPIResponse[ModelsPage])
        async with client.models.with_streaming_response.list() as listing:
            assert_type(await listing.parse(), ModelsPage)
        model_id = page.data[0].id
        assert_type(await client.models.retrieve(model_id), Model)
        assert_type(await client.models.delete(model=model_id), ModelDeleted)
        assert_type(await client.misc.version.create(), Version)
        try:
            await client.models.retrieve("no/such-model")
        except edgen.InternalServerError as exc:
            assert_type(exc.status_code, int)


@pytest.mark.anyio
async def test_async_usage(server: EdgenEmulator) -> None:
    await _async_usage(server.url)
