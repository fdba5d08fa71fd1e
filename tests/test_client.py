"""Client configuration and request building, checked on the recorded wire request."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.parse
from unittest import mock

import httpx
import pytest
import respx
from conftest import BASE_URL, REPO_ROOT, edgen_completion
from faker import Faker

import edgen
from edgen import NOT_GIVEN, AsyncEdgen, Edgen
from edgen.types import AIStatus
from edgen.types.chat import ChatCompletion

fake = Faker()
Faker.seed(99)

MESSAGES = [{"role": "user", "content": "Say this is a test"}]
STATUS = {
    "active_model": "neural-chat-7b-v3-3.Q4_K_M.gguf",
    "download_ongoing": True,
    "download_progress": 42,
    "last_errors": [],
}


@pytest.fixture
def chat_route(router: respx.MockRouter) -> respx.Route:
    return router.post("chat/completions").respond(200, json=edgen_completion("ok"))


def sent(route: respx.Route) -> httpx.Request:
    assert route.call_count >= 1
    return route.calls.last.request


def sent_json(route: respx.Route) -> dict:
    request = sent(route)
    assert request.headers["content-type"] == "application/json"
    return json.loads(request.content)


def create(client: Edgen, **kwargs: object) -> ChatCompletion:
    kwargs.setdefault("model", "default")
    kwargs.setdefault("messages", MESSAGES)
    return client.chat.completions.create(**kwargs)  # type: ignore[arg-type]


# -- api key -----------------------------------------------------------------------------


def test_api_key_argument_sets_bearer_header(chat_route: respx.Route) -> None:
    key = fake.password(length=24)
    create(Edgen(api_key=key))
    assert sent(chat_route).headers["authorization"] == f"Bearer {key}"


def test_api_key_from_environment(chat_route: respx.Route, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EDGEN_API_KEY", "env-key-123")
    client = Edgen()
    assert client.api_key == "env-key-123"
    create(client)
    assert sent(chat_route).headers["authorization"] == "Bearer env-key-123"


def test_argument_key_wins_over_environment(
    chat_route: respx.Route, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EDGEN_API_KEY", "env-key")
    create(Edgen(api_key="arg-key"))
    assert sent(chat_route).headers["authorization"] == "Bearer arg-key"


@pytest.mark.parametrize("env", [None, ""])
def test_no_authorization_header_without_key(
    chat_route: respx.Route, monkeypatch: pytest.MonkeyPatch, env: str | None
) -> None:
    if env is not None:
        monkeypatch.setenv("EDGEN_API_KEY", env)
    client = Edgen()
    assert client.api_key is None
    create(client)
    assert "authorization" not in sent(chat_route).headers
    assert client.auth_headers == {}


def test_api_key_wrong_type_or_newline() -> None:
    with pytest.raises(TypeError):
        Edgen(api_key=123)  # type: ignore[arg-type]
    with pytest.raises(ValueError) as info:
        Edgen(api_key="secret\r\nx-injected: 1")
    assert "secret" not in str(info.value)


def test_repr_never_contains_the_key() -> None:
    key = "sk-" + fake.sha256()
    client = Edgen(api_key=key)
    assert key not in repr(client)
    assert key not in str(client)
    assert "api_key=set" in repr(client)
    assert "api_key=unset" in repr(Edgen())


# -- base url ------------------------------------------------------------------------------


def test_default_base_url() -> None:
    assert edgen.DEFAULT_BASE_URL == "http://127.0.0.1:33322/v1/"
    assert Edgen().base_url == httpx.URL("http://127.0.0.1:33322/v1/")


def test_base_url_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EDGEN_BASE_URL", "http://127.0.0.1:9999/v1")
    assert str(Edgen().base_url) == "http://127.0.0.1:9999/v1/"
    assert str(Edgen(base_url="http://127.0.0.1:1/v1/").base_url) == "http://127.0.0.1:1/v1/"


@pytest.mark.parametrize("given", ["http://127.0.0.1:8080/v1", "http://127.0.0.1:8080/v1/"])
def test_trailing_slash_normalised_and_paths_join(given: str) -> None:
    with respx.mock(assert_all_called=True) as mock:
        route = mock.get("http://127.0.0.1:8080/v1/chat/completions/status").respond(
            200, json=STATUS
        )
        client = Edgen(base_url=given)
        assert str(client.base_url) == "http://127.0.0.1:8080/v1/"
        client.chat.completions.status.create()
        assert sent(route).url == "http://127.0.0.1:8080/v1/chat/completions/status"


def test_base_url_accepts_httpx_url() -> None:
    assert (
        str(Edgen(base_url=httpx.URL("http://127.0.0.1:5/x")).base_url) == "http://127.0.0.1:5/x/"
    )


@pytest.mark.parametrize(
    "bad", ["not a url", "ftp://127.0.0.1/v1", "http://", "127.0.0.1:33322/v1", "http://[::1"]
)
def test_invalid_base_url_is_value_error(bad: str) -> None:
    with pytest.raises(ValueError, match="base_url"):
        Edgen(base_url=bad)


# -- timeout and retries -------------------------------------------------------------------


def test_default_timeout_is_600s_read_5s_connect(chat_route: respx.Route) -> None:
    client = Edgen()
    assert client.timeout == httpx.Timeout(600.0, connect=5.0)
    create(client)
    assert sent(chat_route).extensions["timeout"] == {
        "connect": 5.0,
        "read": 600.0,
        "write": 600.0,
        "pool": 600.0,
    }


@pytest.mark.parametrize(
    ("timeout", "expected"),
    [
        (20.0, {"connect": 20.0, "read": 20.0, "write": 20.0, "pool": 20.0}),
        (3, {"connect": 3, "read": 3, "write": 3, "pool": 3}),
        (
            httpx.Timeout(60.0, read=5.0, write=10.0, connect=2.0),
            {"connect": 2.0, "read": 5.0, "write": 10.0, "pool": 60.0},
        ),
        (None, {"connect": None, "read": None, "write": None, "pool": None}),
    ],
)
def test_client_timeout_reaches_the_request(chat_route: respx.Route, timeout, expected) -> None:
    create(Edgen(timeout=timeout))
    assert sent(chat_route).extensions["timeout"] == expected


def test_per_request_timeout_overrides(chat_route: respx.Route) -> None:
    client = Edgen(timeout=100.0)
    create(client, timeout=1.5)
    assert sent(chat_route).extensions["timeout"]["read"] == 1.5
    create(client, timeout=NOT_GIVEN)
    assert sent(chat_route).extensions["timeout"]["read"] == 100.0
    create(client, timeout=None)
    assert sent(chat_route).extensions["timeout"]["read"] is None


def test_negative_or_wrong_timeout(chat_route: respx.Route) -> None:
    with pytest.raises(ValueError):
        Edgen(timeout=-1)
    with pytest.raises(ValueError):
        Edgen(timeout=httpx.Timeout(5.0, read=-2.0))
    with pytest.raises(TypeError):
        Edgen(timeout="10")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        create(Edgen(), timeout=-0.5)
    assert chat_route.call_count == 0


@pytest.mark.parametrize("bad", [-1, 1.5, "2", True, None])
def test_bad_max_retries(bad: object) -> None:
    with pytest.raises((TypeError, ValueError)) as info:
        Edgen(max_retries=bad)  # type: ignore[arg-type]
    if bad == -1 and not isinstance(bad, bool):
        assert info.type is ValueError
    else:
        assert info.type is TypeError


def test_default_max_retries() -> None:
    assert edgen.DEFAULT_MAX_RETRIES == 2
    assert Edgen().max_retries == 2
    assert Edgen(max_retries=0).max_retries == 0


# -- headers and query ----------------------------------------------------------------------


def test_platform_headers(chat_route: respx.Route) -> None:
    create(Edgen())
    headers = sent(chat_route).headers
    runtime = "{} {}.{}.{}".format(sys.implementation.name, *sys.version_info[:3])
    assert headers["user-agent"] == f"Edgen/Python {edgen.__version__} ({runtime})"
    assert headers["accept"] == "application/json"
    # Nothing else of ours: no per-request platform headers.
    assert {name for name in headers if name.startswith("x-")} == set()


def test_default_headers_and_query_are_sent(router: respx.MockRouter) -> None:
    route = router.post("chat/completions").respond(200, json=edgen_completion("x"))
    client = Edgen(
        default_headers={"X-Team": "blue", "User-Agent": "mine/1"}, default_query={"tenant": "t1"}
    )
    create(client)
    request = sent(route)
    assert request.headers["x-team"] == "blue"
    assert request.headers["user-agent"] == "mine/1"
    assert request.url.params["tenant"] == "t1"
    assert client.default_query == {"tenant": "t1"}
    assert client.default_headers["x-team"] == "blue"


def test_extra_headers_query_body_sent_exactly(router: respx.MockRouter) -> None:
    route = router.post("chat/completions").respond(200, json=edgen_completion("x"))
    client = Edgen(default_headers={"x-default": "d", "x-drop": "gone"}, default_query={"q0": "0"})
    marker = fake.uuid4()
    create(
        client,
        extra_headers={"X-Extra": marker, "x-default": "overridden", "x-drop": None},
        extra_query={"q1": "1", "q0": "zero"},
        extra_body={"one_shot": True, "vendor": {"k": [1, 2]}},
        timeout=7.0,
    )
    request = sent(route)
    assert request.headers["x-extra"] == marker
    assert request.headers["x-default"] == "overridden"
    assert "x-drop" not in request.headers
    assert dict(request.url.params) == {"q0": "zero", "q1": "1"}
    assert str(request.url).startswith(BASE_URL + "chat/completions?")
    assert json.loads(request.content) == {
        "model": "default",
        "messages": MESSAGES,
        "one_shot": True,
        "vendor": {"k": [1, 2]},
    }
    assert request.extensions["timeout"] == {"connect": 7.0, "read": 7.0, "write": 7.0, "pool": 7.0}
    # Nothing leaked into the client's own defaults.
    create(client)
    again = sent(route)
    assert "x-extra" not in again.headers and again.headers["x-drop"] == "gone"
    assert dict(again.url.params) == {"q0": "0"}


@pytest.mark.parametrize("value", ["a\nb", "a\r\nX-Evil: 1", "nul\x00"])
def test_header_values_with_line_breaks_are_rejected_before_sending(
    chat_route: respx.Route, value: str
) -> None:
    with pytest.raises(ValueError):
        Edgen(default_headers={"x-bad": value})
    client = Edgen()
    with pytest.raises(ValueError):
        create(client, extra_headers={"x-bad": value})
    with pytest.raises(ValueError):
        create(client, extra_headers={"x-bad\n": "v"})
    assert chat_route.call_count == 0


def test_non_string_header_value_is_type_error(chat_route: respx.Route) -> None:
    with pytest.raises(TypeError):
        create(Edgen(), extra_headers={"x-n": 5})
    assert chat_route.call_count == 0


# -- custom http client ----------------------------------------------------------------------


def test_custom_http_client_is_used_and_keeps_its_headers() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=edgen_completion("from-transport"))

    http = httpx.Client(
        transport=httpx.MockTransport(handler), headers={"x-from-http-client": "yes"}, timeout=12.0
    )
    client = Edgen(base_url="http://127.0.0.1:1/v1", http_client=http)
    assert client.timeout == http.timeout
    completion = create(client)
    assert completion.choices[0].message.content == "from-transport"
    (request,) = seen
    assert request.url == "http://127.0.0.1:1/v1/chat/completions"
    assert request.headers["x-from-http-client"] == "yes"
    assert request.headers["user-agent"].startswith("Edgen/Python ")
    assert request.extensions["timeout"]["read"] == 12.0
    client.close()
    assert not http.is_closed  # the caller owns it
    http.close()


def test_wrong_http_client_kind_is_type_error() -> None:
    with pytest.raises(TypeError):
        Edgen(http_client=httpx.AsyncClient())  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        AsyncEdgen(http_client=httpx.Client())  # type: ignore[arg-type]


# -- copy / with_options / lifecycle ----------------------------------------------------------


def test_copy_shares_pool_and_changes_only_what_was_asked(chat_route: respx.Route) -> None:
    client = Edgen(
        api_key="k1", timeout=30.0, default_headers={"x-a": "1"}, default_query={"q": "1"}
    )
    clone = client.with_options(max_retries=5)
    assert clone._http is client._http
    assert clone.max_retries == 5 and client.max_retries == 2
    assert (clone.api_key, clone.timeout, clone.base_url) == (
        client.api_key,
        client.timeout,
        client.base_url,
    )
    assert clone.default_headers == client.default_headers
    assert clone.default_query == client.default_query

    other = client.copy(timeout=1.0, default_headers={"x-b": "2"}, default_query={"r": "2"})
    assert other._http is client._http
    create(other)
    request = sent(chat_route)
    assert request.headers["x-a"] == "1" and request.headers["x-b"] == "2"
    assert dict(request.url.params) == {"q": "1", "r": "2"}
    assert request.extensions["timeout"]["read"] == 1.0
    assert request.headers["authorization"] == "Bearer k1"

    replaced = client.copy(set_default_headers={"x-c": "3"}, set_default_query={})
    create(replaced)
    request = sent(chat_route)
    assert "x-a" not in request.headers and request.headers["x-c"] == "3"
    assert "q" not in request.url.params
    with pytest.raises(ValueError):
        client.copy(default_headers={}, set_default_headers={})

    # Closing a copy leaves the shared pool open; closing the owner closes it.
    clone.close()
    assert not client.is_closed
    client.close()
    assert clone.is_closed and client.is_closed


def test_context_manager_and_close() -> None:
    with Edgen() as client:
        assert not client.is_closed
    assert client.is_closed
    other = Edgen()
    other.close()
    assert other.is_closed


@pytest.mark.anyio
async def test_async_context_manager_and_close() -> None:
    async with AsyncEdgen() as client:
        assert not client.is_closed
        clone = client.with_options(timeout=3.0)
        assert clone._http is client._http
    assert client.is_closed
    other = AsyncEdgen()
    await other.close()
    assert other.is_closed


def test_aliases() -> None:
    assert edgen.Client is Edgen and edgen.AsyncClient is AsyncEdgen


RESOURCE_NAMES = ("chat", "audio", "embeddings", "image", "models", "misc")


@pytest.mark.parametrize("client_class", [Edgen, AsyncEdgen])
def test_resources_are_class_attributes_seen_by_dir_and_autospec(client_class: type) -> None:
    client = client_class()
    for name in RESOURCE_NAMES:
        assert name in dir(client) and name in dir(client_class)  # REPL tab completion
    spec = mock.create_autospec(client_class, instance=True)
    for name in RESOURCE_NAMES:
        assert getattr(spec, name) is not None  # was AttributeError
    with pytest.raises(AttributeError):
        client.no_such_resource  # noqa: B018
    assert client.chat is client.chat and client_class().chat is not client.chat
    assert client.chat.completions._client is client


def test_resources_are_built_only_when_first_used() -> None:
    probe = (
        "import sys, edgen\n"
        "client = edgen.Edgen()\n"
        "names = dir(client)\n"
        "before = [m for m in sys.modules if m.startswith('edgen.resources.')]\n"
        "client.image\n"
        "after = sorted(m for m in sys.modules if m.startswith('edgen.resources.'))\n"
        "print(before, after, 'image' in vars(client) or 'Image' in vars(client))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, env=env, timeout=30
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["[]", "['edgen.resources.images']", "True"]


# -- chat.completions.create: the request body ------------------------------------------------


def test_create_sends_exactly_the_given_fields(chat_route: respx.Route) -> None:
    content = fake.sentence()
    create(Edgen(), messages=[{"role": "user", "content": content}], model="default")
    request = sent(chat_route)
    assert request.method == "POST"
    assert request.url == BASE_URL + "chat/completions"
    assert json.loads(request.content) == {
        "model": "default",
        "messages": [{"role": "user", "content": content}],
    }


def test_create_none_is_null_and_edgen_extensions(chat_route: respx.Route) -> None:
    messages = [
        {"role": "system", "content": None},
        {
            "role": "user",
            "content": [
                {"type": "text", "text": "hi"},
                {"type": "image_url", "url": "http://x/y.png", "detail": None},
            ],
        },
        {"role": "assistant", "content": "a", "tool_calls": None},
        {"role": "tool", "content": "r", "tool_call_id": "c1"},
    ]
    create(
        Edgen(),
        messages=messages,
        model="TheBloke/neural-chat-7B-v3-3-GGUF/neural-chat-7b-v3-3.Q4_K_M.gguf",
        temperature=None,
        max_tokens=16,
        stop=["\n"],
        one_shot=True,
        context_hint=2048,
        seed=NOT_GIVEN,
        response_format={"type": "json_object"},
    )
    body = sent_json(chat_route)
    assert body == {
        "messages": messages,
        "model": "TheBloke/neural-chat-7B-v3-3-GGUF/neural-chat-7b-v3-3.Q4_K_M.gguf",
        "temperature": None,
        "max_tokens": 16,
        "stop": ["\n"],
        "one_shot": True,
        "context_hint": 2048,
        "response_format": {"type": "json_object"},
    }
    assert b'"temperature":null' in sent(chat_route).content


def test_create_accepts_a_generator_of_messages(chat_route: respx.Route) -> None:
    create(Edgen(), messages=(m for m in MESSAGES))
    assert sent_json(chat_route)["messages"] == MESSAGES


@pytest.mark.parametrize("missing", ["model", "messages"])
def test_create_missing_required_is_type_error(chat_route: respx.Route, missing: str) -> None:
    kwargs = {"model": "default", "messages": MESSAGES}
    del kwargs[missing]
    with pytest.raises(TypeError, match=repr(missing)):
        Edgen().chat.completions.create(**kwargs)  # type: ignore[call-overload]
    with pytest.raises(TypeError, match=repr(missing)):
        Edgen().chat.completions.create(**{**kwargs, missing: NOT_GIVEN})  # type: ignore[call-overload]
    assert chat_route.call_count == 0


def test_create_unknown_kwarg_is_type_error(chat_route: respx.Route) -> None:
    with pytest.raises(TypeError, match="temprature"):
        create(Edgen(), temprature=0.5)
    assert chat_route.call_count == 0


@pytest.mark.parametrize(
    "messages", ["hello", b"hello", {"role": "user", "content": "x"}, 5, ["not a dict"]]
)
def test_create_wrong_messages_type(chat_route: respx.Route, messages: object) -> None:
    with pytest.raises(TypeError, match="messages"):
        create(Edgen(), messages=messages)
    assert chat_route.call_count == 0


def test_create_wrong_model_type(chat_route: respx.Route) -> None:
    with pytest.raises(TypeError, match="model"):
        create(Edgen(), model=3)
    assert chat_route.call_count == 0


def test_create_message_without_role(chat_route: respx.Route) -> None:
    with pytest.raises(ValueError, match="role"):
        create(Edgen(), messages=[{"content": "x"}])
    assert chat_route.call_count == 0


@pytest.mark.parametrize(
    "value",
    [object(), complex(1, 2), {(1, 2): "tuple key"}],
    ids=["object", "complex", "tuple-key"],
)
def test_create_non_json_value_is_type_error(chat_route: respx.Route, value: object) -> None:
    with pytest.raises(TypeError, match="user must be a str"):  # a documented parameter
        create(Edgen(), user=value)
    with pytest.raises(TypeError, match="JSON"):
        create(Edgen(), extra_body={"x": value})
    assert chat_route.call_count == 0


# -- chat.completions.create: responses --------------------------------------------------------


def test_create_non_stream_decodes(router: respx.MockRouter) -> None:
    content, cid = fake.paragraph(), fake.uuid4()
    router.post("chat/completions").respond(200, json=edgen_completion(content, completion_id=cid))
    completion = create(Edgen())
    assert isinstance(completion, ChatCompletion)
    assert completion.id == cid
    assert completion.choices[0].message.content == content
    assert completion.object == "text_completion"
    assert completion.usage is not None and completion.usage.total_tokens == 0


@pytest.mark.anyio
async def test_async_create_non_stream(router: respx.MockRouter) -> None:
    content = fake.paragraph()
    route = router.post("chat/completions").respond(200, json=edgen_completion(content))
    async with AsyncEdgen(api_key="ak") as client:
        completion = await client.chat.completions.create(
            model="default", messages=MESSAGES, one_shot=False
        )
    assert completion.choices[0].message.content == content
    assert json.loads(sent(route).content) == {
        "model": "default",
        "messages": MESSAGES,
        "one_shot": False,
    }
    assert sent(route).headers["authorization"] == "Bearer ak"


def test_with_raw_response_non_stream(router: respx.MockRouter) -> None:
    content = fake.sentence()
    router.post("chat/completions").respond(
        200, json=edgen_completion(content), headers={"x-my-header": "hello"}
    )
    raw = Edgen().chat.completions.with_raw_response.create(model="default", messages=MESSAGES)
    assert isinstance(raw, edgen.APIResponse)
    assert raw.headers["x-my-header"] == "hello"
    assert raw.status_code == 200
    assert isinstance(raw.http_response, httpx.Response)
    assert raw.retries_taken == 0
    assert raw.json()["choices"][0]["message"]["content"] == content
    parsed = raw.parse()
    assert isinstance(parsed, ChatCompletion)
    assert parsed.choices[0].message.content == content
    assert raw.parse() is parsed


@pytest.mark.anyio
async def test_async_with_raw_response_parse_is_awaitable(router: respx.MockRouter) -> None:
    content = fake.sentence()
    router.post("chat/completions").respond(
        200, json=edgen_completion(content), headers={"x-a": "1"}
    )
    async with AsyncEdgen() as client:
        raw = await client.chat.completions.with_raw_response.create(
            model="default", messages=MESSAGES
        )
        assert isinstance(raw, edgen.AsyncAPIResponse)
        assert raw.headers["x-a"] == "1" and raw.status_code == 200
        parsed = await raw.parse()
        assert parsed.choices[0].message.content == content


def test_with_streaming_response_reads_lazily(router: respx.MockRouter) -> None:
    content = fake.sentence()
    router.post("chat/completions").respond(200, json=edgen_completion(content))
    with Edgen().chat.completions.with_streaming_response.create(
        model="default", messages=MESSAGES
    ) as raw:
        assert raw.status_code == 200
        assert raw.parse().choices[0].message.content == content
    assert raw.is_closed


def test_status_create_sync(router: respx.MockRouter) -> None:
    route = router.get("chat/completions/status").respond(200, json=STATUS)
    status = Edgen().chat.completions.status.create()
    assert isinstance(status, AIStatus)
    assert status.active_model == STATUS["active_model"]
    assert status.download_ongoing is True and status.download_progress == 42
    assert sent(route).method == "GET" and sent(route).content == b""
    with pytest.raises(TypeError):
        Edgen().chat.completions.status.create(model="x")  # type: ignore[call-arg]


@pytest.mark.anyio
async def test_status_create_async(router: respx.MockRouter) -> None:
    route = router.get("chat/completions/status").respond(
        200, json={**STATUS, "download_progress": 100}
    )
    async with AsyncEdgen() as client:
        status = await client.chat.completions.status.create(extra_query={"x": "1"})
        raw = await client.chat.completions.status.with_raw_response.create()
        assert (await raw.parse()).download_progress == 100
    assert status.download_progress == 100
    assert route.calls[0].request.url.params["x"] == "1"


# -- against a real HTTP server on 127.0.0.1 --------------------------------------------------


def test_headers_query_and_body_over_a_real_socket(emulator) -> None:
    with Edgen(
        base_url=emulator.url, api_key="live-key", default_query={"tenant": "a b"}
    ) as client:
        completion = client.chat.completions.create(
            model="default", messages=MESSAGES, one_shot=True, extra_headers={"x-trace": "t-1"}
        )
    assert completion.choices[0].message.content
    (recorded,) = emulator.requests
    assert recorded.method == "POST" and recorded.path == "/v1/chat/completions"
    # httpx >= 0.28 writes the space as "+", older releases as "%20": compare decoded.
    assert urllib.parse.parse_qs(recorded.query) == {"tenant": ["a b"]}
    assert recorded.headers["authorization"] == "Bearer live-key"
    assert recorded.headers["x-trace"] == "t-1"
    assert recorded.headers["user-agent"].startswith(f"Edgen/Python {edgen.__version__} (")
    assert recorded.json() == {"model": "default", "messages": MESSAGES, "one_shot": True}
