"""Tests of the `edgen` command line, run as `python -m edgen` against an in-process emulator."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NoReturn

import msgspec
import pytest

from edgen import __version__
from edgen._cli import main, sine_wav
from edgen.testing import EdgenEmulator, UploadedFile, serve_forever
from edgen.types.chat.chat_completion_chunk import ChatCompletionChunk

REPO_ROOT = Path(__file__).resolve().parents[1]
MODEL_ID = "TheBloke/neural-chat-7B-v3-3-GGUF"
PROMPT = "Say this is a test"
posix_only = pytest.mark.skipif(sys.platform == "win32", reason="needs POSIX signals")


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("EDGEN_")}
    env.update(extra)
    # The subprocess imports this checkout, installed or not.
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
    env["PYTHONIOENCODING"] = "utf-8"
    return env


def edgen(
    *args: str,
    url: str | None = None,
    input: str | None = None,
    env: dict[str, str] | None = None,
    timeout: float = 15,
) -> subprocess.CompletedProcess[str]:
    """Run `python -m edgen [--base-url url] args...` and capture its output."""
    argv = [sys.executable, "-m", "edgen", *(["--base-url", url] if url else []), *args]
    return subprocess.run(
        argv,
        check=False,
        input=input if input is not None else "",
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=_env(**(env or {})),
        timeout=timeout,
    )


def spawn(*args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "edgen", *args],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=_env(),
    )


@pytest.fixture(scope="module")
def server() -> Iterator[EdgenEmulator]:
    with EdgenEmulator("127.0.0.1", 0, seed=42, tokens=7) as emulator:
        yield emulator


@pytest.fixture
def url(server: EdgenEmulator) -> str:
    server.clear_requests()
    server.clear_faults()
    return server.url


def _last(server: EdgenEmulator, route: str) -> Any:
    matching = [r for r in server.requests if r.route == route]
    assert matching, f"no request to {route}"
    return matching[-1]


def _closed_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# -- chat -------------------------------------------------------------------------------


@pytest.mark.slow
def test_chat_stream_matches_no_stream(url: str) -> None:
    streamed = edgen("chat", PROMPT, url=url)
    whole = edgen("chat", "--no-stream", PROMPT, url=url)
    assert streamed.returncode == whole.returncode == 0, streamed.stderr + whole.stderr
    assert streamed.stdout == whole.stdout
    assert len(streamed.stdout.split()) == 7
    assert streamed.stderr == whole.stderr == ""


@pytest.mark.slow
def test_chat_streams_incrementally() -> None:
    with EdgenEmulator("127.0.0.1", 0, seed=1, tokens=6, token_delay=0.25) as slow:
        proc = spawn("--base-url", slow.url, "chat", PROMPT)
        assert proc.stdout is not None
        first: float | None = None
        output = b""
        while chunk := os.read(proc.stdout.fileno(), 4096):
            if first is None:
                first = time.monotonic()
            output += chunk
        proc.wait(timeout=10)
        ended = time.monotonic()
    assert proc.returncode == 0
    assert first is not None and ended - first > 0.8  # five more tokens were still to come
    assert len(output.split()) == 6


@pytest.mark.slow
def test_chat_json_lines_are_chunks(url: str) -> None:
    plain = edgen("chat", PROMPT, url=url)
    result = edgen("chat", "--json", PROMPT, url=url)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 7
    chunks = [msgspec.json.decode(line, type=ChatCompletionChunk) for line in lines]
    assert all(c.object == "text_completion" for c in chunks)
    assert "".join(c.choices[0].delta.content or "" for c in chunks) + "\n" == plain.stdout


def test_chat_json_no_stream_is_one_completion(url: str) -> None:
    result = edgen("chat", "--json", "--no-stream", PROMPT, url=url)
    assert result.returncode == 0, result.stderr
    (line,) = result.stdout.splitlines()
    assert json.loads(line)["choices"][0]["message"]["role"] == "assistant"


@pytest.mark.parametrize("args", [(), ("-",)])
@pytest.mark.slow
def test_chat_prompt_from_stdin(url: str, server: EdgenEmulator, args: tuple[str, ...]) -> None:
    expected = edgen("chat", PROMPT, url=url).stdout
    result = edgen("chat", *args, url=url, input=PROMPT + "\n")
    assert result.returncode == 0, result.stderr
    assert result.stdout == expected
    assert _last(server, "/chat/completions").json()["messages"][-1]["content"] == PROMPT


@posix_only
def test_chat_without_stdin(url: str) -> None:
    # `<&-` closes the descriptor, so sys.stdin is None in the child.
    script = '"$0" -m edgen --base-url "$1" chat <&-'
    result = subprocess.run(
        ["sh", "-c", script, sys.executable, url],
        check=False,
        capture_output=True,
        text=True,
        env=_env(),
        timeout=15,
    )
    assert result.returncode == 2
    assert len(result.stderr.splitlines()) == 1 and "prompt" in result.stderr
    assert result.stdout == ""


@posix_only
def test_chat_prompt_from_a_terminal_gets_a_hint(url: str, server: EdgenEmulator) -> None:
    import pty

    terminal, child_side = pty.openpty()
    try:
        proc = subprocess.Popen(
            [sys.executable, "-m", "edgen", "--base-url", url, "chat"],
            stdin=child_side,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=_env(),
        )
        os.write(terminal, PROMPT.encode() + b"\n\x04")  # a line, then Ctrl-D
        out, err = proc.communicate(timeout=15)
    finally:
        os.close(terminal)
        os.close(child_side)
    assert proc.returncode == 0, err
    assert err.decode().strip() == "(type the prompt, then Ctrl-D)"
    assert len(out.split()) == 7
    assert _last(server, "/chat/completions").json()["messages"][-1]["content"] == PROMPT


@pytest.mark.slow
def test_chat_no_stream_without_choices(url: str, server: EdgenEmulator) -> None:
    completion = json.loads(edgen("chat", "--json", "--no-stream", PROMPT, url=url).stdout)
    completion["choices"] = []
    server.inject(f"status=200;body={json.dumps(completion)}", path="/chat/completions")
    result = edgen("chat", "--no-stream", PROMPT, url=url)
    assert result.returncode == 1
    assert len(result.stderr.splitlines()) == 1 and "choices" in result.stderr
    assert "Traceback" not in result.stderr


def test_chat_options_reach_the_server(url: str, server: EdgenEmulator) -> None:
    result = edgen(
        "chat",
        "hi",
        "--system",
        "be brief",
        "--model",
        "m.gguf",
        "--max-tokens",
        "5",
        "--temperature",
        "0.5",
        "--no-stream",
        url=url,
    )
    assert result.returncode == 0, result.stderr
    body = _last(server, "/chat/completions").json()
    assert body["messages"] == [
        {"role": "system", "content": "be brief"},
        {"role": "user", "content": "hi"},
    ]
    assert (body["model"], body["max_tokens"], body["temperature"]) == ("m.gguf", 5, 0.5)
    assert body.get("stream") in (None, False)


def test_api_error_is_one_line_exit_1(url: str, server: EdgenEmulator) -> None:
    server.inject("kind=unknown_model_kind", path="/chat/completions")
    result = edgen("chat", "hi", url=url)
    assert result.returncode == 1
    assert len(result.stderr.splitlines()) == 1
    assert "500" in result.stderr and "unknown_model_kind" in result.stderr
    assert "Traceback" not in result.stderr


# -- other endpoints --------------------------------------------------------------------


@pytest.mark.slow
def test_transcribe_uploads_multipart(url: str, server: EdgenEmulator, tmp_path: Path) -> None:
    audio = tmp_path / "tone.wav"
    audio.write_bytes(sine_wav())
    result = edgen("transcribe", str(audio), "--model", "my-whisper", "--language", "en", url=url)
    assert result.returncode == 0, result.stderr
    assert "woods are lovely" in result.stdout
    request = _last(server, "/audio/transcriptions")
    assert request.headers["content-type"].startswith("multipart/form-data")
    assert request.form["model"] == "my-whisper"
    assert request.form["language"] == "en"
    upload = request.files["file"]
    assert isinstance(upload, UploadedFile) and upload.size == audio.stat().st_size

    as_json = edgen("transcribe", str(audio), "--json", url=url)
    assert json.loads(as_json.stdout)["text"].strip().startswith("The woods")


def test_transcribe_missing_file_names_the_path_and_the_cause(
    url: str, server: EdgenEmulator, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "nope.wav"
    assert _exit_code(["--base-url", url, "transcribe", str(missing)]) == 2
    assert capsys.readouterr() == ("", f"edgen: cannot read {missing}: No such file or directory\n")
    assert server.requests == []


@posix_only
def test_transcribe_a_directory_says_so(
    url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _exit_code(["--base-url", url, "transcribe", str(tmp_path)]) == 2
    assert capsys.readouterr().err == f"edgen: cannot read {tmp_path}: Is a directory\n"


@pytest.mark.slow
def test_embed(url: str, server: EdgenEmulator) -> None:
    result = edgen("embed", "hello", "world", "--model", "e.gguf", url=url)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 2 and all("768 dims" in line for line in lines)
    assert _last(server, "/embeddings").json() == {"input": ["hello", "world"], "model": "e.gguf"}

    as_json = json.loads(edgen("embed", "hello", "--json", url=url).stdout)
    vectors = as_json.get("data") or as_json["embeddings"]
    assert len(vectors) == 1 and len(vectors[0]["embedding"]) == 768


@pytest.mark.slow
def test_models_list_get_delete(url: str, server: EdgenEmulator) -> None:
    listed = edgen("models", url=url)
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout.splitlines()[0].split() == ["ID", "OWNER", "CREATED"]
    assert MODEL_ID in listed.stdout
    assert edgen("models", "list", url=url).stdout == listed.stdout
    ids = [m["id"] for m in json.loads(edgen("models", "--json", url=url).stdout)["data"]]
    assert MODEL_ID in ids

    got = edgen("models", "get", MODEL_ID, "--json", url=url)
    assert got.returncode == 0, got.stderr
    assert json.loads(got.stdout)["owned_by"] == "TheBloke"
    assert _last(server, "/models/TheBloke%2Fneural-chat-7B-v3-3-GGUF").method == "GET"

    server.add_model("someone/doomed-model")
    deleted = edgen("models", "delete", "someone/doomed-model", url=url)
    assert deleted.returncode == 0, deleted.stderr
    assert deleted.stdout.strip() == "deleted someone/doomed-model"
    assert "someone/doomed-model" not in server.models

    missing = edgen("--max-retries", "0", "models", "get", "someone/doomed-model", url=url)
    assert missing.returncode == 1
    assert len(missing.stderr.splitlines()) == 1 and "500" in missing.stderr


@pytest.mark.slow
def test_models_options_anywhere_and_a_required_id(url: str) -> None:
    for args in [
        ("models", "get", "--json", MODEL_ID),
        ("models", "--json", "get", MODEL_ID),
        ("--json", "models", "get", MODEL_ID, "--max-retries", "0"),
    ]:
        got = edgen(*args, url=url)
        assert got.returncode == 0, (args, got.stderr)
        assert json.loads(got.stdout)["id"] == MODEL_ID
    for args in [("models", "get"), ("models", "delete"), ("models", "list", MODEL_ID)]:
        refused = edgen(*args, url=url)
        assert refused.returncode == 2, args
        assert "error:" in refused.stderr and refused.stdout == ""


def test_models_without_created_date() -> None:
    # OpenAI-compatible servers may leave `created` out.
    with EdgenEmulator("127.0.0.1", 0, dialect="openai") as openai:
        result = edgen("models", url=openai.url)
    assert result.returncode == 0, result.stderr
    rows = [line.split() for line in result.stdout.splitlines()[1:]]
    assert MODEL_ID in [row[0] for row in rows]
    assert all(row[-1] == "-" for row in rows)


def test_status_shows_downloads_and_errors(url: str, server: EdgenEmulator) -> None:
    saved = dict(server.status["audio"])
    server.status["audio"].update(
        download_ongoing=True,
        download_progress=42,
        last_errors=["download failed:\n  disk full", "retrying"],
    )
    try:
        result = edgen("status", url=url)
    finally:
        server.status["audio"] = saved
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()[1:]  # after the header
    assert [line.split()[0] for line in lines] == [
        "chat",
        "audio",
        "error:",
        "error:",
        "embeddings",
    ]
    assert "downloading 42%" in lines[1]
    assert "download failed" in lines[2] and "disk full" in lines[2]
    assert "retrying" in lines[3]


@pytest.mark.slow
def test_status(url: str) -> None:
    result = edgen("status", url=url)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert [line.split()[0] for line in lines] == ["ENDPOINT", "chat", "audio", "embeddings"]
    assert "neural-chat-7b-v3-3.Q4_K_M.gguf" in lines[1] and "ready" in lines[1]
    as_json = json.loads(edgen("status", "--json", url=url).stdout)
    assert as_json["audio"]["active_model"] == "ggml-distil-small.en.bin"


def test_status_columns_line_up(
    url: str, server: EdgenEmulator, capsys: pytest.CaptureFixture[str]
) -> None:
    saved = dict(server.status["embeddings"])
    server.status["embeddings"].update(
        active_model="a-much-longer-embedding-model-name.gguf",
        download_ongoing=True,
        download_progress=7,
    )
    try:
        assert main(["--base-url", url, "status"]) == 0
    finally:
        server.status["embeddings"] = saved
    header, *rows = capsys.readouterr().out.splitlines()
    assert header.split() == ["ENDPOINT", "MODEL", "STATE"]
    models = [header.index("MODEL")] + [row.index(row.split()[1]) for row in rows]
    states = [header.index("STATE")] + [row.index(row.split()[2]) for row in rows]
    assert len(set(models)) == 1 and len(set(states)) == 1, [header, *rows]
    assert rows[2].split()[1:] == ["a-much-longer-embedding-model-name.gguf", "downloading", "7%"]


@pytest.mark.parametrize("command", [["status"], ["version"], ["models"], ["embed", "hi"]])
def test_json_output_is_one_compact_line(
    url: str, command: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--base-url", url, "--json", *command]) == 0
    out = capsys.readouterr().out
    assert out.count("\n") == 1
    assert out == json.dumps(json.loads(out), separators=(",", ":"), ensure_ascii=False) + "\n"


def test_version(url: str) -> None:
    result = edgen("version", url=url)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "Edgen 0.1.5"


@pytest.mark.slow
def test_connection_settings_from_env_and_after_the_command(
    url: str, server: EdgenEmulator
) -> None:
    from_env = edgen("version", env={"EDGEN_BASE_URL": url, "EDGEN_API_KEY": "sk-env"})
    assert from_env.returncode == 0, from_env.stderr
    assert _last(server, "/misc/version").headers["authorization"] == "Bearer sk-env"

    after = edgen("version", "--base-url", url, "--api-key", "sk-flag", "--max-retries", "0")
    assert after.returncode == 0, after.stderr
    assert _last(server, "/misc/version").headers["authorization"] == "Bearer sk-flag"


# -- failures, demo, emulator -----------------------------------------------------------


@pytest.mark.parametrize("command", [("version",), ("chat", "hi")])
@pytest.mark.slow
def test_unreachable_server(command: tuple[str, ...]) -> None:
    dead = f"http://127.0.0.1:{_closed_port()}/v1/"
    result = edgen(*command, url=dead)
    assert result.returncode == 2
    assert len(result.stderr.splitlines()) == 1, result.stderr
    assert dead in result.stderr and "edgen emulator" in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


@pytest.mark.slow
def test_connection_failure_after_reaching_the_server(url: str, server: EdgenEmulator) -> None:
    # Exit code 1, and no advice to start a server that is up.
    server.inject("drop_after=3", path="/chat/completions")
    dropped = edgen("chat", PROMPT, url=url)
    assert dropped.returncode == 1
    assert len(dropped.stdout.split()) == 3  # the tokens before the drop
    assert dropped.stderr.startswith(f"edgen: connection to {url} failed: ")
    assert len(dropped.stderr.splitlines()) == 1 and "edgen emulator" not in dropped.stderr

    server.inject("stall=3", path="/chat/completions")
    timed_out = edgen(
        "chat", "--no-stream", PROMPT, "--timeout", "0.3", "--max-retries", "0", url=url
    )
    assert timed_out.returncode == 1
    assert timed_out.stderr.startswith(f"edgen: connection to {url} failed: ")
    assert "timed out" in timed_out.stderr and len(timed_out.stderr.splitlines()) == 1


@pytest.mark.slow
def test_timeout_option_anywhere(url: str) -> None:
    result = edgen("--timeout", "5", "version", url=url)
    assert result.returncode == 0, result.stderr
    assert edgen("version", "--timeout", "soon", url=url).returncode == 2


@pytest.mark.parametrize(
    "given",
    [
        "127.0.0.1:{port}",  # the form the help shows as the default
        "http://127.0.0.1:{port}",
        "http://127.0.0.1:{port}/",
        "http://127.0.0.1:{port}/v1",
    ],
)
@pytest.mark.parametrize("where", ["option", "environment"])
def test_base_url_as_host_and_port_or_without_v1(
    given: str,
    where: str,
    server: EdgenEmulator,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    server.clear_requests()
    base_url = given.format(port=server.port)
    if where == "option":
        argv = ["version", "--base-url", base_url]
    else:
        monkeypatch.setenv("EDGEN_BASE_URL", base_url)
        argv = ["version"]
    assert main(argv) == 0
    assert capsys.readouterr() == ("Edgen 0.1.5\n", "")
    assert [(r.method, r.path) for r in server.requests] == [("GET", "/v1/misc/version")]


def test_base_url_with_another_path_is_kept(capsys: pytest.CaptureFixture[str]) -> None:
    # A server behind a proxy at /edgen/v1 is reached there, not at /edgen/v1/v1.
    port = _closed_port()
    assert _exit_code(["version", "--base-url", f"127.0.0.1:{port}/edgen/v1"]) == 2
    assert f"cannot reach http://127.0.0.1:{port}/edgen/v1/:" in capsys.readouterr().err


def test_bad_base_url_names_it(capsys: pytest.CaptureFixture[str]) -> None:
    assert _exit_code(["version", "--base-url", "ftp://127.0.0.1:1"]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.startswith("edgen: base_url must be an absolute http")
    assert "ftp://127.0.0.1:1" in err


def test_models_help_lists_its_actions(capsys: pytest.CaptureFixture[str]) -> None:
    assert _exit_code(["models", "--help"]) == 0
    lines = [line.split(maxsplit=1) for line in capsys.readouterr().out.splitlines()]
    assert ["list", "list the models (the default)"] in lines
    assert ["get", "show one model"] in lines
    assert ["delete", "delete a model"] in lines


def test_emulator_help_is_the_edgen_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert _exit_code(["emulator", "--help"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: edgen emulator ") and "python -m" not in out
    assert "--dialect" in out and "--port" in out


def test_emulator_module_help_is_the_module(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        serve_forever(["--help"])
    assert exited.value.code == 0
    assert capsys.readouterr().out.startswith("usage: python -m edgen.testing ")


@pytest.mark.parametrize("flag", ["-V", "--version"])
def test_version_flag_shows_the_client_version(flag: str) -> None:
    result = edgen(flag)
    assert result.returncode == 0
    assert result.stdout.strip() == f"edgen {__version__}"


def test_broken_pipe_when_stdout_has_no_descriptor(url: str) -> None:
    code = (
        "import io, sys\n"
        "from edgen._cli import main\n"
        "class GoneReader(io.StringIO):\n"
        "    def write(self, text): raise BrokenPipeError\n"
        "sys.stdout = GoneReader()\n"
        f"sys.exit(main(['--base-url', {url!r}, 'version']))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        check=False,
        capture_output=True,
        text=True,
        env=_env(),
        timeout=15,
    )
    assert (result.returncode, result.stderr) == (1, "")


def test_bad_usage_exits_2() -> None:
    assert edgen("chat", "--max-tokens", "many", "hi").returncode == 2
    assert edgen("no-such-command").returncode == 2


@pytest.mark.slow
def test_demo() -> None:
    started = time.monotonic()
    result = edgen("demo")
    assert result.returncode == 0, result.stderr
    assert time.monotonic() - started < 5
    for command in ("chat", "transcribe", "embed", "models", "version"):
        assert f"$ edgen {command}" in result.stdout
    assert "768 dims" in result.stdout and MODEL_ID in result.stdout
    assert "Edgen 0.1.5" in result.stdout and "Traceback" not in result.stderr


@posix_only
@pytest.mark.slow
def test_emulator_serves_until_ctrl_c() -> None:
    proc = spawn("emulator", "--port", "0", "--seed", "3", "--tokens", "4")
    try:
        assert proc.stdout is not None
        served = proc.stdout.readline().decode().strip()
        assert served.startswith("http://127.0.0.1:") and served.endswith("/v1/")
        result = edgen("chat", "hi", url=served)
        assert result.returncode == 0 and len(result.stdout.split()) == 4
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=10)
    finally:
        proc.kill()
    assert proc.returncode == 0
    assert b"Traceback" not in err


@posix_only
def test_ctrl_c_during_chat_exits_130() -> None:
    with EdgenEmulator("127.0.0.1", 0, tokens=50, token_delay=0.2) as slow:
        proc = spawn("--base-url", slow.url, "chat", "hi")
        try:
            assert proc.stdout is not None
            assert os.read(proc.stdout.fileno(), 100)  # streaming has started
            proc.send_signal(signal.SIGINT)
            _, err = proc.communicate(timeout=10)
        finally:
            proc.kill()
    assert proc.returncode == 130
    assert b"Traceback" not in err and len(err.splitlines()) == 1


# -- Ctrl-C anywhere, credentials in the URL --------------------------------------------


def _interrupt(*args: object, **kwargs: object) -> NoReturn:
    raise KeyboardInterrupt


# main()'s exit code; a KeyboardInterrupt escaping it would stop the whole pytest run.
def _exit_code(argv: list[str]) -> object:
    try:
        main(argv)
    except SystemExit as exit_:
        return exit_.code
    except KeyboardInterrupt:
        pytest.fail("KeyboardInterrupt escaped main()")
    pytest.fail("main() returned instead of exiting")


def test_ctrl_c_while_the_demo_writes_its_audio_file(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    write_bytes = Path.write_bytes

    def interrupted_on_the_tone(path: Path, data: bytes) -> int:
        if path.name == "tone.wav":
            raise KeyboardInterrupt
        return write_bytes(path, data)

    monkeypatch.setattr(Path, "write_bytes", interrupted_on_the_tone)
    assert _exit_code(["demo"]) == 130
    assert capsys.readouterr() == ("", "edgen: interrupted\n")


@pytest.mark.parametrize(
    ("target", "argv"),
    [
        ("edgen._cli.sine_wav", ["demo"]),  # the demo, before its first step
        ("edgen._cli.build_parser", ["version"]),  # main() itself, before any command
        ("edgen.testing.serve_forever", ["emulator", "--port", "0"]),  # starting up
    ],
)
def test_ctrl_c_outside_a_client_command_exits_130(
    target: str,
    argv: list[str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr(target, _interrupt)
    assert _exit_code(argv) == 130
    assert capsys.readouterr() == ("", "edgen: interrupted\n")


def test_ctrl_c_in_a_demo_step_is_reported_once(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # The step's own main() reports it; the demo's main() must not report it again.
    monkeypatch.setattr("edgen._cli._answer", _interrupt)
    assert _exit_code(["demo"]) == 130
    out, err = capsys.readouterr()
    assert "$ edgen chat" in out and "$ edgen transcribe" not in out
    assert err == "edgen: interrupted\n"


@posix_only
def test_sigint_while_the_demo_makes_its_audio_file() -> None:
    # A real SIGINT, sent from inside the tone's making so that it lands there every time.
    code = (
        "import os, signal, threading\n"
        "from edgen import _cli\n"
        "def tone():\n"
        "    os.kill(os.getpid(), signal.SIGINT)\n"
        "    threading.Event().wait(10)\n"
        "    return b''\n"
        "_cli.sine_wav = tone\n"
        "raise SystemExit(_cli.main(['demo']))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        check=False,
        capture_output=True,
        text=True,
        env=_env(),
        timeout=15,
    )
    assert (result.returncode, result.stdout, result.stderr) == (130, "", "edgen: interrupted\n")


@pytest.mark.slow
def test_credentials_in_the_base_url_are_not_shown() -> None:
    port = _closed_port()
    result = edgen("version", url=f"http://user:secret@127.0.0.1:{port}/v1")
    assert result.returncode == 2
    assert "secret" not in result.stdout + result.stderr
    assert f"cannot reach http://***@127.0.0.1:{port}/v1/:" in result.stderr


@pytest.mark.parametrize(
    ("fault", "shown"),
    [
        ("kind=unknown_model_kind", "[POST http://***@127.0.0.1:{port}/v1/chat/completions]"),
        ("drop_after=1", "connection to http://***@127.0.0.1:{port}/v1/ failed"),
    ],
)
def test_credentials_in_the_base_url_are_not_in_errors(
    server: EdgenEmulator, fault: str, shown: str
) -> None:
    server.clear_faults()
    server.inject(fault, path="/chat/completions")
    with_user = server.url.replace("http://", "http://user:p@ss:secret@")
    result = edgen("chat", "hi", "--max-retries", "0", url=with_user)
    assert result.returncode == 1
    assert "secret" not in result.stdout + result.stderr
    assert shown.format(port=server.port) in result.stderr
