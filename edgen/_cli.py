"""The `edgen` command line: chat, transcribe, embed, models, status, version, emulator, demo.

This module imports only the standard library; the client's resources, the
emulator and the response types are imported by the commands that use them,
so `edgen --help` does not pay for them.
"""

from __future__ import annotations

import argparse
import io
import math
import os
import struct
import sys
import time
import wave
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._client import Edgen
    from ._exceptions import APIConnectionError, APIStatusError

__all__ = ["build_parser", "main", "sine_wav"]

PROG = "edgen"
EXIT_OK, EXIT_API_ERROR, EXIT_USAGE, EXIT_UNREACHABLE, EXIT_INTERRUPTED = 0, 1, 2, 2, 130
EMBED_PREVIEW = 4  # numbers shown per vector without --json


class CLIError(Exception):
    """A failure to report as one line on stderr, with an exit code."""

    def __init__(self, message: str, code: int = EXIT_API_ERROR) -> None:
        super().__init__(message)
        self.code = code


# -- output helpers ------------------------------------------------------------------


_state = {"line_start": True}


def _out(text: str = "", end: str = "\n") -> None:
    # Flushed every time: output that trickles in (streamed tokens) must show as it arrives.
    sys.stdout.write(text + end)
    sys.stdout.flush()
    if text or end:
        _state["line_start"] = (text + end).endswith("\n")


def _heading(title: str) -> None:
    _out(f"\n== {title} ==")


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


# -- the parser ----------------------------------------------------------------------


def _connection_options(parser: argparse.ArgumentParser, *, suppress: bool) -> None:
    # Declared on the top parser with real defaults, and again on every subcommand with
    # SUPPRESS defaults, so `edgen chat hi --base-url X` works without a subcommand
    # default overwriting a value given before the subcommand.
    def default(value: Any) -> Any:
        return argparse.SUPPRESS if suppress else value

    group = parser.add_argument_group("connection")
    group.add_argument(
        "--base-url",
        default=default(os.environ.get("EDGEN_BASE_URL") or None),
        help="API base URL (default: $EDGEN_BASE_URL or http://127.0.0.1:33322/v1/)",
    )
    group.add_argument(
        "--api-key",
        default=default(os.environ.get("EDGEN_API_KEY") or None),
        help="API key (default: $EDGEN_API_KEY; Edgen itself needs none)",
    )
    group.add_argument(
        "--timeout",
        type=float,
        default=default(None),
        metavar="SECONDS",
        help="request timeout in seconds (default: 600, connect 5)",
    )
    group.add_argument(
        "--max-retries",
        type=int,
        default=default(None),
        metavar="N",
        help="retries after a connection error or a 5xx answer (default: 2)",
    )


def _json_flag(parser: argparse.ArgumentParser, help: str, *, suppress: bool = False) -> None:
    parser.add_argument(
        "--json", action="store_true", default=argparse.SUPPRESS if suppress else False, help=help
    )


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the `edgen` command."""
    from ._version import __version__

    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Talk to an Edgen server, or run an emulated one.",
        epilog="Try `edgen demo` for a tour against a built-in emulator.",
    )
    parser.add_argument("-V", "--version", action="version", version=f"edgen {__version__}")
    _connection_options(parser, suppress=False)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    def command(name: str, help: str, run: Callable[[argparse.Namespace], int]) -> Any:
        p = sub.add_parser(name, help=help, description=help)
        _connection_options(p, suppress=True)
        p.set_defaults(run=run)
        return p

    p = command("chat", "chat with a model; tokens are printed as they arrive", _cmd_chat)
    p.add_argument("prompt", nargs="?", help="the prompt; read from stdin when omitted or '-'")
    p.add_argument("--model", default="default", help='model name (default: "default")')
    p.add_argument("--system", metavar="TEXT", help="a system message sent before the prompt")
    p.add_argument(
        "--no-stream",
        dest="stream",
        action="store_false",
        help="wait for the whole answer instead of streaming it",
    )
    p.add_argument("--max-tokens", type=int, metavar="N", help="maximum tokens to generate")
    p.add_argument("--temperature", type=float, metavar="F", help="sampling temperature")
    _json_flag(p, "print JSON: one chunk per line when streaming, else the completion")

    p = command("transcribe", "transcribe an audio file", _cmd_transcribe)
    p.add_argument("file", help="audio file (wav, mp3, flac, ogg, ...)")
    p.add_argument("--model", default="default", help='model name (default: "default")')
    p.add_argument("--language", help="ISO-639-1 language code, e.g. en")
    _json_flag(p, "print the response as JSON")

    p = command("embed", "compute embeddings, one line per input", _cmd_embed)
    p.add_argument("texts", nargs="+", metavar="TEXT", help="text to embed")
    p.add_argument("--model", default="default", help='model name (default: "default")')
    _json_flag(p, "print the response as JSON, with the full vectors")

    p = command("models", "list, show or delete downloaded models", _cmd_models)
    _json_flag(p, "print the response as JSON")
    actions = p.add_subparsers(dest="action", metavar="ACTION")
    for name, help in (
        ("list", "list the models (the default)"),
        ("get", "show one model"),
        ("delete", "delete one model"),
    ):
        a = actions.add_parser(name, help=help, description=help)
        _connection_options(a, suppress=True)
        _json_flag(a, "print the response as JSON", suppress=True)
        if name != "list":
            a.add_argument("model_id", metavar="ID", help="model id, e.g. owner/repo")
    p.set_defaults(action="list")  # after add_subparsers, so it also sets that action's default

    p = command("status", "show the chat, audio and embeddings model status", _cmd_status)
    _json_flag(p, "print the statuses as JSON")

    p = command("version", "show the server version", _cmd_version)
    _json_flag(p, "print the response as JSON")

    p = command("emulator", "serve the Edgen emulator in the foreground", _cmd_emulator)
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default: 127.0.0.1)")
    p.add_argument("--port", type=int, default=33322, help="port, 0 for any (default: 33322)")
    p.add_argument(
        "--dialect",
        choices=("edgen", "openai"),
        default="edgen",
        help="speak like Edgen (default) or like an OpenAI-compatible server",
    )
    p.add_argument("--seed", type=int, default=0, help="seed of the generated output")
    p.add_argument("--tokens", type=int, default=8, help="chat tokens per completion")
    p.add_argument(
        "--token-delay",
        type=float,
        default=0.0,
        metavar="SECONDS",
        help="pause between streamed tokens",
    )

    command("demo", "a quick tour of every endpoint against a built-in emulator", _cmd_demo)
    return parser


# -- client --------------------------------------------------------------------------


def _client(args: argparse.Namespace) -> Edgen:
    from ._client import Edgen

    options: dict[str, Any] = {"base_url": args.base_url, "api_key": args.api_key}
    if args.timeout is not None:
        options["timeout"] = args.timeout
    if args.max_retries is not None:
        options["max_retries"] = args.max_retries
    try:
        return Edgen(**options)
    except (TypeError, ValueError) as exc:
        raise CLIError(str(exc), EXIT_USAGE) from None


# -- commands ------------------------------------------------------------------------


def _read_prompt(args: argparse.Namespace) -> str:
    if args.prompt is not None and args.prompt != "-":
        return str(args.prompt)
    if sys.stdin is None:
        raise CLIError("no prompt given and no stdin to read one from", EXIT_USAGE)
    if sys.stdin.isatty():
        print("(type the prompt, then Ctrl-D)", file=sys.stderr)
    prompt = sys.stdin.read().strip()
    if not prompt:
        raise CLIError("the prompt is empty", EXIT_USAGE)
    return prompt


def _cmd_chat(args: argparse.Namespace) -> int:
    prompt = _read_prompt(args)
    messages: list[dict[str, str]] = []
    if args.system:
        messages.append({"role": "system", "content": args.system})
    messages.append({"role": "user", "content": prompt})
    params: dict[str, Any] = {"model": args.model, "messages": messages}
    if args.max_tokens is not None:
        params["max_tokens"] = args.max_tokens
    if args.temperature is not None:
        params["temperature"] = args.temperature
    with _client(args) as client:
        if not args.stream:
            completion = client.chat.completions.create(**params, stream=False)
            if args.json:
                _out(completion.model_dump_json())
            else:
                choices = completion.choices
                _out((choices[0].message.content or "") if choices else "")
            return EXIT_OK
        _stream_chat(client, params, as_json=args.json)
    return EXIT_OK


def _stream_chat(client: Edgen, params: dict[str, Any], *, as_json: bool) -> None:
    with client.chat.completions.create(**params, stream=True) as stream:
        for chunk in stream:
            if as_json:
                _out(chunk.model_dump_json())
                continue
            for choice in chunk.choices:
                if choice.delta.content:
                    _out(choice.delta.content, end="")
    if not as_json:
        _out()


def _cmd_transcribe(args: argparse.Namespace) -> int:
    params: dict[str, Any] = {"model": args.model}
    if args.language:
        params["language"] = args.language
    try:
        audio = open(args.file, "rb")  # noqa: SIM115 - closed below, after the upload
    except OSError as exc:
        raise CLIError(f"cannot read {args.file}: {exc.strerror or exc}", EXIT_USAGE) from None
    with audio, _client(args) as client:
        result = client.audio.transcriptions.create(file=audio, **params)
    if isinstance(result, str):  # only for a text response_format, which is not asked for
        _out(result.strip())
    else:
        _out(result.model_dump_json() if args.json else result.text.strip())
    return EXIT_OK


def _vector_preview(vector: Sequence[float]) -> str:
    head = ", ".join(f"{x:.4f}" for x in vector[:EMBED_PREVIEW])
    return f"[{head}{', ...' if len(vector) > EMBED_PREVIEW else ''}]"


def _cmd_embed(args: argparse.Namespace) -> int:
    with _client(args) as client:
        result = client.embeddings.create(input=list(args.texts), model=args.model)
    if args.json:
        _out(result.model_dump_json())
        return EXIT_OK
    width = max(len(str(len(result.data) - 1)), 1)
    for i, item in enumerate(result.data):
        _out(f"{i:>{width}}: {len(item.embedding)} dims {_vector_preview(item.embedding)}")
    return EXIT_OK


def _format_created(created: int | None) -> str:
    if not created:
        return "-"
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(created))


def _print_models(models: Sequence[Any]) -> None:
    if not models:
        _out("(no models)")
        return
    rows = [("ID", "OWNER", "CREATED")]
    rows += [
        (m.id, m.owned_by or "-", _format_created(getattr(m, "created", None))) for m in models
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(2)]
    for model_id, owner, created in rows:
        _out(f"{model_id:<{widths[0]}}  {owner:<{widths[1]}}  {created}")


def _cmd_models(args: argparse.Namespace) -> int:
    with _client(args) as client:
        if args.action == "get":
            model = client.models.retrieve(args.model_id)
            if args.json:
                _out(model.model_dump_json())
            else:
                _print_models([model])
        elif args.action == "delete":
            deleted = client.models.delete(args.model_id)
            _out(deleted.model_dump_json() if args.json else f"deleted {deleted.id}")
        else:
            page = client.models.list()
            if args.json:
                _out(page.model_dump_json())
            else:
                _print_models(list(page.data))
    return EXIT_OK


def _cmd_status(args: argparse.Namespace) -> int:
    with _client(args) as client:
        statuses = {
            "chat": client.chat.completions.status.create(),
            "audio": client.audio.transcriptions.status.create(),
            "embeddings": client.embeddings.status.create(),
        }
    if args.json:
        import json

        _out(json.dumps({name: s.model_dump() for name, s in statuses.items()}))
        return EXIT_OK
    width = max(len(s.active_model) for s in statuses.values())
    for name, s in statuses.items():
        state = f"downloading {s.download_progress}%" if s.download_ongoing else "ready"
        _out(f"{name:<10}  {s.active_model:<{width}}  {state}")
        for error in s.last_errors:
            _out(f"{'':<10}  error: {_one_line(error)}")
    return EXIT_OK


def _cmd_version(args: argparse.Namespace) -> int:
    with _client(args) as client:
        version = client.misc.version.create()
    _out(version.model_dump_json() if args.json else f"Edgen {version}")
    return EXIT_OK


def _cmd_emulator(args: argparse.Namespace) -> int:
    # One foreground server loop for both `edgen emulator` and `python -m edgen.testing`.
    from .testing import serve_forever

    return serve_forever(
        [
            *("--host", args.host, "--port", str(args.port), "--dialect", args.dialect),
            *("--seed", str(args.seed), "--tokens", str(args.tokens)),
            *("--token-delay", str(args.token_delay)),
        ]
    )


def sine_wav(seconds: float = 1.0, frequency: float = 440.0, rate: int = 16_000) -> bytes:
    """A mono 16-bit PCM WAV file of a sine tone, built in memory."""
    frames = int(seconds * rate)
    samples = (int(12_000 * math.sin(2 * math.pi * frequency * i / rate)) for i in range(frames))
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(struct.pack(f"<{frames}h", *samples))
    return buffer.getvalue()


def _cmd_demo(args: argparse.Namespace) -> int:
    from ._client import Edgen
    from .testing import EdgenEmulator

    prompt = "What is local inference?"
    with EdgenEmulator(port=0, seed=7, tokens=24, token_delay=0.02) as server:
        _out(f"Edgen demo: an emulated Edgen server is listening at {server.url}")
        with Edgen(base_url=server.url, max_retries=0) as client:
            _heading("1. Chat, streamed")
            _out(f"> {prompt}")
            params = {"model": "default", "messages": [{"role": "user", "content": prompt}]}
            _stream_chat(client, params, as_json=False)

            _heading("2. Transcription")
            audio = sine_wav()
            # The emulator answers every recording with the same poem, tone or not.
            _out(f"(uploading a 1 s, 440 Hz tone: {len(audio):,} bytes of WAV)")
            result = client.audio.transcriptions.create(file=("tone.wav", audio), model="default")
            _out(result.strip() if isinstance(result, str) else result.text.strip())

            _heading("3. Embeddings")
            texts = ["local inference", "a private, fast server"]
            embeddings = client.embeddings.create(input=texts, model="default")
            for text, item in zip(texts, embeddings.data):
                vector = item.embedding
                _out(f"{text!r}: {len(vector)} dims {_vector_preview(vector)}")

            _heading("4. Models")
            _print_models(list(client.models.list().data))

            _heading("5. Server version")
            _out(f"Edgen {client.misc.version.create()}")
    _out("\nDone. Run `edgen emulator` to keep a server up, or `edgen --help` for more.")
    return EXIT_OK


# -- errors and the entry point -----------------------------------------------------


def _connection_message(exc: APIConnectionError, base_url: str) -> str:
    import httpx

    from ._exceptions import APITimeoutError

    if isinstance(exc, APITimeoutError):
        return f"the Edgen server at {base_url} did not answer in time; try a larger --timeout"
    if isinstance(exc.__cause__, httpx.ConnectError):
        return (
            f"cannot reach the Edgen server at {base_url}: start Edgen, "
            "or run `edgen emulator`, or pass --base-url (or set EDGEN_BASE_URL)"
        )
    return f"the connection to the Edgen server at {base_url} failed: {_one_line(str(exc))}"


def _status_message(exc: APIStatusError) -> str:
    request = exc.request
    text = _one_line(exc.message)
    if not exc.body:
        # Edgen answers an unknown model id, among other things, with an empty 500.
        text = f"Error code: {exc.status_code} (no details from the server)"
    return f"{text} [{request.method} {request.url}]"


def _run(args: argparse.Namespace) -> int:
    from ._exceptions import APIConnectionError, APIError, APIStatusError

    run: Callable[[argparse.Namespace], int] = args.run
    try:
        return run(args)
    except APIConnectionError as exc:
        from ._client import DEFAULT_BASE_URL

        raise CLIError(
            _connection_message(exc, args.base_url or DEFAULT_BASE_URL), EXIT_UNREACHABLE
        ) from None
    except APIStatusError as exc:
        raise CLIError(_status_message(exc), EXIT_API_ERROR) from None
    except APIError as exc:
        raise CLIError(_one_line(str(exc)), EXIT_API_ERROR) from None


def _quiet_stdout() -> None:
    # The reader went away (`edgen chat ... | head -1`): point stdout at devnull so the
    # interpreter's final flush does not complain about the broken pipe again.
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, io.UnsupportedOperation):
        pass


def main(argv: list[str] | None = None) -> int:
    """Run the `edgen` command; returns the exit code."""
    args = build_parser().parse_args(argv)
    _state["line_start"] = True
    try:
        return _run(args)
    except CLIError as exc:
        _fail(str(exc))
        return exc.code
    except KeyboardInterrupt:
        _fail("interrupted")
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        _quiet_stdout()
        return EXIT_API_ERROR


def _fail(message: str) -> None:
    if not _state["line_start"]:
        # End the partial line of streamed tokens so the message does not run into it.
        try:
            _out()
        except (OSError, ValueError):
            pass
    print(f"{PROG}: {message}", file=sys.stderr, flush=True)
