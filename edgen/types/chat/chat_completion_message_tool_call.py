from __future__ import annotations

from ..._models import BaseModel


class Function(BaseModel):
    name: str
    arguments: str
    """JSON text produced by the model; validate it before use."""


class ChatCompletionMessageToolCall(BaseModel):
    id: str
    type: str
    function: Function
