"""``python -m edgen.testing``: run the Edgen emulator in the foreground."""

import sys

from ._emulator import serve_forever

if __name__ == "__main__":
    sys.exit(serve_forever())
