#!/usr/bin/env python3
"""Build the cyberbullying print kit: brochures and posters in every language.

    python build.py                 build everything that changed
    python build.py --list          show the build plan, render nothing
    python build.py status          how complete each translation is
    python build.py --help          every command and option

The same command is installed as `cyberpesten-kit` and runs as
`python -m kit`. The pipeline itself is `kit/pipeline.py`; the command line
is `kit/cli.py`.
"""

import sys

from kit.cli import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
