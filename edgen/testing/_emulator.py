"""``EdgenEmulator``: an in-process Edgen server running on a background thread."""

from __future__ import annotations

import asyncio
import threading
import time
from types import TracebackType
from typing import TYPE_CHECKING

from ._faults import Fault
from ._http import HttpServer
from ._records import RecordedRequest
from ._routes import App, Dialect

if TYPE_CHECKING:
    from typing_extensions import Self

__all__ = ["DEFAULT_MAX_BODY", "EdgenEmulator"]

#: The real server's default ``max_request_size``.
DEFAULT_MAX_BODY = 103_833_600


class EdgenEmulator:
    """An emulated Edgen server speaking HTTP/1.1 on a daemon thread with its own event loop.

    Use it as a context manager, sync or async::

        with EdgenEmulator() as server:
            httpx.get(server.url + "misc/version")

    ``dialect="edgen"`` follows the Edgen wire contract byte for byte; ``"openai"`` speaks
    like llama.cpp's OpenAI-compatible server. Output is deterministic for the given
    ``seed`` and request. Faults are injected with the ``x-emulator-fault`` request header
    or with :meth:`inject`.
    """

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        dialect: Dialect = "edgen",
        seed: int = 0,
        tokens: int = 8,
        token_delay: float = 0.0,
        strict_models: bool = False,
        embedding_dim: int = 768,
        max_body: int = DEFAULT_MAX_BODY,
        max_recorded: int | None = 100_000,
    ) -> None:
        self._requested_host = host
        self._requested_port = port
        self._max_body = max_body
        self._app = App(
            dialect=dialect,
            seed=seed,
            tokens=tokens,
            token_delay=token_delay,
            strict_models=strict_models,
            embedding_dim=embedding_dim,
            max_recorded=max_recorded,
        )
        self._lifecycle = threading.Lock()
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop_event: asyncio.Event | None = None
        self._bound: tuple[str, int] | None = None

    # -- addresses ---------------------------------------------------------------------

    @property
    def host(self) -> str:
        """The bound host (the requested one until started)."""
        return self._bound[0] if self._bound else self._requested_host

    @property
    def port(self) -> int:
        """The bound port; raises if the server is not running and was asked for port 0."""
        if self._bound is not None:
            return self._bound[1]
        if self._requested_port:
            return self._requested_port
        raise RuntimeError("EdgenEmulator is not running; call start() first")

    @property
    def base_url(self) -> str:
        """``http://host:port`` without the ``/v1`` prefix."""
        host = self.host
        if ":" in host:
            host = f"[{host}]"
        return f"http://{host}:{self.port}"

    @property
    def url(self) -> str:
        """The API base URL, ending in ``/v1/``."""
        return self.base_url + "/v1/"

    @property
    def running(self) -> bool:
        """True between :meth:`start` and :meth:`stop`."""
        return self._thread is not None

    # -- settings that may change while running ---------------------------------------

    @property
    def dialect(self) -> Dialect:
        """``"edgen"`` or ``"openai"``."""
        return self._app.dialect

    @dialect.setter
    def dialect(self, value: Dialect) -> None:
        if value not in ("edgen", "openai"):
            raise ValueError(f"dialect must be 'edgen' or 'openai', not {value!r}")
        self._app.dialect = value

    @property
    def seed(self) -> int:
        """Seed of the deterministic chat, embedding and image output."""
        return self._app.seed

    @seed.setter
    def seed(self, value: int) -> None:
        self._app.seed = value

    @property
    def tokens(self) -> int:
        """Default number of chat tokens per completion."""
        return self._app.tokens

    @tokens.setter
    def tokens(self, value: int) -> None:
        self._app.tokens = value

    @property
    def token_delay(self) -> float:
        """Default seconds between stream chunks."""
        return self._app.token_delay

    @token_delay.setter
    def token_delay(self, value: float) -> None:
        self._app.token_delay = value

    @property
    def strict_models(self) -> bool:
        """Apply the server's model-kind rule to model names."""
        return self._app.strict_models

    @strict_models.setter
    def strict_models(self, value: bool) -> None:
        self._app.strict_models = value

    @property
    def models(self) -> dict[str, int]:
        """The model registry (mutable): ``"owner/repo"`` → ``created`` (unix seconds).

        ``owned_by`` is derived from the owner part, as the server derives it from the
        cache folder name.
        """
        return self._app.models

    def add_model(self, model_id: str, created: int | None = None) -> None:
        """Register a model so ``/models`` lists it."""
        self._app.models[model_id] = int(time.time()) if created is None else created

    @property
    def status(self) -> dict[str, dict[str, object]]:
        """The AIStatus objects served by the ``/status`` routes, keyed ``"chat"``,
        ``"embeddings"`` and ``"audio"``; mutate them to simulate a download."""
        return self._app.status

    @property
    def sessions(self) -> dict[str, float]:
        """Live transcription sessions: UUID → last use (``time.monotonic()``)."""
        return self._app.sessions

    # -- lifecycle ----------------------------------------------------------------------

    def start(self) -> Self:
        """Start serving on a background thread (no-op when already running)."""
        with self._lifecycle:
            if self._thread is not None:
                return self
            ready = threading.Event()
            errors: list[BaseException] = []
            thread = threading.Thread(
                target=self._run, args=(ready, errors), name="edgen-emulator", daemon=True
            )
            thread.start()
            ready.wait()
            if errors:
                thread.join()
                raise errors[0]
            self._thread = thread
        return self

    def stop(self) -> None:
        """Close every connection and join the thread (no-op when not running)."""
        with self._lifecycle:
            thread, loop, event = self._thread, self._loop, self._stop_event
            if thread is None:
                return
            if loop is not None and event is not None and not loop.is_closed():
                try:
                    loop.call_soon_threadsafe(event.set)
                except RuntimeError:
                    pass  # the loop has already finished
            thread.join(timeout=5.0)
            self._thread = None
            self._bound = None

    def _run(self, ready: threading.Event, errors: list[BaseException]) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        try:
            loop.run_until_complete(self._main(ready, errors))
        finally:
            try:
                loop.run_until_complete(loop.shutdown_asyncgens())
            finally:
                loop.close()
                self._loop = None
                ready.set()

    async def _main(self, ready: threading.Event, errors: list[BaseException]) -> None:
        self._stop_event = asyncio.Event()
        server = HttpServer(self._app.handle, max_body=self._max_body)
        try:
            self._bound = await server.start(self._requested_host, self._requested_port)
        except BaseException as exc:  # noqa: BLE001 - handed to the starting thread
            errors.append(exc)
            ready.set()
            return
        ready.set()
        try:
            await self._stop_event.wait()
        finally:
            await server.close()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    async def __aenter__(self) -> Self:
        # Starting takes a few milliseconds, so blocking the caller's loop briefly is fine.
        return self.start()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def __repr__(self) -> str:
        where = self.url if self._bound else "stopped"
        return f"<EdgenEmulator {self.dialect} {where}>"

    # -- request log --------------------------------------------------------------------

    @property
    def requests(self) -> list[RecordedRequest]:
        """A snapshot of the recorded requests, oldest first."""
        with self._app.lock:
            return list(self._app.recorded)

    def clear_requests(self) -> None:
        """Empty the request log."""
        with self._app.lock:
            self._app.recorded.clear()

    def wait_for_requests(self, count: int, timeout: float = 5.0) -> list[RecordedRequest]:
        """Block until at least ``count`` requests are recorded; returns the log.

        Raises ``TimeoutError`` when they do not arrive in time.
        """
        deadline = time.monotonic() + timeout
        with self._app.recorded_changed:
            while len(self._app.recorded) < count:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    got = len(self._app.recorded)
                    raise TimeoutError(f"{got} of {count} requests after {timeout} s")
                self._app.recorded_changed.wait(remaining)
            return list(self._app.recorded)

    # -- faults -------------------------------------------------------------------------

    def inject(self, spec: str | Fault, times: int | None = None, path: str | None = None) -> Fault:
        """Queue a fault for the next ``times`` requests whose route matches ``path``.

        ``spec`` uses the header grammar (``"status=429;retry_after=1"``) or is a
        :class:`Fault`. ``times`` defaults to the spec's own ``times`` or 1. ``path`` is
        a route such as ``"/chat/completions"`` (a ``/v1`` prefix and glob patterns
        like ``"/models/*"`` work too); None matches every request.
        """
        fault = Fault.parse(spec) if isinstance(spec, str) else spec
        count = times if times is not None else (fault.times or 1)
        if count < 1:
            raise ValueError("times must be >= 1")
        self._app.inject(fault, count, path)
        return fault

    def clear_faults(self) -> None:
        """Drop queued faults and reset the ``times``/``key`` counters of header faults."""
        self._app.clear_faults()
