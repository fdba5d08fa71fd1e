"""Incremental ``multipart/form-data`` parser.

Bodies are fed in pieces as they arrive from the socket, so an upload of any size is
parsed in bounded memory: file parts are only counted and hashed, text parts are kept.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from typing import Protocol

__all__ = ["MultipartError", "MultipartParser", "Part", "parse_boundary"]

# Text parts larger than this are treated like files (hashed, not kept).
_MAX_TEXT_PART = 1 << 20
_MAX_PART_HEADERS = 16 * 1024

_PARAM_RE = re.compile(r';\s*([^\s=;]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^;]*)')


class _Hasher(Protocol):
    def update(self, data: bytes, /) -> None: ...
    def hexdigest(self) -> str: ...


def _new_hasher() -> _Hasher:
    return hashlib.sha256()


class MultipartError(ValueError):
    """The multipart body is malformed."""


@dataclass
class Part:
    """One part of a multipart body.

    ``data`` holds the bytes of text parts (parts without a filename, up to 1 MiB);
    file parts only have ``size`` and ``sha256``.
    """

    name: str | None
    filename: str | None
    content_type: str | None
    size: int = 0
    data: bytearray | None = None
    _hash: _Hasher = field(default_factory=_new_hasher, repr=False)

    @property
    def is_file(self) -> bool:
        """True for parts sent with a filename, or too large to keep as text."""
        return self.filename is not None or self.data is None

    @property
    def sha256(self) -> str:
        """Hex sha256 of the part's content."""
        return self._hash.hexdigest()

    def text(self) -> str:
        """The part's content decoded as UTF-8 (raises ``UnicodeDecodeError``)."""
        return bytes(self.data or b"").decode("utf-8")

    def add(self, chunk: bytes) -> None:
        """Append content (called by the parser)."""
        self.size += len(chunk)
        self._hash.update(chunk)
        if self.data is not None:
            if self.size > _MAX_TEXT_PART:
                self.data = None
            else:
                self.data += chunk


def _unquote(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] == '"':
        return re.sub(r"\\(.)", r"\1", value[1:-1])
    return value


def parse_header_params(value: str) -> tuple[str, dict[str, str]]:
    """Split ``form-data; name="a"; filename="b"`` into its main value and parameters."""
    main, _, _ = value.partition(";")
    params = {m.group(1).lower(): _unquote(m.group(2)) for m in _PARAM_RE.finditer(value)}
    return main.strip().lower(), params


def parse_boundary(content_type: str) -> bytes | None:
    """The boundary of a ``multipart/form-data`` content type, or None."""
    main, params = parse_header_params(content_type)
    boundary = params.get("boundary")
    if main != "multipart/form-data" or not boundary:
        return None
    return boundary.encode("latin-1", "replace")


_PREAMBLE, _AFTER_BOUNDARY, _HEADERS, _BODY, _DONE = range(5)


class MultipartParser:
    """Feed body pieces with :meth:`feed`, then call :meth:`finish`; parts land in ``parts``."""

    def __init__(self, boundary: bytes) -> None:
        self.parts: list[Part] = []
        self._dash_boundary = b"--" + boundary
        self._delimiter = b"\r\n--" + boundary
        self._buf = b""
        self._state = _PREAMBLE
        self._part: Part | None = None

    def feed(self, data: bytes) -> None:
        """Consume the next piece of the body."""
        buf = self._buf + data if self._buf else data
        while True:
            state = self._state
            if state == _BODY:
                part = self._part
                assert part is not None
                idx = buf.find(self._delimiter)
                if idx < 0:
                    # Hold back a tail that might be the start of a split delimiter.
                    keep = len(self._delimiter) - 1
                    if len(buf) > keep:
                        part.add(buf[:-keep])
                        buf = buf[-keep:]
                    break
                part.add(buf[:idx])
                buf = buf[idx + len(self._delimiter) :]
                self._part = None
                self._state = _AFTER_BOUNDARY
            elif state == _PREAMBLE:
                if buf.startswith(self._dash_boundary):
                    idx = 0
                else:
                    idx = buf.find(self._delimiter)
                    if idx >= 0:
                        idx += 2
                if idx < 0:
                    buf = buf[-len(self._delimiter) :]
                    break
                buf = buf[idx + len(self._dash_boundary) :]
                self._state = _AFTER_BOUNDARY
            elif state == _AFTER_BOUNDARY:
                if len(buf) < 2:
                    break
                if buf[:2] == b"--":
                    self._state = _DONE
                    buf = b""
                    break
                idx = buf.find(b"\r\n")
                if idx < 0:
                    if len(buf) > 1024:
                        raise MultipartError("invalid boundary line")
                    break
                if buf[:idx].strip(b" \t"):
                    raise MultipartError("invalid boundary line")
                buf = buf[idx + 2 :]
                self._state = _HEADERS
            elif state == _HEADERS:
                if buf.startswith(b"\r\n"):
                    head, buf = b"", buf[2:]
                else:
                    idx = buf.find(b"\r\n\r\n")
                    if idx < 0:
                        if len(buf) > _MAX_PART_HEADERS:
                            raise MultipartError("part headers too large")
                        break
                    head, buf = buf[:idx], buf[idx + 4 :]
                self._part = self._start_part(head)
                self.parts.append(self._part)
                self._state = _BODY
            else:  # _DONE: ignore the epilogue
                buf = b""
                break
        self._buf = buf

    def finish(self) -> None:
        """Check the body ended with the closing boundary."""
        if self._state != _DONE:
            raise MultipartError("incomplete multipart stream")

    @staticmethod
    def _start_part(head: bytes) -> Part:
        headers: dict[str, str] = {}
        for line in head.decode("utf-8", "replace").split("\r\n"):
            header, sep, value = line.partition(":")
            if not sep:
                raise MultipartError("invalid part header")
            headers[header.strip().lower()] = value.strip()
        disposition = headers.get("content-disposition")
        name: str | None = None
        filename: str | None = None
        if disposition is not None:
            _, params = parse_header_params(disposition)
            name = params.get("name")
            filename = params.get("filename")
            if "filename*" in params and filename is None:
                raw = params["filename*"]
                filename = raw.split("''", 1)[-1]
        part = Part(name=name, filename=filename, content_type=headers.get("content-type"))
        if filename is None:
            part.data = bytearray()
        return part
