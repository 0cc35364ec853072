import copy
import dataclasses

from webapp.res_journal import Journal
from webapp.res_records import Record, Summary


def export(record: Record):
    return dataclasses.asdict(record)  # expect: PKL201@12 "self.journal._lock of webapp.res_journal.Journal"


def backup(record_id):
    return copy.deepcopy(Record(record_id, Journal("/tmp/j")))  # expect: PKL201@12 "self.journal._lock"


def backup_summary(record_id):
    return copy.deepcopy(Summary(record_id))


def crash_export():  # raises: TypeError "cannot pickle"
    export(Record("r", Journal("/tmp/j")))


def crash_backup():  # raises: TypeError "cannot pickle"
    backup("r")


def clean_backup_summary():
    assert backup_summary("r").journal is None
