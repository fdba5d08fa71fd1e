"""What the emulator receives: requests, their log entries and multipart parts."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from typing import Any, NamedTuple

__all__ = ["Part", "RecordedRequest", "Request", "UploadedFile", "parse_multipart"]


class UploadedFile(NamedTuple):
    """A multipart file part as recorded: its bytes are counted and hashed, not kept."""

    filename: str | None
    size: int
    sha256: str


Part = tuple[str, str | UploadedFile]  # (field name, text or file)


@dataclass
class Request:
    """A request with its whole body read (the body is empty past the size limit)."""

    method: str
    path: str
    query: str
    headers: dict[str, str]
    body: bytes
    body_size: int
    too_large: bool
    parts: list[Part] | None = None  # None unless multipart/form-data
    multipart_error: str | None = None


@dataclass(frozen=True)
class RecordedRequest:
    """One request as the emulator received it.

    ``path`` is the raw path (percent-encoding kept) and ``query`` the raw query string;
    ``headers`` has lower-cased names. ``body`` is empty for multipart bodies of 10 MB or
    more and for bodies over the size limit; ``body_size`` is always the real size.
    ``form`` maps each multipart field to its text or :class:`UploadedFile` and ``files``
    holds the file parts (the first part of each name wins).
    """

    method: str
    path: str
    query: str
    headers: dict[str, str]
    body: bytes
    body_size: int = 0
    form: dict[str, str | UploadedFile] = field(default_factory=dict[str, "str | UploadedFile"])
    files: dict[str, UploadedFile] = field(default_factory=dict[str, UploadedFile])
    timestamp: float = 0.0

    def json(self) -> Any:
        """The body decoded as JSON."""
        return json.loads(self.body)

    @property
    def route(self) -> str:
        """The path without the ``/v1`` prefix, e.g. ``/chat/completions``."""
        return self.path[3:] if self.path.startswith("/v1/") else self.path


def _param(head: bytes, name: bytes) -> str | None:
    found = re.search(rb'[; ]%s="?([^"\r\n;]*)' % name, head, re.IGNORECASE)
    return found[1].decode("utf-8", "replace") if found else None


def parse_multipart(body: bytes, boundary: bytes) -> list[Part]:
    """Split a whole ``multipart/form-data`` body into its parts; ValueError if malformed."""
    sections = (b"\r\n" + body).split(b"\r\n--" + boundary)
    if len(sections) < 2 or not sections[-1].startswith(b"--"):
        raise ValueError("incomplete multipart stream")
    parts: list[Part] = []
    for section in sections[1:-1]:
        head, blank, content = section.partition(b"\r\n\r\n")
        if not blank:
            raise ValueError("invalid part header")
        name = _param(head, b"name") or ""
        filename = _param(head, b"filename")
        if filename is None:
            parts.append((name, content.decode("utf-8", "replace")))
        else:
            digest = hashlib.sha256(content).hexdigest()
            parts.append((name, UploadedFile(filename, len(content), digest)))
    return parts
