"""``python -m groggy_jit``: the command line (see :mod:`groggy_jit.cli`)."""

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
