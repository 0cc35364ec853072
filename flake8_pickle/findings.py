"""The finding record every check emits and the plugin turns into a flake8 tuple."""

from __future__ import annotations

from typing import NamedTuple


class Finding(NamedTuple):
    """One reported problem: position, code and the full message text (code first)."""

    line: int
    col: int
    code: str
    message: str
