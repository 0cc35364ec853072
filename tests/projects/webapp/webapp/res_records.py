"""Dataclasses whose fields hold another module's objects (webapp/res_journal.py); copied in
webapp/res_export.py."""
import dataclasses
from typing import Optional

from .res_journal import Journal


@dataclasses.dataclass
class Record:  # expect: PKL301@1 "class Record holds threading.Lock in self.journal._lock of webapp.res_journal.Journal"
    record_id: str
    journal: Journal


@dataclasses.dataclass
class Summary:  # expect: PKL301@1 "class Summary holds threading.Lock in self.journal._lock"
    record_id: str
    journal: Optional[Journal] = None
