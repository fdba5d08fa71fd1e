"""Command line entry point: run the emulator in the foreground."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from collections.abc import Sequence
from types import FrameType

from ._emulator import EdgenEmulator

__all__ = ["build_parser", "serve_forever"]


def build_parser(prog: str = "python -m edgen.testing") -> argparse.ArgumentParser:
    """The argument parser of the emulator CLI."""
    parser = argparse.ArgumentParser(prog=prog, description="Run an Edgen server emulator.")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=33322, help="port, 0 for any (default 33322)")
    parser.add_argument("--dialect", choices=("edgen", "openai"), default="edgen")
    parser.add_argument("--seed", type=int, default=0, help="seed of the generated output")
    parser.add_argument("--tokens", type=int, default=8, help="chat tokens per completion")
    parser.add_argument("--token-delay", type=float, default=0.0, help="seconds between chunks")
    parser.add_argument("--strict-models", action="store_true", help="apply the model-kind rule")
    parser.add_argument("--embedding-dim", type=int, default=768, help="embedding vector length")
    return parser


def serve_forever(argv: Sequence[str] | None = None) -> int:
    """Serve until SIGINT or SIGTERM; prints the base URL as the first stdout line."""
    args = build_parser().parse_args(argv)
    server = EdgenEmulator(
        args.host,
        args.port,
        dialect=args.dialect,
        seed=args.seed,
        tokens=args.tokens,
        token_delay=args.token_delay,
        strict_models=args.strict_models,
        embedding_dim=args.embedding_dim,
    )
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    on_main_thread = threading.current_thread() is threading.main_thread()
    previous: dict[signal.Signals, object] = {}
    if on_main_thread:
        for signum in (signal.SIGINT, signal.SIGTERM):
            previous[signum] = signal.signal(signum, on_signal)
    try:
        server.start()
    except OSError as exc:
        print(f"cannot listen on {args.host}:{args.port}: {exc}", file=sys.stderr)
        return 1
    try:
        print(server.url, flush=True)
        # Waiting in short slices keeps the main thread responsive to signals everywhere.
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
        for signum, handler in previous.items():
            signal.signal(signum, handler)  # type: ignore[arg-type]
    return 0
