"""``python -m simplezarr``: the command-line tool (see :mod:`simplezarr.cli`)."""

import sys

from simplezarr.cli import main

if __name__ == "__main__":
    sys.exit(main())
