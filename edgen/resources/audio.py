# `client.audio.transcriptions`: speech to text, uploaded as multipart form data.

from __future__ import annotations

import io
import math
import os
import uuid
from collections.abc import Mapping
from typing import IO, TYPE_CHECKING, Any, Protocol

import httpx

from .. import _pipeline as pipeline
from .._endpoint import SyncAsync, endpoint3
from .._resource import _IO, _M, Raw, Resource, Streaming, checked
from .._types import must_be
from .._validate import check
from ..types.audio.transcription import Transcription
from ..types.audio.transcription_create_params import (
    TRANSCRIPTION_CREATE_FIELDS,
    TranscriptionCreateParams,
    TranscriptionCreateParamsBase,
    TranscriptionCreateParamsJson,
    TranscriptionCreateParamsText,
)
from .misc import Status

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from .._types import RequestOptions

    class _Text(TranscriptionCreateParamsText, RequestOptions, total=False): ...

    class _Json(TranscriptionCreateParamsJson, RequestOptions, total=False): ...

    class _Either(TranscriptionCreateParamsBase, RequestOptions, total=False):
        response_format: str | None  # a format known only at run time


# create()'s overloads, for `endpoint3`: a text format gives a str, JSON a Transcription.
class _Create(Protocol):
    def text(self, **params: Unpack[_Text]) -> SyncAsync[str, str]: ...
    def json(self, **params: Unpack[_Json]) -> SyncAsync[Transcription, Transcription]: ...
    def either(
        self, **params: Unpack[_Either]
    ) -> SyncAsync[Transcription | str, Transcription | str]: ...


# Formats that OpenAI answers as plain text; create() returns a str for them.
_TEXT_FORMATS = frozenset({"text", "srt", "vtt"})


# The text parts of the form: only the fields that are set, as the server parses them.
# Their types were checked by check(); what is left is what the type cannot say.
def form_fields(params: Mapping[str, Any]) -> dict[str, str]:
    form = {"model": params["model"]}  # required, so sent even when "" (the default model)
    for name in ("language", "prompt", "response_format"):
        value = params.get(name)
        if value is not None and value != "":
            form[name] = value
    temperature = params.get("temperature")
    if temperature is not None:
        if not math.isfinite(temperature):
            raise ValueError(f"temperature must be a finite number, got {temperature!r}")
        form["temperature"] = repr(float(temperature))  # always a float literal, e.g. "0.0"
    create_session = params.get("create_session")
    if create_session is not None:
        form["create_session"] = str(create_session).lower()
    session = params.get("session")
    if isinstance(session, uuid.UUID):
        form["session"] = str(session)
    elif session is not None:
        try:
            form["session"] = str(uuid.UUID(must_be("session", session, str, "a str or UUID")))
        except ValueError:
            raise ValueError(f"session must be a UUID, got {session!r}") from None
    return form


def _open(path: str | os.PathLike[str], where: str) -> IO[bytes]:
    try:
        return open(path, "rb")  # noqa: SIM115 - closed by the request's cleanup
    except OSError as exc:
        message = f"Cannot read {where} to upload: {exc.strerror}"
        raise type(exc)(exc.errno, message, os.fspath(path)) from None
    except ValueError as exc:  # e.g. a NUL byte in the path
        raise ValueError(f"Cannot read {where} {os.fspath(path)!r} to upload: {exc}") from None


class OneShotReader:
    """A reader that cannot be rewound (a pipe, a socket file, an object with only `read()`),
    as httpx gets it: with no `fileno`, `seek` or `tell`, so httpx sends it chunked instead of
    trusting a size that a pipe does not have. `started` tells whether a retry could still
    send the same body."""

    def __init__(self, source: Any) -> None:
        self._source = source
        self.started = False

    def read(self, size: int = -1) -> bytes:
        self.started = True
        data: bytes = self._source.read(size)
        return data

    def unread(self) -> bool:
        return not self.started


def _rewindable(value: Any) -> bool:
    seekable = getattr(value, "seekable", None)
    return seekable() if callable(seekable) else hasattr(value, "seek")


# The file content for httpx, and the handle when this call opened one.
def _content(value: Any, where: str) -> tuple[Any, IO[bytes] | None]:
    if isinstance(value, (str, os.PathLike)):
        handle = _open(value, where)
        return handle, handle
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value), None
    if isinstance(value, io.TextIOBase):
        raise TypeError(f"{where} is a file opened in text mode; open it with 'rb'")
    if hasattr(value, "read"):
        # httpx rewinds a seekable file for each attempt; anything else is read only once.
        return (value if _rewindable(value) else OneShotReader(value)), None
    raise TypeError(f"{where} must be a path, bytes or a binary file, not {type(value).__name__}")


# The `file` part as an httpx files tuple, and the handle to close after the request.
# Paths are opened here (a missing file fails before anything is sent); httpx streams them.
def file_part(file: Any) -> tuple[tuple[Any, ...], IO[bytes] | None]:
    if not isinstance(file, tuple):
        data, handle = _content(file, "file")
        name = file if handle else getattr(file, "name", None)
        if not isinstance(name, (str, bytes, os.PathLike)):
            name = ""  # bytes, or a file with no name (or a file descriptor for one)
        return (os.path.basename(os.fsdecode(name)) or "upload", data), handle
    if len(file) not in (2, 3):
        raise ValueError("a file tuple must be (filename, content) or (filename, content, type)")
    filename, content, *content_type = file
    if filename is not None:
        must_be("file[0] (the filename)", filename, str)
    if isinstance(content, str):
        raise TypeError("file[1] must be bytes, a binary file or a pathlib.Path, not a str")
    if content_type and content_type[0] is not None:
        must_be("file[2] (the content type)", content_type[0], str)
    data, handle = _content(content, "file[1]")
    return (filename, data, *content_type), handle


# The transcript for `text`/`srt`/`vtt`: Edgen still answers JSON, others plain text.
def parse_text(response: httpx.Response) -> str:
    if "json" in response.headers.get("content-type", ""):
        return pipeline.decode_response(response, Transcription).text
    return response.text


class Transcriptions(Resource[_IO, _M]):
    __slots__ = ("status",)
    _children = {"status": (Status, "audio/transcriptions/status")}
    status: Status[_IO, _M]
    with_raw_response: Transcriptions[_IO, Raw]
    with_streaming_response: Transcriptions[_IO, Streaming]

    @endpoint3(_Create.text, _Create.json, _Create.either)
    def create(self, **params: Unpack[_Either]) -> Any:
        """Transcribe an audio `file`: a path, bytes, a binary file or `(name, content[, type])`."""
        # A str comes back for response_format "text", "srt" or "vtt".
        options, body = checked("create", params, TRANSCRIPTION_CREATE_FIELDS, ("file", "model"))
        check("create", TranscriptionCreateParams, body)
        form = form_fields(body)
        as_text = body.get("response_format") in _TEXT_FORMATS
        upload, handle = file_part(body["file"])  # last: nothing to close if a check fails
        content = upload[1]
        # The client closes `handle` once the request is over, whatever its outcome.
        return self._send(
            "POST",
            "audio/transcriptions",
            Transcription,
            options,
            body=form,
            files={"file": upload},
            parse=parse_text if as_text else None,
            cleanup=None if handle is None else handle.close,
            can_resend=content.unread if isinstance(content, OneShotReader) else None,
        )


class Audio(Resource[_IO, _M]):
    __slots__ = ("transcriptions",)
    _children = {"transcriptions": (Transcriptions, "")}
    transcriptions: Transcriptions[_IO, _M]
    with_raw_response: Audio[_IO, Raw]
    with_streaming_response: Audio[_IO, Streaming]
