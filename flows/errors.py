"""Errors the CLI prints as one line with exit status 2 (never a traceback)."""

from __future__ import annotations


class UsageError(Exception):
    """A user error worth one line: bad arguments, missing files, unknown names."""
