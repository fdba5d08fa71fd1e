# Every ```python block of README.md, run as its own program against the emulator started
# the way the README tells readers to start it.
#
# What a block may carry, on the line before its fence, where a reader of the file sees it:
#   <!-- not run: REASON -->            skipped, reported with REASON
#   <!-- emulator: FLAGS -->            run against `python -m edgen emulator FLAGS`; the text
#                                       before the block must tell the reader that command
#   <!-- needs: MODULE -->              skipped where MODULE cannot be imported (an optional
#                                       package, such as httpx2 on Python 3.10)
# A ```text block right after a python block is what it prints; "..." in it stands for any text.
# Each block runs twice against the same emulator, as a reader may run an example again.

from __future__ import annotations

import os
import re
import subprocess
import sys
import wave
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

import edgen

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
EMULATOR = "python -m edgen emulator"
_MARKER = re.compile(r"<!--\s*(not run|emulator|needs):(.*?)-->")


@dataclass
class Block:
    line: int  # of the opening fence, 1-based
    code: str
    prose: str  # the text between the previous fence and this one
    skip: str | None = None
    flags: str = ""
    needs: str | None = None
    prints: str | None = None


def parse_readme(text: str) -> list[Block]:
    """The python blocks of a README, with their markers and expected output."""
    lines = text.splitlines()
    blocks: list[Block] = []
    prose_start = 0
    index = 0
    previous = ""  # the language of the last fenced block
    while index < len(lines):
        fence = lines[index]
        if not fence.startswith("```"):
            index += 1
            continue
        end = index + 1
        while end < len(lines) and lines[end] != "```":
            end += 1
        body = "\n".join(lines[index + 1 : end]) + "\n"
        language = fence[3:].strip()
        if language == "python":
            block = Block(index + 1, body, "\n".join(lines[prose_start:index]))
            before = [line for line in lines[prose_start:index] if line.strip()]
            marker = _MARKER.fullmatch(before[-1].strip()) if before else None
            if marker and marker[1] == "not run":
                block.skip = marker[2].strip()
            elif marker and marker[1] == "needs":
                block.needs = marker[2].strip()
            elif marker:
                block.flags = marker[2].strip()
            blocks.append(block)
        elif language == "text" and previous == "python":
            if not "".join(lines[prose_start:index]).strip():  # right after the code
                blocks[-1].prints = body
        previous = language
        prose_start = end + 1
        index = end + 1
    return blocks


BLOCKS = parse_readme(README.read_text(encoding="utf-8"))


def write_wav(path: Path) -> None:
    # A short silent clip: the examples read frost.wav, and the emulator takes any audio.
    with wave.open(str(path), "wb") as clip:
        clip.setnchannels(1)
        clip.setsampwidth(2)
        clip.setframerate(16_000)
        clip.writeframes(b"\0\0" * 1600)


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("EDGEN_")}
    # The edgen under test (a checkout or an installed wheel), whatever the examples' cwd.
    home = str(Path(edgen.__file__).resolve().parent.parent)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [home, env.get("PYTHONPATH")]))
    return env


class Emulators:
    """`python -m edgen emulator FLAGS` processes on free ports, one per set of flags."""

    def __init__(self) -> None:
        self.urls: dict[str, str] = {}
        self.processes: list[subprocess.Popen[str]] = []

    def url(self, flags: str) -> str:
        if flags not in self.urls:
            command = [sys.executable, "-m", "edgen", "emulator", *flags.split(), "--port", "0"]
            process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, env=_env())
            self.processes.append(process)
            assert process.stdout is not None
            url = process.stdout.readline().strip()  # the first line is the base URL
            assert url.startswith("http://127.0.0.1:"), f"{command} printed {url!r}"
            self.urls[flags] = url
        return self.urls[flags]

    def close(self) -> None:
        for process in self.processes:
            process.terminate()  # the emulator stops on SIGTERM as on Ctrl-C
            process.wait(10)
            if process.stdout is not None:
                process.stdout.close()


@pytest.fixture(scope="module")
def emulators() -> Iterator[Emulators]:
    servers = Emulators()
    try:
        yield servers
    finally:
        servers.close()


def _lines(text: str) -> str:
    # Trailing spaces are invisible in a README, so they do not count.
    return "\n".join(line.rstrip() for line in text.strip().splitlines())


def matches(expected: str, output: str) -> bool:
    pattern = ".*?".join(map(re.escape, _lines(expected).split("...")))
    return re.fullmatch(pattern, _lines(output), re.DOTALL) is not None


@pytest.mark.slow  # about 70 interpreters in all
@pytest.mark.parametrize("block", BLOCKS, ids=[f"line{block.line}" for block in BLOCKS])
def test_readme_example(block: Block, emulators: Emulators, tmp_path: Path) -> None:
    if block.skip:
        pytest.skip(block.skip)
    if block.needs:
        pytest.importorskip(block.needs)
    if block.flags:
        # The reader must be told how to start the server the block needs.
        assert f"`{EMULATOR} {block.flags}`" in block.prose
    write_wav(tmp_path / "frost.wav")
    (tmp_path / "example.py").write_text(block.code, encoding="utf-8")
    env = _env()
    env["EDGEN_BASE_URL"] = emulators.url(block.flags)
    for run in ("first", "second"):
        result = subprocess.run(
            [sys.executable, "example.py"],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        where = f"README.md line {block.line}, {run} run"
        assert result.returncode == 0, f"{where} failed:\n{result.stderr}"
        if block.prints is not None:
            assert matches(block.prints, result.stdout), (
                f"{where} printed:\n{result.stdout}\nexpected:\n{block.prints}"
            )


def test_parser_reads_markers_and_output() -> None:
    text = (
        "Intro.\n\n<!-- not run: needs a real Edgen server -->\n```python\nimport a\n```\n\n"
        "Start `python -m edgen emulator --dialect openai` first:\n\n"
        "<!-- emulator: --dialect openai -->\n```python\nprint(1)\n```\n\n```text\n1\n```\n"
        "```sh\nls\n```\n<!-- needs: httpx2 -->\n```python\nprint(2)\n```\n"
        "Words, so the next block is not its output:\n```text\n3\n```\n"
    )
    skipped, openai, optional = parse_readme(text)
    assert (skipped.line, skipped.code) == (4, "import a\n")
    assert skipped.skip == "needs a real Edgen server"
    assert (openai.flags, openai.prints, openai.skip) == ("--dialect openai", "1\n", None)
    assert "`python -m edgen emulator --dialect openai`" in openai.prose
    assert (optional.code, optional.needs, optional.flags) == ("print(2)\n", "httpx2", "")
    assert optional.prints is None


def test_matches_takes_dots_for_any_text() -> None:
    assert matches("500 ...\nunknown_model_kind\n", "500 boom\nunknown_model_kind\n")
    assert not matches("500 ...\nunknown_model_kind\n", "200 ok\n")
    assert not matches("GetWeather(city=...)", "")
    assert matches("0 1 5\n0.1.5", "0 1 5 \n0.1.5\n")
    assert not matches("0 1 5\n0.1.5", "0 1 5 \n0.1.6\n")
