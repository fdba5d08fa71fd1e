from __future__ import annotations

from ..._models import BaseModel


class Transcription(BaseModel):
    """The text of an audio file (`POST /audio/transcriptions`)."""

    text: str
    """The Edgen server's text usually starts with a space."""
    session: str | None = None
    """Edgen: the session UUID, sent only when `create_session=True` was asked for."""
