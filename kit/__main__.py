"""`python -m kit`: the same command line as `python build.py`."""

import sys

from kit.cli import main

sys.exit(main(sys.argv[1:]))
