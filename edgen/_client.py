# `Edgen` and `AsyncEdgen`: configuration, the request loop, and the resources.

from __future__ import annotations

import math
import os
import sys
import time
from collections.abc import Callable, Mapping
from functools import cached_property, partial
from typing import TYPE_CHECKING, Any, ClassVar, Generic, Literal, TypeVar

import httpx

from . import _pipeline as pipeline
from ._compat import HTTPX, HTTPPackage, package_of
from ._exceptions import ClientClosedError, ForkedClientError
from ._logs import log_request, log_response, redact_url, setup_logging
from ._models import BaseModel, set_request_id
from ._resource import Async, RequestSpec, Sync
from ._transport import AsyncLazyTransport, EnvironmentProxies, LazyTransport
from ._types import (
    DEFAULT_MAX_EVENT_SIZE,
    NOT_GIVEN,
    NotGiven,
    Timeout,
    form_data,
    json_body,
    must_be,
)
from ._version import __version__

if TYPE_CHECKING:
    from typing_extensions import Self

    from .resources.audio import Audio
    from .resources.chat import Chat
    from .resources.embeddings import Embeddings
    from .resources.images import Image
    from .resources.misc import Misc
    from .resources.models import Models

DEFAULT_BASE_URL = "http://127.0.0.1:33322/v1/"
# Edgen loads (and may download) a model inside the request: reads can be long,
# but a server that is not there should fail fast.
DEFAULT_TIMEOUT = httpx.Timeout(600.0, connect=5.0)
DEFAULT_MAX_RETRIES = 2
DEFAULT_CONNECTION_LIMITS = httpx.Limits(max_connections=1000, max_keepalive_connections=100)

_H = TypeVar("_H", httpx.Client, httpx.AsyncClient)
_IO = TypeVar("_IO", Sync, Async)

# Who is calling, in the one header every server logs. No per-request platform headers
# beyond it: each extra header costs every request (and every open stream) its copy.
_USER_AGENT = "Edgen/Python {} ({} {}.{}.{})".format(
    __version__, sys.implementation.name, *sys.version_info[:3]
)
_DEFAULT_HEADERS = {"user-agent": _USER_AGENT, "accept": "application/json"}


def _sleep(seconds: float) -> None:
    # The sync retry wait: replacing it leaves time.sleep alone for everything else.
    time.sleep(seconds)


async def _async_sleep(seconds: float) -> None:
    # anyio, so the client also runs under trio.
    import anyio

    await anyio.sleep(seconds)


# The longest wait a timeout may ask for (about 31 years): larger values overflow the
# clock arithmetic of the sync transport on every request.
MAX_TIMEOUT = 1e9


# `timeout` validated, and converted to the Timeout class of the client's HTTP package
# (an httpx.Timeout becomes an httpx2.Timeout for an httpx2 client). math.inf means no
# limit, as None does; NaN and waits no clock can measure are refused here, once, instead
# of failing every request.
def _checked_timeout(timeout: Any, package: HTTPPackage) -> Any:
    if timeout is None:
        return None
    kinds = ", ".join(
        f"an {kind.__module__.partition('.')[0]}.Timeout" for kind in package.timeout_types
    )
    must_be("timeout", timeout, (int, float, *package.timeout_types), f"a number, {kinds} or None")
    if isinstance(timeout, (int, float)):
        return _seconds(timeout, timeout)
    given = timeout.as_dict()
    values = {name: _seconds(value, timeout) for name, value in given.items()}
    if isinstance(timeout, package.timeout_class) and values == given:
        return timeout
    return package.timeout_class(**values)


def _seconds(value: float | None, timeout: object) -> float | None:
    if value is None or value == math.inf:
        return None
    if math.isnan(value):
        raise ValueError(f"timeout must be a number of seconds, got {timeout!r}")
    if value < 0:
        raise ValueError(f"timeout must not be negative, got {timeout!r}")
    if value > MAX_TIMEOUT:
        raise ValueError(
            f"timeout must be at most {MAX_TIMEOUT:g} seconds (math.inf or None for no limit), "
            f"got {timeout!r}"
        )
    return value


def _normalize_base_url(base_url: str | httpx.URL) -> str:
    text = str(base_url)
    shown = repr(redact_url(text))  # error messages end up in logs: never the password
    invalid = f"base_url {shown} is not a valid URL"
    if any(map(str.isspace, text)):
        raise ValueError(f"{invalid}: it contains whitespace")
    try:
        url = httpx.URL(text)
    except (httpx.InvalidURL, TypeError) as exc:
        raise ValueError(f"{invalid}: {redact_url(exc)}") from None
    if url.scheme not in ("http", "https") or not url.host:
        raise ValueError(f"base_url must be an absolute http:// or https:// URL, got {shown}")
    if url.port is not None and not 0 < url.port < 65536:
        raise ValueError(f"base_url {shown} has port {url.port}, outside 1-65535")
    if url.query or url.fragment:
        raise ValueError(f"base_url {shown} must not have a query or fragment; use default_query")
    return text if text.endswith("/") else text + "/"


# `copy()`'s default headers or query: `update` is merged in, `replace` replaces.
def _updated(
    name: str,
    current: dict[str, Any],
    update: Mapping[str, Any] | None,
    replace: Mapping[str, Any] | None,
) -> dict[str, Any]:
    if replace is None:
        return {**current, **(update or {})}
    if update is not None:
        raise ValueError(f"pass default_{name} or set_default_{name}, not both")
    return dict(replace)


# The httpx client that a client and its copies send through, and the process it serves.
class _Connections(Generic[_H]):
    def __init__(self, http: _H, make: Callable[[], _H] | None) -> None:
        self.http: _H = http
        # Makes a fresh pool after a fork; None for the user's own http_client.
        self._make: Callable[[], _H] | None = make
        self.pid = os.getpid()
        self._used = False

    # After a fork, the parent's pooled keep-alive sockets came along, and a request on one
    # would read an answer meant for the parent. They are left untouched (closing one could
    # send a TLS close_notify or an HTTP/2 GOAWAY on the parent's connection): the child
    # gets a pool of its own. A pool the user passed in cannot be rebuilt from outside.
    def for_request(self) -> _H:
        if self.pid != os.getpid():
            if self._make is not None and not self.http.is_closed:
                self.http = self._make()
            elif self._make is None and self._used:
                raise ForkedClientError(
                    f"this client's http_client was used in process {self.pid} before it "
                    "forked; its pooled connections are shared with that process, so a request "
                    "here could read the parent's answers. Create the http_client in the child, "
                    "or leave http_client out and edgen opens a new pool after a fork."
                )
            self.pid = os.getpid()
        self._used = True
        return self.http


# Configuration and request building shared by both clients.
class BaseEdgen(Generic[_H, _IO]):
    _http_client_class: ClassVar[type[Any]]
    _is_async: ClassVar[bool]
    # Each client's I/O edge; awaitable on `AsyncEdgen`.
    _send: Callable[[RequestSpec], Any]
    _read_and_parse: Callable[[RequestSpec, httpx.Response], Any]

    def __init__(
        self,
        *,
        api_key: str | None = None,
        base_url: str | httpx.URL | None = None,
        timeout: Timeout | NotGiven = NOT_GIVEN,
        max_retries: int = DEFAULT_MAX_RETRIES,
        default_headers: Mapping[str, str] | None = None,
        default_query: Mapping[str, object] | None = None,
        http_client: _H | None = None,
        max_event_size: int | None = DEFAULT_MAX_EVENT_SIZE,
        structured_outputs: Literal["json_schema", "json_object"] = "json_schema",
    ) -> None:
        setup_logging()
        if api_key is None:
            api_key = os.environ.get("EDGEN_API_KEY") or None
        self.api_key = api_key if api_key is None else must_be("api_key", api_key, str)
        if base_url is None:
            base_url = os.environ.get("EDGEN_BASE_URL") or DEFAULT_BASE_URL
        self._base_url = _normalize_base_url(base_url)
        # The package this client's requests go through: its errors are the ones caught,
        # its Timeout the one sent. This client's alone: another may use another package.
        self._http_package: HTTPPackage = HTTPX
        if http_client is not None:
            package = package_of(http_client)
            # A sync/async mix-up would otherwise fail confusingly at the first request.
            if package is None or not isinstance(
                http_client, package.async_client_class if self._is_async else package.client_class
            ):
                expected = self._http_client_class.__name__
                raise TypeError(
                    f"{type(self).__name__} needs an httpx.{expected} (or httpx2.{expected}) "
                    f"as http_client, not {type(http_client).__name__}"
                )
            self._http_package = package
        if isinstance(timeout, NotGiven):
            timeout = DEFAULT_TIMEOUT if http_client is None else http_client.timeout
        self.timeout: Timeout = _checked_timeout(timeout, self._http_package)
        if must_be("max_retries", max_retries, int, "an int") < 0:
            raise ValueError(f"max_retries must be >= 0, got {max_retries}")
        self.max_retries = max_retries
        if (
            max_event_size is not None
            and must_be("max_event_size", max_event_size, int, "an int or None") < 1
        ):
            raise ValueError(f"max_event_size must be at least 1 byte, got {max_event_size}")
        # The largest server-sent event a stream accepts; a bigger one raises rather than
        # filling memory (a server that never ends its line would otherwise grow us forever).
        self.max_event_size = max_event_size
        if structured_outputs not in ("json_schema", "json_object"):
            raise ValueError(
                "structured_outputs must be 'json_schema' or 'json_object', "
                f"got {structured_outputs!r}"
            )
        # How parse() and stream() send a schema; "json_object" for llama-cpp-python's server.
        self.structured_outputs: Literal["json_schema", "json_object"] = structured_outputs
        self._custom_headers = dict(default_headers or {})
        self._custom_query = dict(default_query or {})
        custom_headers = {**self.auth_headers, **self._custom_headers}
        self._headers = pipeline.merge_headers(_DEFAULT_HEADERS, custom_headers)
        self._owns_http = http_client is None
        make: Callable[[], _H] | None = None
        if http_client is None:
            make = self._new_http_client
            http_client = make()
        self._connections: _Connections[_H] = _Connections(http_client, make)

    # The API's parts, each built on first use (importing its module then, which keeps
    # `import edgen` small) and kept for the client's lifetime.
    @cached_property
    def chat(self) -> Chat[_IO]:
        from .resources.chat import Chat

        return Chat(self)

    @cached_property
    def audio(self) -> Audio[_IO]:
        from .resources.audio import Audio

        return Audio(self)

    @cached_property
    def embeddings(self) -> Embeddings[_IO]:
        from .resources.embeddings import Embeddings

        return Embeddings(self)

    @cached_property
    def image(self) -> Image[_IO]:
        from .resources.images import Image

        return Image(self)

    @cached_property
    def models(self) -> Models[_IO]:
        from .resources.models import Models

        return Models(self)

    @cached_property
    def misc(self) -> Misc[_IO]:
        from .resources.misc import Misc

        return Misc(self)

    # The pool edgen owns when no http_client is passed (and again in a forked child).
    # Its connections are made on the first request of each scheme, so that a client for
    # an http:// server never builds a TLS context (see _transport.py).
    def _new_http_client(self) -> _H:
        # The proxy settings are read now, as httpx.Client() reads them. A SOCKS proxy is
        # left to httpx's default pool (which reads them too), as httpcore needs an extra
        # package for it.
        transport: httpx.BaseTransport | httpx.AsyncBaseTransport | None = None
        proxies = EnvironmentProxies.read()
        if not proxies.has_socks_proxy:
            lazy = AsyncLazyTransport if self._is_async else LazyTransport
            transport = lazy(DEFAULT_CONNECTION_LIMITS, proxies)
        http: _H = self._http_client_class(
            timeout=self.timeout,
            limits=DEFAULT_CONNECTION_LIMITS,
            follow_redirects=False,
            transport=transport,
        )
        return http

    # -- public configuration --
    @property
    def base_url(self) -> httpx.URL:
        return httpx.URL(self._base_url)

    @property
    def default_headers(self) -> dict[str, str]:
        return dict(self._headers)

    @property
    def default_query(self) -> dict[str, object]:
        return dict(self._custom_query)

    @property
    def auth_headers(self) -> dict[str, str]:
        return {"authorization": f"Bearer {self.api_key}"} if self.api_key else {}

    @property
    def is_closed(self) -> bool:
        return self._http.is_closed

    # The httpx client requests go through (the user's own `http_client` if one was passed).
    @property
    def _http(self) -> _H:
        return self._connections.http

    # The pool `close()` closes: never a copy's or a user's `http_client`, nor one inherited
    # through a fork (it is the parent's).
    @property
    def _pool_to_close(self) -> _H | None:
        connections = self._connections
        return connections.http if self._owns_http and connections.pid == os.getpid() else None

    def __repr__(self) -> str:
        # Never the key: reprs end up in logs.
        return (
            f"<{type(self).__name__} base_url={redact_url(self._base_url)!r} "
            f"max_retries={self.max_retries} api_key={'set' if self.api_key else 'unset'}>"
        )

    def copy(
        self,
        *,
        api_key: str | None = None,
        base_url: str | httpx.URL | None = None,
        timeout: Timeout | NotGiven = NOT_GIVEN,
        http_client: Any = None,
        max_retries: int | NotGiven = NOT_GIVEN,
        max_event_size: int | None | NotGiven = NOT_GIVEN,
        structured_outputs: Literal["json_schema", "json_object"] | None = None,
        default_headers: Mapping[str, str] | None = None,
        set_default_headers: Mapping[str, str] | None = None,
        default_query: Mapping[str, object] | None = None,
        set_default_query: Mapping[str, object] | None = None,
    ) -> Self:
        """A new client with some options changed, sharing this one's connection pool."""
        headers = _updated("headers", self._custom_headers, default_headers, set_default_headers)
        query = _updated("query", self._custom_query, default_query, set_default_query)
        clone = type(self)(
            api_key=self.api_key if api_key is None else api_key,
            base_url=self._base_url if base_url is None else base_url,
            timeout=self.timeout if isinstance(timeout, NotGiven) else timeout,
            max_retries=self.max_retries if isinstance(max_retries, NotGiven) else max_retries,
            max_event_size=(
                self.max_event_size if isinstance(max_event_size, NotGiven) else max_event_size
            ),
            structured_outputs=(
                self.structured_outputs if structured_outputs is None else structured_outputs
            ),
            default_headers=headers,
            default_query=query,
            http_client=self._http if http_client is None else http_client,
        )
        if http_client is None:
            # The same pool, also when a forked child replaces it.
            clone._connections = self._connections
        return clone

    with_options = copy

    # `chat.completions.stream()`'s helper; `create` sends the request when it is entered.
    def _stream_helper(
        self, create: Callable[[], Any], content_type: Any, tools: dict[str, Any]
    ) -> Any:
        from ._accumulate import AsyncChatCompletionStreamManager, ChatCompletionStreamManager

        manager = (
            AsyncChatCompletionStreamManager if self._is_async else ChatCompletionStreamManager
        )
        return manager(create, content_type=content_type, tools=tools)

    # A retry after the client was closed under the call (by another task or thread) would
    # meet httpx's bare RuntimeError.
    @staticmethod
    def _closed_under(spec: RequestSpec) -> ClientClosedError:
        return ClientClosedError(
            f"Cannot retry {spec.method} {spec.path}: the client was closed while the call "
            "was under way"
        )

    # What every attempt shares: the pool of this process, the request, the retry policy.
    def _prepare(self, spec: RequestSpec) -> tuple[_H, httpx.Request, pipeline.RetryPolicy]:
        http = self._connections.for_request()
        if http.is_closed:
            raise ClientClosedError(
                f"Cannot send {spec.method} {spec.path}: the client has been closed "
                "(by close(), a with block, or the client it was copied from)"
            )
        options = spec.options
        headers: Mapping[str, str] = pipeline.merge_headers(
            self._headers, options.get("extra_headers")
        )
        params = {**self._custom_query, **(options.get("extra_query") or {})} or None
        timeout = self.timeout
        if "timeout" in options:
            timeout = _checked_timeout(options["timeout"], self._http_package)
        body = spec.body
        if options.get("extra_body"):
            body = {**(body or {}), **options["extra_body"]}
        content = None
        data = None
        if body is not None and spec.files is None:
            content = json_body(body)  # refuses NaN, inf and bytes, which JSON cannot carry
            if headers is self._headers:  # no extra_headers: the usual case
                headers = self._json_headers
            else:
                headers = {**headers, "content-type": "application/json"}
        elif body is not None:
            data = form_data(body)  # the text fields of a multipart upload
        request = http.build_request(
            spec.method,
            self._base_url + spec.path,
            headers=headers,
            params=params,
            content=content,
            data=data,
            files=spec.files,
            timeout=timeout,
        )
        timeout_errors = self._http_package.timeout_errors
        policy = pipeline.RetryPolicy(
            self.max_retries, time.time, can_resend=spec.can_resend, timeout_errors=timeout_errors
        )
        return http, request, policy

    # A JSON request's headers when it has no extra_headers, encoded once: httpx takes the
    # entries of its own Headers as they are, where it would encode each name and value of
    # a dict again per request (and every open stream would hold those copies).
    @cached_property
    def _json_headers(self) -> Mapping[str, str]:
        headers = {**self._headers, "content-type": "application/json"}
        return self._http_package.headers_class(headers)  # type: ignore[no-any-return]

    # The result on `Edgen`, an awaitable on `AsyncEdgen`.
    def _request(self, spec: RequestSpec) -> Any:
        if spec.mode == "streaming":
            from ._response import AsyncResponseContextManager, ResponseContextManager

            manager = AsyncResponseContextManager if self._is_async else ResponseContextManager
            return manager(partial(self._send, spec))
        if spec.listing and self._is_async and spec.mode == "parsed":
            # An async list is awaited for its page, or iterated with `async for` over its items.
            from .resources.models import AsyncModelsList

            return AsyncModelsList(partial(self._send, spec))
        return self._send(spec)

    # What the call returns for a 2xx `response`.
    def _result(self, response: httpx.Response, spec: RequestSpec, retries_taken: int) -> Any:
        if spec.mode == "parsed":
            return self._parse(response, spec)
        # The raw response and stream classes are imported by the first call that returns
        # one: most calls give their decoded result and never need them.
        from ._response import APIResponse, AsyncAPIResponse

        parse = partial(self._read_and_parse, spec)
        raw = AsyncAPIResponse if self._is_async else APIResponse
        return raw(response, parse, retries_taken)

    def _parse(self, response: httpx.Response, spec: RequestSpec) -> Any:
        if spec.stream:
            from ._streaming import AsyncStream, Stream

            stream = AsyncStream if self._is_async else Stream
            return stream(
                cast_to=spec.cast,
                response=response,
                max_event_size=self.max_event_size,
                http_package=self._http_package,
            )
        if spec.parse is not None:
            result = spec.parse(response)
        else:
            result = pipeline.decode_response(response, spec.cast)
        # As openai-python: on the whole answer's model, never on a stream's chunks.
        request_id = response.headers.get("x-request-id")
        if request_id is not None and isinstance(result, BaseModel):
            set_request_id(result, request_id)
        return result


class Edgen(BaseEdgen[httpx.Client, Sync]):
    """Synchronous client for the Edgen server (EDGEN_BASE_URL or http://127.0.0.1:33322/v1/)."""

    _http_client_class = httpx.Client
    _is_async = False

    def close(self) -> None:
        """Close the connection pool (unless it was passed in as `http_client`)."""
        http = self._pool_to_close
        if http is not None:
            http.close()

    def __enter__(self) -> Edgen:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- the I/O edge --
    def _send(self, spec: RequestSpec) -> Any:
        try:
            http, request, policy = self._prepare(spec)
            streamed = spec.stream or spec.mode == "streaming"  # its caller reads the body
            while True:
                if policy.retries_taken and http.is_closed:
                    raise self._closed_under(spec)
                log_request(request, policy.retries_taken + 1)
                try:
                    response = http.send(request, stream=True)
                    log_response(response)
                    if not (streamed and response.is_success):
                        self._read(response)
                except self._http_package.transport_errors as exc:
                    _sleep(policy.after_transport_error(request, exc))
                    continue
                if response.is_success:
                    return self._result(response, spec, policy.retries_taken)
                _sleep(policy.after_status(response, pipeline.decode_error_body(response)))
        finally:
            if spec.cleanup is not None:
                spec.cleanup()

    def _read_and_parse(self, spec: RequestSpec, response: httpx.Response) -> Any:
        if not spec.stream:
            try:
                self._read(response)
            except self._http_package.transport_errors as exc:
                raise pipeline.connection_error(
                    response.request, exc, timeout_errors=self._http_package.timeout_errors
                ) from exc
        return self._parse(response, spec)

    # A body that fails halfway gives its connection back before the error goes on.
    @staticmethod
    def _read(response: httpx.Response) -> None:
        try:
            response.read()
        except BaseException:
            response.close()
            raise


class AsyncEdgen(BaseEdgen[httpx.AsyncClient, Async]):
    """Asynchronous client for the Edgen server; every method is awaitable."""

    _http_client_class = httpx.AsyncClient
    _is_async = True

    async def close(self) -> None:
        http = self._pool_to_close
        if http is not None:
            await http.aclose()

    async def __aenter__(self) -> AsyncEdgen:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    # -- the I/O edge --
    async def _send(self, spec: RequestSpec) -> Any:
        try:
            http, request, policy = self._prepare(spec)
            streamed = spec.stream or spec.mode == "streaming"  # its caller reads the body
            while True:
                if policy.retries_taken and http.is_closed:
                    raise self._closed_under(spec)
                log_request(request, policy.retries_taken + 1)
                try:
                    response = await http.send(request, stream=True)
                    log_response(response)
                    if not (streamed and response.is_success):
                        await self._read(response)
                except self._http_package.transport_errors as exc:
                    await _async_sleep(policy.after_transport_error(request, exc))
                    continue
                if response.is_success:
                    return self._result(response, spec, policy.retries_taken)
                body = pipeline.decode_error_body(response)
                await _async_sleep(policy.after_status(response, body))
        finally:
            if spec.cleanup is not None:
                spec.cleanup()

    async def _read_and_parse(self, spec: RequestSpec, response: httpx.Response) -> Any:
        if not spec.stream:
            try:
                await self._read(response)
            except self._http_package.transport_errors as exc:
                raise pipeline.connection_error(
                    response.request, exc, timeout_errors=self._http_package.timeout_errors
                ) from exc
        return self._parse(response, spec)

    @staticmethod
    async def _read(response: httpx.Response) -> None:
        try:
            await response.aread()
        except BaseException:
            await response.aclose()
            raise


Client = Edgen
AsyncClient = AsyncEdgen
