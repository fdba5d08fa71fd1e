from __future__ import annotations

import os
from pathlib import Path

from .._models import BaseModel


class ImageGenerationResponse(BaseModel):
    """Generated images; each item holds the complete bytes of one PNG file."""

    images: list[bytes]

    def save(self, directory: str | os.PathLike[str] = ".", *, prefix: str = "image") -> list[Path]:
        """Write each image to `directory` as `<prefix>-<n>.png`; returns the paths, in order."""
        folder = Path(directory)
        folder.mkdir(parents=True, exist_ok=True)
        paths = []
        for n, png in enumerate(self.images):
            path = folder / f"{prefix}-{n}.png"
            path.write_bytes(png)
            paths.append(path)
        return paths
