"""The request log entries kept by the emulator."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, NamedTuple

__all__ = ["RecordedRequest", "UploadedFile"]


class UploadedFile(NamedTuple):
    """A multipart file part as recorded: its bytes are counted and hashed, not kept."""

    filename: str | None
    size: int
    sha256: str


@dataclass(frozen=True)
class RecordedRequest:
    """One request as the emulator received it.

    ``path`` is the raw path (percent-encoding kept, query removed) and ``query`` the raw
    query string. ``headers`` has lower-cased names. ``body`` is the raw body; for
    multipart bodies of 10 MB or more (and bodies over the size limit) it is ``b""``,
    while ``body_size`` always holds the real size. For multipart requests ``form``
    maps each field name to its text, or to an :class:`UploadedFile` for file parts,
    and ``files`` holds just the file parts (first occurrence of each name wins).
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
