from __future__ import annotations

from .._models import BaseModel


class Version(BaseModel):
    """The server's version (`GET /misc/version`), e.g. 0.1.5."""

    major: int
    minor: int
    patch: int
    build: str = ""
    """A suffix such as "rc1"; empty when there is none."""

    def __str__(self) -> str:
        core = f"{self.major}.{self.minor}.{self.patch}"
        return f"{core}-{self.build}" if self.build else core
