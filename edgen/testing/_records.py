# What the emulator received: request log entries and multipart form parsing.

from __future__ import annotations

import hashlib
import json
import re
import time
from dataclasses import dataclass, field
from typing import Any, NamedTuple


class UploadedFile(NamedTuple):
    """A multipart file part as recorded: its bytes are counted and hashed, not kept."""

    filename: str | None
    size: int
    sha256: str


@dataclass(frozen=True)
class RecordedRequest:
    """One request as the emulator received it (``path`` and ``query`` still encoded)."""

    # headers: lower-cased names. body: empty over the size limit, or for a multipart
    # body over 10 MiB (body_size is the real size). form: each multipart field's text or
    # UploadedFile (the first of a name wins); files: just the files.

    method: str
    path: str
    query: str
    headers: dict[str, str]
    body: bytes
    body_size: int = 0
    form: dict[str, str | UploadedFile] = field(default_factory=dict)
    files: dict[str, UploadedFile] = field(default_factory=dict)
    timestamp: float = 0.0
    _parts: Any = field(default=None, repr=False, compare=False)  # what parse_form returned

    def json(self) -> Any:
        """The body decoded as JSON."""
        return json.loads(self.body)

    @property
    def route(self) -> str:
        """The path without the ``/v1`` prefix, e.g. ``/chat/completions``."""
        return self.path[3:] if self.path.startswith("/v1/") else self.path


def record(
    method: str, target: str, headers: dict[str, str], body: bytes, size: int
) -> RecordedRequest:
    # The log entry of a request, with its multipart fields if it has any.
    parts = parse_form(headers, body)
    form: dict[str, str | UploadedFile] = {}
    files: dict[str, UploadedFile] = {}
    for name, value in parts if isinstance(parts, list) else []:
        if name and name not in form:
            form[name] = value
            if isinstance(value, UploadedFile):
                files[name] = value
    if parts is not None and size > 10 << 20:
        body = b""  # a big upload is summed up by its form, as UploadedFile promises
    path, _, query = target.partition("?")
    return RecordedRequest(
        method, path, query, headers, body, size, form, files, time.time(), parts
    )


def _param(head: bytes, key: bytes) -> str | None:
    found = re.search(rb'[; ]%s="?([^"\r\n;]*)' % key, head, re.IGNORECASE)
    return found[1].decode("utf-8", "replace") if found else None


def parse_form(
    headers: dict[str, str], body: bytes
) -> list[tuple[str, str | UploadedFile]] | str | None:
    # The parts of a multipart/form-data body, None for others, or what is malformed in it.
    content_type = headers.get("content-type", "")
    boundary = re.search(r'boundary="?([^";]+)', content_type)
    if not boundary or not content_type.lower().startswith("multipart/form-data"):
        return None
    # Found in place, not split: an upload may be 100 MB.
    marker = b"\r\n--" + boundary[1].encode("latin-1")
    cuts = [found.span() for found in re.finditer(re.escape(marker), body)]
    if body.startswith(marker[2:]):
        cuts.insert(0, (0, len(marker) - 2))  # no CRLF before the first
    if not cuts or not body.startswith(b"--", cuts[-1][1]):
        return "incomplete multipart stream"
    parts: list[tuple[str, str | UploadedFile]] = []  # (field name, text or file)
    for (_, start), (end, _) in zip(cuts, cuts[1:]):
        split = body.find(b"\r\n\r\n", start, end)
        if split < 0:
            return "invalid part header"
        head, content = body[start:split], memoryview(body)[split + 4 : end]
        name, filename = _param(head, b"name") or "", _param(head, b"filename")
        if filename is None:
            parts.append((name, str(content, "utf-8", "replace")))
        else:
            digest = hashlib.sha256(content).hexdigest()
            parts.append((name, UploadedFile(filename, len(content), digest)))
    return parts
