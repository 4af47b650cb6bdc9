"""``python -m leadcore``: the ``leadcore`` command."""

from __future__ import annotations

import sys

from leadcore._cli import main

if __name__ == "__main__":
    sys.exit(main())
