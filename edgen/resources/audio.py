"""`client.audio.transcriptions`: speech to text, uploaded as multipart form data."""

from __future__ import annotations

import io
import math
import os
import uuid
from typing import TYPE_CHECKING, Any, BinaryIO

import httpx

from .. import _pipeline as pipeline
from .._client import RequestSpec
from .._resource import _C, _M, Resource, check_params, drop_not_given, endpoint, split_options
from ..types.audio.transcription import Transcription
from ..types.audio.transcription_create_params import TRANSCRIPTION_CREATE_FIELDS
from ._status import Status

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from .._endpoint import Raw, Streaming, SyncAsync
    from .._types import RequestOptions
    from ..types.audio.transcription_create_params import (
        TranscriptionCreateParamsBase,
        TranscriptionCreateParamsJson,
        TranscriptionCreateParamsText,
    )

    class _CreateText(TranscriptionCreateParamsText, RequestOptions, total=False): ...

    class _CreateJson(TranscriptionCreateParamsJson, RequestOptions, total=False): ...

    class _CreateEither(TranscriptionCreateParamsBase, RequestOptions, total=False):
        response_format: str | None  # a format known only at run time

    # What `create` takes and gives, for type checkers (see _endpoint.py).
    def _create_text(**params: Unpack[_CreateText]) -> SyncAsync[str, str]: ...
    def _create_json(**params: Unpack[_CreateJson]) -> SyncAsync[Transcription, Transcription]: ...
    def _create_either(
        **params: Unpack[_CreateEither],
    ) -> SyncAsync[Transcription | str, Transcription | str]: ...

else:
    _create_text = _create_json = _create_either = None


__all__ = ["Audio", "Transcriptions", "form_fields", "file_part"]

_REQUIRED = ("file", "model")
_TEXT_FIELDS = ("language", "prompt", "response_format")
# Formats that OpenAI answers as plain text; create() returns a str for them.
_TEXT_FORMATS = frozenset({"text", "srt", "vtt"})


def form_fields(params: dict[str, Any]) -> dict[str, str]:
    """The text parts of the form: only the fields that are set, as the server parses them."""
    model = params["model"]
    if not isinstance(model, str):
        raise TypeError(f"model must be a str, not {type(model).__name__}")
    form = {"model": model}  # required, so sent even when "" (the server's default model)
    for name in _TEXT_FIELDS:
        value = params.get(name)
        if value is None or value == "":
            continue
        if not isinstance(value, str):
            raise TypeError(f"{name} must be a str, not {type(value).__name__}")
        form[name] = value
    temperature = params.get("temperature")
    if temperature is not None:
        if isinstance(temperature, bool) or not isinstance(temperature, (int, float)):
            raise TypeError(f"temperature must be a number, not {type(temperature).__name__}")
        if not math.isfinite(temperature):
            raise ValueError(f"temperature must be finite, got {temperature!r}")
        form["temperature"] = repr(float(temperature))  # always a float literal, e.g. "0.0"
    create_session = params.get("create_session")
    if create_session is not None:
        if not isinstance(create_session, bool):
            raise TypeError(f"create_session must be a bool, not {type(create_session).__name__}")
        form["create_session"] = "true" if create_session else "false"
    session = params.get("session")
    if session is not None:
        form["session"] = _session_id(session)
    return form


def _session_id(session: Any) -> str:
    if isinstance(session, uuid.UUID):
        return str(session)
    if not isinstance(session, str):
        raise TypeError(f"session must be a str or uuid.UUID, not {type(session).__name__}")
    try:
        return str(uuid.UUID(session))
    except ValueError:
        raise ValueError(f"session must be a UUID, got {session!r}") from None


def _open(path: str | os.PathLike[str]) -> BinaryIO:
    try:
        return open(path, "rb")  # noqa: SIM115 - closed by the request's cleanup
    except OSError as exc:
        raise type(exc)(
            exc.errno, f"Cannot read the file to upload ({exc.strerror})", os.fspath(path)
        ) from None
    except ValueError as exc:  # e.g. a NUL byte in the path
        raise ValueError(f"Cannot read the file to upload {str(path)[:200]!r}: {exc}") from None


def _basename(name: Any) -> str:
    if isinstance(name, bytes):
        name = os.fsdecode(name)
    return os.path.basename(name) if isinstance(name, str) and name else "upload"


def _content(value: Any, where: str) -> tuple[Any, BinaryIO | None]:
    """The file content for httpx, and the handle when this call opened one."""
    if isinstance(value, os.PathLike):
        handle = _open(value)
        return handle, handle
    if isinstance(value, bytes):
        return value, None
    if isinstance(value, (bytearray, memoryview)):
        return bytes(value), None
    if isinstance(value, io.TextIOBase):
        raise TypeError(f"{where} is a file opened in text mode; open it with 'rb'")
    if hasattr(value, "read"):
        return value, None
    raise TypeError(f"{where} must be a path, bytes or a binary file, not {type(value).__name__}")


def file_part(file: Any) -> tuple[tuple[Any, ...], BinaryIO | None]:
    """The `file` part as an httpx files tuple, and the handle to close after the request.

    Paths are opened here (so a missing file fails before anything is sent) and
    streamed from disk by httpx in small chunks, never read whole.
    """
    handle: BinaryIO | None
    if isinstance(file, str):
        handle = _open(file)
        return (_basename(file), handle), handle
    if isinstance(file, tuple):
        if len(file) not in (2, 3):
            raise ValueError(
                "a file tuple must be (filename, content) or (filename, content, type)"
            )
        filename, content = file[0], file[1]
        if filename is not None and not isinstance(filename, str):
            raise TypeError(f"file[0] (the filename) must be a str, not {type(filename).__name__}")
        if isinstance(content, str):
            raise TypeError("file[1] must be bytes, a binary file or a pathlib.Path, not a str")
        if len(file) == 3 and file[2] is not None and not isinstance(file[2], str):
            kind = type(file[2]).__name__
            raise TypeError(f"file[2] (the content type) must be a str, not {kind}")
        data, handle = _content(content, "file[1]")
        return (filename, data, *file[2:]), handle
    data, handle = _content(file, "file")
    name = getattr(file, "name", None) if handle is None else os.fspath(file)
    return (_basename(name), data), handle


def parse_text(response: httpx.Response) -> str:
    """The transcript for `text`/`srt`/`vtt`: Edgen still answers JSON, others plain text."""
    if "json" not in response.headers.get("content-type", ""):
        return response.text
    return pipeline.decode_response(response, Transcription).text


class Transcriptions(Resource[_C, _M]):
    __slots__ = ("status",)
    if TYPE_CHECKING:
        status: Status[_C, _M]
        with_raw_response: Transcriptions[_C, Raw]
        with_streaming_response: Transcriptions[_C, Streaming]

    def _init_children(self) -> None:
        self.status = Status(self._client, self._mode, "audio/transcriptions/status")

    @endpoint(_create_text, _create_json, _create_either)
    def create(self, **params: Any) -> Any:
        """Transcribe an audio file (wav, mp3, flac, ogg, m4a...).

        `file` is a path (str or `Path`), bytes, an open binary file or a
        `(filename, content[, content_type])` tuple. Returns a `Transcription`, or
        the text as a str when `response_format` is "text", "srt" or "vtt".
        """
        options = split_options(params)
        params = drop_not_given(params)
        check_params("create", params, TRANSCRIPTION_CREATE_FIELDS, _REQUIRED)
        form = form_fields(params)
        as_text = params.get("response_format") in _TEXT_FORMATS
        upload, handle = file_part(params["file"])  # last: nothing to close if a check fails
        spec = RequestSpec(
            "POST",
            "audio/transcriptions",
            body=form,
            files={"file": upload},
            cast=Transcription,
            parse=parse_text if as_text else None,
            options=options,
            mode=self._mode,
            cleanup=handle.close if handle is not None else None,
        )
        try:
            return self._client._request(spec)
        except BaseException:
            if handle is not None:
                handle.close()
            raise


class Audio(Resource[_C, _M]):
    __slots__ = ("transcriptions",)
    if TYPE_CHECKING:
        transcriptions: Transcriptions[_C, _M]
        with_raw_response: Audio[_C, Raw]
        with_streaming_response: Audio[_C, Streaming]

    def _init_children(self) -> None:
        self.transcriptions = Transcriptions(self._client, self._mode)
