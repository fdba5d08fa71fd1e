"""Parameters of `client.audio.transcriptions.create()`."""

import os
import uuid
from typing import IO, Literal, Union

from ..._typing import Required, TypedDict

FileContent = Union[IO[bytes], bytes]
FileTypes = Union[
    "os.PathLike[str]",
    str,
    FileContent,
    tuple[Union[str, None], Union[FileContent, "os.PathLike[str]"]],
    tuple[Union[str, None], Union[FileContent, "os.PathLike[str]"], Union[str, None]],
]
"""A path (str or `Path`), bytes, an open binary file, or `(filename, content[, type])`."""


class TranscriptionCreateParamsBase(TypedDict, total=False):
    file: Required[FileTypes]
    model: Required[str]
    """Edgen: "default", an "owner/repo/file" reference or a file name with `whisper`/`distil`."""
    language: str | None
    """ISO-639-1 code of the spoken language."""
    prompt: str | None
    temperature: float | None
    create_session: bool | None
    """Edgen: start a session for chunked live audio; its UUID comes back as `session`."""
    session: str | uuid.UUID | None
    """Edgen: continue a session created earlier."""


class TranscriptionCreateParamsJson(TranscriptionCreateParamsBase, total=False):
    response_format: Literal["json", "verbose_json"] | None


class TranscriptionCreateParamsText(TranscriptionCreateParamsBase):
    response_format: Required[Literal["text", "srt", "vtt"]]
    """These make `create()` return a str (Edgen always answers JSON; its text is taken)."""


class TranscriptionCreateParams(TranscriptionCreateParamsBase, total=False):
    response_format: Literal["json", "text", "srt", "verbose_json", "vtt"] | None


TRANSCRIPTION_CREATE_FIELDS = frozenset(TranscriptionCreateParams.__annotations__)
