# python -m edgen.testing: the Edgen emulator in the foreground

from ._emulator import serve_forever

if __name__ == "__main__":
    raise SystemExit(serve_forever())
