"""PKL302, PKL303, PKL305-PKL308: class pickling protocols that crash or lose data."""

from __future__ import annotations

from typing import Callable

from .findings import Finding
from .scope import Listener


class ProtocolChecks(Listener):
    """Reads each class's protocol methods (not implemented yet)."""

    def __init__(self, report: Callable[[Finding], None]):
        self.report = report
