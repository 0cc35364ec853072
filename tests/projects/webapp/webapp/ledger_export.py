import pickle

from webapp.ledger_models import Archive, Filing, Ledger, Posting


def save(account):
    return pickle.dumps(Posting(account, Ledger("main")))  # expect: PKL202@12 "self.ledger._lock"


def save_filing(account):
    return pickle.dumps(Filing(account, Archive("main")))


def crash_save():  # raises: TypeError "cannot pickle"
    save("a")


def clean_save_filing():
    assert pickle.loads(save_filing("a")).archive.name == "main"
