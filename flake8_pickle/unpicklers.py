"""PKL104: restricted Unpickler subclasses whose find_class restricts nothing or admits code execution."""

from __future__ import annotations

from typing import Callable

from .findings import Finding
from .scope import Listener


class FindClassChecks(Listener):
    """Grades every in-module Unpickler subclass's find_class (not implemented yet)."""

    def __init__(self, report: Callable[[Finding], None]):
        self.report = report
