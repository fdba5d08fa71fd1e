from __future__ import annotations

from .._models import BaseModel


class AIStatus(BaseModel):
    """The state of one endpoint's model (`/chat/completions/status` and friends)."""

    active_model: str
    """The configured model file name; "unknown" if never set."""
    download_ongoing: bool
    download_progress: int
    """Percent, 0-100, of the current or last download."""
    last_errors: list[str]
