"""Moving from openai-python is a rename.

Each snippet below is written the way openai-python's README writes it. The
test changes only the names (`openai` -> `edgen`, `OpenAI` -> `Edgen`,
`OPENAI_` -> `EDGEN_`) and runs it against the emulator. The import paths of
the types are checked against openai-python's module layout.
"""

from __future__ import annotations

import importlib
import re
import textwrap
from collections.abc import Iterator

import pytest

from edgen.testing import EdgenEmulator


def rename(snippet: str) -> str:
    """The only change a user makes: the package, client class and env-var names."""
    code = textwrap.dedent(snippet)
    code = re.sub(r"\bAsyncOpenAI\b", "AsyncEdgen", code)
    code = re.sub(r"\bOpenAI\b", "Edgen", code)
    code = re.sub(r"\bopenai\b", "edgen", code)
    return code.replace("OPENAI_", "EDGEN_")


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[EdgenEmulator]:
    with EdgenEmulator(seed=5, tokens=4) as emulator:
        # openai-python reads OPENAI_BASE_URL; edgen reads EDGEN_BASE_URL.
        monkeypatch.setenv("EDGEN_BASE_URL", emulator.url)
        yield emulator


SNIPPETS = {
    "create": """
        import os
        from openai import OpenAI

        client = OpenAI(
            api_key=os.environ.get("OPENAI_API_KEY"),
        )

        chat_completion = client.chat.completions.create(
            messages=[
                {
                    "role": "user",
                    "content": "Say this is a test",
                }
            ],
            model="gpt-4o",
        )
        print(chat_completion.choices[0].message.content)
    """,
    "async": """
        import os
        import asyncio
        from openai import AsyncOpenAI

        client = AsyncOpenAI(
            api_key=os.environ.get("OPENAI_API_KEY"),
        )


        async def main() -> None:
            chat_completion = await client.chat.completions.create(
                messages=[
                    {
                        "role": "user",
                        "content": "Say this is a test",
                    }
                ],
                model="gpt-4o",
            )
            print(chat_completion.choices[0].message.content)


        asyncio.run(main())
    """,
    "streaming": """
        from openai import OpenAI

        client = OpenAI()

        stream = client.chat.completions.create(
            messages=[
                {
                    "role": "user",
                    "content": "Say this is a test",
                }
            ],
            model="gpt-4o",
            stream=True,
        )
        for chunk in stream:
            print(chunk.choices[0].delta.content or "", end="")
    """,
    "async streaming": """
        import asyncio
        from openai import AsyncOpenAI

        client = AsyncOpenAI()


        async def main():
            stream = await client.chat.completions.create(
                model="gpt-4",
                messages=[{"role": "user", "content": "Say this is a test"}],
                stream=True,
            )
            async for chunk in stream:
                print(chunk.choices[0].delta.content or "", end="")


        asyncio.run(main())
    """,
    "errors": """
        import openai
        from openai import OpenAI

        client = OpenAI()

        try:
            client.models.retrieve("no-such-model")
        except openai.APIConnectionError as e:
            print("The server could not be reached")
            print(e.__cause__)  # an underlying Exception, likely raised within httpx.
        except openai.RateLimitError as e:
            print("A 429 status code was received; we should back off a bit.")
        except openai.APIStatusError as e:
            print("Another non-200-range status code was received")
            print(e.status_code)
            print(e.response)
    """,
    "retries and timeouts": """
        import httpx
        from openai import OpenAI

        # Configure the default for all requests:
        client = OpenAI(
            # default is 2
            max_retries=0,
            timeout=httpx.Timeout(60.0, read=5.0, write=10.0, connect=2.0),
        )

        # Or, configure per-request:
        client.with_options(max_retries=5, timeout=5.0).chat.completions.create(
            messages=[
                {
                    "role": "user",
                    "content": "How can I get the name of the current day in JavaScript?",
                }
            ],
            model="gpt-4o",
        )
        print("ok")
    """,
    "raw response": """
        from openai import OpenAI

        client = OpenAI()
        response = client.chat.completions.with_raw_response.create(
            messages=[{
                "role": "user",
                "content": "Say this is a test",
            }],
            model="gpt-4o",
        )
        print(response.headers.get('X-My-Header'))

        completion = response.parse()  # get the object that `chat.completions.create()` would have returned
        print(completion)
    """,
    "streaming response": """
        from openai import OpenAI

        client = OpenAI()
        with client.chat.completions.with_streaming_response.create(
            messages=[
                {
                    "role": "user",
                    "content": "Say this is a test",
                }
            ],
            model="gpt-4o",
        ) as response:
            print(response.headers.get("X-My-Header"))

            for line in response.iter_lines():
                print(line)
    """,
    "types": """
        from openai import OpenAI
        from openai.types.chat import ChatCompletion, ChatCompletionMessageParam
        from openai.types.chat.chat_completion import Choice

        client = OpenAI()
        messages: list[ChatCompletionMessageParam] = [
            {"role": "system", "content": "You are a helpful assistant."},
            {"role": "user", "content": "Hello!"},
        ]
        completion: ChatCompletion = client.chat.completions.create(model="gpt-4o", messages=messages)
        choice: Choice = completion.choices[0]
        print(choice.message.role, completion.to_json())
    """,
    "embeddings and models": """
        from openai import OpenAI

        client = OpenAI()
        response = client.embeddings.create(
            input="Your text string goes here",
            model="text-embedding-3-small",
        )
        print(response.data[0].embedding[:3])

        for model in client.models.list():
            print(model.id)
    """,
}


@pytest.mark.parametrize("name", list(SNIPPETS))
def test_openai_snippet_runs_with_only_the_names_changed(
    name: str, server: EdgenEmulator, capsys: pytest.CaptureFixture[str]
) -> None:
    snippet = SNIPPETS[name]
    assert "openai" in snippet.lower()
    code = rename(snippet)
    assert "openai" not in code.lower()
    exec(compile(code, f"<openai snippet: {name}>", "exec"), {"__name__": "__snippet__"})
    assert capsys.readouterr().out.strip()
    assert server.requests  # it talked to the emulator


# openai-python module -> names, each importable from the same path under `edgen`.
OPENAI_PATHS = {
    "types": [
        "CompletionUsage",
        "CreateEmbeddingResponse",
        "Embedding",
        "EmbeddingCreateParams",
        "Model",
        "ModelDeleted",
    ],
    "types.completion_usage": ["CompletionUsage"],
    "types.create_embedding_response": ["CreateEmbeddingResponse", "Usage"],
    "types.embedding": ["Embedding"],
    "types.embedding_create_params": ["EmbeddingCreateParams"],
    "types.model": ["Model"],
    "types.model_deleted": ["ModelDeleted"],
    "types.shared_params": ["FunctionDefinition"],
    "types.shared_params.function_definition": ["FunctionDefinition"],
    "types.audio": ["Transcription", "TranscriptionCreateParams"],
    "types.audio.transcription": ["Transcription"],
    "types.audio.transcription_create_params": ["TranscriptionCreateParams"],
    "types.chat": [
        "ChatCompletion",
        "ChatCompletionAssistantMessageParam",
        "ChatCompletionChunk",
        "ChatCompletionContentPartImageParam",
        "ChatCompletionContentPartParam",
        "ChatCompletionContentPartTextParam",
        "ChatCompletionMessage",
        "ChatCompletionMessageParam",
        "ChatCompletionMessageToolCall",
        "ChatCompletionMessageToolCallParam",
        "ChatCompletionNamedToolChoiceParam",
        "ChatCompletionStreamOptionsParam",
        "ChatCompletionSystemMessageParam",
        "ChatCompletionTokenLogprob",
        "ChatCompletionToolChoiceOptionParam",
        "ChatCompletionToolMessageParam",
        "ChatCompletionToolParam",
        "ChatCompletionUserMessageParam",
        "CompletionCreateParams",
    ],
    "types.chat.chat_completion": ["ChatCompletion", "Choice", "ChoiceLogprobs"],
    "types.chat.chat_completion_chunk": [
        "ChatCompletionChunk",
        "Choice",
        "ChoiceDelta",
        "ChoiceDeltaFunctionCall",
        "ChoiceDeltaToolCall",
        "ChoiceDeltaToolCallFunction",
        "ChoiceLogprobs",
    ],
    "types.chat.chat_completion_message": ["ChatCompletionMessage"],
    "types.chat.chat_completion_message_tool_call": ["ChatCompletionMessageToolCall", "Function"],
    "types.chat.chat_completion_token_logprob": ["ChatCompletionTokenLogprob"],
    "types.chat.chat_completion_message_param": ["ChatCompletionMessageParam"],
    "types.chat.chat_completion_system_message_param": ["ChatCompletionSystemMessageParam"],
    "types.chat.chat_completion_user_message_param": ["ChatCompletionUserMessageParam"],
    "types.chat.chat_completion_assistant_message_param": ["ChatCompletionAssistantMessageParam"],
    "types.chat.chat_completion_tool_message_param": ["ChatCompletionToolMessageParam"],
    "types.chat.chat_completion_content_part_param": ["ChatCompletionContentPartParam"],
    "types.chat.chat_completion_content_part_text_param": ["ChatCompletionContentPartTextParam"],
    "types.chat.chat_completion_content_part_image_param": ["ChatCompletionContentPartImageParam"],
    "types.chat.chat_completion_message_tool_call_param": ["ChatCompletionMessageToolCallParam"],
    "types.chat.chat_completion_tool_param": ["ChatCompletionToolParam"],
    "types.chat.chat_completion_tool_choice_option_param": ["ChatCompletionToolChoiceOptionParam"],
    "types.chat.chat_completion_named_tool_choice_param": ["ChatCompletionNamedToolChoiceParam"],
    "types.chat.chat_completion_stream_options_param": ["ChatCompletionStreamOptionsParam"],
    "types.chat.completion_create_params": [
        "CompletionCreateParams",
        "CompletionCreateParamsNonStreaming",
        "CompletionCreateParamsStreaming",
    ],
    "": [
        "APIConnectionError",
        "APIError",
        "APIResponse",
        "APIResponseValidationError",
        "APIStatusError",
        "APITimeoutError",
        "AsyncAPIResponse",
        "AsyncStream",
        "AuthenticationError",
        "BadRequestError",
        "BaseModel",
        "ConflictError",
        "DEFAULT_MAX_RETRIES",
        "DEFAULT_TIMEOUT",
        "InternalServerError",
        "NOT_GIVEN",
        "NotFoundError",
        "NotGiven",
        "PermissionDeniedError",
        "RateLimitError",
        "RequestOptions",
        "Stream",
        "UnprocessableEntityError",
    ],
}


@pytest.mark.parametrize("module", list(OPENAI_PATHS))
def test_types_live_at_openai_pythons_paths(module: str) -> None:
    imported = importlib.import_module("edgen" + ("." + module if module else ""))
    missing = [name for name in OPENAI_PATHS[module] if not hasattr(imported, name)]
    assert missing == []


def test_reexports_are_the_same_objects() -> None:
    from edgen.types.chat import ChatCompletionToolParam, ChatCompletionUserMessageParam
    from edgen.types.chat.chat_completion_tool_param import ChatCompletionToolParam as tool
    from edgen.types.chat.chat_completion_user_message_param import (
        ChatCompletionUserMessageParam as user,
    )
    from edgen.types.chat.completion_create_params import FunctionDefinition as function
    from edgen.types.shared_params import FunctionDefinition

    assert tool is ChatCompletionToolParam
    assert user is ChatCompletionUserMessageParam
    assert FunctionDefinition is function
