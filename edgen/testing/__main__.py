"""``python -m edgen.testing``: run the Edgen emulator in the foreground."""

from __future__ import annotations

import sys

from ._serve import serve_forever

if __name__ == "__main__":
    sys.exit(serve_forever())
