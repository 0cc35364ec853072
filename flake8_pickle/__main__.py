"""``python -m flake8_pickle fix PATH...`` and ``python -m flake8_pickle check PATH...`` (see :mod:`flake8_pickle.fix.cli`)."""

import sys

from .fix.cli import main

if __name__ == "__main__":
    sys.exit(main())
