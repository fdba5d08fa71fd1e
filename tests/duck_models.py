"""Classes with pydantic's model API (`model_json_schema`, `model_validate_json`) and no
pydantic behind them: what edgen must accept by duck typing, importing nothing."""

from __future__ import annotations

import json
from typing import Any


class DuckValidationError(ValueError):
    """Raised as pydantic raises its ValidationError (also a ValueError)."""


class Forecast:
    """A city's forecast."""

    def __init__(self, city: str, days: list[dict[str, Any]]) -> None:
        self.city = city
        self.days = days

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Forecast) and (self.city, self.days) == (other.city, other.days)

    def __repr__(self) -> str:
        return f"Forecast(city={self.city!r}, days={self.days!r})"

    @classmethod
    def model_json_schema(cls) -> dict[str, Any]:
        # Shaped as pydantic writes it: titles, the root inline, nested models under $defs.
        return {
            "title": "Forecast",
            "description": "A city's forecast.",
            "type": "object",
            "properties": {
                "city": {"title": "City", "type": "string"},
                "days": {"title": "Days", "type": "array", "items": {"$ref": "#/$defs/Day"}},
            },
            "required": ["city", "days"],
            "$defs": {
                "Day": {
                    "title": "Day",
                    "type": "object",
                    "properties": {"high": {"title": "High", "type": "integer"}},
                    "required": ["high"],
                }
            },
        }

    @classmethod
    def model_validate_json(cls, data: str | bytes) -> Forecast:
        value = json.loads(data)  # its JSONDecodeError is a ValueError too
        if not isinstance(value, dict) or not isinstance(value.get("city"), str):
            raise DuckValidationError("1 validation error for Forecast\ncity\n  Field required")
        days = value.get("days")
        if not isinstance(days, list) or not all(isinstance(d, dict) for d in days):
            raise DuckValidationError(
                "1 validation error for Forecast\ndays\n  Input should be a list"
            )
        return cls(value["city"], days)
