"""Tiny deterministic PNG images, built with zlib and struct only."""

from __future__ import annotations

import hashlib
import struct
import zlib

__all__ = ["MAX_SIDE", "make_png"]

#: Real images would be 768x768; the emulator keeps them tiny so the JSON stays small.
MAX_SIDE = 64

_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _chunk(tag: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))


def make_png(width: int, height: int, seed: bytes) -> bytes:
    """Return an RGB PNG of at most ``MAX_SIDE`` pixels per side, a pure function of its args."""
    w = max(1, min(width, MAX_SIDE))
    h = max(1, min(height, MAX_SIDE))
    digest = hashlib.sha256(seed).digest()
    r0, g0, b0, dr, dg, db = digest[:6]
    rows = bytearray()
    for y in range(h):
        rows.append(0)  # filter type "None" for every scanline
        for x in range(w):
            rows += bytes(
                ((r0 + x * dr // 8) & 255, (g0 + y * dg // 8) & 255, (b0 + (x ^ y) * db // 8) & 255)
            )
    ihdr = struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)
    return (
        _SIGNATURE
        + _chunk(b"IHDR", ihdr)
        + _chunk(b"IDAT", zlib.compress(bytes(rows), 6))
        + _chunk(b"IEND", b"")
    )
