"""A class holding an open file, held by a dataclass of the same module: neither is pickled here,
both are pickled by webapp/ledger_export.py (a Job is pickled with the Ledger it holds)."""
import threading
from dataclasses import dataclass
from typing import Optional


class Ledger:  # expect: PKL301@1 "class Ledger holds threading.Lock"
    def __init__(self, name):
        self.name = name
        self._lock = threading.Lock()


@dataclass
class Posting:
    account: str
    ledger: Ledger


class Archive:
    """Drops what it cannot pickle: its holder travels fine."""

    def __init__(self, name):
        self.name = name
        self._lock = threading.Lock()

    def __getstate__(self):
        return {"name": self.name}

    def __setstate__(self, state):
        self.__init__(state["name"])


@dataclass
class Filing:
    account: str
    archive: Optional[Archive] = None
