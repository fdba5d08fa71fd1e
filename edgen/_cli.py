# The `edgen` command line.

from __future__ import annotations

import argparse
import io
import math
import os
import shlex
import struct
import sys
import tempfile
import wave
from collections.abc import Callable
from datetime import date
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import httpx
import msgspec

from ._client import DEFAULT_MAX_RETRIES, Edgen
from ._exceptions import APIConnectionError, APIError
from ._logs import redact_url
from ._types import NOT_GIVEN
from ._version import __version__

if TYPE_CHECKING:
    from ._streaming import Stream
    from .types import Model
    from .types.chat import ChatCompletionChunk

# Flushed: tokens show at once, and a closed pipe fails inside main().
_out = partial(print, flush=True)


def _fail(message: str, code: int = 1) -> NoReturn:
    print(f"edgen: {' '.join(message.split())}", file=sys.stderr)
    raise SystemExit(code)


def build_parser() -> argparse.ArgumentParser:
    """The `edgen` argument parser."""
    # Also on each command, to work after it; SUPPRESS keeps it from overwriting values
    # given before it (main() has the defaults).
    common = argparse.ArgumentParser(add_help=False, argument_default=argparse.SUPPRESS)
    common.add_argument(
        "--base-url",
        metavar="URL",
        help="HOST:PORT or a URL; /v1 is added to one without a path "
        "(default: $EDGEN_BASE_URL or 127.0.0.1:33322)",
    )
    common.add_argument("--api-key", help="default: $EDGEN_API_KEY")
    common.add_argument("--timeout", type=float, help="seconds (default: 600)")
    common.add_argument("--max-retries", type=int)
    common.add_argument("--json", action="store_true")
    parser = argparse.ArgumentParser("edgen", parents=[common])
    parser.add_argument("-V", "--version", action="version", version=f"edgen {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    command = partial(commands.add_parser, parents=[common])
    chat = command("chat", help="chat with a model (streamed)")
    chat.add_argument("prompt", nargs="?", help="read from stdin when omitted or -")
    chat.add_argument("--system")
    chat.add_argument("--no-stream", dest="stream", action="store_false")
    chat.add_argument("--max-tokens", type=int, default=NOT_GIVEN)
    chat.add_argument("--temperature", type=float, default=NOT_GIVEN)
    transcribe = command("transcribe", help="transcribe an audio file")
    transcribe.add_argument("file")
    transcribe.add_argument("--language", default=NOT_GIVEN)
    embed = command("embed", help="embed texts")
    embed.add_argument("texts", nargs="+")
    for sub in chat, transcribe, embed:
        sub.add_argument("--model", default="default")
    models = command("models", help="list, show or delete models")
    actions = models.add_subparsers(dest="action", metavar="ACTION", title="actions")
    for action, about in _MODEL_ACTIONS.items():
        sub = actions.add_parser(action, parents=[common], help=about)
        if action != "list":
            sub.add_argument("model_id", metavar="ID")
    models.set_defaults(action="list")
    command("status", help="show each endpoint's model status")
    command("version", help="show the server version")
    # main() passes unknown options to `python -m edgen.testing`.
    commands.add_parser("emulator", help="run the emulator in the foreground", add_help=False)
    commands.add_parser("demo", help="tour the commands on a built-in emulator")
    return parser


_MODEL_ACTIONS = {
    "list": "list the models (the default)",
    "get": "show one model",
    "delete": "delete a model",
}


def _base_url(given: str | None) -> str | None:
    """The API URL for a --base-url or $EDGEN_BASE_URL value; None for the default."""
    # The forms the help shows: "host:port" and "http://host:port" both mean the
    # server's /v1 API, while a URL with a path (a proxy, say) is taken as it is.
    if not given:
        return None
    url = given if "://" in given else f"http://{given}"
    scheme, _, rest = url.partition("://")
    if "/" not in rest.rstrip("/"):
        url = f"{scheme}://{rest.rstrip('/')}/v1/"
    return url


# What a client command prints: its answer (for --json) and its lines of text, or None
# when it has printed its output as it streamed.
_Output = tuple[Any, list[str]] | None


def _chat(client: Edgen, args: argparse.Namespace) -> _Output:
    messages: list[Any] = [{"role": "system", "content": args.system}] if args.system else []
    messages.append({"role": "user", "content": _prompt(args.prompt)})
    answer = client.chat.completions.create(
        model=args.model,
        messages=messages,
        max_tokens=args.max_tokens,
        temperature=args.temperature,
        stream=args.stream,
    )
    if args.stream:
        _print_stream(answer, args.json)
        return None
    if not answer.choices:
        _fail("the answer has no choices")
    return answer, [answer.choices[0].message.content or ""]


def _prompt(given: str | None) -> str:
    # None or "-" reads stdin, so that `echo hi | edgen chat` works.
    prompt = given
    if prompt in (None, "-"):
        stdin = sys.stdin or io.StringIO()  # None when closed (`<&-`)
        if stdin.isatty():
            print("(type the prompt, then Ctrl-D)", file=sys.stderr)
        prompt = stdin.read().strip()
    if not prompt:
        _fail("no prompt given, as an argument or on stdin", 2)
    return prompt


def _print_stream(stream: Stream[ChatCompletionChunk], as_json: bool) -> None:
    # Each token as it comes, or each chunk as a JSON line.
    with stream:
        try:
            for chunk in stream:
                if as_json:
                    _out(chunk.model_dump_json())
                    continue
                for choice in chunk.choices:
                    _out(choice.delta.content or "", end="")
        finally:
            if not as_json:
                _out("")  # ends the line, also before an error


def _transcribe(client: Edgen, args: argparse.Namespace) -> _Output:
    answer = client.audio.transcriptions.create(
        file=args.file, model=args.model, language=args.language
    )
    return answer, [answer.text.strip()]


def _embed(client: Edgen, args: argparse.Namespace) -> _Output:
    answer = client.embeddings.create(input=args.texts, model=args.model)
    return answer, [f"{i}: {len(item.embedding)} dims" for i, item in enumerate(answer.data)]


def _models(client: Edgen, args: argparse.Namespace) -> _Output:
    if args.action == "delete":
        deleted = client.models.delete(args.model_id)
        return deleted, [f"deleted {deleted.id}"]
    if args.action == "get":
        model = client.models.retrieve(args.model_id)
        return model, _model_table([model])
    page = client.models.list()
    return page, _model_table(page.data)


def _model_table(models: list[Model]) -> list[str]:
    lines = [f"{'ID':40} {'OWNER':15} CREATED"]
    for model in models:
        created = date.fromtimestamp(model.created) if model.created else "-"
        lines.append(f"{model.id:40} {model.owned_by or '-':15} {created}")
    return lines


def _status(client: Edgen, args: argparse.Namespace) -> _Output:
    endpoints: dict[str, Any] = {
        "chat": client.chat.completions,
        "audio": client.audio.transcriptions,
        "embeddings": client.embeddings,
    }
    statuses = {name: endpoint.status.create() for name, endpoint in endpoints.items()}
    # Wide enough for the longest model, so that the states line up.
    width = max(len("MODEL"), *(len(status.active_model) for status in statuses.values()))
    lines = [f"{'ENDPOINT':10}  {'MODEL':{width}}  STATE"]
    for name, status in statuses.items():
        state = "ready"
        if status.download_ongoing:
            state = f"downloading {status.download_progress}%"
        lines.append(f"{name:10}  {status.active_model:{width}}  {state}")
        lines += [f"{'':12}error: {error!r}" for error in status.last_errors]
    answer = {name: status.model_dump() for name, status in statuses.items()}
    return answer, lines


def _version(client: Edgen, args: argparse.Namespace) -> _Output:
    answer = client.misc.version.create()
    return answer, [f"Edgen {answer}"]


# The commands that talk to a server; build_parser() declares them all.
_COMMANDS: dict[str, Callable[[Edgen, argparse.Namespace], _Output]] = {
    "chat": _chat,
    "transcribe": _transcribe,
    "embed": _embed,
    "models": _models,
    "status": _status,
    "version": _version,
}


def _answer(client: Edgen, args: argparse.Namespace) -> _Output:
    return _COMMANDS[args.command](client, args)


def sine_wav() -> bytes:
    """A 1 s, 440 Hz tone as a 16 kHz mono 16-bit WAV file."""
    buffer = io.BytesIO()
    wav = wave.open(buffer, "wb")
    wav.setparams((1, 2, 16_000, 0, "NONE", "NONE"))
    for i in range(16_000):
        wav.writeframesraw(struct.pack("<h", int(12_000 * math.sin(math.tau * 440 * i / 16_000))))
    wav.close()
    return buffer.getvalue()


def _demo() -> int:
    # Each step runs a command, showing what to type.
    from .testing import EdgenEmulator

    server = EdgenEmulator(seed=7, tokens=24, token_delay=0.02)
    with server, tempfile.TemporaryDirectory() as folder:
        audio = Path(folder, "tone.wav")
        audio.write_bytes(sine_wav())
        _out(f"An emulated Edgen server is listening at {server.url}")
        for argv in [
            ("chat", "What is local inference?"),
            ("transcribe", str(audio)),
            ("embed", "local inference", "a private, fast server"),
            ("models",),
            ("version",),
        ]:
            _out(f"\n$ edgen {shlex.join(argv)}")
            main(["--base-url", server.url, *argv])
    _out("\nDone. `edgen emulator` keeps a server up; see `edgen --help`.")
    return 0


# Exit codes (errors raise SystemExit): 1 for an error answer or a later failure, 2 for
# bad usage or an unreachable server, 130 on Ctrl-C.
def main(argv: list[str] | None = None) -> int:
    """Run the `edgen` command; returns its exit code."""
    # Around everything, the demo's own steps and its emulator included. A Ctrl-C in one
    # of the demo's nested main() calls is reported there and leaves as SystemExit.
    try:
        return _run(argv)
    except KeyboardInterrupt:
        _fail("interrupted", 130)


def _run(argv: list[str] | None) -> int:
    parser = build_parser()
    defaults = argparse.Namespace(
        base_url=None, api_key=None, timeout=NOT_GIVEN, max_retries=DEFAULT_MAX_RETRIES, json=False
    )
    args, extra = parser.parse_known_args(argv, defaults)
    if args.command == "emulator":
        from .testing import serve_forever

        return serve_forever(extra, prog="edgen emulator")
    if extra:
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    if args.command == "demo":
        return _demo()
    try:
        with Edgen(
            base_url=_base_url(args.base_url or os.environ.get("EDGEN_BASE_URL")),
            api_key=args.api_key,
            timeout=args.timeout,
            max_retries=args.max_retries,
        ) as client:
            result = _answer(client, args)
        if result:
            answer, lines = result
            if args.json:
                if isinstance(answer, dict):  # status's: compact too, like model_dump_json()
                    lines = [msgspec.json.encode(answer).decode()]
                else:
                    lines = [answer.model_dump_json()]
            _out(*lines, sep="\n")
    except APIConnectionError as exc:
        url = redact_url(client.base_url)
        if isinstance(exc.__cause__, (httpx.ConnectError, httpx.ConnectTimeout)):
            _fail(f"cannot reach {url}: start Edgen or `edgen emulator`, or set --base-url", 2)
        _fail(f"connection to {url} failed: {exc}")
    except APIError as exc:
        _fail(str(exc))  # the message names the request
    except BrokenPipeError:
        # The reader left (`edgen ... | head -1`): silence the final flush.
        try:
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        except (OSError, ValueError):  # ValueError: stdout has no descriptor
            pass
        return 1
    except OSError as exc:
        # An unreadable audio file: its path and the system's plain reason.
        if exc.filename is not None and exc.errno is not None:
            _fail(f"cannot read {exc.filename}: {os.strerror(exc.errno)}", 2)
        _fail(str(exc), 2)
    except (TypeError, ValueError) as exc:
        # A value the client refuses, such as a malformed --base-url.
        _fail(str(exc), 2)
    return 0
