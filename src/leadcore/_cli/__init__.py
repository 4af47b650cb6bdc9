"""
The ``leadcore`` command line (the top layer): :func:`main` and its ``dedupe`` command.

Kept apart from the rule code: this is the only package that reads files and the terminal.
"""

from leadcore._cli.main import main, parser

__all__ = ["main", "parser"]
