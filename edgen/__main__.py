# `python -m edgen`: the `edgen` command line.

from ._cli import main

if __name__ == "__main__":
    raise SystemExit(main())
